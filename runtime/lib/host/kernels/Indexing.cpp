//===- Indexing.cpp - Host kernels: gather, scatter, slice, pad, tile and friends ===//
//
// Indices may be negative (counted from the end of their axis); an index
// out of range is an error naming the index, its range and its axis, except
// in OneHot, whose definition maps such indices to all-off rows.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace softnpu::host {

namespace {

/// Makes `i` an index in [0, dim) (negative counts from the end); false with
/// a message when it is out of range.
bool checkIndex(KernelContext &ctx, int64_t &i, int64_t dim, int64_t axis) {
  if (i < -dim || i >= dim)
    return ctx.fail("index " + std::to_string(i) + " is out of range [" + std::to_string(-dim) + ", " +
                    std::to_string(dim) + ") on axis " + std::to_string(axis));
  if (i < 0)
    i += dim;
  return true;
}

int64_t product(const std::vector<int64_t> &v, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i)
    p *= v[i];
  return p;
}

/// A NaN-safe strict weak order (NaN after every number), so sorting never
/// sees an inconsistent comparator.
template <typename C> bool lessThan(C a, C b) {
  if constexpr (std::is_floating_point_v<C>) {
    if (std::isnan(a))
      return false;
    if (std::isnan(b))
      return true;
  }
  return a < b;
}

/// The element reduction of ScatterElements / ScatterND.
enum class Reduction { None, Add, Mul, Max, Min };

bool reductionOf(KernelContext &ctx, Reduction &r) {
  const std::string s = ctx.node.attrString("reduction", "none");
  if (s == "none")
    r = Reduction::None;
  else if (s == "add")
    r = Reduction::Add;
  else if (s == "mul")
    r = Reduction::Mul;
  else if (s == "max")
    r = Reduction::Max;
  else if (s == "min")
    r = Reduction::Min;
  else
    return ctx.fail("reduction '" + s + "' is not supported");
  return true;
}

/// out[at[i] + j] = reduce(out[at[i] + j], upd[i * block + j]) for j in
/// [0, block): the update step both scatters share.
bool scatterInto(KernelContext &ctx, HostTensor &out, const HostTensor &upd, const std::vector<int64_t> &at,
                 int64_t block, Reduction r) {
  if (r == Reduction::None) {
    const size_t item = artifact::dtypeSize(out.dtype), bytes = static_cast<size_t>(block) * item;
    for (size_t i = 0; i < at.size(); ++i)
      if (bytes)
        std::memcpy(out.bytes.data() + static_cast<size_t>(at[i]) * item, upd.bytes.data() + i * bytes, bytes);
    return true;
  }
  if (out.dtype == DType::Bool)
    return ctx.fail("reductions on bool are not supported");
  return dispatch(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    T *po = out.data<T>();
    const T *pu = upd.data<T>();
    for (size_t i = 0; i < at.size(); ++i)
      for (int64_t j = 0; j < block; ++j) {
        T &o = po[at[i] + j];
        const C a = C(o), b = C(pu[static_cast<int64_t>(i) * block + j]);
        C v = b;
        switch (r) {
        case Reduction::Add:
          v = static_cast<C>(a + b);
          break;
        case Reduction::Mul:
          v = static_cast<C>(a * b);
          break;
        case Reduction::Max:
          v = lessThan(a, b) ? b : a;
          break;
        case Reduction::Min:
          v = lessThan(b, a) ? b : a;
          break;
        case Reduction::None:
          break;
        }
        o = T(v);
      }
    return true;
  });
}

