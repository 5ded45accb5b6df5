//===- Quantize.cpp - Host kernels: linear quantization and integer math --===//
//
// QuantizeLinear rounds half to even and saturates to the zero point's type
// (uint8 when it is omitted). Scales and zero points are per tensor (one
// element) or per slice along an axis. The integer ops accumulate
// (x - zero point) products in int32, as ONNX specifies; the QLinear ops then
// requantize the accumulator with scale_a * scale_b / scale_y.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace softnpu::host {

namespace {

bool isQuantType(DType t) { return t == DType::U8 || t == DType::I8; }

/// The elements of an integer tensor as int64; false with a message for
/// floating-point tensors.
bool intValues(KernelContext &ctx, const HostTensor &t, std::vector<int64_t> &out, const char *what) {
  return dispatch(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (isFloatStorage<T>()) {
      return ctx.fail(std::string(what) + " must be an integer tensor, not " + artifact::dtypeName(t.dtype));
    } else {
      const T *p = t.data<T>();
      out.assign(p, p + t.numElements());
      return true;
    }
  });
}

/// The elements of a floating-point tensor as double.
bool floatValues(KernelContext &ctx, const HostTensor &t, std::vector<double> &out, const char *what) {
  return dispatch(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!isFloatStorage<T>()) {
      return ctx.fail(std::string(what) + " must be a floating-point tensor, not " + artifact::dtypeName(t.dtype));
    } else {
      const T *p = t.data<T>();
      out.resize(static_cast<size_t>(t.numElements()));
      for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<double>(static_cast<ComputeOf<T>>(p[i]));
      return true;
    }
  });
}

/// Where element i of a tensor finds its scale and zero point: element
/// (i / inner) % extent of the parameter tensors (extent 1: per tensor).
struct ParamIndex {
  int64_t inner = 1, extent = 1;
  size_t at(int64_t i) const { return static_cast<size_t>((i / inner) % extent); }
};

/// The ParamIndex of parameters of `count` elements for a tensor of `shape`
/// quantized along `axis` (ignored when count is 1).
bool paramIndex(KernelContext &ctx, const std::vector<int64_t> &shape, int64_t axis, const HostTensor &scale,
                const HostTensor *zeroPoint, ParamIndex &out) {
  const int64_t count = scale.numElements();
  if (zeroPoint && zeroPoint->shape != scale.shape)
    return ctx.fail("zero point shape " + shapeText(zeroPoint->shape) + " differs from scale shape " +
                    shapeText(scale.shape));
  if (count == 1 && scale.rank() <= 1)
    return true;
  if (scale.rank() != 1)
    return ctx.fail("scale must be a scalar or 1-D, not " + shapeText(scale.shape));
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(shape.size())))
    return false;
  if (shape[static_cast<size_t>(axis)] != count)
    return ctx.fail("scale has " + std::to_string(count) + " elements for axis " + std::to_string(axis) + " of size " +
                    std::to_string(shape[static_cast<size_t>(axis)]));
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d)
    out.inner *= shape[d];
  out.extent = count;
  return true;
}

/// Rounds half to even and clamps into T's range.
template <typename T, typename C> T saturate(C v) {
  const C r = std::nearbyint(v);
  const C lo = static_cast<C>(std::numeric_limits<T>::min()), hi = static_cast<C>(std::numeric_limits<T>::max());
  return static_cast<T>(std::clamp(r, lo, hi));
}

/// saturate(), with NaN (which cannot be cast) as 0.
template <typename T, typename C> T saturateChecked(C v) { return std::isnan(v) ? T(0) : saturate<T, C>(v); }

/// out[i] = saturate(v[i]) (rounded half to even) for `out` of a quant type.
template <typename C> void storeSaturated(HostTensor &out, const std::vector<C> &v) {
  for (size_t i = 0; i < v.size(); ++i)
    if (out.dtype == DType::U8)
      out.data<uint8_t>()[i] = saturateChecked<uint8_t>(v[i]);
    else
      out.data<int8_t>()[i] = saturateChecked<int8_t>(v[i]);
}

