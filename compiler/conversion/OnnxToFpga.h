//===- OnnxToFpga.h - onnx -> fpga dialect conversion, for reuse -*- C++ -*-===//
//
// The pieces of onnx-to-fpga a later partitioner composes: the patterns, the
// ConversionTarget with a placement predicate (ops it places on the host stay
// onnx ops), and the report of onnx ops left neither lowered nor placed.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_CONVERSION_ONNXTOFPGA_H
#define SOFTNPU_COMPILER_CONVERSION_ONNXTOFPGA_H

#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseSet.h"

#include <functional>

namespace softnpu::conversion {

/// True for an onnx op that runs on the host (stays legal, not lowered).
using HostPlacement = std::function<bool(mlir::Operation *)>;

/// The lowering registered for an onnx op name, or null.
Lowering findLowering(llvm::StringRef opName);

/// One conversion pattern per table entry; ops a lowering refuses (after
/// reporting why) are added to `refused`, which must outlive the patterns.
void populateOnnxToFpgaPatterns(mlir::RewritePatternSet &patterns, llvm::DenseSet<mlir::Operation *> &refused);

/// fpga, arith and func legal; an onnx op legal when `placeOnHost` (may be
/// null: nothing on the host) says so, else to be lowered to the NPU.
void configureOnnxToFpgaTarget(mlir::ConversionTarget &target, HostPlacement placeOnHost);

/// Reports every onnx op under `root` that is neither legal for `target` nor
/// already reported in `refused`; fails when any such op or refused op remains.
mlir::LogicalResult reportUnconverted(mlir::Operation *root, const mlir::ConversionTarget &target,
                                      const llvm::DenseSet<mlir::Operation *> &refused);

} // namespace softnpu::conversion

#endif
