//===- Linear.cpp - Host kernels: MatMul, Gemm, Conv, ConvTranspose (oneDNN) ===//
//
// float32 runs on oneDNN (matmul, convolution, deconvolution primitives over
// the tensors as they are). MatMul and Gemm on other element types
// (float64, 16-bit floats, integers) take a plain loop, accumulating in
// double for floats and in 64 bits for integers; Conv and ConvTranspose on
// float16/bfloat16/float64 are staged through float32.
//
//===----------------------------------------------------------------------===//
#include "../Dnnl.h"
#include "../Window.h"

namespace softnpu::host {

namespace {

using dnnl::memory;

template <typename T>
using AccOf =
    std::conditional_t<isFloatStorage<T>(), double, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

bool sameType(KernelContext &ctx, const HostTensor &a, const HostTensor &b, const char *what) {
  if (a.dtype == b.dtype)
    return true;
  return ctx.fail(std::string(what) + " is " + artifact::dtypeName(b.dtype) + ", the input is " +
                  artifact::dtypeName(a.dtype));
}

bool numericType(KernelContext &ctx, DType t) {
  if (t == DType::Bool)
    return ctx.fail("element type bool is not supported");
  return true;
}

//===----------------------------------------------------------------------===//
// MatMul
//===----------------------------------------------------------------------===//

bool matmul(KernelContext &ctx) {
  const HostTensor *a = ctx.in(0), *b = ctx.in(1);
  if (!a || !b)
    return ctx.fail("needs two inputs");
  if (!sameType(ctx, *a, *b, "B") || !numericType(ctx, a->dtype))
    return false;
  if (a->rank() == 0 || b->rank() == 0)
    return ctx.fail("inputs must have rank 1 or more");
  // 1-D operands per NumPy: A [K] is [1, K], B [K] is [K, 1]; the added
  // axis is dropped from the result.
  std::vector<int64_t> as = a->shape, bs = b->shape;
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k)
    return ctx.fail("A " + shapeText(a->shape) + " and B " + shapeText(b->shape) + " do not multiply");
  const std::vector<int64_t> aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  std::vector<int64_t> batch;
  if (!broadcastShapes(ctx, aBatch, bBatch, batch))
    return ctx.fail("the batch axes of A " + shapeText(a->shape) + " and B " + shapeText(b->shape) +
                    " do not broadcast");
  std::vector<int64_t> outShape = batch;
  if (a->rank() > 1)
    outShape.push_back(m);
  if (b->rank() > 1)
    outShape.push_back(n);
  HostTensor &out = ctx.outputs[0] = HostTensor(a->dtype, outShape);
  if (out.numElements() == 0)
    return true;
  const size_t rank = batch.size() + 2;
  if (a->dtype == DType::F32 && rank <= DNNL_MAX_NDIMS && k > 0) {
    return withDnnl(ctx, [&] {
      // Batch axes padded with leading 1s to a common rank; oneDNN
      // broadcasts the 1s.
      auto dimsOf = [&](const std::vector<int64_t> &s) {
        memory::dims d(rank - s.size(), 1);
        d.insert(d.end(), s.begin(), s.end());
        return d;
      };
      memory::dims outDims = batch;
      outDims.push_back(m);
      outDims.push_back(n);
      const memory::desc aMd = plainDesc(dimsOf(as)), bMd = plainDesc(dimsOf(bs)), oMd = plainDesc(outDims);
      std::vector<int64_t> key;
      appendKey(key, a->shape);
      appendKey(key, b->shape);
      const dnnl::primitive p = nodePrimitive(ctx, std::move(key), [&] {
        return dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(aMd, bMd, oMd), dnnlEngine()));
      });
      runNodePrimitive(ctx, p,
                       {{DNNL_ARG_SRC, aMd, a->bytes.data()},
                        {DNNL_ARG_WEIGHTS, bMd, b->bytes.data()},
                        {DNNL_ARG_DST, oMd, out.bytes.data()}});
      return true;
    });
  }
  const std::vector<int64_t> ai = broadcastIndex(aBatch, batch), bi = broadcastIndex(bBatch, batch);
  return dispatch(a->dtype, [&](auto tag) {
    using T = decltype(tag);
    using Acc = AccOf<T>;
    const T *pa = a->data<T>(), *pb = b->data<T>();
    T *po = out.data<T>();
    for (size_t bt = 0; bt < ai.size(); ++bt) {
      const T *ma = pa + ai[bt] * m * k, *mb = pb + bi[bt] * k * n;
      T *mo = po + static_cast<int64_t>(bt) * m * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          Acc acc = 0;
          for (int64_t p = 0; p < k; ++p)
            acc += static_cast<Acc>(static_cast<ComputeOf<T>>(ma[i * k + p])) *
                   static_cast<Acc>(static_cast<ComputeOf<T>>(mb[p * n + j]));
          mo[i * n + j] = T(static_cast<ComputeOf<T>>(acc));
        }
    }
    return true;
  });
}

