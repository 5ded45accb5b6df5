//===- OnnxToFpgaPool.cpp - Pooling -> a window view and fpga.pool --------===//
//
// A pooling layer reads the same receptive fields as a convolution
// (WindowLayout.h) and combines each field's taps channel by channel: the
// largest, or the sum times 1/count for an average. fpga.pool lowers to one
// hardware loop of pooled window reads (v_rd window with pool max / sum /
// mean; docs/cnn.md). An average whose divisor changes from pixel to pixel
// (padding left out of the count, ceil_mode's partial windows) is a mean:
// the read divides by the taps inside the map. One that counts padding but
// has partial windows past it stays on the host. A nearest Resize by an
// integer factor is a pooled read of the map upsampled (lowerNearestResize).
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"
#include "compiler/conversion/WindowLayout.h"

#include "compiler/ConstantValues.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

/// NCHW float32 input and output of batch 1, 1-D or 2-D; else refused.
bool checkTypes(Operation *op, Value x, Value y, RankedTensorType &xt, RankedTensorType &yt) {
  xt = dyn_cast<RankedTensorType>(x.getType());
  yt = dyn_cast<RankedTensorType>(y.getType());
  if (!xt || !yt || (xt.getRank() != 3 && xt.getRank() != 4) || !xt.getElementType().isF32() || !xt.hasStaticShape() ||
      !yt.hasStaticShape()) {
    refuse(op, "only float32 1-D and 2-D pooling of static shape runs on the NPU");
    return false;
  }
  if (xt.getDimSize(0) != 1) {
    refuse(op, "a batch of ") << xt.getDimSize(0) << " is not supported on the NPU yet (batch 1)";
    return false;
  }
  return true;
}

/// With ceil_mode the last window along an axis may start inside the map but
/// end past the padded map: as many more bottom / right padding rows or
/// columns as make the window grid the output's (padding taps are skipped by
/// max; `extra` says whether any were needed). False when none fits.
bool fitOutput(WindowGeometry &g, RankedTensorType y, bool &extra) {
  const int64_t spatial = y.getRank() - 2;
  const int64_t wantH = spatial == 2 ? y.getDimSize(2) : 1, wantW = y.getDimSize(1 + spatial);
  extra = false;
  for (int d = 0; d < 2; ++d) {
    const int64_t want = d == 0 ? wantH : wantW;
    for (int64_t more = 0; more < g.strides[d]; ++more) {
      WindowGeometry t = g;
      t.pads[d + 2] += more;
      if ((d == 0 ? t.outH() : t.outW()) == want) {
        extra |= more > 0;
        g = t;
        break;
      }
    }
  }
  return g.outH() == wantH && g.outW() == wantW;
}

Value pool(OpBuilder &b, Location loc, Value x, const WindowGeometry &g, fpga::PoolKind kind, float scale,
           RankedTensorType y) {
  const int64_t pixels = g.outH() * g.outW();
  Value window = windowView(b, loc, toChannelsInnermost(b, loc, x, g), g);
  Value rows =
      fpga::PoolOp::create(b, loc, RankedTensorType::get({pixels, g.c}, b.getF32Type()), window, kind, APFloat(scale));
  return toNchw(b, loc, rows, pixels, g.c, y);
}

SmallVector<Value> lowerMaxPool(Operation *op, ValueRange operands, OpBuilder &b) {
  auto mp = cast<onnx_d::MaxPoolOp>(op);
  if (op->getNumResults() > 1) {
    refuse(op, "the Indices output is not produced on the NPU");
    return {};
  }
  if (mp.getStorageOrder().value_or(0) != 0) {
    refuse(op, "storage_order 1 is not supported on the NPU");
    return {};
  }
  RankedTensorType x, y;
  if (!checkTypes(op, operands[0], mp.getY(), x, y))
    return {};
  WindowGeometry g =
      windowGeometry(x, mp.getKernelShape(), mp.getStrides(), mp.getDilations(), mp.getPads(), mp.getAutoPad());
  bool extra = false;
  if (!fitOutput(g, y, extra)) {
    refuse(op, "the window grid does not match the output shape");
    return {};
  }
  return {pool(b, op->getLoc(), operands[0], g, fpga::PoolKind::max, 1.0f, y)};
}

