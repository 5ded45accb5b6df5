//===- Compare.cpp - npu-run --compare: one output against a reference file ===//
#include "Compare.h"

#include "ErrorStats.h"
#include "TensorArgs.h"

#include <cmath>
#include <cstdio>

namespace softnpu::tools {

namespace {
bool withinTolerance(double g, double w, double atol, double rtol) {
  if (std::isnan(g) || std::isnan(w))
    return std::isnan(g) && std::isnan(w);
  if (std::isinf(g) || std::isinf(w))
    return g == w;
  return std::fabs(g - w) <= atol + rtol * std::fabs(w);
}
} // namespace

bool compareOutput(const std::string &name, const api::Tensor &got, const io::TensorData &want, double atol,
                   double rtol) {
  if (want.data.size() != got.data.size() ||
      (want.shape != got.shape && !(want.shape.empty() && got.data.size() == 1))) {
    std::printf("output %s: shape %s, reference shape %s, FAIL\n", name.c_str(), shapeText(got.shape).c_str(),
                shapeText(want.shape).c_str());
    return false;
  }
  ErrorStats stats;
  stats.add(got.data.data(), want.data.data(), got.data.size());
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got.data.size(); ++i)
    if (!withinTolerance(got.data[i], want.data[i], atol, rtol) && mismatches++ == 0)
      first = i;
  std::printf("output %s: max abs err %.3g, max rel err %.3g, %s (atol %g, rtol %g), SNR %s dB\n", name.c_str(),
              stats.maxAbs, stats.maxRel, mismatches ? "FAIL" : "ok", atol, rtol, dbText(stats.snrDb()).c_str());
  if (mismatches)
    std::printf("  %zu of %zu elements differ; first at index %zu: got %.9g, expected %.9g\n", mismatches,
                got.data.size(), first, static_cast<double>(got.data[first]), static_cast<double>(want.data[first]));
  return mismatches == 0;
}

} // namespace softnpu::tools
