//===- OnnxDialect.cpp - onnx dialect registration and verifiers ----------===//
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace softnpu::onnx_d;

#include "dialects/onnx/OnnxOpsDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/OnnxTypes.cpp.inc"

void OnnxDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/onnx/OnnxTypes.cpp.inc"
      >();
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

/// An op with subgraphs names each value its graphs capture.
template <typename SubgraphOp> LogicalResult verifyCaptures(SubgraphOp op) {
  if (op.getCaptureNames().size() != op.getCaptures().size())
    return op.emitOpError() << "has " << op.getCaptures().size() << " captured values but "
                            << op.getCaptureNames().size() << " capture names";
  return success();
}

std::optional<Captures> softnpu::onnx_d::capturesOf(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<Captures>>(op)
      .Case<IfOp, LoopOp, ScanOp, SequenceMapOp>(
          [](auto sub) { return Captures{sub.getCaptures(), sub.getCaptureNames()}; })
      .Default([](Operation *) { return std::nullopt; });
}

bool softnpu::onnx_d::isGraphAttr(Operation *op, StringRef name) {
  if (isa<IfOp>(op))
    return name == "then_branch" || name == "else_branch";
  return isa<LoopOp, ScanOp, SequenceMapOp>(op) && name == "body";
}

LogicalResult IfOp::verify() { return verifyCaptures(*this); }
LogicalResult LoopOp::verify() { return verifyCaptures(*this); }
LogicalResult ScanOp::verify() { return verifyCaptures(*this); }
LogicalResult SequenceMapOp::verify() { return verifyCaptures(*this); }

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
