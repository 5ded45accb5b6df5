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
