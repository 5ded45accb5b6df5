//===- Shape.cpp - Host kernels: shapes and data movement -----------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cmath>

namespace softnpu::host {

namespace {

/// Reshape: 0 copies the input's dimension (unless allowzero), -1 is
/// inferred.
bool reshape(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *s = ctx.in(1);
  if (!x || !s)
    return ctx.fail("needs data and shape inputs");
  std::vector<int64_t> shape;
  if (!readInts(ctx, *s, shape, "shape"))
    return false;
  const bool allowZero = ctx.node.attrInt("allowzero", 0) != 0;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= x->shape.size())
        return ctx.fail("shape copies dimension " + std::to_string(i) + ", which the input lacks");
      shape[i] = x->shape[i];
    }
    if (shape[i] == -1) {
      if (infer >= 0)
        return ctx.fail("shape has two -1 dimensions");
      infer = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      return ctx.fail("shape has dimension " + std::to_string(shape[i]));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0)
    shape[static_cast<size_t>(infer)] = known == 0 ? 0 : x->numElements() / known;
  if (elementCount(shape) != x->numElements())
    return ctx.fail("cannot reshape " + shapeText(x->shape) + " to " + shapeText(shape));
  HostTensor out = *x;
  out.shape = shape;
  ctx.outputs[0] = std::move(out);
  return true;
}

bool flatten(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const int64_t rank = static_cast<int64_t>(x->rank());
  int64_t axis = ctx.node.attrInt("axis", 1);
  if (axis != rank && !normalizeAxis(ctx, axis, rank))
    return false;
  int64_t outer = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= x->shape[static_cast<size_t>(i)];
  HostTensor out = *x;
  out.shape = {outer, outer == 0 ? 0 : x->numElements() / outer};
  ctx.outputs[0] = std::move(out);
  return true;
}

bool transpose(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const size_t rank = x->rank();
  std::vector<int64_t> perm = ctx.node.attrInts("perm");
  if (perm.empty())
    for (size_t i = 0; i < rank; ++i)
      perm.push_back(static_cast<int64_t>(rank - 1 - i));
  if (perm.size() != rank)
    return ctx.fail("perm has " + std::to_string(perm.size()) + " entries for rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  std::vector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(perm[i])])
      return ctx.fail("perm is not a permutation");
    seen[static_cast<size_t>(perm[i])] = true;
    shape[i] = x->shape[static_cast<size_t>(perm[i])];
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const std::vector<int64_t> inStrides = stridesOf(x->shape);
  std::vector<int64_t> step(rank); // input stride of each output axis
  for (size_t i = 0; i < rank; ++i)
    step[i] = inStrides[static_cast<size_t>(perm[i])];
  withItemSize(x->dtype, [&](auto size) {
    constexpr size_t item = decltype(size)::value;
    const uint8_t *src = x->bytes.data();
    uint8_t *dst = out.bytes.data();
    std::vector<int64_t> pos(rank, 0);
    int64_t at = 0;
    for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
      std::memcpy(dst + e * item, src + at * item, item);
      for (size_t d = rank; d-- > 0;) {
        ++pos[d];
        at += step[d];
        if (pos[d] < shape[d])
          break;
        at -= step[d] * pos[d];
        pos[d] = 0;
      }
    }
  });
  return true;
}

/// A tensor of `t`'s dtype and `shape` with every element `value`.
HostTensor filled(DType t, const std::vector<int64_t> &shape, double value) {
  HostTensor out(t, shape);
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    std::fill(out.data<T>(), out.data<T>() + out.numElements(), T(static_cast<ComputeOf<T>>(value)));
  });
  return out;
}

/// The axes of Squeeze/Unsqueeze: input 1 from opset 13, the attribute
/// before; `given` is false when neither is there.
bool axesOf(KernelContext &ctx, std::vector<int64_t> &axes, bool &given) {
  given = true;
  if (const HostTensor *a = ctx.in(1))
    return readInts(ctx, *a, axes, "axes");
  if (ctx.node.attr("axes")) {
    axes = ctx.node.attrInts("axes");
    return true;
  }
  given = false;
  return true;
}

