//===- Chain.cpp - Execution of one chain ---------------------------------===//
//
// v_rd [mv_mul] (point-wise op)* v_wr+ end_chain, as in
// docs/execution-model.md "Chains". Every address is checked before it is
// used (for iter-flagged v_rd / v_wr the effective address of this loop
// iteration); a failing check reports the instruction and stops the run.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"
#include "WindowRead.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace softnpu::sim::detail {

using isa::Inst;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

std::string vrfRangeText(MemSpace mem, unsigned mfu, uint64_t first, uint64_t count, uint32_t depth) {
  std::string name = isa::memSpaceName(mem);
  if (mem == MemSpace::AsVrf || mem == MemSpace::MulVrf)
    name += "[" + std::to_string(mfu) + "]";
  return "vectors [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of " + name +
         " are out of range (depth " + std::to_string(depth) + ")";
}

/// The effective address of v_rd / v_wr / a point-wise op `inst`, or false
/// with a message when it is negative (only an iter address can be). Its
/// upper bound is checked by the caller, in the memory's own terms.
bool addressOf(const State &s, const Inst &inst, uint64_t &addr, std::string &what) {
  const int64_t a = s.effectiveAddress(inst);
  if (a < 0) {
    const SReg step = isa::stepRegister(inst.op);
    what = std::string("iter address ") + std::to_string(inst.a) + " + " +
           std::to_string(s.loops.empty() ? 0 : s.loops.back().iteration) + " x " +
           std::to_string(static_cast<int32_t>(s.reg(step))) + " (" + isa::sregName(step) + ") = " + std::to_string(a) +
           " is negative";
    return false;
  }
  addr = static_cast<uint64_t>(a);
  return true;
}

/// The DRAM read of a v_rd of COLS vectors at `addr` (not a window), checked
/// against the DRAM, with the stale part it reaches restored (State::
/// dramStale); nullopt and `what` when it is not a read or leaves the DRAM.
std::optional<isa::DramRead> dramRead(State &s, uint64_t addr, uint32_t cols, std::string &what) {
  std::optional<isa::DramRead> r =
      isa::dramReadOf(cols, s.n, s.reg(SReg::RdLen), s.reg(SReg::RdStride), s.reg(SReg::RdPitch), what);
  if (!r || r->len == 0)
    return r;
  const uint64_t off = r->lastOffset(), last = off > UINT64_MAX - addr ? UINT64_MAX : addr + off;
  if (last >= s.dram.size()) {
    what = "DRAM read reaches element " + std::to_string(last) + " (RD_LEN " + std::to_string(r->len) + ", RD_STRIDE " +
           std::to_string(r->stride) + ", RD_PITCH " + std::to_string(r->pitch) + "), DRAM has " +
           std::to_string(s.dram.size()) + " elements";
    return std::nullopt;
  }
  s.settleDram(addr, last + 1);
  return r;
}

/// Reads the chain input (COLS vectors) into s.cur.
bool readInput(State &s, const Inst &rd, uint32_t cols, std::string &what) {
  const uint64_t lanes = static_cast<uint64_t>(cols) * s.n;
  if (rd.flags & isa::kVWindow)
    return readWindow(s, rd, lanes, what);
  float *x = s.cur.data();
  uint64_t addr = 0;
  if (!addressOf(s, rd, addr, what))
    return false;
  if (rd.mem == MemSpace::Dram) {
    const std::optional<isa::DramRead> r = dramRead(s, addr, cols, what);
    if (!r)
      return false;
    // Row by row: each row's elements, then zeros to its last vector.
    const uint64_t rowLanes = r->pitch ? r->vectorsPerRow * s.n : lanes;
    for (uint64_t row = 0; row < r->rows; ++row) {
      const float *src = s.dram.data() + addr + row * r->pitch;
      float *dst = x + row * rowLanes;
      if (r->stride == 1) {
        std::memcpy(dst, src, r->len * sizeof(float));
      } else if (r->stride == 0) {
        std::fill(dst, dst + r->len, r->len ? src[0] : 0.0f);
      } else {
        for (uint64_t j = 0; j < r->len; ++j)
          dst[j] = src[j * r->stride];
      }
      std::fill(dst + r->len, dst + rowLanes, 0.0f);
    }
    return true;
  }
  uint32_t depth = 0;
  const float *base = s.vrf(rd.mem, rd.b, depth);
  if (!base) {
    what = std::string("cannot read from ") + isa::memSpaceName(rd.mem);
    return false;
  }
  if (addr + cols > depth) {
    what = vrfRangeText(rd.mem, rd.b, addr, cols, depth);
    return false;
  }
  std::memcpy(x, base + static_cast<size_t>(addr) * s.n, lanes * sizeof(float));
  return true;
}

