//===- Normalization.cpp - Host kernels: softmax, normalisations and losses -===//
//
// Each op here works lane by lane over an axis set (splitAxes(), Kernel.h):
// softmax over its axis (or, before opset 13, the trailing axes from it),
// the normalisations over the axes they take statistics on. Statistics and
// exponentials are computed in double; small parameter tensors (scale,
// bias, running mean, class weights) are read as doubles whatever their
// floating-point type.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <cmath>
#include <limits>

namespace softnpu::host {

namespace {

bool isFloatType(DType t) { return t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::BF16; }

/// The values of a floating-point tensor as doubles.
bool readDoubles(KernelContext &ctx, const HostTensor &t, std::vector<double> &out, const char *what) {
  if (!isFloatType(t.dtype))
    return ctx.fail(std::string(what) + " must be floating point, not " + artifact::dtypeName(t.dtype));
  out.resize(static_cast<size_t>(t.numElements()));
  return dispatchFloat(ctx, t.dtype, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<double>(static_cast<ComputeOf<T>>(t.data<T>()[i]));
    return true;
  });
}

/// A floating-point tensor of `dtype` holding `values`.
HostTensor fromDoubles(DType dtype, std::vector<int64_t> shape, const std::vector<double> &values) {
  HostTensor t(dtype, std::move(shape));
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    for (size_t i = 0; i < values.size(); ++i)
      t.data<T>()[i] = T(static_cast<ComputeOf<T>>(values[i]));
    return true;
  });
  return t;
}

/// A parameter of `count` values (one per channel, say), read as doubles.
bool readParam(KernelContext &ctx, const HostTensor *t, int64_t count, std::vector<double> &out, const char *what) {
  if (!t)
    return ctx.fail(std::string("needs the ") + what + " input");
  if (!readDoubles(ctx, *t, out, what))
    return false;
  if (static_cast<int64_t>(out.size()) != count)
    return ctx.fail(std::string(what) + " has " + std::to_string(out.size()) + " elements, expected " +
                    std::to_string(count));
  return true;
}

/// The flags of `axes` (each in [-rank, rank), none twice) among `rank` axes.
bool flagAxes(KernelContext &ctx, const std::vector<int64_t> &axes, int64_t rank, std::vector<bool> &isReduced) {
  isReduced.assign(static_cast<size_t>(rank), false);
  for (int64_t axis : axes) {
    if (!normalizeAxis(ctx, axis, rank))
      return false;
    if (isReduced[static_cast<size_t>(axis)])
      return ctx.fail("axes name axis " + std::to_string(axis) + " twice");
    isReduced[static_cast<size_t>(axis)] = true;
  }
  return true;
}

/// The flags of the axes from `first` on.
std::vector<bool> trailingAxes(size_t rank, size_t first) {
  std::vector<bool> flags(rank, false);
  for (size_t i = first; i < rank; ++i)
    flags[i] = true;
  return flags;
}

template <typename T> double valueAt(const T *p, int64_t i) {
  return static_cast<double>(static_cast<ComputeOf<T>>(p[i]));
}
template <typename T> T valueOf(double v) { return T(static_cast<ComputeOf<T>>(v)); }

struct Stats {
  double mean, var; ///< population variance
};