//===----------------------------------------------------------------------===//
// Gemm: Y = alpha * A' B' + beta * C
//===----------------------------------------------------------------------===//

bool gemm(KernelContext &ctx) {
  const HostTensor *a = ctx.in(0), *b = ctx.in(1), *c = ctx.in(2);
  if (!a || !b)
    return ctx.fail("needs inputs A and B");
  if (!sameType(ctx, *a, *b, "B") || (c && !sameType(ctx, *a, *c, "C")) || !numericType(ctx, a->dtype))
    return false;
  if (a->rank() != 2 || b->rank() != 2)
    return ctx.fail("A " + shapeText(a->shape) + " and B " + shapeText(b->shape) + " must be matrices");
  const bool ta = ctx.node.attrInt("transA", 0) != 0, tb = ctx.node.attrInt("transB", 0) != 0;
  const float alpha = ctx.node.attrFloat("alpha", 1.0f), beta = ctx.node.attrFloat("beta", 1.0f);
  const int64_t m = ta ? a->shape[1] : a->shape[0], k = ta ? a->shape[0] : a->shape[1];
  const int64_t n = tb ? b->shape[0] : b->shape[1], kb = tb ? b->shape[1] : b->shape[0];
  if (k != kb)
    return ctx.fail("A " + shapeText(a->shape) + " and B " + shapeText(b->shape) + " do not multiply" +
                    (ta || tb ? " (with transA/transB)" : ""));
  const std::vector<int64_t> outShape{m, n};
  std::vector<int64_t> cIndex;
  if (c) {
    std::vector<int64_t> bc;
    if (c->rank() > 2 || !broadcastShapes(ctx, c->shape, outShape, bc) || bc != outShape)
      return ctx.fail("C " + shapeText(c->shape) + " does not broadcast to " + shapeText(outShape));
    cIndex = broadcastIndex(c->shape, outShape);
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(a->dtype, outShape);
  if (out.numElements() == 0)
    return true;
  const bool addC = c && beta != 0.0f;
  if (a->dtype == DType::F32 && k > 0) {
    return withDnnl(ctx, [&] {
      // Transposes are strides; C is copied into Y and added by a sum
      // post-op scaled by beta.
      const memory::desc aMd = stridedDesc({m, k}, ta ? memory::dims{1, m} : memory::dims{k, 1});
      const memory::desc bMd = stridedDesc({k, n}, tb ? memory::dims{1, k} : memory::dims{n, 1});
      const memory::desc oMd = plainDesc({m, n});
      if (addC) {
        const float *pc = c->data<float>();
        float *po = out.data<float>();
        for (size_t i = 0; i < cIndex.size(); ++i)
          po[i] = pc[cIndex[i]];
      }
      std::vector<int64_t> key{addC};
      appendKey(key, a->shape);
      appendKey(key, b->shape);
      const dnnl::primitive p = nodePrimitive(ctx, std::move(key), [&] {
        dnnl::primitive_attr attr;
        if (alpha != 1.0f)
          attr.set_output_scales(0, {alpha});
        if (addC) {
          dnnl::post_ops ops;
          ops.append_sum(beta);
          attr.set_post_ops(ops);
        }
        return dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(aMd, bMd, oMd), attr, dnnlEngine()));
      });
      runNodePrimitive(ctx, p,
                       {{DNNL_ARG_SRC, aMd, a->bytes.data()},
                        {DNNL_ARG_WEIGHTS, bMd, b->bytes.data()},
                        {DNNL_ARG_DST, oMd, out.bytes.data()}});
      return true;
    });
  }
  return dispatch(a->dtype, [&](auto tag) {
    using T = decltype(tag);
    using Acc = AccOf<T>;
    using C = ComputeOf<T>;
    const T *pa = a->data<T>(), *pb = b->data<T>();
    const T *pc = c ? c->data<T>() : nullptr;
    T *po = out.data<T>();
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        Acc acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += static_cast<Acc>(static_cast<C>(pa[ta ? p * m + i : i * k + p])) *
                 static_cast<Acc>(static_cast<C>(pb[tb ? j * k + p : p * n + j]));
        double y = static_cast<double>(alpha) * static_cast<double>(acc);
        if (addC)
          y += static_cast<double>(beta) * static_cast<double>(static_cast<C>(pc[cIndex[i * n + j]]));
        if constexpr (std::is_integral_v<T>)
          po[i * n + j] = static_cast<T>(static_cast<Acc>(y));
        else
          po[i * n + j] = T(static_cast<C>(y));
      }
    return true;
  });
}