SmallVector<Value> lowerAveragePool(Operation *op, ValueRange operands, OpBuilder &b) {
  auto ap = cast<onnx_d::AveragePoolOp>(op);
  RankedTensorType x, y;
  if (!checkTypes(op, operands[0], ap.getY(), x, y))
    return {};
  WindowGeometry g =
      windowGeometry(x, ap.getKernelShape(), ap.getStrides(), std::nullopt, ap.getPads(), ap.getAutoPad());
  bool extra = false;
  if (!fitOutput(g, y, extra)) {
    refuse(op, "the window grid does not match the output shape");
    return {};
  }
  const bool padded = g.pads[0] || g.pads[1] || g.pads[2] || g.pads[3];
  const bool countPads = ap.getCountIncludePad().value_or(0) != 0;
  // Padding left out of the count (and ceil_mode's partial windows, whose
  // count ONNX takes over the map): the read divides by its in-map taps.
  if (!countPads && (padded || extra))
    return {pool(b, op->getLoc(), operands[0], g, fpga::PoolKind::mean, 1.0f, y)};
  if (extra) {
    refuse(op, "an average that counts padding but not ceil_mode's partial windows past it is not on the NPU");
    return {};
  }
  return {pool(b, op->getLoc(), operands[0], g, fpga::PoolKind::sum, 1.0f / static_cast<float>(g.kh * g.kw), y)};
}

/// The input index ONNX's nearest Resize reads for output index `o` of an
/// axis of `in` -> `out` elements at `scale`, or -1 for a mode not handled.
int64_t nearestSource(StringRef coord, StringRef rounding, int64_t o, double scale, int64_t in, int64_t out) {
  double x;
  if (coord == "half_pixel" || (coord == "pytorch_half_pixel" && out > 1))
    x = (static_cast<double>(o) + 0.5) / scale - 0.5;
  else if (coord == "pytorch_half_pixel")
    x = 0.0;
  else if (coord == "asymmetric")
    x = static_cast<double>(o) / scale;
  else if (coord == "tf_half_pixel_for_nn")
    x = (static_cast<double>(o) + 0.5) / scale;
  else if (coord == "align_corners")
    x = out == 1 ? 0.0 : static_cast<double>(o * (in - 1)) / static_cast<double>(out - 1);
  else
    return -1;
  const double lo = std::floor(x);
  const bool tie = x - lo == 0.5;
  double i;
  if (rounding == "round_prefer_floor")
    i = tie ? lo : std::round(x);
  else if (rounding == "round_prefer_ceil")
    i = tie ? lo + 1.0 : std::round(x);
  else if (rounding == "floor")
    i = lo;
  else if (rounding == "ceil")
    i = std::ceil(x);
  else
    return -1;
  return std::clamp<int64_t>(static_cast<int64_t>(i), 0, in - 1);
}

/// Resize / Upsample, mode nearest, by an integer factor s per spatial axis
/// whose coordinate mapping reads input o / s for output o: a pooled read of
/// the map upsampled by s (UP_H / UP_W: s - 1 zeros between pixels) with an
/// s x s window padded by s - 1, whose one real tap the sum passes on
/// unchanged (the inserted zeros are skipped like padding). Other resizes
/// run on the host.
SmallVector<Value> lowerNearestResize(Operation *op, ValueRange operands, OpBuilder &b) {
  auto resize = dyn_cast<onnx_d::ResizeOp>(op);
  const StringRef mode =
      resize ? resize.getMode().value_or("nearest") : cast<onnx_d::UpsampleOp>(op).getMode().value_or("nearest");
  if (mode != "nearest") {
    refuse(op, "only a nearest resize runs on the NPU (mode '") << mode << "')";
    return {};
  }
  RankedTensorType x, y;
  if (!checkTypes(op, operands[0], op->getResult(0), x, y))
    return {};
  if (x.getRank() != 4 || y.getDimSize(1) != x.getDimSize(1)) {
    refuse(op, "only a resize of the height and width of an NCHW map runs on the NPU");
    return {};
  }
  const StringRef coord = resize ? resize.getCoordinateTransformationMode().value_or("half_pixel") : "asymmetric";
  const StringRef rounding = resize ? resize.getNearestMode().value_or("round_prefer_floor") : "floor";
  // The scales an explicit `scales` operand gives, else out / in (`sizes`).
  std::optional<FloatData> scales;
  if (Value s = resize ? resize.getScales() : operands[1])
    scales = constantFloats(s);
  WindowGeometry g;
  g.c = x.getDimSize(1);
  g.h = x.getDimSize(2);
  g.w = x.getDimSize(3);
  for (int d = 0; d < 2; ++d) {
    const int64_t in = x.getDimSize(2 + d), out = y.getDimSize(2 + d);
    const double scale = scales && scales->size() == 4 ? scales->data()[2 + d] : static_cast<double>(out) / in;
    const int64_t s = out / in;
    bool floorMap = out % in == 0 && s >= 1;
    for (int64_t o = 0; floorMap && o < out; ++o)
      floorMap = nearestSource(coord, rounding, o, scale, in, out) == o / s;
    if (!floorMap) {
      refuse(op, "a nearest resize that is not an upsampling by an integer factor reading input o / s for output o "
                 "is not on the NPU");
      return {};
    }
    (d == 0 ? g.kh : g.kw) = s;
    g.up[d] = s;
    g.pads[d] = g.pads[d + 2] = s - 1;
  }
  return {pool(b, op->getLoc(), operands[0], g, fpga::PoolKind::sum, 1.0f, y)};
}

