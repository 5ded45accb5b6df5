//===- Elementwise.cpp - Host kernels: element-wise arithmetic ------------===//
//
// Unary math, activations, Clip and PRelu, and the broadcasting binary and
// variadic ops. Values compute in ComputeOf<T> (float for the 16-bit floats).
// NaN propagates as in NumPy (Relu, Clip, Max, Min of NaN are NaN). Integer
// arithmetic wraps instead of overflowing, and integer division and modulo
// by zero give 0, where ONNX leaves the result undefined.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <cmath>
#include <limits>

namespace softnpu::host {

namespace {

/// An unsigned type a and b of integer type C can do wrapping arithmetic in
/// without promotion to (signed) int.
template <typename C>
using WrapOf = std::conditional_t<(sizeof(C) < sizeof(unsigned)), unsigned, std::make_unsigned_t<C>>;

/// a op b, wrapping for integers as NumPy does (signed overflow is UB in C++).
template <typename C, typename Op> C wrapping(C a, C b, Op op) {
  if constexpr (std::is_integral_v<C>)
    return static_cast<C>(op(static_cast<WrapOf<C>>(a), static_cast<WrapOf<C>>(b)));
  else
    return op(a, b);
}

template <typename C> bool isNaN(C x) {
  if constexpr (std::is_floating_point_v<C>)
    return std::isnan(x);
  else
    return false;
}

template <typename C> C negate(C x) {
  if constexpr (std::is_integral_v<C>)
    return wrapping(C(0), x, [](auto a, auto b) { return a - b; });
  else
    return -x;
}

/// ctx.outputs[0] = op(x) element by element, for x of a type in `Set`;
/// the output has x's dtype, or Bool when BoolOut.
template <unsigned Set, bool BoolOut = false, typename Op> bool mapUnary(KernelContext &ctx, Op op) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  HostTensor &out = ctx.newOutput(0, BoolOut ? DType::Bool : x->dtype, x->shape);
  return dispatchIn<Set>(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    using O = std::conditional_t<BoolOut, uint8_t, T>;
    const T *px = x->data<T>();
    O *po = out.data<O>();
    for (int64_t i = 0, n = x->numElements(); i < n; ++i)
      po[i] = O(static_cast<std::conditional_t<BoolOut, bool, C>>(op(C(px[i]))));
    return true;
  });
}

template <unsigned Set, typename Op> KernelFn unary(Op op) {
  return [op](KernelContext &ctx) { return mapUnary<Set>(ctx, op); };
}

/// ctx.outputs[0] = op(a, b) over the broadcast shape, a and b (by default
/// the first two inputs) of one dtype in `Set`.
template <unsigned Set, typename Op>
bool mapBinary(KernelContext &ctx, Op op, const HostTensor *a, const HostTensor *b) {
  if (!a || !b)
    return ctx.fail("needs two inputs");
  if (a->dtype != b->dtype)
    return ctx.fail(std::string("inputs have different element types (") + artifact::dtypeName(a->dtype) + ", " +
                    artifact::dtypeName(b->dtype) + ")");
  const std::vector<int64_t> bShape = legacyBroadcastShape(ctx, *a, *b);
  std::vector<int64_t> shape;
  if (!broadcastShapes(ctx, a->shape, bShape, shape))
    return false;
  HostTensor &out = ctx.newOutput(0, a->dtype, shape);
  return dispatchIn<Set>(ctx, a->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *pa = a->data<T>(), *pb = b->data<T>();
    T *po = out.data<T>();
    forEachBroadcast<2>(shape, {&a->shape, &bShape}, [&](int64_t o, const std::array<int64_t, 2> &i) {
      po[o] = T(static_cast<C>(op(C(pa[i[0]]), C(pb[i[1]]))));
    });
    return true;
  });
}

template <unsigned Set, typename Op> bool mapBinary(KernelContext &ctx, Op op) {
  return mapBinary<Set>(ctx, op, ctx.in(0), ctx.in(1));
}

template <unsigned Set, typename Op> KernelFn binary(Op op) {
  return [op](KernelContext &ctx) { return mapBinary<Set>(ctx, op); };
}

