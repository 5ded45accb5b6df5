//===- ErrorStats.cpp - Error of a result against a reference: abs, rel, SNR ===//
#include "ErrorStats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace softnpu::tools {

void ErrorStats::add(const float *result, const float *ref, size_t n) {
  elements += n;
  for (size_t i = 0; i < n; ++i) {
    const double g = result[i], w = ref[i];
    if (!std::isfinite(g) || !std::isfinite(w)) {
      const bool same = (std::isnan(g) && std::isnan(w)) || (!std::isnan(g) && g == w);
      if (!same) {
        noise = INFINITY;
        maxAbs = INFINITY;
        maxRel = INFINITY;
      }
      continue;
    }
    ++finite;
    const double diff = std::fabs(g - w);
    signal += w * w;
    noise += diff * diff;
    maxAbs = std::max(maxAbs, diff);
    if (w != 0)
      maxRel = std::max(maxRel, diff / std::fabs(w));
    else if (diff > 0)
      maxRel = INFINITY;
  }
}

void ErrorStats::merge(const ErrorStats &o) {
  signal += o.signal;
  noise += o.noise;
  maxAbs = std::max(maxAbs, o.maxAbs);
  maxRel = std::max(maxRel, o.maxRel);
  elements += o.elements;
  finite += o.finite;
}

double ErrorStats::snrDb() const {
  if (noise == 0)
    return INFINITY;
  if (signal == 0 || std::isinf(noise))
    return -INFINITY;
  return 10.0 * std::log10(signal / noise);
}

double ErrorStats::refRms() const { return finite ? std::sqrt(signal / static_cast<double>(finite)) : 0.0; }

std::string dbText(double db) {
  if (std::isinf(db))
    return db > 0 ? "inf" : "-inf";
  if (std::isnan(db))
    return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", db);
  return buf;
}

} // namespace softnpu::tools