/// GlobalAveragePool / GlobalMaxPool: one window as large as the map.
template <fpga::PoolKind Kind> SmallVector<Value> lowerGlobalPool(Operation *op, ValueRange operands, OpBuilder &b) {
  RankedTensorType x, y;
  if (!checkTypes(op, operands[0], op->getResult(0), x, y))
    return {};
  SmallVector<int64_t> kernel(x.getShape().drop_front(2));
  WindowGeometry g = windowGeometry(x, kernel, std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  const float scale = Kind == fpga::PoolKind::sum ? 1.0f / static_cast<float>(g.h * g.w) : 1.0f;
  return {pool(b, op->getLoc(), operands[0], g, Kind, scale, y)};
}

/// ReduceMean / ReduceMax over exactly the spatial axes of an [N, C, (H,) W]
/// tensor (torchvision's `x.mean((2, 3))`, ShuffleNet's head): a
/// GlobalAveragePool / GlobalMaxPool, the result [N, C, 1, (1)] or, without
/// keepdims, [N, C] (the same elements).
template <fpga::PoolKind Kind, class ReduceOp>
SmallVector<Value> lowerSpatialReduce(Operation *op, ValueRange operands, OpBuilder &b) {
  auto reduce = cast<ReduceOp>(op);
  auto xt = dyn_cast<RankedTensorType>(operands[0].getType());
  const int64_t rank = xt ? xt.getRank() : 0;
  SmallVector<int64_t> axes;
  if (std::optional<ArrayRef<int64_t>> given = reduce.getAxes())
    for (int64_t a : *given)
      axes.push_back(a < 0 ? a + rank : a);
  llvm::sort(axes);
  SmallVector<int64_t> spatial;
  for (int64_t a = 2; a < rank; ++a)
    spatial.push_back(a);
  if ((rank != 3 && rank != 4) || axes != spatial) {
    refuse(op, "only a reduction over the spatial axes of an [N, C, H, W] or [N, C, W] tensor runs on the NPU (as a "
               "global pooling)");
    return {};
  }
  return lowerGlobalPool<Kind>(op, operands, b);
}

} // namespace

ArrayRef<LoweringEntry> poolLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.MaxPool", lowerMaxPool},
      {"onnx.AveragePool", lowerAveragePool},
      {"onnx.GlobalMaxPool", lowerGlobalPool<fpga::PoolKind::max>},
      {"onnx.GlobalAveragePool", lowerGlobalPool<fpga::PoolKind::sum>},
      {"onnx.ReduceMean", lowerSpatialReduce<fpga::PoolKind::sum, onnx_d::ReduceMeanOp>},
      {"onnx.ReduceMax", lowerSpatialReduce<fpga::PoolKind::max, onnx_d::ReduceMaxOp>},
      {"onnx.Resize", lowerNearestResize},
      {"onnx.Upsample", lowerNearestResize},
  };
  return table;
}

} // namespace softnpu::conversion
