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

#include "compiler/ConstantValues.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

/// The window geometry of a 1-D or 2-D convolution, as 2-D (height 1 for 1-D).
struct Geometry {
  int64_t c = 0, h = 1, w = 0; ///< input channels and map
  int64_t cout = 0, kh = 1, kw = 0;
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0}; ///< top, left, bottom, right
};

/// ONNX's auto_pad: SAME_* pads so that out = ceil(in / stride); the odd
/// padding goes at the end (UPPER) or the beginning (LOWER).
void autoPad(StringRef mode, int64_t in, int64_t stride, int64_t extent, int64_t &begin, int64_t &end) {
  if (mode == "VALID") {
    begin = end = 0;
    return;
  }
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + extent - in);
  begin = mode == "SAME_LOWER" ? total - total / 2 : total / 2;
  end = total - begin;
}

Geometry geometryOf(onnx_d::ConvOp conv, RankedTensorType x, RankedTensorType w) {
  const int64_t spatial = x.getRank() - 2;
  Geometry g;
  g.c = x.getDimSize(1);
  g.cout = w.getDimSize(0);
  const int64_t first = spatial == 2 ? 0 : 1; // 1-D: the one axis is the width
  g.h = spatial == 2 ? x.getDimSize(2) : 1;
  g.w = x.getDimSize(1 + spatial);
  g.kh = spatial == 2 ? w.getDimSize(2) : 1;
  g.kw = w.getDimSize(1 + spatial);
  std::optional<ArrayRef<int64_t>> strides = conv.getStrides(), dilations = conv.getDilations(), pads = conv.getPads();
  for (int64_t i = 0; i < spatial; ++i) {
    if (strides)
      g.strides[first + i] = (*strides)[i];
    if (dilations)
      g.dilations[first + i] = (*dilations)[i];
  }
  const StringRef mode = conv.getAutoPad() ? *conv.getAutoPad() : "NOTSET";
  const int64_t in[2] = {g.h, g.w}, kernel[2] = {g.kh, g.kw};
  for (int64_t d = first; d < 2; ++d) {
    const int64_t axis = d - first;
    if (mode == "NOTSET") {
      if (pads) {
        g.pads[d] = (*pads)[axis];
        g.pads[d + 2] = (*pads)[axis + spatial];
      }
    } else {
      autoPad(mode, in[d], g.strides[d], (kernel[d] - 1) * g.dilations[d] + 1, g.pads[d], g.pads[d + 2]);
    }
  }
  return g;
}

/// W [Cout, Cin, (Kh,) Kw] as the [Cout, Kh * Kw * Cin] matrix the window's
/// (kh, kw, c) rows multiply.
Value windowMatrix(OpBuilder &b, Location loc, const FloatData &w, const Geometry &g) {
  const int64_t k = g.kh * g.kw * g.c;
  auto type = RankedTensorType::get({g.cout, k}, b.getF32Type());
  FloatBuffer m(static_cast<size_t>(g.cout * k));
  for (int64_t o = 0; o < g.cout; ++o)
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j)
          m.values()[o * k + (i * g.kw + j) * g.c + c] = w.values()[((o * g.c + c) * g.kh + i) * g.kw + j];
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(floatConstant(type, std::move(m), "conv_window_w")));
}

/// [rows, cols] row-major data as [cols, rows]: a view when either is 1.
Value transpose2d(OpBuilder &b, Location loc, Value v, int64_t rows, int64_t cols) {
  auto type = RankedTensorType::get({cols, rows}, b.getF32Type());
  if (rows == 1 || cols == 1)
    return fpga::ReshapeOp::create(b, loc, type, v);
  auto flat = fpga::ReshapeOp::create(b, loc, RankedTensorType::get({rows, cols}, b.getF32Type()), v);
  return fpga::TransposeOp::create(b, loc, type, flat, ArrayRef<int64_t>{1, 0});
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
  if (conv.getGroup().value_or(1) != 1) {
    refuse(op, "grouped convolutions (group ") << *conv.getGroup() << ") are not on the NPU yet";
    return nullptr;
  }
  std::optional<FloatData> weights = constantFloats(in.getW());
  if (!weights) {
    refuse(op, "the weights must be a constant");
    return nullptr;
  }
  const Geometry g = geometryOf(conv, x, w);
  const int64_t oh = fpga::WindowOp::windowsAlong(g.h, g.pads[0], g.pads[2], g.kh, g.dilations[0], g.strides[0]);
  const int64_t ow = fpga::WindowOp::windowsAlong(g.w, g.pads[1], g.pads[3], g.kw, g.dilations[1], g.strides[1]);
  if (oh * ow * g.cout != y.getNumElements()) {
    refuse(op, "the window grid ") << oh << "x" << ow << " does not match the output shape";
    return nullptr;
  }
  Location loc = op->getLoc();
  auto f32 = b.getF32Type();
  const int64_t k = g.kh * g.kw * g.c;
  // NCHW -> [H, W, C]: C rows of H * W elements become H * W rows of C.
  Value hwc = transpose2d(b, loc, in.getX(), g.c, g.h * g.w);
  hwc = fpga::ReshapeOp::create(b, loc, RankedTensorType::get({g.h, g.w, g.c}, f32), hwc);
  Value window = fpga::WindowOp::create(b, loc, RankedTensorType::get({oh * ow, k}, f32), hwc,
                                        ArrayRef<int64_t>{g.kh, g.kw}, ArrayRef<int64_t>{g.strides[0], g.strides[1]},
                                        ArrayRef<int64_t>{g.dilations[0], g.dilations[1]},
                                        ArrayRef<int64_t>{g.pads[0], g.pads[1], g.pads[2], g.pads[3]}, 0, g.c);
  Value matrix = windowMatrix(b, loc, *weights, g);
  Value pixels =
      fpga::LinearOp::create(b, loc, RankedTensorType::get({oh * ow, g.cout}, f32), window, matrix, in.getB(), false,
                             false, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none, nullptr, nullptr, nullptr);
  // [OH * OW, Cout] -> NCHW.
  Value chw = transpose2d(b, loc, pixels, oh * ow, g.cout);
  return fpga::ReshapeOp::create(b, loc, y, chw);
}

} // namespace

ArrayRef<LoweringEntry> convLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Conv", single<lowerConv>},
  };
  return table;
}

} // namespace softnpu::conversion
