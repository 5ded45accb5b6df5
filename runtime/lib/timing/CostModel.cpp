//===- CostModel.cpp - Per-chain cycle formulas (docs/timing-model.md) ----===//
#include "softnpu/timing/CostModel.h"

#include <algorithm>
#include <cmath>

namespace softnpu::timing {

namespace {

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/// ceil(log2 x) for x >= 1.
uint64_t ceilLog2(uint64_t x) {
  uint64_t bits = 0;
  while ((uint64_t{1} << bits) < x)
    ++bits;
  return bits;
}

constexpr uint64_t kBytesPerElement = 4; // DRAM holds fp32 elements

} // namespace

unsigned numUnits(const target::Target &t) { return 2 + std::min(t.numMfus, kMaxMfus); }

std::string unitName(unsigned unit) {
  if (unit == unitIndex(Unit::Dram))
    return "DRAM";
  if (unit == unitIndex(Unit::Mvu))
    return "MVU";
  return "MFU" + std::to_string(unit - unitIndex(Unit::Mfu0));
}

uint64_t cyclesPerVector(const target::Target &t) { return ceilDiv(t.nativeDim, std::max(1u, t.lanes)); }

NetworkTransfer networkTransfer(const target::Target &t, uint64_t elements) {
  NetworkTransfer n;
  if (elements == 0 || t.nativeDim == 0)
    return n;
  n.vectors = ceilDiv(elements, t.nativeDim);
  n.pieces = ceilDiv(n.vectors, std::max(1u, t.networkQueueDepth));
  n.cycles = n.pieces * t.dramLatencyCycles + dramCycles(t, n.vectors * t.nativeDim * 4);
  return n;
}

uint64_t dramCycles(const target::Target &t, uint64_t bytes) {
  if (bytes == 0)
    return 0;
  // bytes per cycle = GB/s * 1e9 / (MHz * 1e6) = GB/s * 1000 / MHz.
  const double cycles = static_cast<double>(bytes) * t.clockMHz / (t.dramBandwidthGBps * 1000.0);
  // Guard against 1.6 * 1000 style representation error turning 4.0 into 4.0000001.
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(cycles - 1e-9)));
}

uint64_t mvuLatency(const target::Target &t) {
  const target::Latencies &l = t.latencies;
  return std::max(l.mrfToDpe, l.vrfToDpe) + l.multiplier + ceilLog2(std::max(1u, t.lanes)) * l.adder + l.mvuAccumulate +
         ceilLog2(std::max(1u, t.tileEngines)) + l.reduction;
}

ChainCost costOf(const target::Target &t, const Work &w) {
  const target::Latencies &l = t.latencies;
  ChainCost c;
  const uint64_t nl = cyclesPerVector(t);
  c.dramBytes = kBytesPerElement * (w.dramRead + w.dramWritten) + w.dramReadBytes;
  UnitUse &dram = c.units[unitIndex(Unit::Dram)];
  if (c.dramBytes) {
    dram.used = true;
    dram.offset = 0;
    dram.busy = dramCycles(t, c.dramBytes);
  }
  switch (w.kind) {
  case WorkKind::ScalarWrite:
    c.issue = l.scalarIssue;
    return c;
  case WorkKind::MatrixMove:
    c.issue = l.chainIssue;
    c.latency = t.dramLatencyCycles + l.writeBack;
    c.stream = dram.busy;
    c.duration = c.latency + c.stream;
    return c;
  case WorkKind::Chain:
    break;
  }
  c.issue = l.chainIssue;
  uint64_t at = w.sourceDram ? t.dramLatencyCycles : l.rfRead; // first vector read
  uint64_t stream = std::max(w.vectorsIn, w.vectors);          // one native vector per cycle at least
  if (w.matVec) {
    UnitUse &mvu = c.units[unitIndex(Unit::Mvu)];
    mvu.used = true;
    mvu.offset = at;
    const uint64_t tiles = uint64_t{w.rows} * w.cols;
    mvu.busy = ceilDiv(tiles, std::max(1u, t.tileEngines)) * nl;
    c.macs = tiles * t.nativeDim * t.nativeDim;
    at += mvuLatency(t);
  }
  for (unsigned m = 0; m < kMaxMfus && m < t.numMfus; ++m) {
    if (!w.mfuStages[m])
      continue;
    UnitUse &mfu = c.units[mfuUnit(m)];
    mfu.used = true;
    mfu.offset = at;
    mfu.busy = uint64_t{w.vectors} * nl;
    at += uint64_t{w.mfuStages[m]} * l.mfuStage;
  }
  // A chain that only writes DRAM uses the channel from when its first
  // result reaches write-back; one that reads DRAM reserves it from its start
  // for all its traffic.
  if (dram.used && w.dramRead == 0 && w.dramReadBytes == 0)
    dram.offset = at;
  at += l.writeBack;
  for (const UnitUse &u : c.units)
    stream = std::max(stream, u.busy);
  c.latency = at;
  c.stream = stream;
  c.duration = c.latency + c.stream;
  return c;
}

uint64_t estimateChain(const target::Target &t, const Work &w) {
  const ChainCost c = costOf(t, w);
  return c.issue + c.duration;
}

} // namespace softnpu::timing
