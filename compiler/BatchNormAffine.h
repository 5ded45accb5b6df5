//===- BatchNormAffine.h - An inference BatchNormalization as x * s + t -*- C++ -*-===//
//
// An inference BatchNormalization is y = (x - mean) * s + beta per channel,
// with s = scale / sqrt(var + epsilon): per channel a factor s and a shift
// beta - mean * s. fpga-fold-batchnorm folds them into the product before
// (onnx-fold-batchnorm), onnx-to-fpga runs the ones left as a product and a
// sum on the multifunction units.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_BATCHNORMAFFINE_H
#define SOFTNPU_COMPILER_BATCHNORMAFFINE_H

#include "dialects/onnx/OnnxDialect.h"

#include <optional>
#include <vector>

namespace softnpu {

struct BatchNormAffine {
  std::vector<double> factor, shift; ///< per channel, in double (rounded once by the user)
};

/// The factor and shift of `bn` over `channels` channels, or nullopt when it
/// is not an inference normalisation (training mode, running statistics
/// read) or its parameters are not `channels` float32 constants.
std::optional<BatchNormAffine> batchNormAffine(onnx_d::BatchNormalizationOp bn, int64_t channels);

} // namespace softnpu

#endif
