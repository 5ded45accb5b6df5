//===- ConstantValues.h - Values of constant operands ----------*- C++ -*-===//
//
// The elements of an operand produced by onnx.Constant (import) or
// arith.constant (after onnx-to-fpga), for passes that accept constant
// shapes, indices, axes or sequence lengths.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_CONSTANTVALUES_H
#define SOFTNPU_COMPILER_CONSTANTVALUES_H

#include "dialects/FloatData.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace softnpu {

/// The value attribute of a constant operand, or null.
inline mlir::Attribute constantAttr(mlir::Value v) {
  if (auto c = v.getDefiningOp<onnx_d::ConstantOp>())
    return c.getValue();
  if (auto c = v.getDefiningOp<mlir::arith::ConstantOp>())
    return c.getValue();
  return nullptr;
}

/// The dense value of a constant operand, or null (float32 constants may be
/// blobs: read those with constantFloats).
inline mlir::DenseElementsAttr constantValue(mlir::Value v) {
  return mlir::dyn_cast_if_present<mlir::DenseElementsAttr>(constantAttr(v));
}

/// The elements of a float32 constant operand (FloatData.h), or nullopt.
inline std::optional<FloatData> constantFloats(mlir::Value v) { return FloatData::of(constantAttr(v)); }

/// The `n` elements of a float32 constant operand widened to double (for
/// arithmetic rounded once at the end), or nullopt when it has another count.
inline std::optional<std::vector<double>> constantDoubles(mlir::Value v, int64_t n) {
  std::optional<FloatData> f = constantFloats(v);
  if (!f || static_cast<int64_t>(f->size()) != n)
    return std::nullopt;
  return std::vector<double>(f->values().begin(), f->values().end());
}

/// The values of an integer constant operand (any width, sign-extended).
inline std::optional<llvm::SmallVector<int64_t>> constantInts(mlir::Value v) {
  mlir::DenseElementsAttr a = constantValue(v);
  if (!a || !mlir::isa<mlir::IntegerType>(a.getElementType()))
    return std::nullopt;
  return llvm::map_to_vector(a.getValues<llvm::APInt>(), [](const llvm::APInt &x) { return x.getSExtValue(); });
}

} // namespace softnpu

#endif
