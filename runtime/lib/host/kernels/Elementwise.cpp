//===- Elementwise.cpp - Host kernels: element-wise arithmetic ------------===//
//
// Binary ops broadcast NumPy-style; unary float ops compute in float (double
// for float64). Integer division truncates toward zero, as ONNX's reference
// does.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <cmath>

namespace softnpu::host {

namespace {

/// out = op(a, b) over the broadcast shape, in the inputs' element type.
template <typename Op> KernelFn binary(Op op) {
  return [op](KernelContext &ctx) {
    const HostTensor *a = ctx.in(0), *b = ctx.in(1);
    if (!a || !b)
      return ctx.fail("needs two inputs");
    if (a->dtype != b->dtype)
      return ctx.fail(std::string("inputs have different element types (") + artifact::dtypeName(a->dtype) + ", " +
                      artifact::dtypeName(b->dtype) + ")");
    std::vector<int64_t> shape;
    if (!broadcastShapes(ctx, a->shape, b->shape, shape))
      return false;
    HostTensor &out = ctx.outputs[0] = HostTensor(a->dtype, shape);
    return dispatch(a->dtype, [&](auto tag) {
      using T = decltype(tag);
      using C = ComputeOf<T>;
      const T *pa = a->data<T>(), *pb = b->data<T>();
      T *po = out.data<T>();
      const int64_t n = out.numElements();
      if (a->shape == shape && b->shape == shape) {
        for (int64_t i = 0; i < n; ++i)
          po[i] = T(op(C(pa[i]), C(pb[i])));
        return true;
      }
      const std::vector<int64_t> ia = broadcastIndex(a->shape, shape), ib = broadcastIndex(b->shape, shape);
      for (int64_t i = 0; i < n; ++i)
        po[i] = T(op(C(pa[ia[i]]), C(pb[ib[i]])));
      return true;
    });
  };
}

/// out = op(x) for floating-point x, computed in float (double for float64).
template <typename Op> KernelFn unaryFloat(Op op) {
  return [op](KernelContext &ctx) {
    const HostTensor *x = ctx.in(0);
    if (!x)
      return ctx.fail("needs an input");
    HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
    return dispatchFloat(ctx, x->dtype, [&](auto tag) {
      using T = decltype(tag);
      using C = ComputeOf<T>;
      const T *px = x->data<T>();
      T *po = out.data<T>();
      for (int64_t i = 0, n = x->numElements(); i < n; ++i)
        po[i] = T(static_cast<C>(op(C(px[i]))));
      return true;
    });
  };
}

template <typename C> C divide(C a, C b) {
  if constexpr (std::is_integral_v<C>)
    return b == 0 ? C(0) : C(a / b); // ONNX leaves integer division by zero undefined
  else
    return a / b;
}

} // namespace

void addElementwiseKernels(KernelTable &t) {
  t["Add"] = binary([](auto a, auto b) { return a + b; });
  t["Sub"] = binary([](auto a, auto b) { return a - b; });
  t["Mul"] = binary([](auto a, auto b) { return a * b; });
  t["Div"] = binary([](auto a, auto b) { return divide(a, b); });
  t["Relu"] = unaryFloat([](auto x) { return x > 0 ? x : (x == x ? decltype(x)(0) : x); });
  t["Neg"] = unaryFloat([](auto x) { return -x; });
  t["Exp"] = unaryFloat([](auto x) { return std::exp(x); });
  t["Tanh"] = unaryFloat([](auto x) { return std::tanh(x); });
  t["Sigmoid"] = unaryFloat([](auto x) { return 1 / (1 + std::exp(-x)); });
}

} // namespace softnpu::host
