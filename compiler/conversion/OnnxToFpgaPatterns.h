//===- OnnxToFpgaPatterns.h - onnx -> fpga lowerings, by op family -*- C++ -*-===//
//
// The table onnx-to-fpga is driven by: one lowering per onnx op, looked up by
// op name, split by op family (OnnxToFpgaLinear.cpp, OnnxToFpgaViews.cpp,
// OnnxToFpgaRecurrent.cpp). OnnxToFpga.cpp turns every entry into a
// conversion pattern and runs them through dialect conversion.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_CONVERSION_ONNXTOFPGAPATTERNS_H
#define SOFTNPU_COMPILER_CONVERSION_ONNXTOFPGAPATTERNS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace softnpu::conversion {

/// Builds, at `b`, the replacements of all of `op`'s results (ONNX result
/// order, omitted optional results absent) from `operands`, the op's operands
/// as converted so far. When the NPU cannot run the node, reports why (with
/// `refuse`) and returns an empty vector, having built nothing.
using Lowering = llvm::SmallVector<mlir::Value> (*)(mlir::Operation *op, mlir::ValueRange operands, mlir::OpBuilder &b);

struct LoweringEntry {
  llvm::StringLiteral opName; ///< e.g. "onnx.Gemm"
  Lowering lower;
};

/// Gemm, MatMul, Add, Relu, Sigmoid, Tanh, LeakyRelu, Max, Min, Clip.
llvm::ArrayRef<LoweringEntry> linearLowerings();
/// Mul, PRelu, HardSigmoid, HardSwish, BatchNormalization (not folded).
llvm::ArrayRef<LoweringEntry> elementwiseLowerings();
/// Constant, Flatten, Gather, Identity, Reshape, Slice, Squeeze, Transpose, Unsqueeze.
llvm::ArrayRef<LoweringEntry> viewLowerings();
/// LSTM, GRU, RNN.
llvm::ArrayRef<LoweringEntry> recurrentLowerings();
/// Conv, ConvTranspose.
llvm::ArrayRef<LoweringEntry> convLowerings();
/// MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool, nearest Resize / Upsample.
llvm::ArrayRef<LoweringEntry> poolLowerings();

/// Reports that the NPU cannot run `op`: "<node 'name' (Op)>: <why>".
mlir::InFlightDiagnostic refuse(mlir::Operation *op, const llvm::Twine &why);

/// Adapts a lowering of one result to the table's signature.
template <mlir::Value (*F)(mlir::Operation *, mlir::ValueRange, mlir::OpBuilder &)>
llvm::SmallVector<mlir::Value> single(mlir::Operation *op, mlir::ValueRange operands, mlir::OpBuilder &b) {
  mlir::Value v = F(op, operands, b);
  return v ? llvm::SmallVector<mlir::Value>{v} : llvm::SmallVector<mlir::Value>{};
}

} // namespace softnpu::conversion

#endif