/// Mean and variance of the lane base[offs[r]], in two passes.
template <typename T> Stats statsOf(const T *base, const std::vector<int64_t> &offs) {
  const double n = static_cast<double>(offs.size());
  double sum = 0;
  for (int64_t o : offs)
    sum += valueAt(base, o);
  const double mean = sum / n;
  double sq = 0;
  for (int64_t o : offs) {
    const double d = valueAt(base, o) - mean;
    sq += d * d;
  }
  return {mean, sq / n};
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax, Hardmax
//===----------------------------------------------------------------------===//

enum class SoftmaxKind { Softmax, LogSoftmax, Hardmax };

/// The axes a softmax-like op normalises over: before opset 13 the input is
/// coerced to 2-D at `axis` (default 1), so every axis from it on; from 13
/// on, `axis` alone (default -1).
bool softmaxAxes(KernelContext &ctx, const HostTensor &x, std::vector<bool> &isReduced) {
  const int64_t rank = static_cast<int64_t>(x.rank());
  if (ctx.opset >= 13)
    return flagAxes(ctx, {ctx.node.attrInt("axis", -1)}, rank, isReduced);
  int64_t axis = ctx.node.attrInt("axis", 1);
  if (axis != rank && !normalizeAxis(ctx, axis, rank))
    return false;
  isReduced = trailingAxes(x.rank(), static_cast<size_t>(axis));
  return true;
}

/// y = kind(x) over each lane of `split`, with the lane's maximum subtracted
/// before exp; Hardmax marks the first maximum.
template <typename T> void softmaxLanes(SoftmaxKind kind, const T *x, T *y, const AxisSplit &split) {
  const std::vector<int64_t> &offs = split.reduced;
  for (int64_t base : split.kept) {
    double m = -std::numeric_limits<double>::infinity();
    size_t argMax = 0;
    for (size_t r = 0; r < offs.size(); ++r) {
      const double v = valueAt(x, base + offs[r]);
      if (r == 0 || v > m) {
        m = v;
        argMax = r;
      }
    }
    if (kind == SoftmaxKind::Hardmax) {
      for (size_t r = 0; r < offs.size(); ++r)
        y[base + offs[r]] = valueOf<T>(r == argMax ? 1.0 : 0.0);
      continue;
    }
    double sum = 0;
    for (int64_t o : offs)
      sum += std::exp(valueAt(x, base + o) - m);
    const double logSum = std::log(sum);
    for (int64_t o : offs) {
      const double v = valueAt(x, base + o) - m;
      y[base + o] = valueOf<T>(kind == SoftmaxKind::Softmax ? std::exp(v) / sum : v - logSum);
    }
  }
}

/// `kind` of x over `isReduced` into a new tensor `y`.
bool softmaxInto(KernelContext &ctx, SoftmaxKind kind, const HostTensor &x, const std::vector<bool> &isReduced,
                 HostTensor &y) {
  const AxisSplit split = splitAxes(x.shape, isReduced);
  y = HostTensor(x.dtype, x.shape);
  return dispatchFloat(ctx, x.dtype, [&](auto tag) {
    using T = decltype(tag);
    softmaxLanes(kind, x.data<T>(), y.data<T>(), split);
    return true;
  });
}

KernelFn softmax(SoftmaxKind kind) {
  return [kind](KernelContext &ctx) {
    const HostTensor *x = ctx.in(0);
    if (!x)
      return ctx.fail("needs an input");
    std::vector<bool> isReduced;
    return softmaxAxes(ctx, *x, isReduced) && softmaxInto(ctx, kind, *x, isReduced, ctx.outputs[0]);
  };
}

//===----------------------------------------------------------------------===//
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
//===----------------------------------------------------------------------===//

/// The loss of log-probabilities `logProb` (N, C, d1...) against class
/// indices `target` (N, d1...), with optional per-class `weight`: each
/// position's -logProb[n, target, d] * weight[target], 0 where target is
/// ignore_index; then reduced by `reduction` (mean divides by the weights'
/// sum).
bool nllLoss(KernelContext &ctx, const HostTensor &logProb, const HostTensor *target, const HostTensor *weight,
             HostTensor &out) {
  if (logProb.rank() < 2)
    return ctx.fail("input must have shape (N, C, d1, ...), not " + shapeText(logProb.shape));
  if (!target)
    return ctx.fail("needs a target input");
  std::vector<int64_t> labels;
  if (!readInts(ctx, *target, labels, "target"))
    return false;
  std::vector<int64_t> targetShape = logProb.shape;
  targetShape.erase(targetShape.begin() + 1);
  if (target->shape != targetShape)
    return ctx.fail("target has shape " + shapeText(target->shape) + ", expected " + shapeText(targetShape));
  const int64_t n = logProb.shape[0], classes = logProb.shape[1];
  const int64_t inner = elementCount(std::vector<int64_t>(logProb.shape.begin() + 2, logProb.shape.end()));
  std::vector<double> weights;
  if (weight && !readParam(ctx, weight, classes, weights, "weight"))
    return false;
  const std::string reduction = ctx.node.attrString("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.fail("reduction '" + reduction + "' is not none, sum or mean");
  const bool hasIgnore = ctx.node.attr("ignore_index") != nullptr;
  const int64_t ignore = ctx.node.attrInt("ignore_index", 0);

  std::vector<double> losses(labels.size());
  double lossSum = 0, weightSum = 0;
  bool ok = dispatchFloat(ctx, logProb.dtype, [&](auto tag) {
    using T = decltype(tag);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t d = 0; d < inner; ++d) {
        const size_t at = static_cast<size_t>(i * inner + d);
        const int64_t label = labels[at];
        if (hasIgnore && label == ignore)
          continue;
        if (label < 0 || label >= classes)
          return ctx.fail("target " + std::to_string(label) + " is outside [0, " + std::to_string(classes) + ")");
        const double w = weights.empty() ? 1.0 : weights[static_cast<size_t>(label)];
        losses[at] = -valueAt(logProb.data<T>(), (i * classes + label) * inner + d) * w;
        lossSum += losses[at];
        weightSum += w;
      }
    return true;
  });
  if (!ok)
    return false;
  if (reduction == "none")
    out = fromDoubles(logProb.dtype, targetShape, losses);
  else
    out = fromDoubles(logProb.dtype, {}, {reduction == "sum" ? lossSum : lossSum / weightSum});
  return true;
}

bool negativeLogLikelihoodLoss(KernelContext &ctx) {
  if (!ctx.in(0))
    return ctx.fail("needs an input");
  return nllLoss(ctx, *ctx.in(0), ctx.in(1), ctx.in(2), ctx.outputs[0]);
}

/// The NLL loss of LogSoftmax over the class axis; log_prob, the second
/// output, is that LogSoftmax.
bool softmaxCrossEntropyLoss(KernelContext &ctx) {
  const HostTensor *scores = ctx.in(0);
  if (!scores)
    return ctx.fail("needs a scores input");
  if (scores->rank() < 2)
    return ctx.fail("scores must have shape (N, C, d1, ...), not " + shapeText(scores->shape));
  std::vector<bool> classAxis(scores->rank(), false);
  classAxis[1] = true;
  HostTensor logProb;
  if (!softmaxInto(ctx, SoftmaxKind::LogSoftmax, *scores, classAxis, logProb) ||
      !nllLoss(ctx, logProb, ctx.in(1), ctx.in(2), ctx.outputs[0]))
    return false;
  if (ctx.outputs.size() > 1)
    ctx.outputs[1] = std::move(logProb);
  return true;
}

//===----------------------------------------------------------------------===//
// LayerNormalization, BatchNormalization, InstanceNormalization, LRN, MVN
//===----------------------------------------------------------------------===//

/// Over the axes from `axis` on: Y = (X - mean) * InvStdDev * Scale + B,
/// Scale and B broadcast to the normalised shape; Mean and InvStdDev (of
/// stash_type) keep X's rank with 1s for the normalised axes.
bool layerNormalization(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *scale = ctx.in(1), *bias = ctx.in(2);
  if (!x || !scale)
    return ctx.fail("needs X and Scale inputs");
  int64_t axis = ctx.node.attrInt("axis", -1);
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(x->rank())))
    return false;
  const double epsilon = ctx.node.attrFloat("epsilon", 1e-5f);
  const std::optional<DType> stash = artifact::dtypeFromOnnx(static_cast<int>(ctx.node.attrInt("stash_type", 1)));
  if (!stash || !isFloatType(*stash))
    return ctx.fail("stash_type must be a floating-point type");
  const std::vector<int64_t> normShape(x->shape.begin() + axis, x->shape.end());
  std::vector<double> scales, biases{0.0};
  std::vector<int64_t> scaleIndex, biasIndex(static_cast<size_t>(elementCount(normShape)), 0);
  for (const HostTensor *p : {scale, bias}) {
    if (!p)
      continue;
    std::vector<int64_t> shape;
    if (!broadcastShapes(ctx, normShape, p->shape, shape) || shape != normShape)
      return ctx.fail((p == scale ? "Scale of shape " : "B of shape ") + shapeText(p->shape) +
                      " does not broadcast to the normalized shape " + shapeText(normShape));
    if (!readDoubles(ctx, *p, p == scale ? scales : biases, p == scale ? "Scale" : "B"))
      return false;
    (p == scale ? scaleIndex : biasIndex) = broadcastIndex(p->shape, normShape);
  }
  const AxisSplit split = splitAxes(x->shape, trailingAxes(x->rank(), static_cast<size_t>(axis)));
  std::vector<double> means(split.kept.size()), invStdDevs(split.kept.size());
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  const bool ok = dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (size_t k = 0; k < split.kept.size(); ++k) {
      const Stats s = statsOf(px + split.kept[k], split.reduced);
      means[k] = s.mean;
      invStdDevs[k] = 1.0 / std::sqrt(s.var + epsilon);
      // The normalised axes are trailing, so lane position r is also the
      // element's index in the normalised shape.
      for (size_t r = 0; r < split.reduced.size(); ++r) {
        const int64_t at = split.kept[k] + split.reduced[r];
        py[at] = valueOf<T>((valueAt(px, at) - s.mean) * invStdDevs[k] * scales[static_cast<size_t>(scaleIndex[r])] +
                            biases[static_cast<size_t>(biasIndex[r])]);
      }
    }
    return true;
  });
  if (!ok)
    return false;
  std::vector<int64_t> statsShape = x->shape;
  for (size_t i = static_cast<size_t>(axis); i < statsShape.size(); ++i)
    statsShape[i] = 1;
  if (ctx.outputs.size() > 1)
    ctx.outputs[1] = fromDoubles(*stash, statsShape, means);
  if (ctx.outputs.size() > 2)
    ctx.outputs[2] = fromDoubles(*stash, statsShape, invStdDevs);
  return true;
}