bool constant(KernelContext &ctx) {
  const HostNode &n = ctx.node;
  using K = HostAttr::Kind;
  if (const HostAttr *a = n.attr("value")) {
    if (a->kind != K::Tensor || !a->tensor)
      return ctx.fail("attribute 'value' is not a tensor");
    ctx.outputs[0] = *a->tensor;
    return true;
  }
  if (const HostAttr *a = n.attr("value_float"); a && a->kind == K::Float) {
    ctx.outputs[0] = filled(DType::F32, {}, a->f);
    return true;
  }
  if (const HostAttr *a = n.attr("value_int"); a && a->kind == K::Int) {
    ctx.outputs[0] = HostTensor(DType::I64, {});
    ctx.outputs[0].data<int64_t>()[0] = a->i;
    return true;
  }
  if (const HostAttr *a = n.attr("value_floats"); a && a->kind == K::Floats) {
    HostTensor &out = ctx.outputs[0] = HostTensor(DType::F32, {static_cast<int64_t>(a->floats.size())});
    std::copy(a->floats.begin(), a->floats.end(), out.data<float>());
    return true;
  }
  if (const HostAttr *a = n.attr("value_ints"); a && a->kind == K::Ints) {
    HostTensor &out = ctx.outputs[0] = HostTensor(DType::I64, {static_cast<int64_t>(a->ints.size())});
    std::copy(a->ints.begin(), a->ints.end(), out.data<int64_t>());
    return true;
  }
  for (const char *unsupported : {"sparse_value", "value_string", "value_strings"})
    if (n.attr(unsupported))
      return ctx.fail(std::string("attribute '") + unsupported + "' is not supported");
  return ctx.fail("has no value attribute");
}

/// Shape, with opset 15's start and end (clamped, negative from the back).
bool shape(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const int64_t rank = static_cast<int64_t>(x->rank());
  auto clampAxis = [&](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  const int64_t start = clampAxis(ctx.node.attrInt("start", 0)), end = clampAxis(ctx.node.attrInt("end", rank));
  const int64_t n = std::max<int64_t>(end - start, 0);
  HostTensor &out = ctx.outputs[0] = HostTensor(DType::I64, {n});
  std::copy(x->shape.begin() + start, x->shape.begin() + start + n, out.data<int64_t>());
  return true;
}

bool size(KernelContext &ctx) {
  if (!ctx.in(0))
    return ctx.fail("needs an input");
  ctx.outputs[0] = HostTensor(DType::I64, {});
  ctx.outputs[0].data<int64_t>()[0] = ctx.in(0)->numElements();
  return true;
}

/// Squeeze: drops the given axes (each must have size 1), or every axis of
/// size 1 when none are given.
bool squeeze(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  std::vector<int64_t> axes;
  bool given;
  if (!axesOf(ctx, axes, given))
    return false;
  const int64_t rank = static_cast<int64_t>(x->rank());
  std::vector<bool> drop(x->rank(), false);
  for (int64_t a : axes) {
    if (!normalizeAxis(ctx, a, rank))
      return false;
    if (x->shape[static_cast<size_t>(a)] != 1)
      return ctx.fail("cannot squeeze axis " + std::to_string(a) + " of size " +
                      std::to_string(x->shape[static_cast<size_t>(a)]));
    drop[static_cast<size_t>(a)] = true;
  }
  HostTensor out = *x;
  out.shape.clear();
  for (size_t i = 0; i < x->rank(); ++i)
    if (!(given ? drop[i] : x->shape[i] == 1))
      out.shape.push_back(x->shape[i]);
  ctx.outputs[0] = std::move(out);
  return true;
}

/// Unsqueeze: inserts size-1 axes at the given positions of the output.
bool unsqueeze(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  std::vector<int64_t> axes;
  bool given;
  if (!axesOf(ctx, axes, given))
    return false;
  if (!given)
    return ctx.fail("needs axes");
  const int64_t outRank = static_cast<int64_t>(x->rank() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(outRank), false);
  for (int64_t a : axes) {
    if (!normalizeAxis(ctx, a, outRank))
      return false;
    if (inserted[static_cast<size_t>(a)])
      return ctx.fail("axis " + std::to_string(a) + " is repeated");
    inserted[static_cast<size_t>(a)] = true;
  }
  HostTensor out = *x;
  out.shape.clear();
  for (size_t i = 0, from = 0; i < inserted.size(); ++i)
    out.shape.push_back(inserted[i] ? 1 : x->shape[from++]);
  ctx.outputs[0] = std::move(out);
  return true;
}

bool concat(KernelContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs inputs");
  if (!ctx.node.attr("axis"))
    return ctx.fail("needs attribute 'axis'");
  for (const HostTensor *t : ctx.inputs)
    if (!t)
      return ctx.fail("an input is missing");
  return concatTensors(ctx, ctx.inputs, ctx.node.attrInt("axis", 0), false, ctx.outputs[0]);
}

/// Split: sizes from input 1 (opset 13) or the 'split' attribute, else equal
/// parts, one per output.
bool split(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const size_t rank = x->rank();
  int64_t axis = ctx.node.attrInt("axis", 0);
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(rank)))
    return false;
  const int64_t dim = x->shape[static_cast<size_t>(axis)];
  const int64_t parts = static_cast<int64_t>(ctx.outputs.size());
  std::vector<int64_t> sizes;
  if (const HostTensor *s = ctx.in(1)) {
    if (!readInts(ctx, *s, sizes, "split"))
      return false;
  } else if (ctx.node.attr("split")) {
    sizes = ctx.node.attrInts("split");
  } else {
    if (parts == 0 || dim % parts != 0)
      return ctx.fail("cannot split size " + std::to_string(dim) + " into " + std::to_string(parts) + " equal parts");
    sizes.assign(static_cast<size_t>(parts), dim / parts);
  }
  if (static_cast<int64_t>(sizes.size()) != parts)
    return ctx.fail("split has " + std::to_string(sizes.size()) + " sizes for " + std::to_string(parts) + " outputs");
  std::vector<HostTensor> pieces;
  if (!splitTensor(ctx, *x, static_cast<size_t>(axis), sizes, pieces))
    return false;
  std::move(pieces.begin(), pieces.end(), ctx.outputs.begin());
  return true;
}

