//===- ConstantValues.h - Values of constant operands ----------*- C++ -*-===//
//
// The elements of an operand produced by onnx.Constant (import) or
// arith.constant (after onnx-to-fpga), for passes that accept constant
// shapes, indices, axes or sequence lengths.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_CONSTANTVALUES_H
#define SOFTNPU_COMPILER_CONSTANTVALUES_H

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SmallVector.h"

#include <cstring>
#include <optional>
#include <vector>

namespace softnpu {

/// The dense value of a constant operand, or null.
inline mlir::DenseElementsAttr constantValue(mlir::Value v) {
  if (auto c = v.getDefiningOp<onnx_d::ConstantOp>())
    return mlir::dyn_cast<mlir::DenseElementsAttr>(c.getValue());
  if (auto c = v.getDefiningOp<mlir::arith::ConstantOp>())
    return mlir::dyn_cast<mlir::DenseElementsAttr>(c.getValue());
  return nullptr;
}

/// The values of an integer constant operand (any width, sign-extended).
inline std::optional<llvm::SmallVector<int64_t>> constantInts(mlir::Value v) {
  mlir::DenseElementsAttr a = constantValue(v);
  if (!a || !mlir::isa<mlir::IntegerType>(a.getElementType()))
    return std::nullopt;
  return llvm::map_to_vector(a.getValues<llvm::APInt>(), [](const llvm::APInt &x) { return x.getSExtValue(); });
}

/// The elements of a float32 constant, in row-major order; a splat is
/// expanded. Reads the attribute's storage directly (large weights).
inline std::vector<float> floatValues(mlir::DenseElementsAttr a) {
  if (a.isSplat())
    return std::vector<float>(static_cast<size_t>(a.getNumElements()), a.getSplatValue<float>());
  llvm::ArrayRef<char> raw = a.getRawData();
  std::vector<float> v(raw.size() / sizeof(float));
  std::memcpy(v.data(), raw.data(), raw.size());
  return v;
}

} // namespace softnpu

#endif