//===----------------------------------------------------------------------===//
// Conv and ConvTranspose
//===----------------------------------------------------------------------===//

/// The checks Conv and ConvTranspose share: X [N, C, spatial...], W of the
/// same rank, optional bias B [channels], group.
bool convOperands(KernelContext &ctx, int64_t &group) {
  const HostTensor *x = ctx.in(0), *w = ctx.in(1), *bias = ctx.in(2);
  if (!x || !w)
    return ctx.fail("needs inputs X and W");
  if (x->dtype != DType::F32 && x->dtype != DType::F64 && x->dtype != DType::F16 && x->dtype != DType::BF16)
    return ctx.fail(std::string("element type ") + artifact::dtypeName(x->dtype) + " is not supported");
  if (!sameType(ctx, *x, *w, "W") || (bias && !sameType(ctx, *x, *bias, "B")))
    return false;
  if (x->rank() < 3 || x->rank() > 5)
    return ctx.fail("X " + shapeText(x->shape) + " must have 1 to 3 spatial axes");
  if (w->rank() != x->rank())
    return ctx.fail("W " + shapeText(w->shape) + " and X " + shapeText(x->shape) + " differ in rank");
  group = ctx.node.attrInt("group", 1);
  if (group < 1)
    return ctx.fail("group " + std::to_string(group));
  std::vector<int64_t> ks = ctx.node.attrInts("kernel_shape");
  if (!ks.empty() && ks != std::vector<int64_t>(w->shape.begin() + 2, w->shape.end()))
    return ctx.fail("kernel_shape " + shapeText(ks) + " disagrees with W " + shapeText(w->shape));
  return true;
}

/// float32 views of X, W and B: the tensors themselves, or converted copies.
struct Float32Operands {
  std::vector<float> x, w, b;
  const float *px = nullptr, *pw = nullptr, *pb = nullptr;
  explicit Float32Operands(const KernelContext &ctx) {
    const HostTensor *tx = ctx.in(0), *tw = ctx.in(1), *tb = ctx.in(2);
    auto view = [](const HostTensor *t, std::vector<float> &store) -> const float * {
      if (!t)
        return nullptr;
      if (t->dtype == DType::F32)
        return t->data<float>();
      store = toFloat32(*t);
      return store.data();
    };
    px = view(tx, x);
    pw = view(tw, w);
    pb = view(tb, b);
  }
};

memory::dims spatial(const std::vector<int64_t> &shape) { return memory::dims(shape.begin() + 2, shape.end()); }

memory::dims minusOne(const std::vector<int64_t> &v) {
  memory::dims d(v);
  for (auto &e : d)
    --e;
  return d;
}

