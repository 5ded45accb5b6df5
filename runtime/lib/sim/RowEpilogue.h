//===- RowEpilogue.h - A chain loop's point-wise ops and store, row by row -===//
//
// After a batch of a chain loop's products, every iteration's result goes
// through the chain's point-wise ops and is stored. applyPointwiseRows and a
// copy per write pay loop and call overhead per row and op, which is most of
// the work when a row is a few lanes (a convolution with a few output
// channels). For the common shape (fp32 MFU format, the element-wise ops,
// one DRAM write) runRowEpilogue takes each row 16 lanes per masked
// register through all the ops and stores it straight to DRAM (one load
// and one store per register; y is only read; an operand the same for
// every row is loaded once for sixteen rows): the same IEEE operations
// per lane in the same order, so the same bits (Mfu.cpp's elementwise is
// the reference). The chains convolutions end with (bias; bias, Relu; bias,
// Relu, Min; bias and a residual, with or without Relu) run with their ops
// fixed at compile time, without a dispatch per register and op.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_ROWEPILOGUE_H
#define SOFTNPU_LIB_SIM_ROWEPILOGUE_H

#include "softnpu/isa/Isa.h"

#include <cstddef>
#include <cstdint>

namespace softnpu::sim::detail {

/// One point-wise op of a chain loop, decoded.
struct Op {
  isa::Opcode op;
  const float *operand; ///< second operand of iteration 0 (nullptr for activations)
  int64_t step = 0;     ///< floats from one iteration's operand to the next (iter flag)
};

/// Whether runRowEpilogue computes `op` (on an AVX-512 CPU).
bool rowEpilogueOp(isa::Opcode op);
/// Whether runRowEpilogue can take rows of `lanes` lanes on this CPU (any
/// number, on an AVX-512 CPU).
bool rowEpilogueLanes(uint64_t lanes);

/// For rows j in [0, count) (iteration i0 + j): y + j x yStride, lanes
/// [0, lanes), goes through ops[0, opCount) in order (operands of iteration
/// i0 + j), then its first `stored` lanes are stored at dst + j x dstStep
/// (y itself is left as it was).
/// Every op passes rowEpilogueOp and lanes rowEpilogueLanes; stored <= lanes.
void runRowEpilogue(const Op *ops, size_t opCount, const float *y, size_t yStride, size_t count, uint32_t i0,
                    size_t lanes, float *dst, int64_t dstStep, size_t stored);

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_ROWEPILOGUE_H