bool writeOutput(State &s, const Inst &wr, uint32_t w, std::string &what) {
  const uint64_t lanes = static_cast<uint64_t>(w) * s.n;
  const float *x = s.cur.data();
  uint64_t addr = 0;
  if (!addressOf(s, wr, addr, what))
    return false;
  if (wr.mem == MemSpace::Dram) {
    const uint64_t wrLen = s.reg(SReg::WrLen);
    const uint64_t len = wrLen ? wrLen : lanes;
    if (len > lanes) {
      what = "WR_LEN " + std::to_string(len) + " exceeds the chain's " + std::to_string(lanes) + " lanes";
      return false;
    }
    if (addr + len > s.dram.size()) {
      what = "DRAM write of elements [" + std::to_string(addr) + ", " + std::to_string(addr + len) +
             ") is out of range (DRAM has " + std::to_string(s.dram.size()) + " elements)";
      return false;
    }
    std::memcpy(s.dram.data() + addr, x, len * sizeof(float));
    s.markDramWritten(addr, addr + len);
    return true;
  }
  uint32_t depth = 0;
  float *base = s.vrf(wr.mem, wr.b, depth);
  if (!base) {
    what = std::string("cannot write to ") + isa::memSpaceName(wr.mem);
    return false;
  }
  if (addr + w > depth) {
    what = vrfRangeText(wr.mem, wr.b, addr, w, depth);
    return false;
  }
  std::memcpy(base + static_cast<size_t>(addr) * s.n, x, lanes * sizeof(float));
  s.markVrfWritten(wr.mem, wr.b, addr, w);
  return true;
}

/// A chain that only copies DRAM rows into a VRF (v_rd DRAM, v_wr to a VRF,
/// end_chain, in fp32: how a convolution stages its residual) writes each
/// row's elements straight into the VRF's vectors and clears only the lanes
/// after them that may hold something (State::WrittenVectors::extent). A
/// row of 24 channels in a vector of 400 lanes then moves 24 floats instead
/// of 400 twice (into the chain's vectors, then the VRF) and 400 zeros at
/// the next reset. The VRF ends as the general path leaves it. False, with
/// nothing done, for any other chain or when a check fails: the general
/// path then runs and reports it.
bool copyRowsToVrf(State &s, const isa::ChainPlan &chain, uint32_t cols) {
  if (chain.end - chain.begin != 3 || !s.target.mfuFormat.isFp32())
    return false;
  const Inst &rd = s.program[chain.begin], &wr = s.program[chain.begin + 1];
  if (rd.op != Opcode::VRd || rd.mem != MemSpace::Dram || (rd.flags & isa::kVWindow) || wr.op != Opcode::VWr ||
      wr.mem == MemSpace::Dram)
    return false;
  std::string why;
  uint64_t from = 0, to = 0;
  if (!addressOf(s, rd, from, why) || !addressOf(s, wr, to, why))
    return false;
  const std::optional<isa::DramRead> r = dramRead(s, from, cols, why);
  if (!r || r->stride != 1)
    return false;
  uint32_t depth = 0;
  float *base = s.vrf(wr.mem, wr.b, depth);
  State::WrittenVectors *written = s.writtenVectors(wr.mem, wr.b);
  if (!base || !written || to + cols > depth)
    return false;
  const uint64_t n = s.n, perRow = r->pitch ? r->vectorsPerRow : cols;
  for (uint64_t row = 0; row < r->rows; ++row) {
    const float *src = s.dram.data() + from + row * r->pitch;
    for (uint64_t k = 0; k < perRow; ++k) {
      const uint64_t v = to + row * perRow + k;
      const uint64_t elements = r->len > k * n ? std::min(n, r->len - k * n) : 0;
      float *dst = base + v * n;
      std::memcpy(dst, src + k * n, elements * sizeof(float));
      const uint32_t dirty = written->dirtyLanes(static_cast<uint32_t>(v));
      if (dirty > elements)
        std::fill(dst + elements, dst + dirty, 0.0f);
      written->mark(static_cast<uint32_t>(v), static_cast<uint32_t>(elements));
    }
  }
  return true;
}

} // namespace