/// Slice: starts/ends/axes attributes before opset 10, then inputs with
/// optional axes and steps. Bounds clamp as in NumPy; steps may be negative.
bool slice(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.node.attr("starts")) {
    starts = ctx.node.attrInts("starts");
    ends = ctx.node.attrInts("ends");
    axes = ctx.node.attrInts("axes");
  } else {
    if (!ctx.in(1) || !ctx.in(2))
      return ctx.fail("needs starts and ends");
    if (!readInts(ctx, *ctx.in(1), starts, "starts") || !readInts(ctx, *ctx.in(2), ends, "ends") ||
        (ctx.in(3) && !readInts(ctx, *ctx.in(3), axes, "axes")) ||
        (ctx.in(4) && !readInts(ctx, *ctx.in(4), steps, "steps")))
      return false;
  }
  const size_t n = starts.size();
  if (axes.empty())
    for (size_t i = 0; i < n; ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (steps.empty())
    steps.assign(n, 1);
  if (ends.size() != n || axes.size() != n || steps.size() != n)
    return ctx.fail("starts, ends, axes and steps have different lengths");
  const size_t rank = x->rank();
  const std::vector<int64_t> strides = stridesOf(x->shape);
  std::vector<int64_t> shape = x->shape, step = strides; // output shape; input step per output axis
  std::vector<bool> seen(rank, false);
  int64_t base = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t a = axes[i];
    if (!normalizeAxis(ctx, a, static_cast<int64_t>(rank)))
      return false;
    const size_t ax = static_cast<size_t>(a);
    if (seen[ax])
      return ctx.fail("axis " + std::to_string(a) + " is repeated");
    seen[ax] = true;
    const int64_t dim = x->shape[ax];
    if (steps[i] == 0)
      return ctx.fail("step is 0");
    // A step longer than the axis takes one element either way; clamping it
    // keeps st * stride from overflowing.
    const int64_t st = std::clamp(steps[i], -std::max<int64_t>(dim, 1), std::max<int64_t>(dim, 1));
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count;
    if (dim == 0) {
      count = 0;
    } else if (st > 0) {
      s = std::clamp(s, int64_t{0}, dim);
      e = std::clamp(e, int64_t{0}, dim);
      count = e > s ? (e - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp(s, int64_t{0}, dim - 1); // ONNX clamps start to [0, dim-1]; NumPy would give nothing
      e = std::clamp(e, int64_t{-1}, dim - 1);
      count = s > e ? (e - s + 1) / st + 1 : 0;
    }
    shape[ax] = count;
    step[ax] = st * strides[ax];
    if (count > 0)
      base += s * strides[ax];
  }
  if (rank == 0) {
    ctx.outputs[0] = *x;
    return true;
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const int64_t total = out.numElements();
  if (total == 0)
    return true;
  // Walk the output row by row: a strided input walk per row.
  const int64_t inner = shape[rank - 1], innerStep = step[rank - 1];
  withItemSize(x->dtype, [&](auto size) {
    constexpr size_t item = decltype(size)::value;
    const uint8_t *src = x->bytes.data();
    uint8_t *dst = out.bytes.data();
    std::vector<int64_t> pos(rank, 0);
    int64_t at = base;
    for (int64_t row = 0, rows = total / inner; row < rows; ++row) {
      if (innerStep == 1)
        std::memcpy(dst, src + static_cast<size_t>(at) * item, static_cast<size_t>(inner) * item);
      else
        for (int64_t j = 0; j < inner; ++j)
          std::memcpy(dst + static_cast<size_t>(j) * item, src + static_cast<size_t>(at + j * innerStep) * item, item);
      dst += static_cast<size_t>(inner) * item;
      for (size_t d = rank - 1; d-- > 0;) {
        at += step[d];
        if (++pos[d] < shape[d])
          break;
        at -= step[d] * pos[d];
        pos[d] = 0;
      }
    }
  });
  return true;
}

bool gather(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1);
  if (!x || !ind)
    return ctx.fail("needs data and indices inputs");
  const int64_t rank = static_cast<int64_t>(x->rank());
  if (rank == 0)
    return ctx.fail("data must have rank 1 or more");
  int64_t axis = ctx.node.attrInt("axis", 0);
  if (!normalizeAxis(ctx, axis, rank))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  std::vector<int64_t> idx;
  if (!readInts(ctx, *ind, idx, "indices"))
    return false;
  const int64_t dim = x->shape[ax];
  for (int64_t &i : idx)
    if (!checkIndex(ctx, i, dim, axis))
      return false;
  std::vector<int64_t> shape(x->shape.begin(), x->shape.begin() + axis);
  shape.insert(shape.end(), ind->shape.begin(), ind->shape.end());
  shape.insert(shape.end(), x->shape.begin() + axis + 1, x->shape.end());
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const int64_t outer = product(x->shape, 0, ax);
  const size_t block = static_cast<size_t>(product(x->shape, ax + 1, x->rank())) * artifact::dtypeSize(x->dtype);
  if (block == 0)
    return true;
  uint8_t *dst = out.bytes.data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      std::memcpy(dst, x->bytes.data() + static_cast<size_t>(o * dim + i) * block, block);
      dst += block;
    }
  return true;
}

