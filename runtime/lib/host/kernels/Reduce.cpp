//===- Reduce.cpp - Host kernels: reductions and ArgMax / ArgMin ------------===//
//
// One engine for the Reduce* family: the input is split into lanes, one per
// output element, by splitAxes(), and each lane is folded by reduceLane().
// Float lanes accumulate in double. Integer lanes accumulate in 64 bits with
// wrap-around (through uint64_t, so overflow is defined) and are truncated
// to the element type, as the element type's own arithmetic would wrap;
// results that go through double (mean of nothing, L2, the logs) saturate.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <cmath>
#include <limits>

namespace softnpu::host {

namespace {

enum class Reduction { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

template <typename T>
using AccOf =
    std::conditional_t<isFloatStorage<T>(), double, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <typename A> A add(A a, A b) {
  if constexpr (std::is_integral_v<A>)
    return static_cast<A>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else
    return a + b;
}

template <typename A> A mul(A a, A b) {
  if constexpr (std::is_integral_v<A>)
    return static_cast<A>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else
    return a * b;
}

template <typename A> A absOf(A a) {
  if constexpr (std::is_floating_point_v<A>)
    return std::fabs(a);
  else if constexpr (std::is_unsigned_v<A>)
    return a;
  else // negated through uint64_t: the lowest value wraps to itself, as in the element type
    return a < 0 ? static_cast<A>(0 - static_cast<uint64_t>(a)) : a;
}

template <typename A> bool isNaN(A a) {
  if constexpr (std::is_floating_point_v<A>)
    return std::isnan(a);
  else
    return false;
}

/// An accumulator as the element type (wrapping for integers).
template <typename T, typename A> T fromAcc(A a) {
  if constexpr (isFloatStorage<T>())
    return T(static_cast<ComputeOf<T>>(a));
  else
    return static_cast<T>(a);
}

/// A double as the element type; integers saturate (NaN gives 0) rather than
/// hit the undefined float-to-int conversion.
template <typename T> T fromDouble(double v) {
  if constexpr (isFloatStorage<T>()) {
    return T(static_cast<ComputeOf<T>>(v));
  } else {
    if (std::isnan(v))
      return T(0);
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest()))
      return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max()))
      return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

/// The lowest (for Max) or highest (for Min) value of T, as A: the result
/// over an empty set.
template <typename T, typename A> A extreme(bool lowest) {
  if constexpr (std::is_floating_point_v<A>)
    return lowest ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::infinity();
  else
    return static_cast<A>(lowest ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max());
}

/// Folds the elements base[offs[r]] by `kind`.
template <typename T> T reduceLane(Reduction kind, const T *base, const std::vector<int64_t> &offs) {
  using A = AccOf<T>;
  const size_t n = offs.size();
  auto at = [&](size_t r) { return static_cast<A>(static_cast<ComputeOf<T>>(base[offs[r]])); };
  A acc = 0;
  switch (kind) {
  case Reduction::Sum:
  case Reduction::Mean:
  case Reduction::LogSum:
    for (size_t r = 0; r < n; ++r)
      acc = add(acc, at(r));
    if (kind == Reduction::LogSum)
      return fromDouble<T>(std::log(static_cast<double>(acc)));
    if (kind == Reduction::Mean) {
      if constexpr (std::is_integral_v<A>)
        return n == 0 ? T(0) : static_cast<T>(acc / static_cast<A>(n));
      else
        return fromAcc<T>(acc / static_cast<A>(n)); // NaN for an empty set, as numpy
    }
    return fromAcc<T>(acc);
  case Reduction::SumSquare:
  case Reduction::L2:
    for (size_t r = 0; r < n; ++r)
      acc = add(acc, mul(at(r), at(r)));
    return kind == Reduction::L2 ? fromDouble<T>(std::sqrt(static_cast<double>(acc))) : fromAcc<T>(acc);
  case Reduction::L1:
    for (size_t r = 0; r < n; ++r)
      acc = add(acc, absOf(at(r)));
    return fromAcc<T>(acc);
  case Reduction::Prod:
    acc = 1;
    for (size_t r = 0; r < n; ++r)
      acc = mul(acc, at(r));
    return fromAcc<T>(acc);
  case Reduction::Max:
  case Reduction::Min: {
    const bool isMax = kind == Reduction::Max;
    acc = extreme<T, A>(isMax);
    for (size_t r = 0; r < n && !isNaN(acc); ++r) { // NaN wins, as in numpy
      const A v = at(r);
      if (isNaN(v) || (isMax ? v > acc : v < acc))
        acc = v;
    }
    return fromAcc<T>(acc);
  }
  case Reduction::LogSumExp: {
    // log(sum(exp(x - m))) + m with m the maximum, so exp cannot overflow.
    double m = -std::numeric_limits<double>::infinity();
    for (size_t r = 0; r < n; ++r)
      m = std::max(m, static_cast<double>(at(r)));
    if (!std::isfinite(m)) // empty (-inf), or +inf
      return fromDouble<T>(m);
    double sum = 0;
    for (size_t r = 0; r < n; ++r)
      sum += std::exp(static_cast<double>(at(r)) - m);
    return fromDouble<T>(m + std::log(sum));
  }
  }
  return T(0);
}

/// Flags the axes a reduction reduces: the `axes` input (ReduceSum from
/// opset 13) or attribute; none means all unless noop_with_empty_axes, which
/// reduces over no axis (each element is a lane of its own).
bool reducedAxes(KernelContext &ctx, int64_t rank, std::vector<bool> &isReduced) {
  std::vector<int64_t> axes;
  if (const HostTensor *a = ctx.in(1)) {
    if (!readInts(ctx, *a, axes, "axes"))
      return false;
  } else {
    axes = ctx.node.attrInts("axes");
  }
  const bool all = axes.empty() && ctx.node.attrInt("noop_with_empty_axes", 0) == 0;
  isReduced.assign(static_cast<size_t>(rank), all);
  for (int64_t axis : axes) {
    if (!normalizeAxis(ctx, axis, rank))
      return false;
    if (isReduced[static_cast<size_t>(axis)])
      return ctx.fail("axes name axis " + std::to_string(axis) + " twice");
    isReduced[static_cast<size_t>(axis)] = true;
  }
  return true;
}

/// The reduction's output shape: reduced axes become 1 (keepdims) or go.
std::vector<int64_t> reducedShape(const std::vector<int64_t> &shape, const std::vector<bool> &isReduced,
                                  bool keepDims) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < shape.size(); ++i)
    if (!isReduced[i])
      out.push_back(shape[i]);
    else if (keepDims)
      out.push_back(1);
  return out;
}