/// Max, Min, Sum, Mean: op folded over any number of inputs, all broadcast
/// to one shape; accumulates in ComputeOf<T>.
template <unsigned Set, typename Op> KernelFn variadic(Op op, bool mean = false) {
  return [op, mean](KernelContext &ctx) {
    if (ctx.numInputs() == 0)
      return ctx.fail("needs at least one input");
    std::vector<int64_t> shape;
    for (size_t k = 0; k < ctx.numInputs(); ++k) {
      const HostTensor *x = ctx.in(k);
      if (!x)
        return ctx.fail("input " + std::to_string(k) + " is missing");
      if (x->dtype != ctx.in(0)->dtype)
        return ctx.fail(std::string("inputs have different element types (") + artifact::dtypeName(ctx.in(0)->dtype) +
                        ", " + artifact::dtypeName(x->dtype) + ")");
      std::vector<int64_t> next;
      if (!broadcastShapes(ctx, k == 0 ? x->shape : shape, x->shape, next))
        return false;
      shape = std::move(next);
    }
    HostTensor &out = ctx.newOutput(0, ctx.in(0)->dtype, shape);
    return dispatchIn<Set>(ctx, out.dtype, [&](auto tag) {
      using T = decltype(tag);
      using C = ComputeOf<T>;
      if (ctx.numInputs() == 2 && !mean) { // the fold in one pass: op(a, b)
        const T *pa = ctx.in(0)->data<T>(), *pb = ctx.in(1)->data<T>();
        T *po = out.data<T>();
        forEachBroadcast<2>(shape, {&ctx.in(0)->shape, &ctx.in(1)->shape},
                            [&](int64_t o, const std::array<int64_t, 2> &i) {
                              po[o] = T(static_cast<C>(op(C(pa[i[0]]), C(pb[i[1]]))));
                            });
        return true;
      }
      // The running values: the output itself when T computes as itself.
      const size_t n = static_cast<size_t>(out.numElements());
      std::vector<C> storage;
      C *acc;
      if constexpr (std::is_same_v<T, C>) {
        acc = out.data<T>();
      } else {
        storage.resize(n);
        acc = storage.data();
      }
      for (size_t k = 0; k < ctx.numInputs(); ++k) {
        const T *px = ctx.in(k)->data<T>();
        if (k == 0)
          forEachBroadcast<1>(shape, {&ctx.in(k)->shape},
                              [&](int64_t o, const std::array<int64_t, 1> &i) { acc[o] = C(px[i[0]]); });
        else
          forEachBroadcast<1>(shape, {&ctx.in(k)->shape}, [&](int64_t o, const std::array<int64_t, 1> &i) {
            acc[o] = static_cast<C>(op(acc[o], C(px[i[0]])));
          });
      }
      T *po = out.data<T>();
      if (mean || !std::is_same_v<T, C>)
        for (size_t o = 0; o < n; ++o)
          po[o] = T(mean ? static_cast<C>(acc[o] / static_cast<C>(ctx.numInputs())) : acc[o]);
      return true;
    });
  };
}

template <typename C> C divide(C a, C b) {
  if constexpr (std::is_integral_v<C>) {
    if (b == 0)
      return C(0);
    if constexpr (std::is_signed_v<C>)
      if (b == -1)
        return negate(a); // INT_MIN / -1 overflows
    return C(a / b);
  } else {
    return a / b;
  }
}

/// Mod: fmod=1 takes the dividend's sign (C's fmod and %), fmod=0 the
/// divisor's (Python's %), which ONNX allows for integers only.
bool mod(KernelContext &ctx) {
  const bool fmod = ctx.node.attrInt("fmod", 0) != 0;
  const HostTensor *a = ctx.in(0);
  if (!fmod && a && typeClassOf(a->dtype) == kFloat)
    return ctx.fail("fmod must be 1 for floating-point inputs");
  return mapBinary<kNumeric>(ctx, [fmod](auto x, auto y) {
    using C = decltype(x);
    if constexpr (std::is_integral_v<C>) {
      if (y == 0 || (std::is_signed_v<C> && y == C(-1)))
        return C(0);
      C r = C(x % y);
      if constexpr (std::is_signed_v<C>)
        if (!fmod && r != 0 && ((r < 0) != (y < 0)))
          r = C(r + y);
      return r;
    } else {
      return std::fmod(x, y);
    }
  });
}

