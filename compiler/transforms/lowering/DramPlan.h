//===- DramPlan.h - DRAM addresses of the lowering, reused by liveness ----===//
//
// Memory planning of fpga-lower-to-isa. Every tensor that is not kept on chip
// lives in DRAM, dense and row-major, at an element address. Graph inputs,
// outputs and constants keep their place for the whole program; an
// intermediate's place is released after its last reader and handed to later
// tensors (first fit, adjacent free ranges merged). The footprint is the
// highest address ever used.
//
// A layer report reads a node's tensor from DRAM after the run, which is only
// right when nothing reused its place: `intact` says so.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_DRAMPLAN_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_DRAMPLAN_H

#include <cstdint>
#include <map>
#include <vector>

namespace softnpu::lowering {

class DramPlan {
public:
  /// `reuse` false: every allocation is fresh (nothing is ever released).
  explicit DramPlan(bool reuse) : reuse_(reuse) {}

  /// A place for `count` elements; a freed range when one fits.
  int64_t allocate(int64_t count);
  /// A place never used before, for what must hold from the session's start
  /// (graph inputs and outputs, DRAM constants and tables).
  int64_t allocateFresh(int64_t count);
  /// Gives [addr, addr + count) back (ignored when reuse is off).
  void release(int64_t addr, int64_t count);
  /// Allocations made so far (a clock for `intact`).
  uint64_t allocations() const { return allocations_; }
  /// True when no allocation after the first `since` ones reused any of
  /// [addr, addr + count).
  bool intact(int64_t addr, int64_t count, uint64_t since) const;

  /// Elements of DRAM the program needs.
  int64_t footprint() const { return next_; }

private:
  bool reuse_;
  int64_t next_ = 0;
  std::map<int64_t, int64_t> free_; ///< addr -> count, disjoint, merged
  uint64_t allocations_ = 0;
  struct Reuse {
    int64_t addr, count;
    uint64_t when; ///< allocations made before it
  };
  std::vector<Reuse> reused_; ///< freed ranges handed out again
};

} // namespace softnpu::lowering

#endif
