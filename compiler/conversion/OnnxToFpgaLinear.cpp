//===- OnnxToFpgaLinear.cpp - Gemm, MatMul, Add, activations -> fpga ------===//
//
// Matrix products become fpga.linear; Add and the point-wise activations
// fpga.add and fpga.activation (fpga-fuse later folds them into the linear);
// LeakyRelu and two-operand Max / Min fpga.leaky_relu, fpga.max and
// fpga.min; Clip a max by its lower bound (a relu when it is 0) and a min by
// its upper bound.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "compiler/ConstantValues.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

Value lowerGemm(Operation *op, ValueRange operands, OpBuilder &b) {
  auto gemm = cast<onnx_d::GemmOp>(op);
  onnx_d::GemmOp::Adaptor in(operands, gemm);
  return fpga::LinearOp::create(b, op->getLoc(), gemm.getY().getType(), in.getA(), in.getB(), in.getC(), Value(),
                                gemm.getTransA() != 0, gemm.getTransB() == 0, gemm.getAlpha(), gemm.getBeta(),
                                fpga::Activation::none, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
}

Value lowerMatMul(Operation *op, ValueRange operands, OpBuilder &b) {
  auto mm = cast<onnx_d::MatMulOp>(op);
  onnx_d::MatMulOp::Adaptor in(operands, mm);
  auto a = cast<RankedTensorType>(in.getA().getType());
  auto w = cast<RankedTensorType>(in.getB().getType());
  if (a.getRank() != 2 || w.getRank() != 2) {
    refuse(op, "MatMul with ") << a.getRank() << "-D x " << w.getRank()
                               << "-D operands is not supported yet (2-D only)";
    return nullptr;
  }
  return fpga::LinearOp::create(b, op->getLoc(), mm.getY().getType(), in.getA(), in.getB(), Value(), Value(), false,
                                true, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none, nullptr, nullptr, nullptr,
                                nullptr, nullptr, nullptr);
}

Value lowerAdd(Operation *op, ValueRange operands, OpBuilder &b) {
  return fpga::AddOp::create(b, op->getLoc(), op->getResult(0).getType(), operands[0], operands[1]);
}

Value lowerLeakyRelu(Operation *op, ValueRange operands, OpBuilder &b) {
  auto lr = cast<onnx_d::LeakyReluOp>(op);
  const std::optional<APFloat> alpha = lr.getAlpha(); // ONNX's default: 0.01
  const float a = alpha ? static_cast<float>(alpha->convertToDouble()) : 0.01f;
  return fpga::LeakyReluOp::create(b, op->getLoc(), lr.getY().getType(), operands[0], APFloat(a));
}

/// Max or Min of two tensors (numpy broadcasting); of one or of three or
/// more operands they stay on the host.
template <class FpgaOp> Value lowerMaxMin(Operation *op, ValueRange operands, OpBuilder &b) {
  if (operands.size() != 2) {
    refuse(op, "a ") << op->getName().stripDialect() << " of " << operands.size()
                     << (operands.size() == 1 ? " operand" : " operands") << " is not on the NPU (2 only)";
    return nullptr;
  }
  return FpgaOp::create(b, op->getLoc(), op->getResult(0).getType(), operands[0], operands[1]);
}

/// A Clip bound as the one-element [1] operand of fpga.max / fpga.min: a
/// constant stays a constant (what fpga-fuse folds into a product's chain).
Value clipBound(OpBuilder &b, Location loc, Value bound) {
  auto t = cast<RankedTensorType>(bound.getType());
  if (t.getRank() == 1)
    return bound;
  auto one = RankedTensorType::get({1}, t.getElementType());
  if (std::optional<FloatData> c = constantFloats(bound))
    return arith::ConstantOp::create(b, loc, cast<TypedAttr>(floatConstant(one, c->copy(), "clip_bound")));
  return fpga::ReshapeOp::create(b, loc, one, bound);
}

/// Clip(x, lo, hi) = min(max(x, lo), hi), each bound optional: max(x, 0) is
/// a relu (an activation stage, which fuses into a product's chain beside
/// the min's add/sub stage).
Value lowerClip(Operation *op, ValueRange operands, OpBuilder &b) {
  auto clip = cast<onnx_d::ClipOp>(op);
  onnx_d::ClipOp::Adaptor in(operands, clip);
  auto x = dyn_cast<RankedTensorType>(in.getInput().getType());
  if (!x || !x.getElementType().isF32()) {
    refuse(op, "only a float32 Clip runs on the NPU");
    return nullptr;
  }
  for (Value bound : {in.getMin(), in.getMax()}) {
    auto t = bound ? dyn_cast<RankedTensorType>(bound.getType()) : RankedTensorType();
    if (bound && (!t || t.getNumElements() != 1 || !t.getElementType().isF32())) {
      refuse(op, "Clip bounds must be float32 scalars");
      return nullptr;
    }
  }
  Location loc = op->getLoc();
  Value y = in.getInput();
  if (Value lo = in.getMin()) {
    std::optional<FloatData> c = constantFloats(lo);
    if (c && c->size() == 1 && c->data()[0] == 0.0f)
      y = fpga::ActivationOp::create(b, loc, x, y, fpga::Activation::relu);
    else
      y = fpga::MaxOp::create(b, loc, x, y, clipBound(b, loc, lo));
  }
  if (Value hi = in.getMax())
    y = fpga::MinOp::create(b, loc, x, y, clipBound(b, loc, hi));
  return y;
}

template <fpga::Activation Kind> Value lowerActivation(Operation *op, ValueRange operands, OpBuilder &b) {
  return fpga::ActivationOp::create(b, op->getLoc(), op->getResult(0).getType(), operands[0], Kind);
}

} // namespace

ArrayRef<LoweringEntry> linearLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Add", single<lowerAdd>},
      {"onnx.Gemm", single<lowerGemm>},
      {"onnx.MatMul", single<lowerMatMul>},
      {"onnx.LeakyRelu", single<lowerLeakyRelu>},
      {"onnx.Clip", single<lowerClip>},
      {"onnx.Max", single<lowerMaxMin<fpga::MaxOp>>},
      {"onnx.Min", single<lowerMaxMin<fpga::MinOp>>},
      {"onnx.Relu", single<lowerActivation<fpga::Activation::relu>>},
      {"onnx.Sigmoid", single<lowerActivation<fpga::Activation::sigmoid>>},
      {"onnx.Tanh", single<lowerActivation<fpga::Activation::tanh>>},
  };
  return table;
}

} // namespace softnpu::conversion