/// For GatherElements and the ScatterElements family: the flat offset into
/// `data` of each element of `indices`, which replace the coordinate on
/// `axis`.
bool elementOffsets(KernelContext &ctx, const HostTensor &data, const HostTensor &ind, int64_t &axis,
                    std::vector<int64_t> &at) {
  const size_t rank = data.rank();
  if (rank == 0)
    return ctx.fail("data must have rank 1 or more");
  if (ind.rank() != rank)
    return ctx.fail("indices have rank " + std::to_string(ind.rank()) + ", data rank " + std::to_string(rank));
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(rank)))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  for (size_t d = 0; d < rank; ++d)
    if (d != ax && ind.shape[d] > data.shape[d])
      return ctx.fail("indices of shape " + shapeText(ind.shape) + " do not fit data of shape " +
                      shapeText(data.shape));
  if (!readInts(ctx, ind, at, "indices"))
    return false;
  const std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<int64_t> pos(rank, 0);
  int64_t base = 0; // offset of the current position with its axis coordinate 0
  for (size_t e = 0; e < at.size(); ++e) {
    if (!checkIndex(ctx, at[e], data.shape[ax], axis))
      return false;
    at[e] = base + at[e] * strides[ax];
    for (size_t d = rank; d-- > 0;) {
      if (d != ax)
        base += strides[d];
      if (++pos[d] < ind.shape[d])
        break;
      if (d != ax)
        base -= strides[d] * pos[d];
      pos[d] = 0;
    }
  }
  return true;
}

bool gatherElements(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1);
  if (!x || !ind)
    return ctx.fail("needs data and indices inputs");
  int64_t axis = ctx.node.attrInt("axis", 0);
  std::vector<int64_t> at;
  if (!elementOffsets(ctx, *x, *ind, axis, at))
    return false;
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, ind->shape);
  copyElements(*x, at, out);
  return true;
}

/// ScatterElements (and Scatter, its deprecated name): a copy of data with
/// updates written (or reduced) at the indexed positions.
bool scatterElements(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1), *upd = ctx.in(2);
  if (!x || !ind || !upd)
    return ctx.fail("needs data, indices and updates inputs");
  if (upd->dtype != x->dtype)
    return ctx.fail("updates and data have different element types");
  if (upd->shape != ind->shape)
    return ctx.fail("updates of shape " + shapeText(upd->shape) + " do not match indices of shape " +
                    shapeText(ind->shape));
  Reduction r;
  if (!reductionOf(ctx, r))
    return false;
  int64_t axis = ctx.node.attrInt("axis", 0);
  std::vector<int64_t> at;
  if (!elementOffsets(ctx, *x, *ind, axis, at))
    return false;
  HostTensor &out = ctx.outputs[0] = *x;
  return scatterInto(ctx, out, *upd, at, 1, r);
}

/// For GatherND and ScatterND: the flat offset into `data` of the slice each
/// index tuple (the last axis of `indices`) selects, after `batchDims`
/// leading batch axes shared by data and indices.
bool tupleOffsets(KernelContext &ctx, const HostTensor &data, const HostTensor &ind, int64_t batchDims,
                  std::vector<int64_t> &at, int64_t &block) {
  const size_t r = data.rank(), q = ind.rank(), b = static_cast<size_t>(batchDims);
  if (q == 0 || r == 0)
    return ctx.fail(q == 0 ? "indices must have rank 1 or more" : "data must have rank 1 or more");
  if (batchDims < 0 || b >= q || b >= r)
    return ctx.fail("batch_dims " + std::to_string(batchDims) + " is out of range");
  const int64_t k = ind.shape[q - 1];
  if (k < 0 || b + static_cast<size_t>(k) > r)
    return ctx.fail("index tuples of length " + std::to_string(k) + " are too long for data of rank " +
                    std::to_string(r));
  for (size_t d = 0; d < b; ++d)
    if (ind.shape[d] != data.shape[d])
      return ctx.fail("batch dimensions of data " + shapeText(data.shape) + " and indices " + shapeText(ind.shape) +
                      " differ");
  std::vector<int64_t> idx;
  if (!readInts(ctx, ind, idx, "indices"))
    return false;
  const std::vector<int64_t> strides = stridesOf(data.shape);
  block = product(data.shape, b + static_cast<size_t>(k), r);
  const int64_t batchSize = product(data.shape, b, r);
  const int64_t tuples = k == 0 ? product(ind.shape, 0, q - 1) : static_cast<int64_t>(idx.size()) / k;
  const int64_t perBatch = product(ind.shape, b, q - 1);
  at.resize(static_cast<size_t>(tuples));
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = (perBatch ? t / perBatch : 0) * batchSize;
    for (int64_t j = 0; j < k; ++j) {
      int64_t &i = idx[static_cast<size_t>(t * k + j)];
      const size_t axis = b + static_cast<size_t>(j);
      if (!checkIndex(ctx, i, data.shape[axis], static_cast<int64_t>(axis)))
        return false;
      offset += i * strides[axis];
    }
    at[static_cast<size_t>(t)] = offset;
  }
  return true;
}