bool quantizeLinear(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *scale = ctx.in(1), *zp = ctx.in(2);
  if (!x || !scale)
    return ctx.fail("needs inputs x and y_scale");
  const DType qt = zp ? zp->dtype : DType::U8;
  if (!isQuantType(qt))
    return ctx.fail(std::string("y_zero_point must be uint8 or int8, not ") + artifact::dtypeName(qt));
  ParamIndex pi;
  if (!paramIndex(ctx, x->shape, ctx.node.attrInt("axis", 1), *scale, zp, pi))
    return false;
  std::vector<int64_t> zeros(1, 0);
  if (zp && !intValues(ctx, *zp, zeros, "y_zero_point"))
    return false;
  HostTensor &out = ctx.outputs[0] = HostTensor(qt, x->shape);
  // Divide in the scale's precision (float for float32), as ONNX's reference does.
  return dispatchFloat(ctx, scale->dtype, [&](auto stag) {
    using S = decltype(stag);
    using C = ComputeOf<S>;
    const S *ps = scale->data<S>();
    std::vector<C> q(static_cast<size_t>(x->numElements()));
    dispatch(x->dtype, [&](auto xtag) {
      using X = decltype(xtag);
      const X *px = x->data<X>();
      for (size_t i = 0; i < q.size(); ++i) {
        const size_t k = pi.at(static_cast<int64_t>(i));
        q[i] = std::nearbyint(static_cast<C>(static_cast<ComputeOf<X>>(px[i])) / static_cast<C>(ps[k])) +
               static_cast<C>(zp ? zeros[k] : 0);
      }
    });
    storeSaturated(out, q);
    return true;
  });
}

bool dequantizeLinear(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *scale = ctx.in(1), *zp = ctx.in(2);
  if (!x || !scale)
    return ctx.fail("needs inputs x and x_scale");
  if (zp && zp->dtype != x->dtype)
    return ctx.fail("x_zero_point's type differs from x's");
  ParamIndex pi;
  if (!paramIndex(ctx, x->shape, ctx.node.attrInt("axis", 1), *scale, zp, pi))
    return false;
  std::vector<int64_t> xs, zeros(1, 0);
  if (!intValues(ctx, *x, xs, "x") || (zp && !intValues(ctx, *zp, zeros, "x_zero_point")))
    return false;
  HostTensor &out = ctx.outputs[0] = HostTensor(scale->dtype, x->shape);
  return dispatchFloat(ctx, scale->dtype, [&](auto tag) {
    using S = decltype(tag);
    using C = ComputeOf<S>;
    const S *ps = scale->data<S>();
    S *po = out.data<S>();
    for (size_t i = 0; i < xs.size(); ++i) {
      const size_t k = pi.at(static_cast<int64_t>(i));
      po[i] = S(static_cast<C>(xs[i] - (zp ? zeros[k] : 0)) * static_cast<C>(ps[k]));
    }
    return true;
  });
}

/// uint8 quantization of x over [min(x, 0), max(x, 0)].
bool dynamicQuantizeLinear(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->dtype != DType::F32)
    return ctx.fail(std::string("x must be float32, not ") + artifact::dtypeName(x->dtype));
  const float *px = x->data<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0, n = x->numElements(); i < n; ++i) {
    lo = std::min(lo, px[i]);
    hi = std::max(hi, px[i]);
  }
  const float scale = (hi - lo) / 255.0f;
  const uint8_t zero = scale == 0 ? 0 : saturateChecked<uint8_t>(-lo / scale);
  HostTensor &y = ctx.outputs[0] = HostTensor(DType::U8, x->shape);
  for (int64_t i = 0, n = x->numElements(); i < n; ++i)
    y.data<uint8_t>()[i] = scale == 0 ? zero : saturateChecked<uint8_t>(std::nearbyint(px[i] / scale) + zero);
  if (ctx.outputs.size() > 1) {
    ctx.outputs[1] = HostTensor(DType::F32, {});
    *ctx.outputs[1].data<float>() = scale;
  }
  if (ctx.outputs.size() > 2) {
    ctx.outputs[2] = HostTensor(DType::U8, {});
    *ctx.outputs[2].data<uint8_t>() = zero;
  }
  return true;
}

/// A quantized operand of the integer ops: its values and its zero point(s)
/// (one, or one per row / column / output channel).
struct QuantOperand {
  std::vector<int64_t> values, zeros{0};
};

