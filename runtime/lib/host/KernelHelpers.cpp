//===- KernelHelpers.cpp - Helpers the host kernels share -----------------===//
#include "Kernel.h"

namespace softnpu::host {

bool readInts(KernelContext &ctx, const HostTensor &t, std::vector<int64_t> &out, const char *what) {
  const int64_t n = t.numElements();
  out.resize(static_cast<size_t>(n));
  if (t.dtype == DType::I64) {
    std::copy(t.data<int64_t>(), t.data<int64_t>() + n, out.begin());
    return true;
  }
  if (t.dtype == DType::I32) {
    std::copy(t.data<int32_t>(), t.data<int32_t>() + n, out.begin());
    return true;
  }
  return ctx.fail(std::string(what) + " must be int32 or int64, not " + artifact::dtypeName(t.dtype));
}

bool normalizeAxis(KernelContext &ctx, int64_t &axis, int64_t rank, const char *what) {
  if (axis < -rank || axis >= rank)
    return ctx.fail(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                    std::to_string(rank));
  if (axis < 0)
    axis += rank;
  return true;
}

bool broadcastShapes(KernelContext &ctx, const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                     std::vector<int64_t> &out) {
  const size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return ctx.fail("shapes " + shapeText(a) + " and " + shapeText(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return true;
}

std::vector<int64_t> legacyBroadcastShape(const KernelContext &ctx, const HostTensor &a, const HostTensor &b) {
  if (ctx.opset >= 7 || ctx.node.attrInt("broadcast", 0) == 0 || !ctx.node.attr("axis"))
    return b.shape;
  const int64_t rank = static_cast<int64_t>(a.rank());
  int64_t axis = ctx.node.attrInt("axis", 0);
  if (axis < 0)
    axis += rank;
  const int64_t trailing = rank - axis - static_cast<int64_t>(b.rank());
  if (axis < 0 || trailing < 0)
    return b.shape; // the broadcast then fails with the shapes in its message
  std::vector<int64_t> shape = b.shape;
  shape.insert(shape.end(), static_cast<size_t>(trailing), 1);
  return shape;
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    s[i - 1] = s[i] * shape[i];
  return s;
}

std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &inShape, const std::vector<int64_t> &outShape) {
  const size_t rank = outShape.size();
  // Strides of the input in the output's rank; 0 along broadcast axes.
  std::vector<int64_t> inStrides(rank, 0);
  const std::vector<int64_t> s = stridesOf(inShape);
  for (size_t i = 0; i < inShape.size(); ++i) {
    const size_t o = rank - inShape.size() + i;
    inStrides[o] = inShape[i] == 1 ? 0 : s[i];
  }
  const int64_t n = elementCount(outShape);
  std::vector<int64_t> index(static_cast<size_t>(n));
  std::vector<int64_t> pos(rank, 0);
  int64_t at = 0;
  for (int64_t e = 0; e < n; ++e) {
    index[static_cast<size_t>(e)] = at;
    for (size_t d = rank; d-- > 0;) {
      ++pos[d];
      at += inStrides[d];
      if (pos[d] < outShape[d])
        break;
      at -= inStrides[d] * pos[d];
      pos[d] = 0;
    }
  }
  return index;
}

bool concatTensors(KernelContext &ctx, const std::vector<const HostTensor *> &parts, int64_t axis, bool newAxis,
                   HostTensor &out) {
  if (parts.empty())
    return ctx.fail("has nothing to concatenate");
  const HostTensor &first = *parts[0];
  const size_t rank = first.rank();
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(rank + (newAxis ? 1 : 0))))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  std::vector<int64_t> shape = first.shape;
  if (newAxis)
    shape.insert(shape.begin() + axis, 0);
  shape[ax] = 0;
  for (const HostTensor *t : parts) {
    if (t->dtype != first.dtype)
      return ctx.fail(std::string("cannot concatenate ") + artifact::dtypeName(first.dtype) + " and " +
                      artifact::dtypeName(t->dtype) + " tensors");
    bool same = t->rank() == rank;
    for (size_t i = 0; same && i < rank; ++i)
      same = (i == ax && !newAxis) || t->shape[i] == first.shape[i];
    if (!same)
      return ctx.fail("cannot " + std::string(newAxis ? "stack " : "concatenate ") + shapeText(first.shape) + " and " +
                      shapeText(t->shape) + " on axis " + std::to_string(axis));
    shape[ax] += newAxis ? 1 : t->shape[ax];
  }
  out = HostTensor(first.dtype, shape);
  // Each part contributes one contiguous chunk per position of the axes
  // before `ax`: its bytes divided by their count.
  const int64_t outer = elementCount(std::vector<int64_t>(shape.begin(), shape.begin() + axis));
  uint8_t *dst = out.bytes.data();
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : parts) {
      const size_t chunk = t->bytes.size() / static_cast<size_t>(outer);
      if (chunk)
        std::memcpy(dst, t->bytes.data() + static_cast<size_t>(o) * chunk, chunk);
      dst += chunk;
    }
  return true;
}

