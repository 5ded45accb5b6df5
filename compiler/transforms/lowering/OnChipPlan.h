//===- OnChipPlan.h - Activations kept in the IVRF -------------*- C++ -*-===//
//
// Which tensors skip DRAM. A matrix product's result whose only reader is
// the very next matrix product (as its X, not transposed) is written by the
// producer's chains straight into the IVRF, where the consumer's chains read
// their rows: no DRAM write, no DRAM read, no staging chain. This is how a
// multi-layer perceptron runs layer to layer on chip.
//
// IVRF use while both run: the producer stages its own X rows from address 0
// up (when its X is in DRAM); kept results are placed from the top down, each
// below the one its producer reads, so at most two are live at once.
//
// A result is kept only when it fits beside that staging, and when its padded
// lanes are zero as a DRAM read would make them (a sigmoid epilogue turns the
// zero padding into 0.5, which would change the block exponents of the next
// product): so not for a sigmoid result whose length is not a multiple of N.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_ONCHIPPLAN_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_ONCHIPPLAN_H

#include "softnpu/target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

namespace softnpu::lowering {

/// IVRF vectors [addr, addr + vectors) holding a kept tensor, row r of it
/// (ceil(P / N) vectors) at addr + r * ceil(P / N).
struct IvrfRegion {
  int64_t addr = 0, vectors = 0;
};

/// The results of fpga.linear ops in `func` that stay in the IVRF.
llvm::DenseMap<mlir::Value, IvrfRegion> planOnChip(mlir::func::FuncOp func, const target::Target &t);

} // namespace softnpu::lowering

#endif
