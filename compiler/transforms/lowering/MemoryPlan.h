//===- MemoryPlan.h - Where each intermediate tensor lives ----*- C++ -*-===//
//
// Memory planning of fpga-lower-to-isa, done before any instruction is
// emitted. Every tensor an op produces (graph outputs aside, which are
// written in place) gets one place for its live range, from the op that
// produces it to its last reader in program order:
//
//  - IVRF: the result of a matrix product, an activation or a same-shape
//    add whose every reader is one of those (a product taking it as X) is
//    written by the producer's chains straight into the IVRF, row r (its
//    last dimension, C elements) at addr + r * ceil(C / N), and read there:
//    no DRAM write, no DRAM read, no staging chain. Regions are
//    allocated from the top of the IVRF down, first fit over the regions
//    live at the same time, and above the staging rows [0, cols) of every
//    matrix product in the range that stages its X from DRAM. A recurrent
//    layer uses the whole IVRF, so no region lives across one.
//    A sigmoid result whose rows are not a multiple of N long is never kept:
//    its padded lanes would hold 0.5 where a DRAM read gives zeros, changing
//    the block exponents of the next product.
//  - DRAM: everything else, at an offset into the intermediates' arena
//    (DramPlan: a place is released after its last reader and reused).
//
// `--keep-intermediates` gives every tensor a DRAM place of its own for the
// whole run (layer reports read them after it), and keeps nothing on chip.
// `npu-opt --fpga-test-memory-plan` prints the plan (tests/lit/transforms).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_MEMORYPLAN_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_MEMORYPLAN_H

#include "softnpu/target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace softnpu::lowering {

/// The tensor a chain of fpga.reshape views stands for.
mlir::Value rootOf(mlir::Value v);
/// True for the ops fpga-lower-to-isa turns into chains (they produce
/// tensors that need a place).
bool isLowered(mlir::Operation *op);
/// The tensors graph outputs are computed into directly: the root of each
/// returned value that a lowered op produces, counted once.
llvm::DenseSet<mlir::Value> outputsInPlace(mlir::func::FuncOp func);

/// The place of one tensor: `count` IVRF vectors or DRAM elements at `addr`
/// (a DRAM address is an offset into the intermediates' arena).
struct TensorPlace {
  enum class Kind { Ivrf, Dram } kind = Kind::Dram;
  int64_t addr = 0, count = 0;
  /// DRAM: no later tensor reuses any of the place, so it still holds the
  /// tensor when the run ends (what a layer report needs).
  bool intact = true;
  bool inIvrf() const { return kind == Kind::Ivrf; }
};

class MemoryPlan {
public:
  /// Plans the tensors produced by the ops of `func`, except those in
  /// `preplaced` (graph outputs written in place).
  MemoryPlan(mlir::func::FuncOp func, const target::Target &t, bool keepIntermediates,
             const llvm::DenseSet<mlir::Value> &preplaced);

  /// The place of a produced tensor; null when it has none (not produced by
  /// a lowered op, or preplaced).
  const TensorPlace *placeOf(mlir::Value v) const {
    auto it = places_.find(v);
    return it == places_.end() ? nullptr : &it->second;
  }
  /// The place of `v` when it is in the IVRF, else null.
  const TensorPlace *ivrfPlaceOf(mlir::Value v) const {
    const TensorPlace *p = placeOf(v);
    return p && p->inIvrf() ? p : nullptr;
  }
  /// IVRF vectors [0, result) free of kept tensors while `op` runs.
  int64_t ivrfFreeBelow(mlir::Operation *op) const { return freeBelow_.lookup(op); }
  /// Elements of DRAM the intermediates need.
  int64_t dramElements() const { return dramElements_; }

private:
  llvm::DenseMap<mlir::Value, TensorPlace> places_;
  llvm::DenseMap<mlir::Operation *, int64_t> freeBelow_;
  int64_t dramElements_ = 0;
};

} // namespace softnpu::lowering

#endif