bool gatherND(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1);
  if (!x || !ind)
    return ctx.fail("needs data and indices inputs");
  const int64_t batchDims = ctx.node.attrInt("batch_dims", 0);
  std::vector<int64_t> at;
  int64_t block;
  if (!tupleOffsets(ctx, *x, *ind, batchDims, at, block))
    return false;
  std::vector<int64_t> shape(ind->shape.begin(), ind->shape.end() - 1);
  shape.insert(shape.end(), x->shape.begin() + batchDims + ind->shape.back(), x->shape.end());
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const size_t item = artifact::dtypeSize(x->dtype), bytes = static_cast<size_t>(block) * item;
  for (size_t t = 0; t < at.size() && bytes; ++t)
    std::memcpy(out.bytes.data() + t * bytes, x->bytes.data() + static_cast<size_t>(at[t]) * item, bytes);
  return true;
}

bool scatterND(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *ind = ctx.in(1), *upd = ctx.in(2);
  if (!x || !ind || !upd)
    return ctx.fail("needs data, indices and updates inputs");
  if (upd->dtype != x->dtype)
    return ctx.fail("updates and data have different element types");
  Reduction r;
  if (!reductionOf(ctx, r))
    return false;
  std::vector<int64_t> at;
  int64_t block;
  if (!tupleOffsets(ctx, *x, *ind, 0, at, block))
    return false;
  std::vector<int64_t> shape(ind->shape.begin(), ind->shape.end() - 1);
  shape.insert(shape.end(), x->shape.begin() + ind->shape.back(), x->shape.end());
  if (upd->shape != shape)
    return ctx.fail("updates have shape " + shapeText(upd->shape) + ", expected " + shapeText(shape));
  HostTensor &out = ctx.outputs[0] = *x;
  return scatterInto(ctx, out, *upd, at, block, r);
}

/// Pad: pads and value attributes before opset 11, then inputs pads,
/// constant_value and (opset 18) axes. Negative pads crop; reflect and edge
/// read the cropped input.
bool pad(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const size_t rank = x->rank();
  const std::string mode = ctx.node.attrString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return ctx.fail("mode '" + mode + "' is not supported");
  std::vector<int64_t> pads, axes;
  HostTensor value(x->dtype, {}); // the constant, zero by default
  if (ctx.node.attr("pads")) {
    pads = ctx.node.attrInts("pads");
    const double v = ctx.node.attrFloat("value", 0);
    dispatch(x->dtype, [&](auto tag) {
      using T = decltype(tag);
      value.data<T>()[0] = T(static_cast<ComputeOf<T>>(v));
    });
  } else {
    if (!ctx.in(1))
      return ctx.fail("needs pads");
    if (!readInts(ctx, *ctx.in(1), pads, "pads"))
      return false;
    if (const HostTensor *v = ctx.in(2); v && v->numElements() > 0) {
      if (v->dtype != x->dtype)
        return ctx.fail("constant_value and data have different element types");
      std::memcpy(value.bytes.data(), v->bytes.data(), value.bytes.size());
    }
    if (const HostTensor *a = ctx.in(3); a && !readInts(ctx, *a, axes, "axes"))
      return false;
  }
  if (axes.empty())
    for (size_t i = 0; i < rank; ++i)
      axes.push_back(static_cast<int64_t>(i));
  if (pads.size() != 2 * axes.size())
    return ctx.fail("pads has " + std::to_string(pads.size()) + " entries for " + std::to_string(axes.size()) +
                    " axes");
  std::vector<int64_t> before(rank, 0), after(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i];
    if (!normalizeAxis(ctx, a, static_cast<int64_t>(rank)))
      return false;
    before[static_cast<size_t>(a)] = pads[i];
    after[static_cast<size_t>(a)] = pads[i + axes.size()];
  }
  // Per axis, the input coordinate each output coordinate reads (-1: the
  // constant).
  std::vector<int64_t> shape(rank);
  std::vector<std::vector<int64_t>> source(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t lo = std::max<int64_t>(-before[d], 0), hi = x->shape[d] - std::max<int64_t>(-after[d], 0);
    const int64_t n = hi - lo, lead = std::max<int64_t>(before[d], 0);
    shape[d] = x->shape[d] + before[d] + after[d];
    if (shape[d] < 0 || n < 0)
      return ctx.fail("pads crop axis " + std::to_string(d) + " below size 0");
    if (mode != "constant" && n == 0 && shape[d] > 0)
      return ctx.fail("cannot " + mode + "-pad an empty axis");
    source[d].resize(static_cast<size_t>(shape[d]));
    for (int64_t o = 0; o < shape[d]; ++o) {
      int64_t c = o - lead;
      if (c < 0 || c >= n) {
        if (mode == "constant") {
          source[d][static_cast<size_t>(o)] = -1;
          continue;
        }
        if (mode == "edge") {
          c = std::clamp(c, int64_t{0}, n - 1);
        } else if (n == 1) {
          c = 0;
        } else { // reflect, repeatedly for pads longer than the axis
          const int64_t period = 2 * (n - 1);
          c = ((c % period) + period) % period;
          if (c >= n)
            c = period - c;
        }
      }
      source[d][static_cast<size_t>(o)] = lo + c;
    }
  }
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  const int64_t total = out.numElements();
  if (total == 0)
    return true;
  if (rank == 0) {
    out = *x;
    return true;
  }
  const std::vector<int64_t> strides = stridesOf(x->shape);
  const int64_t inner = shape[rank - 1];
  const std::vector<int64_t> &last = source[rank - 1];
  withItemSize(x->dtype, [&](auto size) {
    constexpr size_t item = decltype(size)::value;
    const uint8_t *src = x->bytes.data(), *fill = value.bytes.data();
    uint8_t *dst = out.bytes.data();
    std::vector<int64_t> pos(rank, 0);
    for (int64_t row = 0, rows = total / inner; row < rows; ++row) {
      int64_t base = 0; // offset of the row's input row; -1 when the row is padding
      for (size_t d = 0; d + 1 < rank && base >= 0; ++d) {
        const int64_t c = source[d][static_cast<size_t>(pos[d])];
        base = c < 0 ? -1 : base + c * strides[d];
      }
      for (int64_t j = 0; j < inner; ++j, dst += item) {
        const int64_t c = base < 0 ? -1 : last[static_cast<size_t>(j)];
        std::memcpy(dst, c < 0 ? fill : src + static_cast<size_t>(base + c) * item, item);
      }
      for (size_t d = rank - 1; d-- > 0;) {
        if (++pos[d] < shape[d])
          break;
        pos[d] = 0;
      }
    }
  });
  return true;
}

