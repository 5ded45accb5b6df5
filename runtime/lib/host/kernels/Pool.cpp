//===- Pool.cpp - Host kernels: pooling (oneDNN) and Resize -----------------===//
//
// MaxPool and AveragePool on float32 run on oneDNN's pooling (dilated,
// asymmetric pads, ceil_mode as a larger end pad). A plain loop, generic
// over the element type and the spatial rank, does what oneDNN does not
// match: other element types, MaxPool's Indices output, LpPool, the global
// pools, and AveragePool counting pads when ceil_mode adds a partial
// window (ONNX divides by the window clipped to the padded input; oneDNN by
// the kernel size).
//
// MaxUnpool is a scatter. Resize and Upsample are hand-written, separably over any rank: ONNX's
// coordinate transformations, nearest modes and cubic options are more than
// oneDNN's resampling offers.
//
//===----------------------------------------------------------------------===//
#include "../Dnnl.h"
#include "../Window.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace softnpu::host {

namespace {

using dnnl::memory;

enum class PoolKind { Max, Avg, Lp };

/// Calls fn() with each position of a box of size `dims`, odometer order.
template <typename Fn> void forEachPosition(const std::vector<int64_t> &dims, Fn &&fn) {
  if (elementCount(dims) == 0)
    return;
  std::vector<int64_t> pos(dims.size(), 0);
  while (true) {
    fn(pos);
    size_t d = dims.size();
    while (d > 0 && ++pos[d - 1] == dims[d - 1])
      pos[--d] = 0;
    if (d == 0)
      return;
  }
}

/// The loop every pool falls back to: y (and the flat argmax `indices`,
/// when asked) from x over window `w`.
template <typename T>
void loopPool(const HostTensor &x, const Window &w, PoolKind kind, bool countPads, double p, HostTensor &y,
              int64_t *indices, bool columnMajor) {
  using C = ComputeOf<T>;
  const size_t ns = x.rank() - 2;
  const std::vector<int64_t> in(x.shape.begin() + 2, x.shape.end());
  const int64_t planes = x.shape[0] * x.shape[1], planeSize = elementCount(in);
  const std::vector<int64_t> rowStrides = stridesOf(in);
  std::vector<int64_t> colStrides(ns, 1);
  for (size_t i = 1; i < ns; ++i)
    colStrides[i] = colStrides[i - 1] * in[i - 1];
  const T *px = x.data<T>();
  T *py = y.data<T>();
  int64_t at = 0;
  std::vector<int64_t> coord(ns);
  for (int64_t plane = 0; plane < planes; ++plane) {
    const T *src = px + plane * planeSize;
    forEachPosition(w.out, [&](const std::vector<int64_t> &o) {
      double sum = 0;
      C best = std::numeric_limits<C>::lowest();
      int64_t bestIndex = -1, count = 0, padded = 0;
      forEachPosition(w.kernel, [&](const std::vector<int64_t> &k) {
        bool inside = true, inPadded = true;
        int64_t flat = 0;
        for (size_t i = 0; i < ns; ++i) {
          coord[i] = o[i] * w.strides[i] - w.padsBegin[i] + k[i] * w.dilations[i];
          inside = inside && coord[i] >= 0 && coord[i] < in[i];
          inPadded = inPadded && coord[i] < in[i] + w.padsEnd[i];
          flat += coord[i] * rowStrides[i];
        }
        padded += inPadded;
        if (!inside)
          return;
        ++count;
        const C v = static_cast<C>(src[flat]);
        if (kind == PoolKind::Max) {
          // A NaN tap makes the max NaN, as in ONNX's reference (numpy max).
          if (v > best || bestIndex < 0 || (v != v && best == best)) {
            best = v;
            bestIndex = 0;
            for (size_t i = 0; i < ns; ++i)
              bestIndex += coord[i] * (columnMajor ? colStrides[i] : rowStrides[i]);
          }
        } else if (kind == PoolKind::Avg) {
          sum += static_cast<double>(v);
        } else {
          sum += std::pow(std::abs(static_cast<double>(v)), p);
        }
      });
      if (kind == PoolKind::Max) {
        py[at] = T(best);
        if (indices)
          indices[at] = bestIndex < 0 ? -1 : plane * planeSize + bestIndex;
      } else if (kind == PoolKind::Avg) {
        const int64_t divisor = countPads ? padded : count;
        py[at] = T(static_cast<C>(divisor == 0 ? 0.0 : sum / static_cast<double>(divisor)));
      } else {
        py[at] = T(static_cast<C>(std::pow(sum, 1.0 / p)));
      }
      ++at;
    });
  }
}

/// oneDNN's pooling of float32 x into y over window `w`.
bool dnnlPool(KernelContext &ctx, const HostTensor &x, const Window &w, PoolKind kind, bool countPads, HostTensor &y) {
  return withDnnl(ctx, [&] {
    const size_t ns = x.rank() - 2;
    memory::dims padEnd(ns), dilations(ns);
    for (size_t i = 0; i < ns; ++i) {
      padEnd[i] = w.coveringPadEnd(i, x.shape[i + 2]);
      dilations[i] = w.dilations[i] - 1;
    }
    const memory::desc xMd = plainDesc(x.shape), yMd = plainDesc(y.shape);
    const dnnl::algorithm alg = kind == PoolKind::Max ? dnnl::algorithm::pooling_max
                                : countPads           ? dnnl::algorithm::pooling_avg_include_padding
                                                      : dnnl::algorithm::pooling_avg_exclude_padding;
    std::vector<int64_t> key{static_cast<int64_t>(alg)};
    appendKey(key, x.shape);
    appendKey(key, y.shape);
    const dnnl::primitive p = nodePrimitive(ctx, std::move(key), [&] {
      const dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, xMd, yMd, w.strides, w.kernel,
                                             dilations, w.padsBegin, padEnd);
      return dnnl::pooling_v2_forward(dnnl::pooling_v2_forward::primitive_desc(d, dnnlEngine()));
    });
    runNodePrimitive(ctx, p, {{DNNL_ARG_SRC, xMd, x.bytes.data()}, {DNNL_ARG_DST, yMd, y.bytes.data()}});
    return true;
  });
}

