//===- Shape.cpp - Host kernels: shapes and data movement -----------------===//
#include "../Kernel.h"

namespace softnpu::host {

namespace {

bool identity(KernelContext &ctx) {
  if (!ctx.in(0))
    return ctx.fail("needs an input");
  ctx.outputs[0] = *ctx.in(0);
  return true;
}

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
  const size_t item = artifact::dtypeSize(x->dtype);
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
  return true;
}

} // namespace

void addShapeKernels(KernelTable &t) {
  t["Identity"] = identity;
  t["Reshape"] = reshape;
  t["Flatten"] = flatten;
  t["Transpose"] = transpose;
}

} // namespace softnpu::host