/// Expand: broadcasts the input and the shape both ways.
bool expand(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *s = ctx.in(1);
  if (!x || !s)
    return ctx.fail("needs data and shape inputs");
  std::vector<int64_t> target, shape;
  if (!readInts(ctx, *s, target, "shape"))
    return false;
  for (int64_t d : target)
    if (d < 0)
      return ctx.fail("shape has dimension " + std::to_string(d));
  if (!broadcastShapes(ctx, x->shape, target, shape))
    return false;
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  copyElements(*x, broadcastIndex(x->shape, shape), out);
  return true;
}

bool tile(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *r = ctx.in(1);
  if (!x || !r)
    return ctx.fail("needs data and repeats inputs");
  std::vector<int64_t> repeats;
  if (!readInts(ctx, *r, repeats, "repeats"))
    return false;
  const size_t rank = x->rank();
  if (repeats.size() != rank)
    return ctx.fail("repeats has " + std::to_string(repeats.size()) + " entries for rank " + std::to_string(rank));
  std::vector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (repeats[i] < 0)
      return ctx.fail("repeats has a negative entry");
    shape[i] = x->shape[i] * repeats[i];
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const int64_t n = out.numElements();
  if (n == 0)
    return true;
  // Walk the output; each input coordinate wraps around at the input's size.
  const std::vector<int64_t> strides = stridesOf(x->shape);
  std::vector<int64_t> index(static_cast<size_t>(n)), pos(rank, 0), inPos(rank, 0);
  int64_t at = 0;
  for (int64_t e = 0; e < n; ++e) {
    index[static_cast<size_t>(e)] = at;
    for (size_t d = rank; d-- > 0;) {
      at += strides[d];
      if (++inPos[d] == x->shape[d]) {
        inPos[d] = 0;
        at -= strides[d] * x->shape[d];
      }
      if (++pos[d] < shape[d])
        break;
      pos[d] = 0;
    }
  }
  copyElements(*x, index, out);
  return true;
}

bool constantOfShape(KernelContext &ctx) {
  const HostTensor *s = ctx.in(0);
  if (!s)
    return ctx.fail("needs a shape input");
  std::vector<int64_t> shape;
  if (!readInts(ctx, *s, shape, "shape"))
    return false;
  for (int64_t d : shape)
    if (d < 0)
      return ctx.fail("shape has dimension " + std::to_string(d));
  const HostAttr *v = ctx.node.attr("value");
  if (!v) {
    ctx.outputs[0] = HostTensor(DType::F32, shape);
    return true;
  }
  if (v->kind != HostAttr::Kind::Tensor || !v->tensor || v->tensor->numElements() != 1)
    return ctx.fail("attribute 'value' must be a one-element tensor");
  HostTensor &out = ctx.outputs[0] = HostTensor(v->tensor->dtype, shape);
  const size_t item = artifact::dtypeSize(out.dtype);
  for (size_t at = 0; at < out.bytes.size(); at += item)
    std::memcpy(out.bytes.data() + at, v->tensor->bytes.data(), item);
  return true;
}

