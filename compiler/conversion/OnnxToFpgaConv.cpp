//===- OnnxToFpgaConv.cpp - Conv -> a window view and a matrix product ----===//
//
// A convolution is a matrix product whose rows are receptive fields: the
// Cout x (Kh * Kw * Cin) weight matrix (its columns reordered to the
// window's (kh, kw, c) order at compile time; run-time weights by a transpose
// on the NPU, then loaded like any run-time matrix) is pinned like any other, and
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

/// The [Cout, Kh * Kw * Cin] matrix the window's (kh, kw, c) rows multiply,
/// from `weight(o, c, i, j)`: output o's weight of its group's input channel
/// c at tap (i, j). With groups, output o reads only the input channels of
/// its group: the matrix is block diagonal, zero elsewhere.
template <class WeightFn>
Value windowMatrix(OpBuilder &b, Location loc, const WindowGeometry &g, int64_t cout, int64_t groups, WeightFn weight) {
  const int64_t k = g.kh * g.kw * g.c, cinPerGroup = g.c / groups, coutPerGroup = cout / groups;
  auto type = RankedTensorType::get({cout, k}, b.getF32Type());
  FloatBuffer m(static_cast<size_t>(cout * k));
  std::fill(m.values().begin(), m.values().end(), 0.0f);
  for (int64_t o = 0; o < cout; ++o) {
    const int64_t c0 = o / coutPerGroup * cinPerGroup;
    for (int64_t c = 0; c < cinPerGroup; ++c)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j)
          m.values()[o * k + (i * g.kw + j) * g.c + c0 + c] = weight(o, c, i, j);
  }
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(floatConstant(type, std::move(m), "conv_window_w")));
}

