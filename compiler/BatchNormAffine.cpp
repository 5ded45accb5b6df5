//===- BatchNormAffine.cpp - An inference BatchNormalization as x * s + t --===//
#include "compiler/BatchNormAffine.h"

#include "compiler/ConstantValues.h"

#include <cmath>

using namespace mlir;

namespace softnpu {

std::optional<BatchNormAffine> batchNormAffine(onnx_d::BatchNormalizationOp bn, int64_t channels) {
  auto unused = [](Value v) { return !v || v.use_empty(); };
  if (bn.getTrainingMode().value_or(0) != 0 || !unused(bn.getRunningMean()) || !unused(bn.getRunningVar()))
    return std::nullopt;
  auto scale = constantDoubles(bn.getScale(), channels), beta = constantDoubles(bn.getB(), channels),
       mean = constantDoubles(bn.getInputMean(), channels), var = constantDoubles(bn.getInputVar(), channels);
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