/// Range: start + i * delta for i in [0, ceil((limit - start) / delta)).
bool range(KernelContext &ctx) {
  const HostTensor *start = ctx.in(0), *limit = ctx.in(1), *delta = ctx.in(2);
  if (!start || !limit || !delta)
    return ctx.fail("needs start, limit and delta inputs");
  if (start->dtype != limit->dtype || start->dtype != delta->dtype)
    return ctx.fail("inputs have different element types");
  if (start->numElements() != 1 || limit->numElements() != 1 || delta->numElements() != 1)
    return ctx.fail("start, limit and delta must be scalars");
  if (start->dtype == DType::Bool)
    return ctx.fail("element type bool is not supported");
  return dispatch(start->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const C s = C(start->data<T>()[0]), l = C(limit->data<T>()[0]), d = C(delta->data<T>()[0]);
    if (d == C(0))
      return ctx.fail("delta is 0");
    int64_t n;
    if constexpr (std::is_integral_v<C>) {
      // Exact integer ceiling division; the distance may not fit in C.
      const __int128 dist = static_cast<__int128>(l) - s, step = d;
      const __int128 q = dist / step + ((dist % step != 0 && (dist < 0) == (step < 0)) ? 1 : 0);
      n = static_cast<int64_t>(std::max<__int128>(q, 0));
    } else {
      const double q = std::ceil((static_cast<double>(l) - static_cast<double>(s)) / static_cast<double>(d));
      if (!(q < 9.2e18))
        return ctx.fail("the range has too many elements");
      n = q > 0 ? static_cast<int64_t>(q) : 0;
    }
    HostTensor &out = ctx.outputs[0] = HostTensor(start->dtype, {n});
    T *po = out.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<C>) // in unsigned arithmetic: i * d alone may overflow C
        po[i] = T(static_cast<C>(static_cast<uint64_t>(s) + static_cast<uint64_t>(i) * static_cast<uint64_t>(d)));
      else
        po[i] = T(static_cast<C>(s + static_cast<C>(i) * d));
    }
    return true;
  });
}

/// Dropout at inference: the identity, with an all-true mask. Training mode
/// with a non-zero ratio drops at random, which the host does not do.
bool dropout(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  double ratio = ctx.node.attrFloat("ratio", 0.5f);
  if (const HostTensor *r = ctx.in(1)) {
    if (r->numElements() != 1)
      return ctx.fail("ratio must be a scalar");
    if (!dispatchFloat(ctx, r->dtype, [&](auto tag) {
          ratio = static_cast<double>(static_cast<ComputeOf<decltype(tag)>>(r->data<decltype(tag)>()[0]));
          return true;
        }))
      return false;
  }
  const HostTensor *t = ctx.in(2);
  const bool training = t && t->numElements() > 0 && t->bytes[0] != 0;
  if (training && ratio != 0)
    return ctx.fail("training mode (random dropout) is not supported");
  ctx.outputs[0] = *x;
  if (ctx.outputs.size() > 1) // the mask is bool from opset 10, the data's type before
    ctx.outputs[1] = filled(ctx.opset >= 10 ? DType::Bool : x->dtype, x->shape, 1);
  return true;
}

/// DepthToSpace (DCR or CRD) and SpaceToDepth: NCHW rearrangements of
/// blocksize x blocksize blocks between channels and space.
bool depthSpace(KernelContext &ctx, bool toSpace) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() != 4)
    return ctx.fail("input must have rank 4, not " + std::to_string(x->rank()));
  const int64_t b = ctx.node.attrInt("blocksize", 0);
  if (b <= 0 || b > (int64_t{1} << 16))
    return ctx.fail("blocksize " + std::to_string(b) + " is out of range");
  const std::string mode = ctx.node.attrString("mode", "DCR");
  if (toSpace && mode != "DCR" && mode != "CRD")
    return ctx.fail("mode '" + mode + "' is not DCR or CRD");
  const bool crd = toSpace && mode == "CRD";
  const int64_t n = x->shape[0], c = x->shape[1], h = x->shape[2], w = x->shape[3];
  std::vector<int64_t> shape;
  if (toSpace) {
    if (c % (b * b) != 0)
      return ctx.fail("channels " + std::to_string(c) + " are not a multiple of blocksize^2");
    shape = {n, c / (b * b), h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0)
      return ctx.fail("height and width must be multiples of blocksize");
    shape = {n, c * b * b, h / b, w / b};
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  // Index by the space side: (n, c, h, w) of the spatial tensor with its
  // block offsets (i, j); the depth side's channel is (i*b + j)*C + c for
  // DCR and SpaceToDepth, c*b*b + i*b + j for CRD.
  const int64_t sc = toSpace ? shape[1] : c, sh = toSpace ? shape[2] : h, sw = toSpace ? shape[3] : w;
  const int64_t dc = sc * b * b, dh = sh / b, dw = sw / b;
  std::vector<int64_t> index(static_cast<size_t>(out.numElements()));
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < sc; ++ic)
      for (int64_t y = 0; y < sh; ++y)
        for (int64_t xx = 0; xx < sw; ++xx) {
          const int64_t i = y % b, j = xx % b;
          const int64_t ch = crd ? ic * b * b + i * b + j : (i * b + j) * sc + ic;
          const int64_t space = ((in * sc + ic) * sh + y) * sw + xx;
          const int64_t depth = ((in * dc + ch) * dh + y / b) * dw + xx / b;
          index[static_cast<size_t>(toSpace ? space : depth)] = toSpace ? depth : space;
        }
  copyElements(*x, index, out);
  return true;
}