KernelFn reduce(Reduction kind) {
  return [kind](KernelContext &ctx) {
    const HostTensor *x = ctx.in(0);
    if (!x)
      return ctx.fail("needs a data input");
    if (x->dtype == DType::Bool)
      return ctx.fail("element type bool is not supported");
    std::vector<bool> isReduced;
    if (!reducedAxes(ctx, static_cast<int64_t>(x->rank()), isReduced))
      return false;
    const AxisSplit split = splitAxes(x->shape, isReduced);
    HostTensor &out = ctx.outputs[0] =
        HostTensor(x->dtype, reducedShape(x->shape, isReduced, ctx.node.attrInt("keepdims", 1) != 0));
    return dispatch(x->dtype, [&](auto tag) {
      using T = decltype(tag);
      const T *px = x->data<T>();
      T *po = out.data<T>();
      for (size_t k = 0; k < split.kept.size(); ++k)
        po[k] = reduceLane(kind, px + split.kept[k], split.reduced);
      return true;
    });
  };
}

/// ArgMax / ArgMin: the index of the first (or, with select_last_index, the
/// last) extreme along `axis`, as int64; a NaN counts as the extreme, as in
/// numpy.
KernelFn argExtreme(bool isMax) {
  return [isMax](KernelContext &ctx) {
    const HostTensor *x = ctx.in(0);
    if (!x)
      return ctx.fail("needs a data input");
    if (x->dtype == DType::Bool)
      return ctx.fail("element type bool is not supported");
    int64_t axis = ctx.node.attrInt("axis", 0);
    if (!normalizeAxis(ctx, axis, static_cast<int64_t>(x->rank())))
      return false;
    std::vector<bool> isReduced(x->rank(), false);
    isReduced[static_cast<size_t>(axis)] = true;
    const AxisSplit split = splitAxes(x->shape, isReduced);
    if (split.reduced.empty() && !split.kept.empty())
      return ctx.fail("axis " + std::to_string(axis) + " is empty: there is no extreme to find");
    const bool last = ctx.node.attrInt("select_last_index", 0) != 0;
    HostTensor &out = ctx.outputs[0] =
        HostTensor(DType::I64, reducedShape(x->shape, isReduced, ctx.node.attrInt("keepdims", 1) != 0));
    return dispatch(x->dtype, [&](auto tag) {
      using T = decltype(tag);
      using C = ComputeOf<T>;
      int64_t *po = out.data<int64_t>();
      for (size_t k = 0; k < split.kept.size(); ++k) {
        const T *base = x->data<T>() + split.kept[k];
        C best = C(base[0]);
        int64_t index = 0;
        for (size_t r = 1; r < split.reduced.size(); ++r) {
          const C v = C(base[split.reduced[r]]);
          const bool take =
              isNaN(best) ? last && isNaN(v) : isNaN(v) || (isMax ? v > best : v < best) || (last && v == best);
          if (take) {
            best = v;
            index = static_cast<int64_t>(r);
          }
        }
        po[k] = index;
      }
      return true;
    });
  };
}

} // namespace

void addReduceKernels(KernelTable &t) {
  t["ReduceSum"] = reduce(Reduction::Sum);
  t["ReduceMean"] = reduce(Reduction::Mean);
  t["ReduceMax"] = reduce(Reduction::Max);
  t["ReduceMin"] = reduce(Reduction::Min);
  t["ReduceProd"] = reduce(Reduction::Prod);
  t["ReduceL1"] = reduce(Reduction::L1);
  t["ReduceL2"] = reduce(Reduction::L2);
  t["ReduceLogSum"] = reduce(Reduction::LogSum);
  t["ReduceLogSumExp"] = reduce(Reduction::LogSumExp);
  t["ReduceSumSquare"] = reduce(Reduction::SumSquare);
  t["ArgMax"] = argExtreme(true);
  t["ArgMin"] = argExtreme(false);
}

} // namespace softnpu::host