/// Per channel (axis 1): Y = (X - mean) / sqrt(var + epsilon) * scale + B,
/// with the given running statistics (inference), or, in training mode,
/// the batch's own, also returning the updated running statistics.
bool batchNormalization(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an X input");
  if (x->rank() < 2)
    return ctx.fail("X must have shape (N, C, d1, ...), not " + shapeText(x->shape));
  const int64_t channels = x->shape[1];
  const int64_t inner = elementCount(std::vector<int64_t>(x->shape.begin() + 2, x->shape.end()));
  const double epsilon = ctx.node.attrFloat("epsilon", 1e-5f), momentum = ctx.node.attrFloat("momentum", 0.9f);
  // Before opset 14 the outputs asked for say whether it is training; before
  // 9, spatial=0 gives each (channel, position) statistics of its own.
  size_t outputsWanted = 0;
  for (const std::string &name : ctx.node.outputs)
    outputsWanted += !name.empty();
  const bool training = ctx.opset >= 14 ? ctx.node.attrInt("training_mode", 0) != 0 : outputsWanted > 1;
  const bool spatial = ctx.opset >= 9 || ctx.node.attrInt("spatial", 1) != 0;
  const int64_t params = spatial ? channels : channels * inner;
  std::vector<double> scale, bias, mean, var;
  if (!readParam(ctx, ctx.in(1), params, scale, "scale") || !readParam(ctx, ctx.in(2), params, bias, "B") ||
      !readParam(ctx, ctx.in(3), params, mean, "mean") || !readParam(ctx, ctx.in(4), params, var, "var"))
    return false;
  if (training && !spatial)
    return ctx.fail("training mode with spatial=0 is not supported");
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  if (!training)
    return dispatchFloat(ctx, x->dtype, [&](auto tag) {
      using T = decltype(tag);
      const T *px = x->data<T>();
      T *py = y.data<T>();
      for (int64_t i = 0, n = x->numElements(); i < n; ++i) {
        const size_t p = static_cast<size_t>(spatial ? i / inner % channels : i % params);
        py[i] = valueOf<T>((valueAt(px, i) - mean[p]) / std::sqrt(var[p] + epsilon) * scale[p] + bias[p]);
      }
      return true;
    });

  std::vector<bool> isReduced(x->rank(), true);
  isReduced[1] = false;
  const AxisSplit split = splitAxes(x->shape, isReduced); // one lane per channel
  std::vector<double> batchMean(static_cast<size_t>(channels)), batchVar(static_cast<size_t>(channels));
  const bool ok = dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (size_t c = 0; c < split.kept.size(); ++c) {
      const Stats s = statsOf(px + split.kept[c], split.reduced);
      batchMean[c] = s.mean;
      batchVar[c] = s.var;
      const double inv = 1.0 / std::sqrt(s.var + epsilon);
      for (int64_t o : split.reduced) {
        const int64_t at = split.kept[c] + o;
        py[at] = valueOf<T>((valueAt(px, at) - s.mean) * inv * scale[c] + bias[c]);
      }
    }
    return true;
  });
  if (!ok)
    return false;
  std::vector<double> runningMean(mean.size()), runningVar(var.size());
  for (size_t c = 0; c < mean.size(); ++c) {
    runningMean[c] = mean[c] * momentum + batchMean[c] * (1 - momentum);
    runningVar[c] = var[c] * momentum + batchVar[c] * (1 - momentum);
  }
  // Outputs 3 and 4 (before opset 14, saved_mean and saved_var) are the
  // batch's own statistics.
  const std::vector<double> *extra[] = {&runningMean, &runningVar, &batchMean, &batchVar};
  for (size_t i = 1; i < ctx.outputs.size() && i <= 4; ++i)
    ctx.outputs[i] = fromDoubles(ctx.in(3)->dtype, {channels}, *extra[i - 1]);
  return true;
}

