//===- ReferenceEvaluator.h - fp32 evaluation of tensor-level fpga IR -*- C++ -*-===//
//
// Runs a tensor-level function (after onnx-to-fpga, before fpga-lower-to-isa)
// in plain fp32 with float64 dot products: the reference that compiler-side
// precision decisions are measured against.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_ANALYSIS_REFERENCEEVALUATOR_H
#define SOFTNPU_COMPILER_ANALYSIS_REFERENCEEVALUATOR_H

#include "dialects/fpga/FpgaDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <vector>

namespace softnpu::analysis {

using Values = llvm::DenseMap<mlir::Value, std::vector<float>>;

/// Evaluates `func` on `inputs` (one dense row-major buffer per argument).
/// Every op result ends up in the returned map. Emits an error and returns
/// failure on an op it does not know.
mlir::FailureOr<Values> evaluate(mlir::func::FuncOp func, const std::vector<std::vector<float>> &inputs);

/// relu, sigmoid or tanh as the reference computes them (none: identity).
float activate(fpga::Activation kind, float v);

/// Element offset, in an operand of shape `operand`, of every element of its
/// numpy broadcast to `out`.
std::vector<int64_t> broadcastIndex(llvm::ArrayRef<int64_t> operand, llvm::ArrayRef<int64_t> out);

/// act(alpha * X' W'^T + beta * bias + residual) of a linear, then its
/// leaky relu, floor and ceiling, from its logical rows: `x` is [R, K], `w` is
/// [P, K] (both row-major), `bias` the raw bias buffer (broadcast as the op's
/// bias type says) or null, `residual` [R, P] or null. Dot products in
/// float64; the sums in the chain's order, in fp32 (the MFU format).
std::vector<float> evaluateLinear(fpga::LinearOp op, const std::vector<float> &x, const std::vector<float> &w,
                                  const std::vector<float> *bias, const std::vector<float> *residual);

/// The logical [R, K] rows of a linear's x operand and [P, K] rows of its
/// matrix, from raw row-major buffers (undoing transpose_x / transpose_w).
std::vector<float> linearRows(const std::vector<float> &x, int64_t rows, int64_t cols, bool transposed);

/// The three results of an fpga.rnn (y_c zero for gru and rnn cells).
struct RnnOutputs {
  std::vector<float> y, yh, yc;
};

/// An fpga.rnn from raw buffers (b, h0, c0 may be null). When `roundInput` is
/// set it rounds every vector entering the matrix unit (x_t, h_{t-1} and, for
/// a gru without linear_before_reset, r*h) as the NPU does (RnnReference.cpp).
RnnOutputs evaluateRnn(fpga::RnnOp op, const std::vector<float> &x, const std::vector<float> &w,
                       const std::vector<float> &r, const std::vector<float> *b, const std::vector<float> *h0,
                       const std::vector<float> *c0, const std::function<void(float *, size_t)> &roundInput = nullptr);

} // namespace softnpu::analysis

#endif