bool executeChain(State &s, size_t index, size_t &failedAt, std::string &what) {
  const isa::ChainPlan &chain = s.plan.chains[index];
  const uint32_t rows = s.reg(SReg::Rows), cols = s.reg(SReg::Cols);
  ChainEvent event;
  event.chainIndex = index;
  event.begin = chain.begin;
  event.end = chain.end;
  event.rows = rows;
  event.cols = cols;
  event.hasMatVec = chain.hasMatVec;
  event.mfusUsed = chain.mfusUsed;

  failedAt = chain.begin;
  if (cols == 0) {
    what = "COLS is 0";
    return false;
  }
  const uint64_t inLanes = static_cast<uint64_t>(cols) * s.n;
  if (inLanes > s.maxLanes) {
    what = "COLS " + std::to_string(cols) + " makes a chain of " + std::to_string(inLanes) +
           " lanes, more than any memory of the target holds";
    return false;
  }
  if (copyRowsToVrf(s, chain, cols)) {
    s.counters.instructions += chain.end - chain.begin;
    ++s.counters.chains;
    if (s.observer)
      s.observer(event);
    return true;
  }
  s.ensureLanes(inLanes);
  if (!readInput(s, s.program[chain.begin], cols, what))
    return false;
  const numerics::NumberFormat &mfuFormat = s.target.mfuFormat;
  const numerics::Rounding rounding = s.target.rounding;
  // Without a matrix product the input enters the MFU chain directly, in the
  // MFU format (docs/execution-model.md, "Multifunction units").
  if (!chain.hasMatVec)
    numerics::roundTrip(s.cur.data(), inLanes, mfuFormat, rounding);

  uint32_t w = cols; // current width in native vectors
  for (size_t k = chain.begin + 1; k < chain.end; ++k) {
    const Inst &inst = s.program[k];
    failedAt = k;
    const isa::InstInfo *info = isa::lookup(static_cast<uint8_t>(inst.op));
    switch (info->kind) {
    case isa::Kind::MatVec: {
      if (rows == 0) {
        what = "ROWS is 0";
        return false;
      }
      const uint64_t tiles = static_cast<uint64_t>(rows) * cols;
      if (inst.a + tiles > s.mrf.numTiles()) {
        what = "uses MRF tiles [" + std::to_string(inst.a) + ", " + std::to_string(inst.a + tiles) +
               ") but the MRF has " + std::to_string(s.mrf.numTiles()) + " tiles";
        return false;
      }
      const uint32_t pair = s.reg(SReg::MFmt);
      if (pair >= s.mrf.numFormats()) {
        what = "MFMT " + std::to_string(pair) + " is not an entry of the format table (" +
               std::to_string(s.mrf.numFormats()) + " entries)";
        return false;
      }
      s.ensureLanes(static_cast<uint64_t>(rows) * s.n);
      if (!s.mrf.matVec(inst.a, rows, cols, s.cur.data(), s.next.data(), pair, what))
        return false;
      std::swap(s.cur, s.next);
      numerics::roundTrip(s.cur.data(), static_cast<size_t>(rows) * s.n, mfuFormat, rounding);
      w = rows;
      event.tileOps += tiles;
      event.macs += tiles * s.n * s.n;
      break;
    }
    case isa::Kind::MfuAddSub:
    case isa::Kind::MfuMul: {
      const unsigned mfu = chain.mfuOfOp[k - chain.begin];
      const MemSpace mem = info->kind == isa::Kind::MfuMul ? MemSpace::MulVrf : MemSpace::AsVrf;
      uint32_t depth = 0;
      const float *base = s.vrf(mem, mfu, depth);
      uint64_t addr = 0;
      if (!addressOf(s, inst, addr, what)) {
        what = "second operand: " + what;
        return false;
      }
      if (!base || addr + w > depth) {
        what = "second operand: " + vrfRangeText(mem, mfu, addr, w, depth);
        return false;
      }
      applyPointwise(inst.op, s.cur.data(), base + static_cast<size_t>(addr) * s.n, static_cast<size_t>(w) * s.n,
                     mfuFormat, rounding);
      ++s.counters.pointwiseOps;
      break;
    }
    case isa::Kind::MfuAct:
      applyPointwise(inst.op, s.cur.data(), nullptr, static_cast<size_t>(w) * s.n, mfuFormat, rounding);
      ++s.counters.pointwiseOps;
      break;
    case isa::Kind::ChainWrite:
      if (!writeOutput(s, inst, w, what))
        return false;
      break;
    default: // end_chain
      break;
    }
  }
  s.counters.instructions += chain.end - chain.begin;
  ++s.counters.chains;
  s.counters.mvMulTileOps += event.tileOps;
  s.counters.macs += event.macs;
  if (s.observer)
    s.observer(event);
  return true;
}

} // namespace softnpu::sim::detail