bool splitTensor(KernelContext &ctx, const HostTensor &x, size_t axis, const std::vector<int64_t> &sizes,
                 std::vector<HostTensor> &parts) {
  const int64_t dim = x.shape[axis];
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return ctx.fail("split has a negative size");
    total += s;
  }
  if (total != dim)
    return ctx.fail("split sizes add up to " + std::to_string(total) + ", not the axis' " + std::to_string(dim));
  int64_t outer = 1, inner = static_cast<int64_t>(artifact::dtypeSize(x.dtype));
  for (size_t i = 0; i < x.rank(); ++i)
    (i < axis ? outer : inner) *= i == axis ? 1 : x.shape[i];
  parts.clear();
  std::vector<uint8_t *> dst;
  for (int64_t size : sizes) {
    std::vector<int64_t> shape = x.shape;
    shape[axis] = size;
    parts.emplace_back(x.dtype, shape);
  }
  for (HostTensor &p : parts)
    dst.push_back(p.bytes.data());
  const uint8_t *src = x.bytes.data();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < sizes.size(); ++k) {
      const size_t chunk = static_cast<size_t>(sizes[k] * inner);
      if (chunk)
        std::memcpy(dst[k], src, chunk);
      dst[k] += chunk;
      src += chunk;
    }
  return true;
}

namespace {

/// The offset of every position of `dims` (row-major) under `strides`.
std::vector<int64_t> offsetsOf(const std::vector<int64_t> &dims, const std::vector<int64_t> &strides) {
  std::vector<int64_t> offsets(static_cast<size_t>(elementCount(dims)));
  std::vector<int64_t> pos(dims.size(), 0);
  int64_t at = 0;
  for (int64_t &o : offsets) {
    o = at;
    for (size_t d = dims.size(); d-- > 0;) {
      ++pos[d];
      at += strides[d];
      if (pos[d] < dims[d])
        break;
      at -= strides[d] * pos[d];
      pos[d] = 0;
    }
  }
  return offsets;
}

} // namespace

AxisSplit splitAxes(const std::vector<int64_t> &shape, const std::vector<bool> &isReduced) {
  const std::vector<int64_t> strides = stridesOf(shape);
  std::vector<int64_t> keptDims, keptStrides, reducedDims, reducedStrides;
  for (size_t i = 0; i < shape.size(); ++i) {
    (isReduced[i] ? reducedDims : keptDims).push_back(shape[i]);
    (isReduced[i] ? reducedStrides : keptStrides).push_back(strides[i]);
  }
  return {offsetsOf(keptDims, keptStrides), offsetsOf(reducedDims, reducedStrides)};
}

void copyElements(const HostTensor &src, const std::vector<int64_t> &index, HostTensor &dst) {
  withItemSize(src.dtype, [&](auto size) {
    constexpr size_t n = decltype(size)::value;
    const uint8_t *s = src.bytes.data();
    uint8_t *d = dst.bytes.data();
    for (size_t i = 0; i < index.size(); ++i)
      std::memcpy(d + i * n, s + static_cast<size_t>(index[i]) * n, n);
  });
}

} // namespace softnpu::host