bool conv(KernelContext &ctx) {
  int64_t group = 1;
  if (!convOperands(ctx, group))
    return false;
  const HostTensor &x = *ctx.in(0), &w = *ctx.in(1);
  const HostTensor *bias = ctx.in(2);
  const int64_t batch = x.shape[0], c = x.shape[1], m = w.shape[0];
  if (c % group != 0 || m % group != 0)
    return ctx.fail("group " + std::to_string(group) + " does not divide channels " + std::to_string(c) +
                    " and filters " + std::to_string(m));
  if (w.shape[1] * group != c)
    return ctx.fail("W " + shapeText(w.shape) + " takes " + std::to_string(w.shape[1] * group) + " input channels, X " +
                    shapeText(x.shape) + " has " + std::to_string(c));
  if (bias && (bias->rank() != 1 || bias->shape[0] != m))
    return ctx.fail("B " + shapeText(bias->shape) + " must be [" + std::to_string(m) + "]");
  Window win;
  if (!slidingWindow(ctx, spatial(x.shape), spatial(w.shape), false, true, win))
    return false;
  std::vector<int64_t> outShape{batch, m};
  outShape.insert(outShape.end(), win.out.begin(), win.out.end());
  if (elementCount(outShape) == 0 || elementCount(w.shape) == 0) {
    ctx.outputs[0] = HostTensor(x.dtype, outShape);
    return true;
  }
  const Float32Operands f(ctx);
  // float32: oneDNN writes the output tensor itself; other types go through
  // a float32 buffer.
  const bool f32 = x.dtype == DType::F32;
  std::vector<float> staged(f32 ? 0 : static_cast<size_t>(elementCount(outShape)));
  float *y = f32 ? ctx.newOutput(0, DType::F32, outShape).data<float>() : staged.data();
  const bool ok = withDnnl(ctx, [&] {
    memory::dims wDims{m, c / group};
    if (group > 1)
      wDims = {group, m / group, c / group};
    for (size_t i = 2; i < w.rank(); ++i)
      wDims.push_back(w.shape[i]);
    const memory::desc xMd = plainDesc(x.shape), wMd = plainDesc(wDims), yMd = plainDesc(outShape);
    const memory::desc bMd = bias ? plainDesc({m}) : memory::desc();
    memory::dims padEnd(win.padsEnd.size());
    for (size_t i = 0; i < padEnd.size(); ++i)
      padEnd[i] = win.coveringPadEnd(i, x.shape[i + 2]);
    std::vector<int64_t> key{bias != nullptr};
    appendKey(key, x.shape);
    appendKey(key, w.shape);
    const dnnl::primitive p = nodePrimitive(ctx, std::move(key), [&] {
      const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                              xMd, wMd, bMd, yMd, win.strides, minusOne(win.dilations), win.padsBegin,
                                              padEnd);
      return dnnl::convolution_forward(dnnl::convolution_forward::primitive_desc(d, dnnlEngine()));
    });
    std::vector<PrimitiveArg> args{{DNNL_ARG_SRC, xMd, f.px}, {DNNL_ARG_WEIGHTS, wMd, f.pw}, {DNNL_ARG_DST, yMd, y}};
    if (bias)
      args.push_back({DNNL_ARG_BIAS, bMd, f.pb});
    runNodePrimitive(ctx, p, args);
    return true;
  });
  if (!ok)
    return false;
  if (!f32)
    ctx.outputs[0] = fromFloat32(x.dtype, outShape, y);
  return true;
}

