//===- CostModel.h - Cycles of one chain in isolation (pure functions) ----===//
//
// The per-chain formulas of docs/timing-model.md: how long each unit a chain
// uses is busy (its throughput time), when the chain's first vector reaches
// it (its pipeline offset), the chain's pipeline latency and its duration.
// Stateless: the compiler calls estimateChain() for decisions; the Scheduler
// (Scheduler.h) adds contention and dependencies between chains.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_COSTMODEL_H
#define SOFTNPU_TIMING_COSTMODEL_H

#include "softnpu/target/Target.h"
#include "softnpu/timing/Work.h"

#include <array>
#include <cstdint>
#include <string>

namespace softnpu::timing {

/// The units a chain can occupy. MFU m is Unit::Mfu0 + m. The control
/// processor ("host" track) is accounted separately (ChainCost::issue).
enum class Unit : uint8_t { Dram = 0, Mvu = 1, Mfu0 = 2 };
constexpr unsigned kMaxUnits = 2 + kMaxMfus;
inline unsigned unitIndex(Unit u) { return static_cast<unsigned>(u); }
inline unsigned mfuUnit(unsigned mfu) { return unitIndex(Unit::Mfu0) + mfu; }
/// Units of a target: DRAM, MVU, MFU0 .. MFU(numMfus-1).
unsigned numUnits(const target::Target &t);
/// "DRAM", "MVU", "MFU0", ...
std::string unitName(unsigned unit);

struct UnitUse {
  bool used = false;
  uint64_t offset = 0; ///< cycles from the chain's start until its data reaches the unit
  uint64_t busy = 0;   ///< cycles the unit is occupied by this chain (throughput time)
};

struct ChainCost {
  uint64_t issue = 0;    ///< control-processor cycles to decode and dispatch
  uint64_t latency = 0;  ///< pipeline latency: start to the first result written
  uint64_t stream = 0;   ///< stream time: the slowest unit's busy time (at least one cycle per vector)
  uint64_t duration = 0; ///< start to the last result written = latency + stream
  uint64_t macs = 0;     ///< multiply-accumulates of the matrix unit (padded tiles: rows*cols*N*N)
  uint64_t dramBytes = 0;
  std::array<UnitUse, kMaxUnits> units{};
};

/// Cycles per native vector through one dot-product engine or MFU: ceil(N / L).
uint64_t cyclesPerVector(const target::Target &t);
/// Cycles to move `bytes` over DRAM: ceil(bytes / (dram_bandwidth_gbps * 1000 / clock_mhz)).
uint64_t dramCycles(const target::Target &t, uint64_t bytes);

/// A graph input or output moving through the network queues, which hold
/// network_queue_depth native vectors: ceil(vectors / depth) pieces, each one
/// request (dram_latency_cycles) plus its bytes at the DRAM bandwidth. A
/// tensor larger than the queues streams through them piece by piece.
struct NetworkTransfer {
  uint64_t vectors = 0, pieces = 0, cycles = 0;
};
NetworkTransfer networkTransfer(const target::Target &t, uint64_t elements);
/// MVU pipeline latency: max(mrf_to_dpe, vrf_to_dpe) + multiplier + ceil(log2 L) * adder
/// + mvu_accumulate + ceil(log2 T) + reduction.
uint64_t mvuLatency(const target::Target &t);

/// The formulas of docs/timing-model.md for one work item.
ChainCost costOf(const target::Target &t, const Work &w);
/// Cycles of one work item on an idle machine: issue + duration.
uint64_t estimateChain(const target::Target &t, const Work &w);

} // namespace softnpu::timing

#endif // SOFTNPU_TIMING_COSTMODEL_H
