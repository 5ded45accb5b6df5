//===- OnnxToFpgaElementwise.cpp - Products and the epilogues built on them ===//
//
// Mul becomes fpga.mul (vv_mul, the operand in a MULVRF); PRelu with a slope
// per channel fpga.prelu (vv_prelu), with one slope fpga.leaky_relu. The
// epilogues that are not an MFU activation of their own are built from
// these stages:
//   HardSigmoid(x) = min(relu(alpha * x + beta), 1)   (mul, add, relu, min)
//   HardSwish(x)   = x * HardSigmoid(x; 1/6, 1/2), or the activation
//                    hardswish (v_hswish) where the target's MFUs have it
//   BatchNormalization (inference form, not folded into a product before it)
//                  = x * s + t per channel, s and t computed in double here.
// x * sigmoid(x) (SiLU, two ONNX nodes) is a Sigmoid and a Mul here;
// fpga-fuse makes it the activation silu (v_silu). (onnx-to-fpga
// checks that every tensor is float32 before any of these run.)
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "compiler/BatchNormAffine.h"
#include "compiler/ConstantValues.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

/// A float32 constant of `shape` holding `values` (one value: a splat).
Value f32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> values, StringRef name) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  std::vector<float> all(static_cast<size_t>(type.getNumElements()), values.empty() ? 0.0f : values[0]);
  if (values.size() == all.size())
    all.assign(values.begin(), values.end());
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(floatConstant(type, all, name)));
}

Value lowerMul(Operation *op, ValueRange operands, OpBuilder &b) {
  // The product commutes: the operand that is staged (and may broadcast) goes second.
  Value lhs = operands[0], rhs = operands[1];
  auto elements = [](Value v) { return cast<RankedTensorType>(v.getType()).getNumElements(); };
  if (elements(lhs) < elements(rhs))
    std::swap(lhs, rhs);
  return fpga::MulOp::create(b, op->getLoc(), op->getResult(0).getType(), lhs, rhs);
}

Value lowerPRelu(Operation *op, ValueRange operands, OpBuilder &b) {
  Value x = operands[0], slope = operands[1];
  Type type = op->getResult(0).getType();
  // Numpy broadcasting of the slope to X (opset 7 on); older models' slope
  // per channel of dimension 1 runs on the host.
  ArrayRef<int64_t> xs = cast<RankedTensorType>(x.getType()).getShape();
  ArrayRef<int64_t> ss = cast<RankedTensorType>(slope.getType()).getShape();
  bool broadcasts = type == x.getType() && ss.size() <= xs.size();
  for (size_t i = 0; broadcasts && i < ss.size(); ++i)
    broadcasts = ss[ss.size() - 1 - i] == 1 || ss[ss.size() - 1 - i] == xs[xs.size() - 1 - i];
  if (!broadcasts) {
    refuse(op, "a PRelu slope that does not broadcast to X by numpy rules is not on the NPU");
    return nullptr;
  }
  std::optional<FloatData> c = constantFloats(slope);
  if (c && c->size() == 1) // one slope: the leaky relu (which fuses into a product's chain)
    return fpga::LeakyReluOp::create(b, op->getLoc(), type, x, APFloat(c->data()[0]));
  return fpga::PreluOp::create(b, op->getLoc(), type, x, slope);
}

/// min(relu(alpha * x + beta), 1): ONNX's max(0, min(1, alpha * x + beta)),
/// the same fp32 operations in the same order.
Value hardSigmoid(OpBuilder &b, Location loc, Value x, float alpha, float beta) {
  Type type = x.getType();
  Value y = fpga::MulOp::create(b, loc, type, x, f32Constant(b, loc, {1}, {alpha}, "hard_sigmoid_alpha"));
  y = fpga::AddOp::create(b, loc, type, y, f32Constant(b, loc, {1}, {beta}, "hard_sigmoid_beta"));
  y = fpga::ActivationOp::create(b, loc, type, y, fpga::Activation::relu);
  return fpga::MinOp::create(b, loc, type, y, f32Constant(b, loc, {1}, {1.0f}, "hard_sigmoid_one"));
}

Value lowerHardSigmoid(Operation *op, ValueRange operands, OpBuilder &b) {
  auto hs = cast<onnx_d::HardSigmoidOp>(op);
  const float alpha = hs.getAlpha() ? hs.getAlpha()->convertToFloat() : 0.2f; // ONNX's defaults
  const float beta = hs.getBeta() ? hs.getBeta()->convertToFloat() : 0.5f;
  return hardSigmoid(b, op->getLoc(), operands[0], alpha, beta);
}

Value lowerHardSwish(Operation *op, ValueRange operands, OpBuilder &b) {
  Value x = operands[0];
  // One activation (v_hswish, which fuses into a product's chain) where the
  // target's MFUs implement it.
  if (fpga::getTarget(op).mfuConfig().implements[static_cast<uint8_t>(isa::Opcode::VHswish)])
    return fpga::ActivationOp::create(b, op->getLoc(), x.getType(), x, fpga::Activation::hardswish);
  Value gate = hardSigmoid(b, op->getLoc(), x, 1.0f / 6.0f, 0.5f);
  return fpga::MulOp::create(b, op->getLoc(), x.getType(), x, gate);
}

Value lowerBatchNorm(Operation *op, ValueRange operands, OpBuilder &b) {
  auto bn = cast<onnx_d::BatchNormalizationOp>(op);
  auto x = dyn_cast<RankedTensorType>(operands[0].getType());
  if (!x || x.getRank() < 2 || !x.hasStaticShape()) {
    refuse(op, "only a BatchNormalization of a [N, C, ...] tensor runs on the NPU");
    return nullptr;
  }
  const int64_t channels = x.getDimSize(1);
  std::optional<BatchNormAffine> a = batchNormAffine(bn, channels);
  if (!a) {
    refuse(op, "a BatchNormalization runs on the NPU in inference form with constant parameters only");
    return nullptr;
  }
  // [C, 1, ..., 1]: broadcast over the dimensions after the channel.
  SmallVector<int64_t> shape(static_cast<size_t>(x.getRank() - 1), 1);
  shape[0] = channels;
  std::vector<float> factor(a->factor.begin(), a->factor.end()), shift(a->shift.begin(), a->shift.end());
  Location loc = op->getLoc();
  Value y = fpga::MulOp::create(b, loc, x, operands[0], f32Constant(b, loc, shape, factor, "batchnorm_factor"));
  return fpga::AddOp::create(b, loc, x, y, f32Constant(b, loc, shape, shift, "batchnorm_shift"));
}

} // namespace

ArrayRef<LoweringEntry> elementwiseLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Mul", single<lowerMul>},
      {"onnx.PRelu", single<lowerPRelu>},
      {"onnx.HardSigmoid", single<lowerHardSigmoid>},
      {"onnx.HardSwish", single<lowerHardSwish>},
      {"onnx.BatchNormalization", single<lowerBatchNorm>},
  };
  return table;
}

} // namespace softnpu::conversion