bool bitShift(KernelContext &ctx) {
  const std::string direction = ctx.node.attrString("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return ctx.fail("direction must be LEFT or RIGHT, not '" + direction + "'");
  const bool left = direction == "LEFT";
  return mapBinary<kUnsigned>(ctx, [left](auto x, auto y) {
    using C = decltype(x);
    if (y >= sizeof(C) * 8)
      return C(0); // shifting by the width or more is UB in C++
    return C(left ? WrapOf<C>(x) << y : x >> y);
  });
}

/// base^exponent, exactly for two integers (negative exponents truncate
/// toward zero, as 1/b^n does).
template <typename B, typename E> B power(B base, E exponent) {
  if constexpr (std::is_integral_v<B> && std::is_integral_v<E>) {
    using U = WrapOf<B>;
    if constexpr (std::is_signed_v<E>)
      if (exponent < 0)
        return base == 1 ? B(1) : base == -1 ? B((exponent & 1) ? -1 : 1) : B(0);
    U result = 1, b = static_cast<U>(base);
    for (auto e = exponent; e > 0; e /= 2, b = U(b * b))
      if (e & 1)
        result = U(result * b);
    return static_cast<B>(result);
  } else {
    return convertValue<B>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
  }
}

/// Pow: the exponent's type may differ from the base's; the result has the
/// base's.
bool powKernel(KernelContext &ctx) {
  const HostTensor *a = ctx.in(0), *b = ctx.in(1);
  if (!a || !b)
    return ctx.fail("needs two inputs");
  const std::vector<int64_t> bShape = legacyBroadcastShape(ctx, *a, *b);
  std::vector<int64_t> shape;
  if (!broadcastShapes(ctx, a->shape, bShape, shape))
    return false;
  HostTensor out(a->dtype, shape);
  const bool ok = dispatchIn<kFloat | kSigned>(ctx, a->dtype, [&](auto baseTag) {
    return dispatchIn<kNumeric>(ctx, b->dtype, [&](auto expTag) {
      using T = decltype(baseTag);
      using E = decltype(expTag);
      const T *pa = a->data<T>();
      const E *pb = b->data<E>();
      T *po = out.data<T>();
      // x^2 of a float base: pow(double(x), 2.0) is exact (the square of a
      // float has at most 48 bits) and glibc's pow errs by under 0.52 ulp, so
      // it returns x * x in double, as checked for all 2^32 floats; the
      // multiplication costs a small fraction of the call.
      if constexpr (std::is_same_v<ComputeOf<T>, float>)
        if (b->numElements() == 1 && static_cast<double>(ComputeOf<E>(pb[0])) == 2.0) {
          for (int64_t o = 0, n = out.numElements(); o < n; ++o) {
            const double x = static_cast<double>(ComputeOf<T>(pa[o]));
            po[o] = T(convertValue<float>(x * x));
          }
          return true;
        }
      forEachBroadcast<2>(shape, {&a->shape, &bShape}, [&](int64_t o, const std::array<int64_t, 2> &i) {
        po[o] = T(power(ComputeOf<T>(pa[i[0]]), ComputeOf<E>(pb[i[1]])));
      });
      return true;
    });
  });
  ctx.outputs[0] = std::move(out);
  return ok;
}

/// One element of a Clip bound given as an input (opset 11+), of x's dtype.
template <typename T> bool clipBound(KernelContext &ctx, size_t index, DType dtype, ComputeOf<T> &bound) {
  const HostTensor *t = ctx.in(index);
  if (!t)
    return true;
  const char *what = index == 1 ? "min" : "max";
  if (t->dtype != dtype)
    return ctx.fail(std::string(what) + " is " + artifact::dtypeName(t->dtype) + ", the input " +
                    artifact::dtypeName(dtype));
  if (t->numElements() != 1)
    return ctx.fail(std::string(what) + " must be a scalar, not of shape " + shapeText(t->shape));
  bound = ComputeOf<T>(t->data<T>()[0]);
  return true;
}

/// Clip: bounds from attributes before opset 11, from optional inputs after.
/// min(max(x, lo), hi) as NumPy's clip, so NaN stays NaN and lo > hi gives hi.
bool clip(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  HostTensor out(x->dtype, x->shape);
  const bool ok = dispatchIn<kNumeric>(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    C lo = std::numeric_limits<C>::lowest(), hi = std::numeric_limits<C>::max();
    if (ctx.opset < 11) {
      if (ctx.node.attr("min"))
        lo = convertValue<C>(ctx.node.attrFloat("min", 0));
      if (ctx.node.attr("max"))
        hi = convertValue<C>(ctx.node.attrFloat("max", 0));
    } else if (!clipBound<T>(ctx, 1, x->dtype, lo) || !clipBound<T>(ctx, 2, x->dtype, hi)) {
      return false;
    }
    const T *px = x->data<T>();
    T *po = out.data<T>();
    for (int64_t i = 0, n = x->numElements(); i < n; ++i) {
      const C v = C(px[i]), atLeast = v < lo ? lo : v;
      po[i] = T(atLeast > hi ? hi : atLeast);
    }
    return true;
  });
  ctx.outputs[0] = std::move(out);
  return ok;
}

