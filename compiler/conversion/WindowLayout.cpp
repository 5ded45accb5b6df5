//===- WindowLayout.cpp - Window geometry and NCHW <-> [H, W, C] ----------===//
#include "compiler/conversion/WindowLayout.h"

#include "dialects/fpga/FpgaDialect.h"

#include <algorithm>

using namespace mlir;

namespace softnpu::conversion {

int64_t WindowGeometry::outH() const {
  return fpga::WindowOp::windowsAlong(fpga::WindowOp::upsampled(h, up[0]), pads[0], pads[2], kh, dilations[0],
                                      strides[0]);
}

int64_t WindowGeometry::outW() const {
  return fpga::WindowOp::windowsAlong(fpga::WindowOp::upsampled(w, up[1]), pads[1], pads[3], kw, dilations[1],
                                      strides[1]);
}

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

WindowGeometry windowGeometry(RankedTensorType x, ArrayRef<int64_t> kernel, std::optional<ArrayRef<int64_t>> strides,
                              std::optional<ArrayRef<int64_t>> dilations, std::optional<ArrayRef<int64_t>> pads,
                              std::optional<StringRef> autoPadMode) {
  const int64_t spatial = x.getRank() - 2;
  WindowGeometry g;
  g.c = x.getDimSize(1);
  const int64_t first = spatial == 2 ? 0 : 1; // 1-D: the one axis is the width
  g.h = spatial == 2 ? x.getDimSize(2) : 1;
  g.w = x.getDimSize(1 + spatial);
  g.kh = spatial == 2 ? kernel[0] : 1;
  g.kw = kernel[spatial - 1];
  for (int64_t i = 0; i < spatial; ++i) {
    if (strides)
      g.strides[first + i] = (*strides)[i];
    if (dilations)
      g.dilations[first + i] = (*dilations)[i];
  }
  const StringRef mode = autoPadMode ? *autoPadMode : "NOTSET";
  const int64_t in[2] = {g.h, g.w}, k[2] = {g.kh, g.kw};
  for (int64_t d = first; d < 2; ++d) {
    const int64_t axis = d - first;
    if (mode == "NOTSET") {
      if (pads) {
        g.pads[d] = (*pads)[axis];
        g.pads[d + 2] = (*pads)[axis + spatial];
      }
    } else {
      autoPad(mode, in[d], g.strides[d], (k[d] - 1) * g.dilations[d] + 1, g.pads[d], g.pads[d + 2]);
    }
  }
  return g;
}

Value transpose2d(OpBuilder &b, Location loc, Value v, int64_t rows, int64_t cols) {
  auto type = RankedTensorType::get({cols, rows}, b.getF32Type());
  if (rows == 1 || cols == 1)
    return fpga::ReshapeOp::create(b, loc, type, v);
  auto flat = fpga::ReshapeOp::create(b, loc, RankedTensorType::get({rows, cols}, b.getF32Type()), v);
  return fpga::TransposeOp::create(b, loc, type, flat, ArrayRef<int64_t>{1, 0});
}

Value toChannelsInnermost(OpBuilder &b, Location loc, Value x, const WindowGeometry &g) {
  // NCHW -> [H, W, C]: C rows of H * W elements become H * W rows of C.
  Value hwc = transpose2d(b, loc, x, g.c, g.h * g.w);
  return fpga::ReshapeOp::create(b, loc, RankedTensorType::get({g.h, g.w, g.c}, b.getF32Type()), hwc);
}

Value windowView(OpBuilder &b, Location loc, Value map, const WindowGeometry &g) {
  auto type = RankedTensorType::get({g.outH() * g.outW(), g.kh * g.kw * g.c}, b.getF32Type());
  return fpga::WindowOp::create(
      b, loc, type, map, ArrayRef<int64_t>{g.kh, g.kw}, ArrayRef<int64_t>{g.strides[0], g.strides[1]},
      ArrayRef<int64_t>{g.dilations[0], g.dilations[1]}, ArrayRef<int64_t>{g.pads[0], g.pads[1], g.pads[2], g.pads[3]},
      0, g.c, g.up[0] != 1 || g.up[1] != 1 ? b.getDenseI64ArrayAttr({g.up[0], g.up[1]}) : DenseI64ArrayAttr());
}

Value toNchw(OpBuilder &b, Location loc, Value rows, int64_t pixels, int64_t channels, RankedTensorType y) {
  Value chw = transpose2d(b, loc, rows, pixels, channels);
  return fpga::ReshapeOp::create(b, loc, y, chw);
}

} // namespace softnpu::conversion
