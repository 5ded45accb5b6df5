//===- Logical.cpp - Host kernels: comparisons, logical ops and Where -------===//
//
// Comparisons and And/Or/Xor broadcast NumPy-style and give bool (uint8 0/1).
// Comparisons with NaN are false, except that NaN != anything.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

namespace softnpu::host {

namespace {

/// ctx.outputs[0] = op(a, b) as bool over the broadcast shape, a and b of one
/// dtype in `Set`.
template <unsigned Set, typename Op> KernelFn toBool(Op op) {
  return [op](KernelContext &ctx) {
    const HostTensor *a = ctx.in(0), *b = ctx.in(1);
    if (!a || !b)
      return ctx.fail("needs two inputs");
    if (a->dtype != b->dtype)
      return ctx.fail(std::string("inputs have different element types (") + artifact::dtypeName(a->dtype) + ", " +
                      artifact::dtypeName(b->dtype) + ")");
    const std::vector<int64_t> bShape = legacyBroadcastShape(ctx, *a, *b);
    std::vector<int64_t> shape;
    if (!broadcastShapes(ctx, a->shape, bShape, shape))
      return false;
    HostTensor out(DType::Bool, shape);
    const bool ok = dispatchIn<Set>(ctx, a->dtype, [&](auto tag) {
      using T = decltype(tag);
      using C = ComputeOf<T>;
      const T *pa = a->data<T>(), *pb = b->data<T>();
      uint8_t *po = out.data<uint8_t>();
      forEachBroadcast<2>(shape, {&a->shape, &bShape}, [&](int64_t o, const std::array<int64_t, 2> &i) {
        po[o] = op(C(pa[i[0]]), C(pb[i[1]])) ? 1 : 0;
      });
      return true;
    });
    ctx.outputs[0] = std::move(out);
    return ok;
  };
}

bool logicalNot(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->dtype != DType::Bool)
    return ctx.fail(std::string("element type ") + artifact::dtypeName(x->dtype) + " is not supported");
  HostTensor out(DType::Bool, x->shape);
  const uint8_t *px = x->data<uint8_t>();
  uint8_t *po = out.data<uint8_t>();
  for (int64_t i = 0, n = x->numElements(); i < n; ++i)
    po[i] = px[i] ? 0 : 1;
  ctx.outputs[0] = std::move(out);
  return true;
}

/// Where(condition, x, y): x where condition, else y; all three broadcast.
bool where(KernelContext &ctx) {
  const HostTensor *c = ctx.in(0), *x = ctx.in(1), *y = ctx.in(2);
  if (!c || !x || !y)
    return ctx.fail("needs condition, x and y inputs");
  if (c->dtype != DType::Bool)
    return ctx.fail(std::string("condition must be bool, not ") + artifact::dtypeName(c->dtype));
  if (x->dtype != y->dtype)
    return ctx.fail(std::string("x and y have different element types (") + artifact::dtypeName(x->dtype) + ", " +
                    artifact::dtypeName(y->dtype) + ")");
  std::vector<int64_t> cx, shape;
  if (!broadcastShapes(ctx, c->shape, x->shape, cx) || !broadcastShapes(ctx, cx, y->shape, shape))
    return false;
  HostTensor out(x->dtype, shape);
  dispatch(x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const uint8_t *pc = c->data<uint8_t>();
    const T *px = x->data<T>(), *py = y->data<T>();
    T *po = out.data<T>();
    forEachBroadcast<3>(shape, {&c->shape, &x->shape, &y->shape},
                        [&](int64_t o, const std::array<int64_t, 3> &i) { po[o] = pc[i[0]] ? px[i[1]] : py[i[2]]; });
  });
  ctx.outputs[0] = std::move(out);
  return true;
}

} // namespace

void addLogicalKernels(KernelTable &t) {
  t["Equal"] = toBool<kNumeric | kBool>([](auto a, auto b) { return a == b; });
  t["Less"] = toBool<kNumeric>([](auto a, auto b) { return a < b; });
  t["Greater"] = toBool<kNumeric>([](auto a, auto b) { return a > b; });
  t["LessOrEqual"] = toBool<kNumeric>([](auto a, auto b) { return a <= b; });
  t["GreaterOrEqual"] = toBool<kNumeric>([](auto a, auto b) { return a >= b; });
  t["And"] = toBool<kBool>([](auto a, auto b) { return a && b; });
  t["Or"] = toBool<kBool>([](auto a, auto b) { return a || b; });
  t["Xor"] = toBool<kBool>([](auto a, auto b) { return (a != 0) != (b != 0); });
  t["Not"] = logicalNot;
  t["Where"] = where;
}

} // namespace softnpu::host