/// PRelu: the slope broadcasts to x's shape (never the other way). Before
/// opset 7 (no broadcasting rule yet) a 1-D slope is per channel, axis 1, as
/// the exporters of the day meant it.
bool prelu(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *slope = ctx.in(1);
  if (!x || !slope)
    return ctx.fail("needs x and slope inputs");
  HostTensor perChannel;
  if (ctx.opset < 7 && slope->rank() == 1 && x->rank() >= 2 && slope->shape[0] == x->shape[1] && slope->shape[0] != 1) {
    perChannel = *slope;
    perChannel.shape.assign(x->rank() - 1, 1);
    perChannel.shape[0] = slope->shape[0];
    slope = &perChannel;
  }
  std::vector<int64_t> shape;
  if (!broadcastShapes(ctx, x->shape, slope->shape, shape))
    return false;
  if (shape != x->shape)
    return ctx.fail("slope of shape " + shapeText(slope->shape) + " does not broadcast to x's " + shapeText(x->shape));
  return mapBinary<kNumeric>(
      ctx, [](auto v, auto s) { return v < 0 ? wrapping(s, v, [](auto p, auto q) { return p * q; }) : v; }, x, slope);
}

/// NaN-propagating clamp of v to [lo, hi] (lo <= hi).
template <typename C> C clamp(C v, C lo, C hi) { return v < lo ? lo : v > hi ? hi : v; }

template <typename C> C sigmoid(C x) {
  if (x >= 0)
    return 1 / (1 + std::exp(-x));
  const C e = std::exp(x); // no overflow for large negative x
  return e / (1 + e);
}

void addUnaryMath(KernelTable &t) {
  t["Abs"] = unary<kNumeric>([](auto x) {
    if constexpr (std::is_unsigned_v<decltype(x)>)
      return x;
    else
      return x < 0 ? negate(x) : x;
  });
  t["Neg"] = unary<kFloat | kSigned>([](auto x) { return negate(x); });
  t["Sign"] = unary<kNumeric>([](auto x) {
    using C = decltype(x);
    if constexpr (std::is_unsigned_v<C>)
      return C(x != 0);
    else
      return x > 0 ? C(1) : x < 0 ? C(-1) : x; // 0 and NaN stay
  });
  t["Relu"] = unary<kFloat | kSigned>([](auto x) { return x < 0 ? decltype(x)(0) : x; });
  t["Acos"] = unary<kFloat>([](auto x) { return std::acos(x); });
  t["Acosh"] = unary<kFloat>([](auto x) { return std::acosh(x); });
  t["Asin"] = unary<kFloat>([](auto x) { return std::asin(x); });
  t["Asinh"] = unary<kFloat>([](auto x) { return std::asinh(x); });
  t["Atan"] = unary<kFloat>([](auto x) { return std::atan(x); });
  t["Atanh"] = unary<kFloat>([](auto x) { return std::atanh(x); });
  t["Ceil"] = unary<kFloat>([](auto x) { return std::ceil(x); });
  t["Cos"] = unary<kFloat>([](auto x) { return std::cos(x); });
  t["Cosh"] = unary<kFloat>([](auto x) { return std::cosh(x); });
  t["Erf"] = unary<kFloat>([](auto x) { return std::erf(x); });
  t["Exp"] = unary<kFloat>([](auto x) { return std::exp(x); });
  t["Floor"] = unary<kFloat>([](auto x) { return std::floor(x); });
  t["Log"] = unary<kFloat>([](auto x) { return std::log(x); });
  t["Reciprocal"] = unary<kFloat>([](auto x) { return 1 / x; });
  // nearbyint rounds half to even in the default rounding mode, as ONNX asks.
  t["Round"] = unary<kFloat>([](auto x) { return std::nearbyint(x); });
  t["Sigmoid"] = unary<kFloat>([](auto x) { return sigmoid(x); });
  t["Sin"] = unary<kFloat>([](auto x) { return std::sin(x); });
  t["Sinh"] = unary<kFloat>([](auto x) { return std::sinh(x); });
  // log(1 + e^x) without overflowing e^x.
  t["Softplus"] = unary<kFloat>([](auto x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); });
  t["Softsign"] = unary<kFloat>([](auto x) { return x / (1 + std::fabs(x)); });
  t["Sqrt"] = unary<kFloat>([](auto x) { return std::sqrt(x); });
  t["Tan"] = unary<kFloat>([](auto x) { return std::tan(x); });
  t["Tanh"] = unary<kFloat>([](auto x) { return std::tanh(x); });
  t["IsNaN"] = [](KernelContext &ctx) { return mapUnary<kFloat, true>(ctx, [](auto x) { return isNaN(x); }); };
  t["IsInf"] = [](KernelContext &ctx) {
    const bool pos = ctx.node.attrInt("detect_positive", 1) != 0, neg = ctx.node.attrInt("detect_negative", 1) != 0;
    return mapUnary<kFloat, true>(ctx, [=](auto x) { return std::isinf(x) && (x > 0 ? pos : neg); });
  };
}