/// Per sample and channel, over the spatial axes: Y = (X - mean) /
/// sqrt(var + epsilon) * scale[c] + B[c].
bool instanceNormalization(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() < 2)
    return ctx.fail("input must have shape (N, C, d1, ...), not " + shapeText(x->shape));
  const int64_t channels = x->shape[1];
  std::vector<double> scale, bias;
  if (!readParam(ctx, ctx.in(1), channels, scale, "scale") || !readParam(ctx, ctx.in(2), channels, bias, "B"))
    return false;
  const double epsilon = ctx.node.attrFloat("epsilon", 1e-5f);
  const AxisSplit split = splitAxes(x->shape, trailingAxes(x->rank(), 2)); // one lane per (n, c)
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (size_t k = 0; k < split.kept.size(); ++k) {
      const size_t c = k % static_cast<size_t>(channels);
      const Stats s = statsOf(px + split.kept[k], split.reduced);
      const double inv = 1.0 / std::sqrt(s.var + epsilon);
      for (int64_t o : split.reduced) {
        const int64_t at = split.kept[k] + o;
        py[at] = valueOf<T>((valueAt(px, at) - s.mean) * inv * scale[c] + bias[c]);
      }
    }
    return true;
  });
}

/// Local response normalisation across channels: each element divided by
/// (bias + alpha / size * the sum of squares over the `size` channels
/// around it) ^ beta.
bool lrn(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->rank() < 2)
    return ctx.fail("input must have shape (N, C, d1, ...), not " + shapeText(x->shape));
  if (!ctx.node.attr("size"))
    return ctx.fail("needs the size attribute");
  const int64_t size = ctx.node.attrInt("size", 1);
  if (size < 1)
    return ctx.fail("size must be positive, not " + std::to_string(size));
  const double alpha = ctx.node.attrFloat("alpha", 1e-4f), beta = ctx.node.attrFloat("beta", 0.75f),
               bias = ctx.node.attrFloat("bias", 1.0f);
  const int64_t channels = x->shape[1];
  const int64_t inner = elementCount(std::vector<int64_t>(x->shape.begin() + 2, x->shape.end()));
  const int64_t before = (size - 1) / 2, after = size - 1 - before; // floor and ceil of (size - 1) / 2
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (int64_t i = 0, n = x->numElements(); i < n; ++i) {
      const int64_t c = i / inner % channels, first = i - c * inner; // element i at channel 0
      double sq = 0;
      for (int64_t j = std::max<int64_t>(0, c - before); j <= std::min(channels - 1, c + after); ++j) {
        const double v = valueAt(px, first + j * inner);
        sq += v * v;
      }
      py[i] = valueOf<T>(valueAt(px, i) / std::pow(bias + alpha / static_cast<double>(size) * sq, beta));
    }
    return true;
  });
}

