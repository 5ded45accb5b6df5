//===- OnnxDialect.cpp - onnx dialect registration and verifiers ----------===//
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace softnpu::onnx_d;

#include "dialects/onnx/OnnxOpsDialect.cpp.inc"

void OnnxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/onnx/OnnxOps.cpp.inc"
      >();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

Operation *OnnxDialect::materializeConstant(OpBuilder &builder, Attribute value, Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

LogicalResult IfOp::verify() {
  if (getCaptureNames().size() != getCaptures().size())
    return emitOpError() << "has " << getCaptures().size() << " captured values but " << getCaptureNames().size()
                         << " capture names";
  return success();
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getOutput().getType())
    return emitOpError("value type ") << getValue().getType() << " does not match result type "
                                      << getOutput().getType();
  return success();
}

LogicalResult GemmOp::verify() {
  auto a = cast<RankedTensorType>(getA().getType());
  auto b = cast<RankedTensorType>(getB().getType());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOpError("A and B must be 2-D");
  int64_t k1 = getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  int64_t k2 = getTransB() ? b.getDimSize(1) : b.getDimSize(0);
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOpError("inner dimensions differ: ") << k1 << " vs " << k2;
  return success();
}

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.cpp.inc"