/// The activations with attributes; C is float or double.
void addActivations(KernelTable &t) {
  t["Elu"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 1.0f);
    return mapUnary<kFloat>(ctx, [=](auto x) { return x < 0 ? alpha * std::expm1(x) : x; });
  };
  t["Selu"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 1.67326319217681884765625f);
    const float gamma = ctx.node.attrFloat("gamma", 1.05070102214813232421875f);
    return mapUnary<kFloat>(ctx, [=](auto x) { return x <= 0 ? gamma * alpha * std::expm1(x) : gamma * x; });
  };
  t["Celu"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 1.0f);
    if (alpha == 0)
      return ctx.fail("alpha must not be 0");
    return mapUnary<kFloat>(ctx, [=](auto x) { return x < 0 ? alpha * std::expm1(x / alpha) : x; });
  };
  t["LeakyRelu"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 0.01f);
    return mapUnary<kFloat>(ctx, [=](auto x) { return x < 0 ? alpha * x : x; });
  };
  t["ThresholdedRelu"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 1.0f);
    return mapUnary<kFloat>(ctx, [=](auto x) { return x > alpha || isNaN(x) ? x : decltype(x)(0); });
  };
  t["HardSigmoid"] = [](KernelContext &ctx) {
    const float alpha = ctx.node.attrFloat("alpha", 0.2f), beta = ctx.node.attrFloat("beta", 0.5f);
    return mapUnary<kFloat>(ctx, [=](auto x) {
      using C = decltype(x);
      return clamp(C(alpha * x + beta), C(0), C(1));
    });
  };
  t["HardSwish"] = unary<kFloat>([](auto x) {
    using C = decltype(x);
    return x * clamp(C(x / 6 + C(0.5)), C(0), C(1));
  });
  t["Shrink"] = [](KernelContext &ctx) {
    const double bias = ctx.node.attrFloat("bias", 0.0f), lambd = ctx.node.attrFloat("lambd", 0.5f);
    return mapUnary<kNumeric>(ctx, [=](auto x) {
      using C = decltype(x);
      const double v = static_cast<double>(x);
      return convertValue<C>(v < -lambd ? v + bias : v > lambd ? v - bias : 0.0);
    });
  };
  t["Clip"] = clip;
  t["PRelu"] = prelu;
}

} // namespace

void addElementwiseKernels(KernelTable &t) {
  const auto add = [](auto a, auto b) { return a + b; };
  const auto sub = [](auto a, auto b) { return a - b; };
  const auto mul = [](auto a, auto b) { return a * b; };
  t["Add"] = binary<kNumeric>([=](auto a, auto b) { return wrapping(a, b, add); });
  t["Sub"] = binary<kNumeric>([=](auto a, auto b) { return wrapping(a, b, sub); });
  t["Mul"] = binary<kNumeric>([=](auto a, auto b) { return wrapping(a, b, mul); });
  t["Div"] = binary<kNumeric>([](auto a, auto b) { return divide(a, b); });
  t["Mod"] = mod;
  t["Pow"] = powKernel;
  t["BitShift"] = bitShift;
  // NumPy's maximum and minimum: NaN in either operand gives NaN.
  t["Max"] = variadic<kNumeric>([](auto a, auto b) { return isNaN(a) || a > b ? a : b; });
  t["Min"] = variadic<kNumeric>([](auto a, auto b) { return isNaN(a) || a < b ? a : b; });
  t["Sum"] = variadic<kFloat>(add);
  t["Mean"] = variadic<kFloat>(add, true);
  addUnaryMath(t);
  addActivations(t);
}

} // namespace softnpu::host
