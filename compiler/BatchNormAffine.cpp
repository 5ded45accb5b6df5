//===- BatchNormAffine.cpp - An inference BatchNormalization as x * s + t --===//
#include "compiler/BatchNormAffine.h"

#include "compiler/ConstantValues.h"

#include <cmath>

using namespace mlir;

namespace softnpu {
namespace {

/// The `n` float32 elements of a constant operand, or nullopt.
std::optional<std::vector<double>> floatsOf(Value v, int64_t n) {
  std::optional<FloatData> f = constantFloats(v);
  if (!f || static_cast<int64_t>(f->size()) != n)
    return std::nullopt;
  return std::vector<double>(f->values().begin(), f->values().end());
}

} // namespace

std::optional<BatchNormAffine> batchNormAffine(onnx_d::BatchNormalizationOp bn, int64_t channels) {
  auto unused = [](Value v) { return !v || v.use_empty(); };
  if (bn.getTrainingMode().value_or(0) != 0 || !unused(bn.getRunningMean()) || !unused(bn.getRunningVar()))
    return std::nullopt;
  auto scale = floatsOf(bn.getScale(), channels), beta = floatsOf(bn.getB(), channels),
       mean = floatsOf(bn.getInputMean(), channels), var = floatsOf(bn.getInputVar(), channels);
  if (!scale || !beta || !mean || !var)
    return std::nullopt;
  const double eps = bn.getEpsilon() ? bn.getEpsilon()->convertToDouble() : 1e-5;
  BatchNormAffine a;
  for (int64_t c = 0; c < channels; ++c) {
    const double s = (*scale)[c] / std::sqrt((*var)[c] + eps);
    a.factor.push_back(s);
    a.shift.push_back((*beta)[c] - (*mean)[c] * s);
  }
  return a;
}

} // namespace softnpu