/// EyeLike: ones on diagonal k of a 2-D tensor, in attribute dtype's type
/// (the input's by default).
bool eyeLike(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() != 2)
    return ctx.fail("input must have rank 2, not " + std::to_string(x->rank()));
  DType dt = x->dtype;
  if (ctx.node.attr("dtype")) {
    const int64_t code = ctx.node.attrInt("dtype", 0);
    std::optional<DType> t = artifact::dtypeFromOnnx(static_cast<int>(code));
    if (!t)
      return ctx.fail("dtype " + std::to_string(code) + " is not supported");
    dt = *t;
  }
  const int64_t rows = x->shape[0], cols = x->shape[1];
  const int64_t k = std::clamp(ctx.node.attrInt("k", 0), -rows, cols); // past either end: no diagonal
  HostTensor &out = ctx.outputs[0] = HostTensor(dt, x->shape);
  dispatch(dt, [&](auto tag) {
    using T = decltype(tag);
    T *po = out.data<T>();
    for (int64_t i = std::max<int64_t>(0, -k); i < rows && i + k < cols; ++i)
      po[i * cols + i + k] = T(static_cast<ComputeOf<T>>(1));
  });
  return true;
}

/// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of
/// each matrix in the last two axes, zeroes the rest.
bool trilu(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() < 2)
    return ctx.fail("input must have rank 2 or more");
  int64_t k = 0;
  if (const HostTensor *kt = ctx.in(1)) {
    std::vector<int64_t> ks;
    if (!readInts(ctx, *kt, ks, "k"))
      return false;
    if (ks.size() != 1)
      return ctx.fail("k must be a scalar");
    k = ks[0];
  }
  const bool upper = ctx.node.attrInt("upper", 1) != 0;
  HostTensor &out = ctx.outputs[0] = *x;
  const int64_t rows = x->shape[x->rank() - 2], cols = x->shape[x->rank() - 1];
  k = std::clamp(k, -rows - 1, cols + 1); // j - i lies in [1 - rows, cols - 1]; also keeps i + k from overflowing
  const size_t item = artifact::dtypeSize(x->dtype);
  const int64_t matrices = rows * cols == 0 ? 0 : x->numElements() / (rows * cols);
  for (int64_t m = 0; m < matrices; ++m)
    for (int64_t i = 0; i < rows; ++i) {
      // Zero columns [from, to) of row i: the part outside the triangle.
      const int64_t edge = std::clamp(i + k, int64_t{0}, cols);
      const int64_t from = upper ? 0 : std::clamp(i + k + 1, int64_t{0}, cols), to = upper ? edge : cols;
      if (from < to)
        std::memset(out.bytes.data() + static_cast<size_t>((m * rows + i) * cols + from) * item, 0,
                    static_cast<size_t>(to - from) * item);
    }
  return true;
}

} // namespace

void addShapeKernels(KernelTable &t) {
  t["Reshape"] = reshape;
  t["Flatten"] = flatten;
  t["Transpose"] = transpose;
  t["Constant"] = constant;
  t["Shape"] = shape;
  t["Size"] = size;
  t["Squeeze"] = squeeze;
  t["Unsqueeze"] = unsqueeze;
  t["Concat"] = concat;
  t["Split"] = split;
  t["Expand"] = expand;
  t["Tile"] = tile;
  t["ConstantOfShape"] = constantOfShape;
  t["Range"] = range;
  t["Dropout"] = dropout;
  t["DepthToSpace"] = [](KernelContext &ctx) { return depthSpace(ctx, true); };
  t["SpaceToDepth"] = [](KernelContext &ctx) { return depthSpace(ctx, false); };
  t["EyeLike"] = eyeLike;
  t["Trilu"] = trilu;
}

} // namespace softnpu::host