/// The values of a numeric tensor as int64 (floats truncate).
bool readAsInts(KernelContext &ctx, const HostTensor &t, std::vector<int64_t> &out, const char *what) {
  if (t.dtype == DType::Bool)
    return ctx.fail(std::string(what) + " must be numeric, not bool");
  out.resize(static_cast<size_t>(t.numElements()));
  dispatch(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) {
      const C v = C(p[i]);
      if constexpr (std::is_floating_point_v<C>)
        out[i] = std::isfinite(v) && std::fabs(v) < C(9e18) ? static_cast<int64_t>(v) : INT64_MIN;
      else
        out[i] = static_cast<int64_t>(v);
    }
  });
  return true;
}

/// OneHot: indices in [-depth, depth) select the on value; others give an
/// all-off row, as ONNX defines.
bool oneHot(KernelContext &ctx) {
  const HostTensor *ind = ctx.in(0), *depthT = ctx.in(1), *values = ctx.in(2);
  if (!ind || !depthT || !values)
    return ctx.fail("needs indices, depth and values inputs");
  if (values->numElements() != 2)
    return ctx.fail("values must have 2 elements (off, on)");
  std::vector<int64_t> idx, depthV;
  if (!readAsInts(ctx, *ind, idx, "indices") || !readAsInts(ctx, *depthT, depthV, "depth"))
    return false;
  if (depthV.size() != 1 || depthV[0] <= 0)
    return ctx.fail("depth must be one positive number");
  const int64_t depth = depthV[0];
  int64_t axis = ctx.node.attrInt("axis", -1);
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(ind->rank()) + 1))
    return false;
  std::vector<int64_t> shape = ind->shape;
  shape.insert(shape.begin() + axis, depth);
  HostTensor &out = ctx.outputs[0] = HostTensor(values->dtype, shape);
  const int64_t inner = product(ind->shape, static_cast<size_t>(axis), ind->rank());
  withItemSize(values->dtype, [&](auto size) {
    constexpr size_t item = decltype(size)::value;
    const uint8_t *off = values->bytes.data(), *on = off + item;
    uint8_t *dst = out.bytes.data();
    for (size_t at = 0; at < out.bytes.size(); at += item)
      std::memcpy(dst + at, off, item);
    for (size_t e = 0; e < idx.size(); ++e) {
      int64_t v = idx[e];
      if (v < -depth || v >= depth)
        continue;
      if (v < 0)
        v += depth;
      const int64_t o = static_cast<int64_t>(e) / inner, i = static_cast<int64_t>(e) % inner;
      std::memcpy(dst + static_cast<size_t>((o * depth + v) * inner + i) * item, on, item);
    }
  });
  return true;
}