bool readOperand(KernelContext &ctx, const HostTensor *t, const HostTensor *zp, QuantOperand &q, const char *what) {
  if (!isQuantType(t->dtype))
    return ctx.fail(std::string(what) + " must be uint8 or int8, not " + artifact::dtypeName(t->dtype));
  if (zp && zp->dtype != t->dtype)
    return ctx.fail(std::string(what) + "'s zero point has a different element type");
  if (zp && zp->rank() > 1)
    return ctx.fail(std::string(what) + "'s zero point must be a scalar or 1-D");
  return intValues(ctx, *t, q.values, what) && (!zp || intValues(ctx, *zp, q.zeros, what));
}

/// The zero point (or scale) for index i of a parameter list of one element
/// or `n` elements; false when the list has another length.
template <typename V> bool perIndexOk(const std::vector<V> &p, int64_t n) {
  return p.size() == 1 || static_cast<int64_t>(p.size()) == n;
}
template <typename V> V perIndex(const std::vector<V> &p, int64_t i) {
  return p.size() == 1 ? p[0] : p[static_cast<size_t>(i)];
}

/// NumPy matmul of integer operands in int32: a's zero points per row, b's
/// per column.
bool integerMatMul(KernelContext &ctx, const HostTensor &ta, const QuantOperand &a, const HostTensor &tb,
                   const QuantOperand &b, std::vector<int32_t> &out, std::vector<int64_t> &shape, int64_t &rows,
                   int64_t &cols) {
  if (ta.rank() < 1 || tb.rank() < 1)
    return ctx.fail("matmul operands must have rank >= 1");
  std::vector<int64_t> sa = ta.shape, sb = tb.shape;
  const bool vecA = sa.size() == 1, vecB = sb.size() == 1;
  if (vecA)
    sa.insert(sa.begin(), 1);
  if (vecB)
    sb.push_back(1);
  const int64_t M = sa[sa.size() - 2], K = sa.back(), N = sb.back();
  if (sb[sb.size() - 2] != K)
    return ctx.fail("cannot multiply " + shapeText(ta.shape) + " by " + shapeText(tb.shape));
  if (!perIndexOk(a.zeros, M) || !perIndexOk(b.zeros, N))
    return ctx.fail("zero points must be per tensor, per row of A or per column of B");
  std::vector<int64_t> batchA(sa.begin(), sa.end() - 2), batchB(sb.begin(), sb.end() - 2), batch;
  if (!broadcastShapes(ctx, batchA, batchB, batch))
    return false;
  const std::vector<int64_t> ia = broadcastIndex(batchA, batch), ib = broadcastIndex(batchB, batch);
  out.assign(static_cast<size_t>(elementCount(batch) * M * N), 0);
  for (size_t bt = 0; bt < ia.size(); ++bt) {
    const int64_t *pa = a.values.data() + ia[bt] * M * K, *pb = b.values.data() + ib[bt] * K * N;
    int32_t *po = out.data() + static_cast<int64_t>(bt) * M * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t acc = 0;
        const int64_t za = perIndex(a.zeros, m), zb = perIndex(b.zeros, n);
        for (int64_t k = 0; k < K; ++k)
          acc += (pa[m * K + k] - za) * (pb[k * N + n] - zb);
        po[m * N + n] = static_cast<int32_t>(acc); // int32 as ONNX specifies; wraps past it
      }
  }
  shape = batch;
  if (!vecA)
    shape.push_back(M);
  if (!vecB)
    shape.push_back(N);
  rows = M;
  cols = N;
  return true;
}

bool matMulInteger(KernelContext &ctx) {
  const HostTensor *a = ctx.in(0), *b = ctx.in(1);
  if (!a || !b)
    return ctx.fail("needs inputs A and B");
  QuantOperand qa, qb;
  if (!readOperand(ctx, a, ctx.in(2), qa, "A") || !readOperand(ctx, b, ctx.in(3), qb, "B"))
    return false;
  std::vector<int32_t> acc;
  std::vector<int64_t> shape;
  int64_t rows, cols;
  if (!integerMatMul(ctx, *a, qa, *b, qb, acc, shape, rows, cols))
    return false;
  HostTensor &out = ctx.outputs[0] = HostTensor(DType::I32, shape);
  std::copy(acc.begin(), acc.end(), out.data<int32_t>());
  return true;
}

