//===- OnnxToFpgaConv.cpp - Conv -> a window view and a matrix product ----===//
//
// A convolution is a matrix product whose rows are receptive fields: the
// Cout x (Kh * Kw * Cin) weight matrix (its columns reordered to the
// window's (kh, kw, c) order at compile time) is pinned like any other, and
// each output pixel's row is gathered from the channels-innermost feature
// map by v_rd's window addressing (fpga.window; docs/cnn.md). The model's
// NCHW tensors change layout at the convolution's boundary (a transpose, or
// a view when one side has a single channel).
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"
#include "compiler/conversion/WindowLayout.h"

#include "compiler/ConstantValues.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

/// W [Cout, Cin / groups, (Kh,) Kw] as the [Cout, Kh * Kw * Cin] matrix the
/// window's (kh, kw, c) rows multiply. With groups, output o reads only the
/// input channels of its group: the matrix is block diagonal, zero elsewhere.
Value windowMatrix(OpBuilder &b, Location loc, const FloatData &w, const WindowGeometry &g, int64_t cout,
                   int64_t groups) {
  const int64_t k = g.kh * g.kw * g.c, cinPerGroup = g.c / groups, coutPerGroup = cout / groups;
  auto type = RankedTensorType::get({cout, k}, b.getF32Type());
  FloatBuffer m(static_cast<size_t>(cout * k));
  std::fill(m.values().begin(), m.values().end(), 0.0f);
  for (int64_t o = 0; o < cout; ++o) {
    const int64_t c0 = o / coutPerGroup * cinPerGroup;
    for (int64_t c = 0; c < cinPerGroup; ++c)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j)
          m.values()[o * k + (i * g.kw + j) * g.c + c0 + c] = w.values()[((o * cinPerGroup + c) * g.kh + i) * g.kw + j];
  }
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(floatConstant(type, std::move(m), "conv_window_w")));
}

Value lowerConv(Operation *op, ValueRange operands, OpBuilder &b) {
  auto conv = cast<onnx_d::ConvOp>(op);
  onnx_d::ConvOp::Adaptor in(operands, conv);
  auto x = dyn_cast<RankedTensorType>(in.getX().getType());
  auto w = dyn_cast<RankedTensorType>(in.getW().getType());
  auto y = dyn_cast<RankedTensorType>(conv.getY().getType());
  if (!x || !w || !y || (x.getRank() != 3 && x.getRank() != 4) || !x.getElementType().isF32()) {
    refuse(op, "only float32 1-D and 2-D convolutions run on the NPU");
    return nullptr;
  }
  if (x.getDimSize(0) != 1) {
    refuse(op, "a batch of ") << x.getDimSize(0) << " is not supported on the NPU yet (batch 1)";
    return nullptr;
  }
  std::optional<FloatData> weights = constantFloats(in.getW());
  if (!weights) {
    refuse(op, "the weights must be a constant");
    return nullptr;
  }
  const WindowGeometry g = windowGeometry(x, w.getShape().drop_front(2), conv.getStrides(), conv.getDilations(),
                                          conv.getPads(), conv.getAutoPad());
  const int64_t cout = w.getDimSize(0), oh = g.outH(), ow = g.outW();
  if (oh * ow * cout != y.getNumElements()) {
    refuse(op, "the window grid ") << oh << "x" << ow << " does not match the output shape";
    return nullptr;
  }
  Location loc = op->getLoc();
  auto f32 = b.getF32Type();
  Value window = windowView(b, loc, toChannelsInnermost(b, loc, in.getX(), g), g);
  Value matrix = windowMatrix(b, loc, *weights, g, cout, conv.getGroup().value_or(1));
  Value pixels = fpga::LinearOp::create(b, loc, RankedTensorType::get({oh * ow, cout}, f32), window, matrix, in.getB(),
                                        false, false, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none, nullptr,
                                        nullptr, nullptr, nullptr, nullptr, nullptr);
  return toNchw(b, loc, pixels, oh * ow, cout, y);
}

} // namespace

ArrayRef<LoweringEntry> convLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Conv", single<lowerConv>},
  };
  return table;
}

} // namespace softnpu::conversion
