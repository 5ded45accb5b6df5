//===- Compare.h - npu-run --compare: one output against a reference file -===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_COMPARE_H
#define SOFTNPU_TOOLS_NPU_RUN_COMPARE_H

#include "softnpu/api/Session.h"
#include "softnpu/io/TensorFile.h"

#include <string>

namespace softnpu::tools {

/// Checks |got - expected| <= atol + rtol * |expected| element-wise (NaN must
/// meet NaN, an infinity the same infinity) and prints
///   "output NAME: max abs err A, max rel err R, ok|FAIL (atol X, rtol Y), SNR S dB"
/// plus, on failure, a line with the first differing element. A shape or
/// size mismatch prints one FAIL line. Returns true when everything matches.
bool compareOutput(const std::string &name, const api::Tensor &got, const io::TensorData &want, double atol,
                   double rtol);

} // namespace softnpu::tools

#endif