/// Compress: the slices along axis (of the flattened input when no axis is
/// given) whose condition is true; a condition shorter than the axis leaves
/// the rest out.
bool compress(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *cond = ctx.in(1);
  if (!x || !cond)
    return ctx.fail("needs input and condition");
  if (cond->rank() != 1)
    return ctx.fail("condition must be 1-D");
  const bool hasAxis = ctx.node.attr("axis") != nullptr;
  std::vector<int64_t> shape = hasAxis ? x->shape : std::vector<int64_t>{x->numElements()};
  int64_t axis = hasAxis ? ctx.node.attrInt("axis", 0) : 0;
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(shape.size())))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  std::vector<int64_t> keep, c;
  if (cond->dtype == DType::Bool)
    c.assign(cond->bytes.begin(), cond->bytes.end());
  else if (!readAsInts(ctx, *cond, c, "condition"))
    return false;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!c[i])
      continue;
    if (static_cast<int64_t>(i) >= shape[ax])
      return ctx.fail("condition selects index " + std::to_string(i) + " past axis size " + std::to_string(shape[ax]));
    keep.push_back(static_cast<int64_t>(i));
  }
  const int64_t dim = shape[ax], outer = product(shape, 0, ax);
  const size_t block = static_cast<size_t>(product(shape, ax + 1, shape.size())) * artifact::dtypeSize(x->dtype);
  shape[ax] = static_cast<int64_t>(keep.size());
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  uint8_t *dst = out.bytes.data();
  for (int64_t o = 0; o < outer && block; ++o)
    for (int64_t k : keep) {
      std::memcpy(dst, x->bytes.data() + static_cast<size_t>(o * dim + k) * block, block);
      dst += block;
    }
  return true;
}

/// NonZero: the coordinates of the non-zero elements, int64 [rank, n] (a
/// scalar counts as rank 1).
bool nonZero(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  std::vector<int64_t> hits;
  dispatch(x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *p = x->data<T>();
    for (int64_t i = 0, n = x->numElements(); i < n; ++i)
      if (C(p[i]) != C(0))
        hits.push_back(i);
  });
  const std::vector<int64_t> dims = x->rank() ? x->shape : std::vector<int64_t>{1};
  const int64_t n = static_cast<int64_t>(hits.size()), rank = static_cast<int64_t>(dims.size());
  HostTensor &out = ctx.outputs[0] = HostTensor(DType::I64, {rank, n});
  int64_t *po = out.data<int64_t>();
  for (int64_t h = 0; h < n; ++h) {
    int64_t flat = hits[static_cast<size_t>(h)];
    for (int64_t d = rank; d-- > 0;) {
      po[d * n + h] = flat % dims[static_cast<size_t>(d)];
      flat /= dims[static_cast<size_t>(d)];
    }
  }
  return true;
}

/// TopK: the k largest (or smallest) along axis with their indices, sorted;
/// ties keep the lower index first.
bool topK(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  int64_t k;
  if (const HostTensor *kt = ctx.in(1)) {
    std::vector<int64_t> ks;
    if (!readInts(ctx, *kt, ks, "K"))
      return false;
    if (ks.size() != 1)
      return ctx.fail("K must have one element");
    k = ks[0];
  } else if (ctx.node.attr("k")) {
    k = ctx.node.attrInt("k", 0);
  } else {
    return ctx.fail("needs K");
  }
  if (ctx.outputs.size() != 2)
    return ctx.fail("needs two outputs");
  const size_t rank = x->rank();
  int64_t axis = ctx.node.attrInt("axis", -1);
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(rank)))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  const int64_t dim = x->shape[ax];
  if (k < 0 || k > dim)
    return ctx.fail("K " + std::to_string(k) + " is out of range [0, " + std::to_string(dim) + "]");
  const bool largest = ctx.node.attrInt("largest", 1) != 0;
  std::vector<int64_t> shape = x->shape;
  shape[ax] = k;
  HostTensor &values = ctx.outputs[0] = HostTensor(x->dtype, shape);
  HostTensor &indices = ctx.outputs[1] = HostTensor(DType::I64, shape);
  const int64_t outer = product(x->shape, 0, ax), inner = product(x->shape, ax + 1, rank);
  return dispatch(x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *px = x->data<T>();
    T *pv = values.data<T>();
    int64_t *pi = indices.data<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(dim));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const T *line = px + o * dim * inner + i;
        auto cmp = [&](int64_t a, int64_t b) {
          const C va = C(line[a * inner]), vb = C(line[b * inner]);
          if (largest ? lessThan(vb, va) : lessThan(va, vb))
            return true;
          if (largest ? lessThan(va, vb) : lessThan(vb, va))
            return false;
          return a < b;
        };
        std::iota(order.begin(), order.end(), int64_t{0});
        std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = (o * k + j) * inner + i;
          pv[at] = line[order[static_cast<size_t>(j)] * inner];
          pi[at] = order[static_cast<size_t>(j)];
        }
      }
    return true;
  });
}

