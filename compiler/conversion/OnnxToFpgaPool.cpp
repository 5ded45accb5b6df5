//===- OnnxToFpgaPool.cpp - Pooling -> a window view and fpga.pool --------===//
//
// A pooling layer reads the same receptive fields as a convolution
// (WindowLayout.h) and combines each field's taps channel by channel: the
// largest, or the sum times 1/count for an average. fpga.pool lowers to one
// hardware loop of pooled window reads (v_rd window with pool max / sum;
// docs/cnn.md). Averages whose divisor changes from pixel to pixel (padding
// left out of the count, ceil_mode's partial windows) stay on the host.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"
#include "compiler/conversion/WindowLayout.h"

#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

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
  if (extra || (padded && ap.getCountIncludePad().value_or(0) == 0)) {
    refuse(op, "an average whose count changes at the borders (padding not counted, or ceil_mode's partial "
               "windows) is not on the NPU");
    return {};
  }
  return {pool(b, op->getLoc(), operands[0], g, fpga::PoolKind::sum, 1.0f / static_cast<float>(g.kh * g.kw), y)};
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

} // namespace

ArrayRef<LoweringEntry> poolLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.MaxPool", lowerMaxPool},
      {"onnx.AveragePool", lowerAveragePool},
      {"onnx.GlobalMaxPool", lowerGlobalPool<fpga::PoolKind::max>},
      {"onnx.GlobalAveragePool", lowerGlobalPool<fpga::PoolKind::sum>},
  };
  return table;
}

} // namespace softnpu::conversion
