//===- Scheduler.h - Chains on a timeline: contention and dependencies ----===//
//
// Places work items, in program order, on the units of a target
// (docs/timing-model.md "Between chains"): the control processor decodes and
// dispatches in order; a chain starts when every unit it uses can accept its
// data and every range it reads has been written by the earlier chains that
// write it (scoreboard per memory and address range); independent chains
// overlap on different units or in a unit's pipeline.
//
//   timing::Scheduler sched(target);
//   for (const Work &w : items) { ItemTiming t = sched.add(w); ... }
//   uint64_t total = sched.makespan();
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_SCHEDULER_H
#define SOFTNPU_TIMING_SCHEDULER_H

#include "softnpu/timing/CostModel.h"

#include <array>
#include <cstdint>
#include <vector>

namespace softnpu::timing {

struct Interval {
  uint64_t begin = 0, end = 0; ///< [begin, end) in cycles; empty when unused
  bool empty() const { return end <= begin; }
};

/// Where one work item landed.
struct ItemTiming {
  Interval issue;                          ///< control processor decoding it
  uint64_t start = 0;                      ///< dispatch: its first unit starts
  uint64_t finish = 0;                     ///< its last result is written
  std::array<Interval, kMaxUnits> units{}; ///< per Unit: busy interval
  ChainCost cost;
};

class Scheduler {
public:
  explicit Scheduler(const target::Target &t);
  /// Schedules the next item in program order.
  ItemTiming add(const Work &w);
  /// Cycles from the first issue to the last finish so far.
  uint64_t makespan() const { return makespan_; }
  /// Empty timeline.
  void reset();
  const target::Target &target() const { return target_; }

private:
  struct Access {
    uint64_t begin, end, time; ///< range and when the access completes
    bool write;
  };
  std::vector<Access> &board(const Range &r);
  void prune(uint64_t now);

  target::Target target_;
  uint64_t hostFree_ = 0;
  uint64_t makespan_ = 0;
  std::array<uint64_t, kMaxUnits> unitFree_{};
  /// Scoreboards: DRAM, IVRF, MRF, ASVRF[m], MULVRF[m].
  std::vector<std::vector<Access>> boards_;
};

} // namespace softnpu::timing

#endif // SOFTNPU_TIMING_SCHEDULER_H
