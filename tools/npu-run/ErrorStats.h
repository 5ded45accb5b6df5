//===- ErrorStats.h - Error of a result against a reference: abs, rel, SNR ===//
//
// Accumulates, over any number of (result, reference) element pairs, the
// largest absolute and relative error and the signal and noise energy that
// give the signal-to-noise ratio
//   SNR dB = 10 log10( sum ref^2 / sum (result - ref)^2 ).
// NaN meeting NaN and an infinity meeting the same infinity count as exact
// and stay out of the energies; any other pair involving NaN or an infinity
// makes the error infinite (SNR -inf). No noise at all gives SNR +inf (also
// for an all-zero reference); noise against an all-zero reference gives -inf.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_ERRORSTATS_H
#define SOFTNPU_TOOLS_NPU_RUN_ERRORSTATS_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace softnpu::tools {

struct ErrorStats {
  double signal = 0;     ///< sum of ref^2 over finite pairs
  double noise = 0;      ///< sum of (result - ref)^2; +inf after a non-finite mismatch
  double maxAbs = 0;     ///< largest |result - ref|
  double maxRel = 0;     ///< largest |result - ref| / |ref| (+inf when ref = 0 and they differ)
  uint64_t elements = 0; ///< pairs seen
  uint64_t finite = 0;   ///< pairs with both values finite

  void add(const float *result, const float *ref, size_t n);
  void merge(const ErrorStats &o);
  double snrDb() const;
  /// Root mean square of the finite reference values (0 when there are none).
  double refRms() const;
};

/// "inf", "-inf" or the value with two decimals ("38.25").
std::string dbText(double db);

} // namespace softnpu::tools

#endif