/// Unique: the distinct elements (or slices along axis), sorted or in order
/// of first occurrence, with the first index of each, the inverse mapping
/// and the counts.
bool unique(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const bool hasAxis = ctx.node.attr("axis") != nullptr;
  const std::vector<int64_t> shape = hasAxis ? x->shape : std::vector<int64_t>{x->numElements()};
  int64_t axis = hasAxis ? ctx.node.attrInt("axis", 0) : 0;
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(shape.size())))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  const int64_t dim = shape[ax], outer = product(shape, 0, ax), inner = product(shape, ax + 1, shape.size());
  // Slices sorted with ties by index (stable, without stable_sort's
  // temporary buffer), so the first of each run of equal ones is its first
  // occurrence.
  std::vector<int64_t> order(static_cast<size_t>(dim));
  std::iota(order.begin(), order.end(), int64_t{0});
  auto equalRuns = [&](auto cmp) {
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      const int c = cmp(a, b);
      return c < 0 || (c == 0 && a < b);
    });
    std::vector<int64_t> groupOf(static_cast<size_t>(dim)), firsts;
    for (size_t i = 0; i < order.size(); ++i) {
      if (i == 0 || cmp(order[i - 1], order[i]) != 0)
        firsts.push_back(order[i]);
      groupOf[static_cast<size_t>(order[i])] = static_cast<int64_t>(firsts.size()) - 1;
    }
    return std::make_pair(groupOf, firsts);
  };
  const auto runs = dispatch(x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *p = x->data<T>();
    return equalRuns([&](int64_t a, int64_t b) {
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const C va = C(p[(o * dim + a) * inner + i]), vb = C(p[(o * dim + b) * inner + i]);
          if (lessThan(va, vb))
            return -1;
          if (lessThan(vb, va))
            return 1;
        }
      return 0;
    });
  });
  const std::vector<int64_t> &groupOf = runs.first, &firsts = runs.second;
  const int64_t m = static_cast<int64_t>(firsts.size());
  // rank[g]: the output position of group g (sorted order, or order of first
  // occurrence).
  std::vector<int64_t> rankOf(static_cast<size_t>(m));
  std::iota(rankOf.begin(), rankOf.end(), int64_t{0});
  if (ctx.node.attrInt("sorted", 1) == 0) {
    std::vector<int64_t> byFirst(rankOf);
    std::sort(byFirst.begin(), byFirst.end(),
              [&](int64_t a, int64_t b) { return firsts[static_cast<size_t>(a)] < firsts[static_cast<size_t>(b)]; });
    for (int64_t r = 0; r < m; ++r)
      rankOf[static_cast<size_t>(byFirst[static_cast<size_t>(r)])] = r;
  }
  std::vector<int64_t> yShape = shape;
  yShape[ax] = m;
  HostTensor y(x->dtype, yShape), indices(DType::I64, {m}), inverse(DType::I64, {dim}), counts(DType::I64, {m});
  const size_t block = static_cast<size_t>(inner) * artifact::dtypeSize(x->dtype);
  for (int64_t g = 0; g < m; ++g) {
    const int64_t r = rankOf[static_cast<size_t>(g)], first = firsts[static_cast<size_t>(g)];
    indices.data<int64_t>()[r] = first;
    for (int64_t o = 0; o < outer && block; ++o)
      std::memcpy(y.bytes.data() + static_cast<size_t>(o * m + r) * block,
                  x->bytes.data() + static_cast<size_t>(o * dim + first) * block, block);
  }
  for (int64_t i = 0; i < dim; ++i) {
    const int64_t r = rankOf[static_cast<size_t>(groupOf[static_cast<size_t>(i)])];
    inverse.data<int64_t>()[i] = r;
    ++counts.data<int64_t>()[r];
  }
  HostTensor *outs[] = {&y, &indices, &inverse, &counts};
  for (size_t i = 0; i < ctx.outputs.size() && i < 4; ++i)
    ctx.outputs[i] = std::move(*outs[i]);
  return true;
}