/// ConvTranspose: X [N, C, in...], W [C, M/group, k...] -> Y [N, M, out...]
/// with out = stride (in - 1) + output_padding + (k - 1) dilation + 1 -
/// padsBegin - padsEnd; output_shape (or SAME auto_pad) fixes out and
/// derives the pads.
bool convTranspose(KernelContext &ctx) {
  int64_t group = 1;
  if (!convOperands(ctx, group))
    return false;
  const HostTensor &x = *ctx.in(0), &w = *ctx.in(1);
  const HostTensor *bias = ctx.in(2);
  const int64_t batch = x.shape[0], c = x.shape[1], mg = w.shape[1], m = mg * group;
  if (w.shape[0] != c)
    return ctx.fail("W " + shapeText(w.shape) + " takes " + std::to_string(w.shape[0]) + " input channels, X " +
                    shapeText(x.shape) + " has " + std::to_string(c));
  if (c % group != 0)
    return ctx.fail("group " + std::to_string(group) + " does not divide channels " + std::to_string(c));
  if (bias && (bias->rank() != 1 || bias->shape[0] != m))
    return ctx.fail("B " + shapeText(bias->shape) + " must be [" + std::to_string(m) + "]");
  const size_t ns = x.rank() - 2;
  // Strides, dilations and explicit pads as for Conv; the output size is
  // worked out below.
  Window win;
  if (!windowAttributes(ctx, ns, spatial(w.shape), true, win))
    return false;
  std::vector<int64_t> outPad = ctx.node.attrInts("output_padding", std::vector<int64_t>(ns, 0));
  if (outPad.empty())
    outPad.assign(ns, 0);
  if (outPad.size() != ns)
    return ctx.fail("output_padding has " + std::to_string(outPad.size()) + " entries for " + std::to_string(ns) +
                    " spatial axes");
  std::vector<int64_t> outSpatial = ctx.node.attrInts("output_shape");
  if (outSpatial.size() == ns + 2)
    outSpatial.erase(outSpatial.begin(), outSpatial.begin() + 2);
  if (!outSpatial.empty() && outSpatial.size() != ns)
    return ctx.fail("output_shape " + shapeText(outSpatial) + " does not match " + std::to_string(ns) +
                    " spatial axes");
  const std::string autoPad = ctx.node.attrString("auto_pad", "NOTSET");
  const bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "VALID" && autoPad != "NOTSET" && !autoPad.empty())
    return ctx.fail("auto_pad " + autoPad + " is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  if (autoPad == "VALID")
    std::fill(win.padsBegin.begin(), win.padsBegin.end(), 0), std::fill(win.padsEnd.begin(), win.padsEnd.end(), 0);
  std::vector<int64_t> full(ns); // the output with no padding at all
  for (size_t i = 0; i < ns; ++i)
    full[i] = win.strides[i] * (x.shape[i + 2] - 1) + win.extent(i);
  if (outSpatial.empty() && same)
    for (size_t i = 0; i < ns; ++i)
      outSpatial.push_back(x.shape[i + 2] * win.strides[i]);
  if (!outSpatial.empty()) {
    for (size_t i = 0; i < ns; ++i) {
      // Python's floor division, as ONNX's equations intend for a negative
      // total (an output larger than the input covers).
      const int64_t total = full[i] + outPad[i] - outSpatial[i];
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      win.padsBegin[i] = autoPad == "SAME_UPPER" ? half : total - half;
      win.padsEnd[i] = total - win.padsBegin[i];
    }
  }
  std::vector<int64_t> outShape{batch, m};
  for (size_t i = 0; i < ns; ++i) {
    const int64_t o = full[i] + outPad[i] - win.padsBegin[i] - win.padsEnd[i];
    if (o < 0)
      return ctx.fail("output size " + std::to_string(o) + " along spatial axis " + std::to_string(i));
    outShape.push_back(o);
  }
  if (elementCount(outShape) == 0 || elementCount(x.shape) == 0 || elementCount(w.shape) == 0) {
    HostTensor out(x.dtype, outShape);
    if (bias && elementCount(outShape) != 0)
      return ctx.fail("empty X or W with a non-empty output is not supported");
    ctx.outputs[0] = std::move(out);
    return true;
  }
  // oneDNN computes the uncropped output (`full`, no bias) when the pads
  // are direct ones (both >= 0, output_padding within the end pad);
  // otherwise the full output is cropped or zero-extended by hand.
  bool direct = true;
  memory::dims padL(ns, 0), padR(ns, 0);
  for (size_t i = 0; i < ns; ++i)
    direct = direct && win.padsBegin[i] >= 0 && win.padsEnd[i] - outPad[i] >= 0;
  for (size_t i = 0; i < ns && direct; ++i)
    padL[i] = win.padsBegin[i], padR[i] = win.padsEnd[i] - outPad[i];
  std::vector<int64_t> dnnlOut{batch, m};
  for (size_t i = 0; i < ns; ++i)
    dnnlOut.push_back(direct ? outShape[i + 2] : full[i]);
  const Float32Operands f(ctx);
  std::vector<float> y(static_cast<size_t>(elementCount(dnnlOut)));
  const bool ok = withDnnl(ctx, [&] {
    // oneDNN's deconvolution weights are [g,] O, I, k...; ONNX's W is
    // [g * I, O, k...]: the same bytes under permuted strides.
    const int64_t kSize = elementCount(spatial(w.shape));
    memory::dims wDims, wStrides;
    if (group > 1)
      wDims = {group, mg, c / group}, wStrides = {(c / group) * mg * kSize, kSize, mg * kSize};
    else
      wDims = {mg, c}, wStrides = {kSize, mg * kSize};
    const std::vector<int64_t> ks = stridesOf(spatial(w.shape));
    for (size_t i = 0; i < ns; ++i)
      wDims.push_back(w.shape[i + 2]), wStrides.push_back(ks[i]);
    const memory::desc xMd = plainDesc(x.shape), wMd = stridedDesc(wDims, wStrides), yMd = plainDesc(dnnlOut);
    const memory::desc bMd = bias && direct ? plainDesc({m}) : memory::desc();
    std::vector<int64_t> key{bias != nullptr};
    appendKey(key, x.shape);
    appendKey(key, w.shape);
    const dnnl::primitive p = nodePrimitive(ctx, std::move(key), [&] {
      const dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference,
                                                dnnl::algorithm::deconvolution_direct, xMd, wMd, bMd, yMd, win.strides,
                                                minusOne(win.dilations), padL, padR);
      return dnnl::deconvolution_forward(dnnl::deconvolution_forward::primitive_desc(d, dnnlEngine()));
    });
    std::vector<PrimitiveArg> args{
        {DNNL_ARG_SRC, xMd, f.px}, {DNNL_ARG_WEIGHTS, wMd, f.pw}, {DNNL_ARG_DST, yMd, y.data()}};
    if (bias && direct)
      args.push_back({DNNL_ARG_BIAS, bMd, f.pb});
    runNodePrimitive(ctx, p, args);
    return true;
  });
  if (!ok)
    return false;
  if (direct) {
    ctx.outputs[0] = fromFloat32(x.dtype, outShape, y.data());
    return true;
  }
  // out[o] = full[o + padsBegin] (0 outside), plus the bias.
  std::vector<float> z(static_cast<size_t>(elementCount(outShape)));
  const std::vector<int64_t> fullStrides = stridesOf(dnnlOut);
  std::vector<int64_t> pos(outShape.size(), 0);
  for (size_t e = 0; e < z.size(); ++e) {
    int64_t at = pos[0] * fullStrides[0] + pos[1] * fullStrides[1];
    bool inside = true;
    for (size_t i = 0; i < ns && inside; ++i) {
      const int64_t src = pos[i + 2] + win.padsBegin[i];
      inside = src >= 0 && src < full[i];
      at += src * fullStrides[i + 2];
    }
    z[e] = (inside ? y[static_cast<size_t>(at)] : 0.0f) + (bias ? f.pb[pos[1]] : 0.0f);
    for (size_t d = outShape.size(); d-- > 0;) {
      if (++pos[d] < outShape[d])
        break;
      pos[d] = 0;
    }
  }
  ctx.outputs[0] = fromFloat32(x.dtype, outShape, z.data());
  return true;
}

} // namespace

void addLinearKernels(KernelTable &t) {
  t["MatMul"] = matmul;
  t["Gemm"] = gemm;
  t["Conv"] = conv;
  t["ConvTranspose"] = convTranspose;
}

} // namespace softnpu::host