/// A scale input as doubles (one element or one per row / column / channel).
bool readScale(KernelContext &ctx, const HostTensor *t, std::vector<double> &out, const char *what) {
  if (!t)
    return ctx.fail(std::string("needs input ") + what);
  if (t->rank() > 1)
    return ctx.fail(std::string(what) + " must be a scalar or 1-D");
  return floatValues(ctx, *t, out, what);
}

/// y = saturate(round(acc * scale(row, col) / y_scale) + y_zero_point).
bool requantize(KernelContext &ctx, const std::vector<double> &acc, const std::vector<int64_t> &shape,
                const HostTensor *yScale, const HostTensor *yZero) {
  std::vector<double> ys;
  if (!readScale(ctx, yScale, ys, "y_scale"))
    return false;
  if (ys.size() != 1)
    return ctx.fail("y_scale must have one element");
  const DType qt = yZero ? yZero->dtype : DType::U8;
  if (!isQuantType(qt))
    return ctx.fail(std::string("y_zero_point must be uint8 or int8, not ") + artifact::dtypeName(qt));
  std::vector<int64_t> yz{0};
  if (yZero && !intValues(ctx, *yZero, yz, "y_zero_point"))
    return false;
  if (yz.size() != 1)
    return ctx.fail("y_zero_point must have one element");
  // The scaled value rounds through float32, where ONNX's reference computes it.
  std::vector<double> v(acc.size());
  for (size_t i = 0; i < acc.size(); ++i)
    v[i] = std::nearbyint(static_cast<double>(static_cast<float>(acc[i] / ys[0]))) + static_cast<double>(yz[0]);
  storeSaturated(ctx.outputs[0] = HostTensor(qt, shape), v);
  return true;
}

bool qlinearMatMul(KernelContext &ctx) {
  const HostTensor *a = ctx.in(0), *b = ctx.in(3);
  if (!a || !b)
    return ctx.fail("needs inputs a and b");
  QuantOperand qa, qb;
  std::vector<double> sa, sb;
  if (!readOperand(ctx, a, ctx.in(2), qa, "a") || !readOperand(ctx, b, ctx.in(5), qb, "b") ||
      !readScale(ctx, ctx.in(1), sa, "a_scale") || !readScale(ctx, ctx.in(4), sb, "b_scale"))
    return false;
  std::vector<int32_t> acc;
  std::vector<int64_t> shape;
  int64_t rows, cols;
  if (!integerMatMul(ctx, *a, qa, *b, qb, acc, shape, rows, cols))
    return false;
  if (!perIndexOk(sa, rows) || !perIndexOk(sb, cols))
    return ctx.fail("scales must be per tensor, per row of a or per column of b");
  std::vector<double> real(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t n = static_cast<int64_t>(i) % cols, m = (static_cast<int64_t>(i) / cols) % rows;
    real[i] = acc[i] * perIndex(sa, m) * perIndex(sb, n);
  }
  return requantize(ctx, real, shape, ctx.in(6), ctx.in(7));
}

/// The geometry of an N-D convolution (NCHW..., weights M x C/group x k...).
struct ConvGeometry {
  int64_t batch = 0, inChannels = 0, outChannels = 0, group = 1;
  std::vector<int64_t> in, kernel, out, strides, dilations, padBegin;
};

