//===- TensorUtils.h - Small helpers on ranked tensor values ----*- C++ -*-===//
//
// The compiler works on statically shaped tensors only (the importer refuses
// anything else), so a value's shape is a plain list of dimensions. One
// definition here for every pass and analysis.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TENSORUTILS_H
#define SOFTNPU_COMPILER_TENSORUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace softnpu {

/// The dimensions of `v`, which must be a ranked tensor.
inline llvm::ArrayRef<int64_t> shapeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType()).getShape();
}

} // namespace softnpu

#endif // SOFTNPU_COMPILER_TENSORUTILS_H