/// Over `axes` (default 0, 2, 3): Y = (X - mean) / (sqrt(var) + 1e-9), the
/// epsilon of ONNX's function body for the op.
bool meanVarianceNormalization(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  std::vector<bool> isReduced;
  if (!flagAxes(ctx, ctx.node.attrInts("axes", {0, 2, 3}), static_cast<int64_t>(x->rank()), isReduced))
    return false;
  const AxisSplit split = splitAxes(x->shape, isReduced);
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, x->shape);
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (int64_t base : split.kept) {
      const Stats s = statsOf(px + base, split.reduced);
      const double denom = std::sqrt(s.var) + 1e-9;
      for (int64_t o : split.reduced)
        py[base + o] = valueOf<T>((valueAt(px, base + o) - s.mean) / denom);
    }
    return true;
  });
}

} // namespace

void addNormalizationKernels(KernelTable &t) {
  t["Softmax"] = softmax(SoftmaxKind::Softmax);
  t["LogSoftmax"] = softmax(SoftmaxKind::LogSoftmax);
  t["Hardmax"] = softmax(SoftmaxKind::Hardmax);
  t["NegativeLogLikelihoodLoss"] = negativeLogLikelihoodLoss;
  t["SoftmaxCrossEntropyLoss"] = softmaxCrossEntropyLoss;
  t["LayerNormalization"] = layerNormalization;
  t["BatchNormalization"] = batchNormalization;
  t["InstanceNormalization"] = instanceNormalization;
  t["LRN"] = lrn;
  t["MeanVarianceNormalization"] = meanVarianceNormalization;
}

} // namespace softnpu::host