bool convGeometry(KernelContext &ctx, const HostTensor &x, const HostTensor &w, ConvGeometry &g) {
  if (x.rank() < 3 || w.rank() != x.rank())
    return ctx.fail("x " + shapeText(x.shape) + " and w " + shapeText(w.shape) + " do not make a convolution");
  const size_t nd = x.rank() - 2;
  g.batch = x.shape[0];
  g.inChannels = x.shape[1];
  g.outChannels = w.shape[0];
  g.group = ctx.node.attrInt("group", 1);
  if (g.group <= 0 || g.inChannels % g.group != 0 || g.outChannels % g.group != 0 ||
      w.shape[1] != g.inChannels / g.group)
    return ctx.fail("channels of x " + shapeText(x.shape) + " and w " + shapeText(w.shape) + " do not fit group " +
                    std::to_string(g.group));
  g.in.assign(x.shape.begin() + 2, x.shape.end());
  g.kernel.assign(w.shape.begin() + 2, w.shape.end());
  const std::vector<int64_t> ks = ctx.node.attrInts("kernel_shape", g.kernel);
  g.strides = ctx.node.attrInts("strides", std::vector<int64_t>(nd, 1));
  g.dilations = ctx.node.attrInts("dilations", std::vector<int64_t>(nd, 1));
  std::vector<int64_t> pads = ctx.node.attrInts("pads", std::vector<int64_t>(2 * nd, 0));
  if (ks != g.kernel || g.strides.size() != nd || g.dilations.size() != nd || pads.size() != 2 * nd)
    return ctx.fail("kernel_shape, strides, dilations or pads do not fit " + std::to_string(nd) + " spatial dims");
  const std::string autoPad = ctx.node.attrString("auto_pad", "NOTSET");
  g.padBegin.resize(nd);
  g.out.resize(nd);
  for (size_t i = 0; i < nd; ++i) {
    if (g.strides[i] <= 0 || g.dilations[i] <= 0 || pads[i] < 0 || pads[nd + i] < 0)
      return ctx.fail("strides and dilations must be positive, pads not negative");
    const int64_t extent = (g.kernel[i] - 1) * g.dilations[i] + 1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      const int64_t outDim = (g.in[i] + g.strides[i] - 1) / g.strides[i];
      const int64_t total = std::max<int64_t>(0, (outDim - 1) * g.strides[i] + extent - g.in[i]);
      pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[nd + i] = total - pads[i];
    } else if (autoPad == "VALID") {
      pads[i] = pads[nd + i] = 0;
    } else if (autoPad != "NOTSET") {
      return ctx.fail("unknown auto_pad '" + autoPad + "'");
    }
    const int64_t span = g.in[i] + pads[i] + pads[nd + i] - extent;
    if (span < 0)
      return ctx.fail("the kernel is larger than the padded input");
    g.padBegin[i] = pads[i];
    g.out[i] = span / g.strides[i] + 1;
  }
  return true;
}

/// Every index of `shape`, row-major, as coordinate lists.
std::vector<std::vector<int64_t>> allIndices(const std::vector<int64_t> &shape) {
  std::vector<std::vector<int64_t>> all;
  std::vector<int64_t> pos(shape.size(), 0);
  for (int64_t e = 0, n = elementCount(shape); e < n; ++e) {
    all.push_back(pos);
    for (size_t d = shape.size(); d-- > 0;)
      if (++pos[d] < shape[d])
        break;
      else
        pos[d] = 0;
  }
  return all;
}

/// Integer convolution in int32 of zero-point-shifted operands; w's zero
/// points per output channel. Output shape [N, M, out...].
std::vector<int32_t> integerConv(const ConvGeometry &g, const QuantOperand &x, const QuantOperand &w) {
  const std::vector<std::vector<int64_t>> outPos = allIndices(g.out), kPos = allIndices(g.kernel);
  const std::vector<int64_t> inStrides = stridesOf(g.in);
  const int64_t inSize = elementCount(g.in), kSize = elementCount(g.kernel), outSize = elementCount(g.out);
  const int64_t cPerGroup = g.inChannels / g.group, mPerGroup = g.outChannels / g.group;
  const int64_t xz = x.zeros[0];
  std::vector<int32_t> out(static_cast<size_t>(g.batch * g.outChannels * outSize), 0);
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t m = 0; m < g.outChannels; ++m) {
      const int64_t wz = perIndex(w.zeros, m), c0 = (m / mPerGroup) * cPerGroup;
      for (int64_t o = 0; o < outSize; ++o) {
        int64_t acc = 0;
        for (int64_t k = 0; k < kSize; ++k) {
          int64_t at = 0;
          bool inside = true;
          for (size_t d = 0; d < g.in.size() && inside; ++d) {
            const int64_t p = outPos[o][d] * g.strides[d] - g.padBegin[d] + kPos[k][d] * g.dilations[d];
            inside = p >= 0 && p < g.in[d];
            at += p * inStrides[d];
          }
          if (!inside)
            continue; // padding holds the zero point: contributes nothing
          for (int64_t c = 0; c < cPerGroup; ++c) {
            const int64_t xv = x.values[static_cast<size_t>((n * g.inChannels + c0 + c) * inSize + at)];
            const int64_t wv = w.values[static_cast<size_t>((m * cPerGroup + c) * kSize + k)];
            acc += (xv - xz) * (wv - wz);
          }
        }
        out[static_cast<size_t>((n * g.outChannels + m) * outSize + o)] = static_cast<int32_t>(acc);
      }
    }
  return out;
}