bool poolInput(KernelContext &ctx, bool allowInts) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const DType t = x->dtype;
  const bool isFloat = t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::BF16;
  if (!isFloat && !(allowInts && (t == DType::I8 || t == DType::U8)))
    return ctx.fail(std::string("element type ") + artifact::dtypeName(t) + " is not supported");
  if (x->rank() < 3)
    return ctx.fail("X " + shapeText(x->shape) + " must be [N, C, spatial...]");
  return true;
}

/// MaxPool, AveragePool and LpPool.
bool pool(KernelContext &ctx, PoolKind kind) {
  if (!poolInput(ctx, kind == PoolKind::Max))
    return false;
  const HostTensor &x = *ctx.in(0);
  const std::vector<int64_t> in(x.shape.begin() + 2, x.shape.end());
  const std::vector<int64_t> kernel = ctx.node.attrInts("kernel_shape");
  if (kernel.size() != in.size())
    return ctx.fail("kernel_shape " + shapeText(kernel) + " does not match X " + shapeText(x.shape));
  const bool ceilMode = ctx.node.attrInt("ceil_mode", 0) != 0;
  Window w;
  if (!slidingWindow(ctx, in, kernel, ceilMode, true, w))
    return false;
  const bool countPads = ctx.node.attrInt("count_include_pad", 0) != 0;
  const double p = static_cast<double>(ctx.node.attrInt("p", 2));
  if (kind == PoolKind::Lp && p <= 0)
    return ctx.fail("p " + std::to_string(ctx.node.attrInt("p", 2)));
  const int64_t storageOrder = ctx.node.attrInt("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return ctx.fail("storage_order " + std::to_string(storageOrder));
  std::vector<int64_t> outShape{x.shape[0], x.shape[1]};
  outShape.insert(outShape.end(), w.out.begin(), w.out.end());
  HostTensor &y = ctx.newOutput(0, x.dtype, outShape); // both paths below write every element
  const bool wantIndices = ctx.outputs.size() > 1 && !ctx.node.outputs[1].empty();
  if (wantIndices)
    ctx.outputs[1] = HostTensor(DType::I64, outShape);
  if (y.numElements() == 0)
    return true;
  // ceil_mode's partial last window with pads counted: ONNX divides by the
  // window clipped to the padded input, oneDNN by the kernel size.
  bool partialWindow = false;
  for (size_t i = 0; i < in.size(); ++i)
    partialWindow = partialWindow || w.coveringPadEnd(i, in[i]) > w.padsEnd[i];
  // oneDNN's max lets a number win over NaN; ONNX propagates NaN.
  const bool nanMax = kind == PoolKind::Max && x.dtype == DType::F32 &&
                      std::any_of(x.data<float>(), x.data<float>() + x.numElements(), [](float v) { return v != v; });
  const bool oneDnn = x.dtype == DType::F32 && x.rank() <= 5 && kind != PoolKind::Lp && !wantIndices &&
                      !(kind == PoolKind::Avg && countPads && partialWindow) && !nanMax;
  // oneDNN declines some legal windows (an end pad past the kernel, as
  // ceil_mode can make): the loop takes those.
  if (oneDnn && dnnlPool(ctx, x, w, kind, countPads, y))
    return true;
  ctx.error.clear();
  int64_t *indices = wantIndices ? ctx.outputs[1].data<int64_t>() : nullptr;
  return dispatch(x.dtype, [&](auto tag) {
    loopPool<decltype(tag)>(x, w, kind, countPads, p, y, indices, storageOrder == 1);
    return true;
  });
}

/// GlobalMaxPool, GlobalAveragePool, GlobalLpPool: one window over all the
/// spatial axes.
bool globalPool(KernelContext &ctx, PoolKind kind) {
  if (!poolInput(ctx, kind == PoolKind::Max))
    return false;
  const HostTensor &x = *ctx.in(0);
  const double p = static_cast<double>(ctx.node.attrInt("p", 2));
  if (kind == PoolKind::Lp && p <= 0)
    return ctx.fail("p " + std::to_string(ctx.node.attrInt("p", 2)));
  Window w;
  const size_t ns = x.rank() - 2;
  w.kernel.assign(x.shape.begin() + 2, x.shape.end());
  w.strides.assign(ns, 1);
  w.dilations.assign(ns, 1);
  w.padsBegin.assign(ns, 0);
  w.padsEnd.assign(ns, 0);
  w.out.assign(ns, 1);
  std::vector<int64_t> outShape{x.shape[0], x.shape[1]};
  outShape.resize(x.rank(), 1);
  HostTensor &y = ctx.outputs[0] = HostTensor(x.dtype, outShape);
  if (y.numElements() == 0)
    return true;
  if (elementCount(w.kernel) == 0)
    return ctx.fail("X " + shapeText(x.shape) + " has an empty spatial extent");
  return dispatch(x.dtype, [&](auto tag) {
    loopPool<decltype(tag)>(x, w, kind, false, p, y, nullptr, false);
    return true;
  });
}

/// MaxUnpool: zeros with X scattered to the flat positions I (MaxPool's
/// Indices) of an output of output_shape, or of the shape the pool came from.
bool maxUnpool(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1), *shapeT = ctx.in(2);
  if (!x || !ind)
    return ctx.fail("needs inputs X and I");
  if (x->rank() < 3)
    return ctx.fail("X " + shapeText(x->shape) + " must be [N, C, spatial...]");
  if (ind->dtype != DType::I64 || ind->shape != x->shape)
    return ctx.fail("I must be int64 of X's shape " + shapeText(x->shape));
  const size_t ns = x->rank() - 2;
  Window w;
  if (!windowAttributes(ctx, ns, ctx.node.attrInts("kernel_shape"), false, w))
    return false;
  std::vector<int64_t> outShape{x->shape[0], x->shape[1]};
  for (size_t i = 0; i < ns; ++i)
    outShape.push_back((x->shape[i + 2] - 1) * w.strides[i] + w.kernel[i] - w.padsBegin[i] - w.padsEnd[i]);
  // I holds flat positions in the unpooled shape; output_shape may pad it.
  const std::vector<int64_t> pooledFrom = outShape;
  for (int64_t d : pooledFrom)
    if (d < 0)
      return ctx.fail("the pads leave the unpooled shape " + shapeText(pooledFrom));
  if (shapeT && shapeT->numElements() > 0) {
    if (!readInts(ctx, *shapeT, outShape, "output_shape"))
      return false;
    if (outShape.size() != x->rank())
      return ctx.fail("output_shape " + shapeText(outShape) + " does not match X " + shapeText(x->shape));
  }
  for (int64_t d : outShape)
    if (d < 0)
      return ctx.fail("output shape " + shapeText(outShape));
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, outShape);
  const size_t item = artifact::dtypeSize(x->dtype);
  const int64_t limit = elementCount(pooledFrom);
  const std::vector<int64_t> outStrides = stridesOf(outShape);
  const int64_t *pi = ind->data<int64_t>();
  for (int64_t e = 0, m = x->numElements(); e < m; ++e) {
    if (pi[e] < 0 || pi[e] >= limit)
      return ctx.fail("index " + std::to_string(pi[e]) + " is outside " + shapeText(pooledFrom));
    int64_t rest = pi[e], at = 0;
    for (size_t d = pooledFrom.size(); d-- > 0;) {
      const int64_t c = rest % pooledFrom[d];
      rest /= pooledFrom[d];
      if (c >= outShape[d])
        return ctx.fail("index " + std::to_string(pi[e]) + " falls outside output_shape " + shapeText(outShape));
      at += c * outStrides[d];
    }
    std::memcpy(y.bytes.data() + at * static_cast<int64_t>(item), x->bytes.data() + e * static_cast<int64_t>(item),
                item);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Resize and Upsample
//===----------------------------------------------------------------------===//

enum class Interp { Nearest, Linear, Cubic };

struct ResizeOptions {
  Interp mode = Interp::Nearest;
  std::string coordinates = "half_pixel";     ///< coordinate_transformation_mode
  std::string nearest = "round_prefer_floor"; ///< nearest_mode, or "simple" (opset 10, Upsample)
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0;
};

/// One input element an output coordinate reads along one axis.
struct Tap {
  int64_t offset; ///< clamped index times the axis' stride
  double weight;
};

/// Along one axis: for each output coordinate, its taps, and whether it
/// falls outside the crop (tf_crop_and_resize).
struct AxisTaps {
  std::vector<std::vector<Tap>> taps;
  std::vector<bool> outside;
};

std::vector<double> coefficients(Interp mode, double r, double a, const std::string &nearest, double scale) {
  if (mode == Interp::Linear)
    return {1 - r, r};
  if (mode == Interp::Cubic) {
    const double s = 1 - r;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a, ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1, ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  if (r == 1)
    return {0, 1};
  bool ceil;
  if (nearest == "round_prefer_floor")
    ceil = r > 0.5;
  else if (nearest == "round_prefer_ceil")
    ceil = r >= 0.5;
  else if (nearest == "floor")
    ceil = false;
  else if (nearest == "ceil")
    ceil = true;
  else // simple: floor when upsampling, ceil when downsampling
    ceil = scale < 1;
  return {ceil ? 0.0 : 1.0, ceil ? 1.0 : 0.0};
}

/// The taps of every output coordinate along an axis of `in` elements
/// (stride `stride`) resized by `scale` to `out`; roiStart/End for
/// tf_crop_and_resize. Follows ONNX's reference (resize.py): the source
/// coordinate's integer part takes the left neighbours, edges are
/// replicated.
AxisTaps axisTaps(const ResizeOptions &o, int64_t in, int64_t out, double scale, int64_t stride, double roiStart,
                  double roiEnd) {
  AxisTaps at;
  at.taps.resize(static_cast<size_t>(out));
  at.outside.assign(static_cast<size_t>(out), false);
  const double outWidth = scale * static_cast<double>(in), inMax = static_cast<double>(in - 1);
  for (int64_t xo = 0; xo < out; ++xo) {
    const double x = static_cast<double>(xo);
    double src;
    const std::string &c = o.coordinates;
    if (c == "align_corners")
      src = outWidth == 1 ? 0 : x * inMax / (outWidth - 1);
    else if (c == "asymmetric")
      src = x / scale;
    else if (c == "tf_crop_and_resize") {
      src = (outWidth == 1 ? (roiEnd - roiStart) * inMax / 2 : x * (roiEnd - roiStart) * inMax / (outWidth - 1)) +
            roiStart * inMax;
      if (src < 0 || src > inMax) {
        at.outside[static_cast<size_t>(xo)] = true;
        continue;
      }
    } else if (c == "pytorch_half_pixel")
      src = outWidth == 1 ? 0 : (x + 0.5) / scale - 0.5;
    else if (c == "tf_half_pixel_for_nn")
      src = (x + 0.5) / scale;
    else
      src = (x + 0.5) / scale - 0.5;
    // The left neighbour and the ratio in (0, 1].
    double fl = std::floor(src), r = src - fl;
    if (r == 0)
      fl -= 1, r = 1;
    std::vector<double> w = coefficients(o.mode, r, o.cubicA, o.nearest, scale);
    const int64_t first = static_cast<int64_t>(fl) - (o.mode == Interp::Cubic ? 1 : 0);
    if (o.excludeOutside) {
      double sum = 0;
      for (size_t j = 0; j < w.size(); ++j) {
        const int64_t idx = first + static_cast<int64_t>(j);
        if (idx < 0 || idx >= in)
          w[j] = 0;
        sum += w[j];
      }
      for (double &v : w)
        v = sum == 0 ? 0 : v / sum;
    }
    for (size_t j = 0; j < w.size(); ++j) {
      if (w[j] == 0)
        continue;
      const int64_t idx = std::clamp<int64_t>(first + static_cast<int64_t>(j), 0, in - 1);
      at.taps[static_cast<size_t>(xo)].push_back({idx * stride, w[j]});
    }
  }
  return at;
}

template <typename T>
double gatherTaps(const T *x, const std::vector<AxisTaps> &axes, const std::vector<int64_t> &pos, size_t axis,
                  int64_t offset) {
  if (axis == axes.size())
    return static_cast<double>(static_cast<ComputeOf<T>>(x[offset]));
  double sum = 0;
  for (const Tap &t : axes[axis].taps[static_cast<size_t>(pos[axis])])
    sum += t.weight * gatherTaps(x, axes, pos, axis + 1, offset + t.offset);
  return sum;
}

/// y = x resized to outShape with per-axis `scales` (out / in when sizes
/// were given).
bool resizeTo(KernelContext &ctx, const HostTensor &x, const std::vector<int64_t> &outShape,
              const std::vector<double> &scales, const std::vector<double> &roi, const ResizeOptions &o) {
  const size_t rank = x.rank();
  HostTensor &y = ctx.outputs[0] = HostTensor(x.dtype, outShape);
  if (y.numElements() == 0)
    return true;
  if (x.numElements() == 0)
    return ctx.fail("cannot resize the empty X " + shapeText(x.shape) + " to " + shapeText(outShape));
  const std::vector<int64_t> strides = stridesOf(x.shape);
  std::vector<AxisTaps> axes;
  for (size_t i = 0; i < rank; ++i)
    axes.push_back(axisTaps(o, x.shape[i], outShape[i], scales[i], strides[i], roi.empty() ? 0 : roi[i],
                            roi.empty() ? 1 : roi[i + rank]));
  return dispatch(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *px = x.data<T>();
    T *py = y.data<T>();
    int64_t at = 0;
    forEachPosition(outShape, [&](const std::vector<int64_t> &pos) {
      bool outside = false;
      for (size_t i = 0; i < rank; ++i)
        outside = outside || axes[i].outside[static_cast<size_t>(pos[i])];
      if (outside) {
        py[at++] = T(static_cast<C>(o.extrapolation));
        return;
      }
      if (o.mode == Interp::Nearest) { // a copy, exact for every type
        int64_t offset = 0;
        for (size_t i = 0; i < rank; ++i)
          offset += axes[i].taps[static_cast<size_t>(pos[i])].front().offset;
        py[at++] = px[offset];
        return;
      }
      const double v = gatherTaps(px, axes, pos, 0, 0);
      if constexpr (std::is_integral_v<T>)
        py[at++] = static_cast<T>(std::clamp(std::nearbyint(v), static_cast<double>(std::numeric_limits<T>::lowest()),
                                             static_cast<double>(std::numeric_limits<T>::max())));
      else
        py[at++] = T(static_cast<C>(v));
    });
    return true;
  });
}

bool readFloats(KernelContext &ctx, const HostTensor &t, std::vector<double> &out, const char *what) {
  if (t.dtype != DType::F32 && t.dtype != DType::F64 && t.dtype != DType::F16 && t.dtype != DType::BF16)
    return ctx.fail(std::string(what) + " must be floating-point, not " + artifact::dtypeName(t.dtype));
  const std::vector<float> f = toFloat32(t);
  out.assign(f.begin(), f.end());
  return true;
}

bool parseMode(KernelContext &ctx, const std::string &mode, Interp &out) {
  if (mode == "nearest")
    out = Interp::Nearest;
  else if (mode == "linear" || mode == "bilinear")
    out = Interp::Linear;
  else if (mode == "cubic")
    out = Interp::Cubic;
  else
    return ctx.fail("mode " + mode + " is not nearest, linear or cubic");
  return true;
}

/// The output shape floor(in * scale) for scales.
bool scaledShape(KernelContext &ctx, const HostTensor &x, const std::vector<double> &scales,
                 std::vector<int64_t> &outShape) {
  if (scales.size() != x.rank())
    return ctx.fail("scales has " + std::to_string(scales.size()) + " entries for X " + shapeText(x.shape));
  outShape.resize(x.rank());
  for (size_t i = 0; i < x.rank(); ++i) {
    if (!(scales[i] > 0) || !std::isfinite(scales[i]))
      return ctx.fail("scale " + std::to_string(scales[i]) + " is not positive");
    const double o = std::floor(static_cast<double>(x.shape[i]) * scales[i]);
    if (o > 1e15)
      return ctx.fail("scale " + std::to_string(scales[i]) + " makes the output too large");
    outShape[i] = static_cast<int64_t>(o);
  }
  return true;
}

bool resize(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() == 0)
    return ctx.fail("X must have rank 1 or more");
  ResizeOptions o;
  if (!parseMode(ctx, ctx.node.attrString("mode", "nearest"), o.mode))
    return false;
  const size_t rank = x->rank();
  const HostTensor *roiT = nullptr, *scalesT = nullptr, *sizesT = nullptr;
  if (ctx.opset < 11) { // Resize-10: X, scales; asymmetric
    scalesT = ctx.in(1);
    o.coordinates = "asymmetric";
    o.nearest = "simple";
  } else {
    roiT = ctx.in(1), scalesT = ctx.in(2), sizesT = ctx.in(3);
    o.coordinates = ctx.node.attrString("coordinate_transformation_mode", "half_pixel");
    o.nearest = ctx.node.attrString("nearest_mode", "round_prefer_floor");
    o.cubicA = ctx.node.attrFloat("cubic_coeff_a", -0.75f);
    o.excludeOutside = ctx.node.attrInt("exclude_outside", 0) != 0;
    o.extrapolation = ctx.node.attrFloat("extrapolation_value", 0.0f);
  }
  static const char *const coordinateModes[] = {"half_pixel", "pytorch_half_pixel",   "align_corners",
                                                "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
  if (std::find(std::begin(coordinateModes), std::end(coordinateModes), o.coordinates) == std::end(coordinateModes))
    return ctx.fail("coordinate_transformation_mode " + o.coordinates + " is not supported");
  static const char *const nearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil", "simple"};
  if (std::find(std::begin(nearestModes), std::end(nearestModes), o.nearest) == std::end(nearestModes))
    return ctx.fail("nearest_mode " + o.nearest + " is not supported");
  // Empty tensors stand for omitted inputs (opset 11, 13).
  if (roiT && roiT->numElements() == 0)
    roiT = nullptr;
  if (scalesT && scalesT->numElements() == 0)
    scalesT = nullptr;
  if (sizesT && sizesT->numElements() == 0)
    sizesT = nullptr;
  std::vector<double> roi, scales;
  std::vector<int64_t> outShape;
  if (o.coordinates == "tf_crop_and_resize") {
    if (!roiT)
      return ctx.fail("tf_crop_and_resize needs roi");
    if (!readFloats(ctx, *roiT, roi, "roi"))
      return false;
    if (roi.size() != 2 * rank)
      return ctx.fail("roi has " + std::to_string(roi.size()) + " entries for X " + shapeText(x->shape));
  }
  if (sizesT && scalesT)
    return ctx.fail("give scales or sizes, not both");
  if (sizesT) {
    if (!readInts(ctx, *sizesT, outShape, "sizes"))
      return false;
    if (outShape.size() != rank)
      return ctx.fail("sizes has " + std::to_string(outShape.size()) + " entries for X " + shapeText(x->shape));
    for (size_t i = 0; i < rank; ++i) {
      if (outShape[i] < 0)
        return ctx.fail("sizes has entry " + std::to_string(outShape[i]));
      scales.push_back(x->shape[i] == 0 ? 1.0 : static_cast<double>(outShape[i]) / static_cast<double>(x->shape[i]));
    }
  } else if (scalesT) {
    if (!readFloats(ctx, *scalesT, scales, "scales") || !scaledShape(ctx, *x, scales, outShape))
      return false;
  } else {
    return ctx.fail("needs scales or sizes");
  }
  return resizeTo(ctx, *x, outShape, scales, roi, o);
}

/// Upsample (deprecated): Resize with asymmetric coordinates; scales is an
/// attribute before opset 9, an input from it.
bool upsample(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  ResizeOptions o;
  if (!parseMode(ctx, ctx.node.attrString("mode", "nearest"), o.mode))
    return false;
  if (o.mode == Interp::Cubic)
    return ctx.fail("mode cubic is not an Upsample mode");
  o.coordinates = "asymmetric";
  o.nearest = "simple";
  std::vector<double> scales;
  if (const HostTensor *s = ctx.in(1)) {
    if (!readFloats(ctx, *s, scales, "scales"))
      return false;
  } else {
    for (float f : ctx.node.attrFloats("scales"))
      scales.push_back(f);
  }
  std::vector<int64_t> outShape;
  if (!scaledShape(ctx, *x, scales, outShape))
    return false;
  return resizeTo(ctx, *x, outShape, scales, {}, o);
}

} // namespace

void addPoolKernels(KernelTable &t) {
  t["MaxPool"] = [](KernelContext &ctx) { return pool(ctx, PoolKind::Max); };
  t["AveragePool"] = [](KernelContext &ctx) { return pool(ctx, PoolKind::Avg); };
  t["LpPool"] = [](KernelContext &ctx) { return pool(ctx, PoolKind::Lp); };
  t["GlobalMaxPool"] = [](KernelContext &ctx) { return globalPool(ctx, PoolKind::Max); };
  t["GlobalAveragePool"] = [](KernelContext &ctx) { return globalPool(ctx, PoolKind::Avg); };
  t["GlobalLpPool"] = [](KernelContext &ctx) { return globalPool(ctx, PoolKind::Lp); };
  t["MaxUnpool"] = maxUnpool;
  t["Resize"] = resize;
  t["Upsample"] = upsample;
}

} // namespace softnpu::host
