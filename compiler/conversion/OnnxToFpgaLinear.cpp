//===- OnnxToFpgaLinear.cpp - Gemm, MatMul, Add, activations -> fpga ------===//
//
// Matrix products become fpga.linear; Add and the point-wise activations
// fpga.add and fpga.activation (fpga-fuse later folds them into the linear);
// LeakyRelu and two-operand Max fpga.leaky_relu and fpga.max.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

Value lowerGemm(Operation *op, ValueRange operands, OpBuilder &b) {
  auto gemm = cast<onnx_d::GemmOp>(op);
  onnx_d::GemmOp::Adaptor in(operands, gemm);
  return fpga::LinearOp::create(b, op->getLoc(), gemm.getY().getType(), in.getA(), in.getB(), in.getC(),
                                gemm.getTransA() != 0, gemm.getTransB() == 0, gemm.getAlpha(), gemm.getBeta(),
                                fpga::Activation::none, nullptr, nullptr, nullptr, nullptr, nullptr);
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
  return fpga::LinearOp::create(b, op->getLoc(), mm.getY().getType(), in.getA(), in.getB(), Value(), false, true,
                                APFloat(1.0f), APFloat(1.0f), fpga::Activation::none, nullptr, nullptr, nullptr,
                                nullptr, nullptr);
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

/// Max of two tensors (numpy broadcasting); Max of one or of three or more
/// operands stays on the host.
Value lowerMax(Operation *op, ValueRange operands, OpBuilder &b) {
  if (operands.size() != 2) {
    refuse(op, "a Max of ") << operands.size() << (operands.size() == 1 ? " operand" : " operands")
                            << " is not on the NPU (2 only)";
    return nullptr;
  }
  return fpga::MaxOp::create(b, op->getLoc(), op->getResult(0).getType(), operands[0], operands[1]);
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
      {"onnx.Max", single<lowerMax>},
      {"onnx.Relu", single<lowerActivation<fpga::Activation::relu>>},
      {"onnx.Sigmoid", single<lowerActivation<fpga::Activation::sigmoid>>},
      {"onnx.Tanh", single<lowerActivation<fpga::Activation::tanh>>},
  };
  return table;
}

} // namespace softnpu::conversion