/// Reads x, w and their zero points for ConvInteger / QLinearConv.
bool readConv(KernelContext &ctx, const HostTensor *x, const HostTensor *xz, const HostTensor *w, const HostTensor *wz,
              ConvGeometry &g, QuantOperand &qx, QuantOperand &qw) {
  if (!x || !w)
    return ctx.fail("needs inputs x and w");
  if (!readOperand(ctx, x, xz, qx, "x") || !readOperand(ctx, w, wz, qw, "w") || !convGeometry(ctx, *x, *w, g))
    return false;
  if (qx.zeros.size() != 1)
    return ctx.fail("x's zero point must have one element");
  if (!perIndexOk(qw.zeros, g.outChannels))
    return ctx.fail("w's zero point must be per tensor or per output channel");
  return true;
}

std::vector<int64_t> convOutShape(const ConvGeometry &g) {
  std::vector<int64_t> s{g.batch, g.outChannels};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

bool convInteger(KernelContext &ctx) {
  ConvGeometry g;
  QuantOperand qx, qw;
  if (!readConv(ctx, ctx.in(0), ctx.in(2), ctx.in(1), ctx.in(3), g, qx, qw))
    return false;
  const std::vector<int32_t> acc = integerConv(g, qx, qw);
  HostTensor &out = ctx.outputs[0] = HostTensor(DType::I32, convOutShape(g));
  std::copy(acc.begin(), acc.end(), out.data<int32_t>());
  return true;
}

bool qlinearConv(KernelContext &ctx) {
  ConvGeometry g;
  QuantOperand qx, qw;
  std::vector<double> sx, sw;
  if (!readConv(ctx, ctx.in(0), ctx.in(2), ctx.in(3), ctx.in(5), g, qx, qw) ||
      !readScale(ctx, ctx.in(1), sx, "x_scale") || !readScale(ctx, ctx.in(4), sw, "w_scale"))
    return false;
  if (sx.size() != 1 || !perIndexOk(sw, g.outChannels))
    return ctx.fail("x_scale must have one element, w_scale one or one per output channel");
  std::vector<int64_t> bias;
  if (const HostTensor *b = ctx.in(8)) {
    if (b->dtype != DType::I32 || b->shape != std::vector<int64_t>{g.outChannels})
      return ctx.fail("B must be int32 of shape [" + std::to_string(g.outChannels) + "]");
    bias.assign(b->data<int32_t>(), b->data<int32_t>() + g.outChannels);
  }
  const std::vector<int32_t> acc = integerConv(g, qx, qw);
  const int64_t outSize = elementCount(g.out);
  std::vector<double> real(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const int64_t m = (static_cast<int64_t>(i) / outSize) % g.outChannels;
    real[i] = (static_cast<double>(acc[i]) + (bias.empty() ? 0 : static_cast<double>(bias[static_cast<size_t>(m)]))) *
              sx[0] * perIndex(sw, m);
  }
  return requantize(ctx, real, convOutShape(g), ctx.in(6), ctx.in(7));
}

} // namespace

void addQuantizeKernels(KernelTable &t) {
  t["QuantizeLinear"] = quantizeLinear;
  t["DequantizeLinear"] = dequantizeLinear;
  t["DynamicQuantizeLinear"] = dynamicQuantizeLinear;
  t["MatMulInteger"] = matMulInteger;
  t["ConvInteger"] = convInteger;
  t["QLinearMatMul"] = qlinearMatMul;
  t["QLinearConv"] = qlinearConv;
}

} // namespace softnpu::host
