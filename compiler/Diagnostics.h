//===- Diagnostics.h - Naming ONNX nodes in compiler messages ---*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_DIAGNOSTICS_H
#define SOFTNPU_COMPILER_DIAGNOSTICS_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace softnpu {

/// The ONNX node name(s) a location carries: the NameLoc names found in it,
/// joined with '+' (fused ops carry several). Empty when there is none.
std::string nodeNameOf(mlir::Location loc);

/// "node 'fc1' (Gemm)" style label for an op: the node name from its
/// location and the ONNX op type it was imported as (`onnx_type` attribute of
/// lowered ops is not kept; the dialect op name serves).
std::string describeOp(mlir::Operation *op);

/// A key for the blob constant (dialects/FloatData.h) made for the value at
/// `loc`: its node name(s) and `what` ("W3.rounded"), or `what` alone.
std::string blobName(mlir::Location loc, llvm::StringRef what);

} // namespace softnpu

#endif