/// ReverseSequence: reverses the first sequence_lens[b] steps along the time
/// axis of each batch entry b.
bool reverseSequence(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *lens = ctx.in(1);
  if (!x || !lens)
    return ctx.fail("needs input and sequence_lens");
  const int64_t rank = static_cast<int64_t>(x->rank());
  if (rank < 2)
    return ctx.fail("input must have rank 2 or more");
  int64_t batchAxis = ctx.node.attrInt("batch_axis", 1), timeAxis = ctx.node.attrInt("time_axis", 0);
  if (!normalizeAxis(ctx, batchAxis, rank, "batch_axis") || !normalizeAxis(ctx, timeAxis, rank, "time_axis"))
    return false;
  if (batchAxis == timeAxis)
    return ctx.fail("batch_axis and time_axis are the same");
  std::vector<int64_t> len;
  if (!readInts(ctx, *lens, len, "sequence_lens"))
    return false;
  const size_t ba = static_cast<size_t>(batchAxis), ta = static_cast<size_t>(timeAxis);
  const int64_t steps = x->shape[ta];
  if (static_cast<int64_t>(len.size()) != x->shape[ba])
    return ctx.fail("sequence_lens has " + std::to_string(len.size()) + " entries for batch size " +
                    std::to_string(x->shape[ba]));
  for (int64_t l : len)
    if (l < 0 || l > steps)
      return ctx.fail("sequence length " + std::to_string(l) + " is out of range [0, " + std::to_string(steps) + "]");
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  const std::vector<int64_t> strides = stridesOf(x->shape);
  std::vector<int64_t> index(static_cast<size_t>(x->numElements())), pos(x->rank(), 0);
  for (size_t e = 0; e < index.size(); ++e) {
    const int64_t t = pos[ta], l = len[static_cast<size_t>(pos[ba])];
    index[e] = static_cast<int64_t>(e) + (t < l ? l - 1 - 2 * t : 0) * strides[ta];
    for (size_t d = x->rank(); d-- > 0;) {
      if (++pos[d] < x->shape[d])
        break;
      pos[d] = 0;
    }
  }
  copyElements(*x, index, out);
  return true;
}

/// CumSum along axis; exclusive leaves out the element itself, reverse sums
/// from the end.
bool cumSum(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *axisT = ctx.in(1);
  if (!x || !axisT)
    return ctx.fail("needs input and axis");
  if (x->dtype == DType::Bool)
    return ctx.fail("element type bool is not supported");
  std::vector<int64_t> axes;
  if (!readInts(ctx, *axisT, axes, "axis"))
    return false;
  if (axes.size() != 1)
    return ctx.fail("axis must be a scalar");
  int64_t axis = axes[0];
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(x->rank())))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  const bool exclusive = ctx.node.attrInt("exclusive", 0) != 0, reverse = ctx.node.attrInt("reverse", 0) != 0;
  const int64_t dim = x->shape[ax], outer = product(x->shape, 0, ax), inner = product(x->shape, ax + 1, x->rank());
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  return dispatch(x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *px = x->data<T>();
    T *po = out.data<T>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        C sum = C(0);
        for (int64_t s = 0; s < dim; ++s) {
          const int64_t at = (o * dim + (reverse ? dim - 1 - s : s)) * inner + i;
          const C v = C(px[at]);
          if (!exclusive)
            sum = static_cast<C>(sum + v);
          po[at] = T(sum);
          if (exclusive)
            sum = static_cast<C>(sum + v);
        }
      }
    return true;
  });
}

} // namespace

void addIndexingKernels(KernelTable &t) {
  t["Slice"] = slice;
  t["Gather"] = gather;
  t["GatherElements"] = gatherElements;
  t["GatherND"] = gatherND;
  t["ScatterElements"] = scatterElements;
  t["Scatter"] = scatterElements;
  t["ScatterND"] = scatterND;
  t["Pad"] = pad;
  t["OneHot"] = oneHot;
  t["Compress"] = compress;
  t["NonZero"] = nonZero;
  t["TopK"] = topK;
  t["Unique"] = unique;
  t["ReverseSequence"] = reverseSequence;
  t["CumSum"] = cumSum;
}

} // namespace softnpu::host