/// Run-time weights W [Cout, Cin, (Kh,) Kw] reordered on the NPU: a transpose
/// to [Cout, (Kh,) Kw, Cin] viewed as the [Cout, Kh * Kw * Cin] matrix, which
/// the product loads into the MRF (m_rd, quantized as it is read) like any
/// matrix that is a graph input.
Value runtimeWindowMatrix(OpBuilder &b, Location loc, Value w, RankedTensorType wType) {
  SmallVector<int64_t> perm{0}, shape{wType.getDimSize(0)};
  for (int64_t d = 2; d < wType.getRank(); ++d) {
    perm.push_back(d);
    shape.push_back(wType.getDimSize(d));
  }
  perm.push_back(1);
  shape.push_back(wType.getDimSize(1));
  auto f32 = b.getF32Type();
  Value t = fpga::TransposeOp::create(b, loc, RankedTensorType::get(shape, f32), w, perm);
  const int64_t cout = wType.getDimSize(0);
  return fpga::ReshapeOp::create(b, loc, RankedTensorType::get({cout, wType.getNumElements() / cout}, f32), t);
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
  const int64_t groups = conv.getGroup().value_or(1);
  if (!weights && groups != 1) {
    refuse(op, "a grouped convolution's weights must be a constant");
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
  // W [Cout, Cin / groups, (Kh,) Kw].
  const int64_t cinPerGroup = g.c / groups;
  auto convWeight = [&](int64_t o, int64_t c, int64_t i, int64_t j) {
    return weights->values()[((o * cinPerGroup + c) * g.kh + i) * g.kw + j];
  };
  Value matrix =
      weights ? windowMatrix(b, loc, g, cout, groups, convWeight) : runtimeWindowMatrix(b, loc, in.getW(), w);
  Value pixels = fpga::LinearOp::create(b, loc, RankedTensorType::get({oh * ow, cout}, f32), window, matrix, in.getB(),
                                        Value(), false, false, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none,
                                        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  return toNchw(b, loc, pixels, oh * ow, cout, y);
}

/// Run-time ConvTranspose weights W [Cin, Cout, (Kh,) Kw] on the NPU: a
/// transpose to [Cout, (Kh,) Kw, Cin], the kernel axes reversed (the flip),
/// viewed as the [Cout, Kh * Kw * Cin] matrix.
Value runtimeTransposedMatrix(OpBuilder &b, Location loc, Value w, RankedTensorType wType) {
  SmallVector<int64_t> perm{1}, shape{wType.getDimSize(1)}, kernelAxes;
  for (int64_t d = 2; d < wType.getRank(); ++d) {
    perm.push_back(d);
    shape.push_back(wType.getDimSize(d));
    kernelAxes.push_back(d - 1);
  }
  perm.push_back(0);
  shape.push_back(wType.getDimSize(0));
  auto type = RankedTensorType::get(shape, b.getF32Type());
  Value t = fpga::TransposeOp::create(b, loc, type, w, perm);
  Value flipped = fpga::ReverseOp::create(b, loc, type, t, kernelAxes);
  const int64_t cout = wType.getDimSize(1);
  return fpga::ReshapeOp::create(b, loc, RankedTensorType::get({cout, wType.getNumElements() / cout}, b.getF32Type()),
                                 flipped);
}

/// The pads ONNX gives a ConvTranspose axis of `in` elements whose output
/// has `out`: explicit `pads`, or (auto_pad SAME_*, or output_shape given)
/// the total padding that makes `out`, split as the operator's definition
/// says (SAME_UPPER: the odd one at the end; otherwise at the beginning).
void transposedPads(onnx_d::ConvTransposeOp ct, int64_t axis, int64_t spatial, int64_t in, int64_t out, int64_t stride,
                    int64_t extent, int64_t outputPadding, int64_t &begin, int64_t &end) {
  const StringRef mode = ct.getAutoPad() ? *ct.getAutoPad() : "NOTSET";
  if (mode == "NOTSET" && !ct.getOutputShape()) {
    begin = ct.getPads() ? (*ct.getPads())[axis] : 0;
    end = ct.getPads() ? (*ct.getPads())[axis + spatial] : 0;
    return;
  }
  // Negative when output_shape asks for more than the product covers: the
  // extra zeros go last (half rounded down, as ONNX's test data has it).
  const int64_t total = stride * (in - 1) + outputPadding + extent - out;
  const int64_t half = llvm::divideFloorSigned(total, 2);
  begin = mode == "SAME_UPPER" ? half : total - half;
  end = total - begin;
}

/// ConvTranspose as the convolution it is: the map read upsampled by the
/// strides (UP_H / UP_W: stride - 1 zeros between pixels), padded by
/// (kernel extent - 1) - pad on each side (plus output_padding at the end),
/// with stride 1 and the kernel flipped, its in and out channels swapped.
Value lowerConvTranspose(Operation *op, ValueRange operands, OpBuilder &b) {
  auto ct = cast<onnx_d::ConvTransposeOp>(op);
  auto x = dyn_cast<RankedTensorType>(operands[0].getType());
  auto w = dyn_cast<RankedTensorType>(operands[1].getType());
  auto y = dyn_cast<RankedTensorType>(ct.getY().getType());
  if (!x || !w || !y || (x.getRank() != 3 && x.getRank() != 4) || !x.hasStaticShape() || !y.hasStaticShape() ||
      w.getRank() != x.getRank()) {
    refuse(op, "only float32 1-D and 2-D transposed convolutions of static shape run on the NPU");
    return nullptr;
  }
  if (x.getDimSize(0) != 1) {
    refuse(op, "a batch of ") << x.getDimSize(0) << " is not supported on the NPU yet (batch 1)";
    return nullptr;
  }
  std::optional<FloatData> weights = constantFloats(operands[1]);
  const int64_t spatial = x.getRank() - 2, groups = ct.getGroup().value_or(1);
  if (!weights && groups != 1) {
    refuse(op, "a grouped transposed convolution's weights must be a constant");
    return nullptr;
  }
  const int64_t cin = x.getDimSize(1), coutPerGroup = w.getDimSize(1), cout = coutPerGroup * groups;
  WindowGeometry g;
  g.c = cin;
  g.h = spatial == 2 ? x.getDimSize(2) : 1;
  g.w = x.getDimSize(1 + spatial);
  g.kh = spatial == 2 ? w.getDimSize(2) : 1;
  g.kw = w.getDimSize(1 + spatial);
  const int64_t first = spatial == 2 ? 0 : 1; // 1-D: the one axis is the width
  for (int64_t axis = 0; axis < spatial; ++axis) {
    const int64_t d = first + axis, k = d == 0 ? g.kh : g.kw;
    const int64_t in = d == 0 ? g.h : g.w, out = y.getDimSize(2 + axis);
    const int64_t stride = ct.getStrides() ? (*ct.getStrides())[axis] : 1;
    const int64_t dilation = ct.getDilations() ? (*ct.getDilations())[axis] : 1;
    const int64_t outputPadding = ct.getOutputPadding() ? (*ct.getOutputPadding())[axis] : 0;
    const int64_t extent = (k - 1) * dilation + 1;
    int64_t begin = 0, end = 0;
    transposedPads(ct, axis, spatial, in, out, stride, extent, outputPadding, begin, end);
    g.up[d] = stride;
    g.dilations[d] = dilation;
    g.pads[d] = extent - 1 - begin;
    g.pads[d + 2] = extent - 1 - end + outputPadding;
    if (g.pads[d] < 0 || g.pads[d + 2] < 0) {
      refuse(op, "pads larger than the kernel's extent (a cropped output) are not on the NPU");
      return nullptr;
    }
  }
  if (g.outH() * g.outW() * cout != y.getNumElements()) {
    refuse(op, "the window grid ") << g.outH() << "x" << g.outW() << " does not match the output shape";
    return nullptr;
  }
  // W [Cin, Cout / groups, (Kh,) Kw]: output o of group q reads input channel
  // q * Cin / groups + c at tap (i, j) with weight W[that channel, o mod
  // Cout / groups, Kh - 1 - i, Kw - 1 - j].
  const int64_t cinPerGroup = cin / groups;
  auto transposedWeight = [&](int64_t o, int64_t c, int64_t i, int64_t j) {
    const int64_t ci = o / coutPerGroup * cinPerGroup + c, ol = o % coutPerGroup;
    return weights->values()[((ci * coutPerGroup + ol) * g.kh + (g.kh - 1 - i)) * g.kw + (g.kw - 1 - j)];
  };
  Location loc = op->getLoc();
  Value window = windowView(b, loc, toChannelsInnermost(b, loc, operands[0], g), g);
  Value matrix = weights ? windowMatrix(b, loc, g, cout, groups, transposedWeight)
                         : runtimeTransposedMatrix(b, loc, operands[1], w);
  const int64_t pixels = g.outH() * g.outW();
  Value bias = operands.size() > 2 ? operands[2] : Value();
  Value rows = fpga::LinearOp::create(b, loc, RankedTensorType::get({pixels, cout}, b.getF32Type()), window, matrix,
                                      bias, Value(), false, false, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none,
                                      nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  return toNchw(b, loc, rows, pixels, cout, y);
}

} // namespace

ArrayRef<LoweringEntry> convLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Conv", single<lowerConv>},
      {"onnx.ConvTranspose", single<lowerConvTranspose>},
  };
  return table;
}

} // namespace softnpu::conversion
