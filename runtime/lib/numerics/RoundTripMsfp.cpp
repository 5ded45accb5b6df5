//===- RoundTripMsfp.cpp - roundTrip's fused path for MSFP formats --------===//
//
// roundTrip of a SignMagnitude (MSFP-style) block format without building a
// BfpVector: per block the shared exponent from the largest magnitude, then
// each element rounded to its step and multiplied back, in one pass over the
// row (the compiler rounds every constant weight matrix this way). It does
// exactly what quantizeInto + dequantize do (Quantize.cpp), element for
// element; tests/unit/numerics/RoundTripFastTest.cpp proves it bit for bit
// against the reference path over random data, special values, every MSFP
// format and rounding mode.
//
// Why the arithmetic matches: |x| * 2^(m-1-e) is an exact double and is
// rounded by the same roundSteps rule; the value q * 2^(e+1-m) is an exact
// double, so converting it to float rounds once to nearest even, which is
// what dequantize's ldexpf does with the same exact value.
//
//===----------------------------------------------------------------------===//
#include "RoundTripDetail.h"

#include <algorithm>

namespace softnpu::numerics::detail {

namespace {

template <Rounding R>
inline int32_t roundStepsFused(double y) {
  if constexpr (R == Rounding::NearestEven)
    return static_cast<int32_t>((y + 0x1p52) - 0x1p52);
  else if constexpr (R == Rounding::NearestAway)
    return static_cast<int32_t>(y + 0.5);
  else
    return static_cast<int32_t>(y);
}

/// One block of `len` elements in place.
template <Rounding R>
void roundBlock(float *x, size_t len, int m, int32_t maxQ) {
  uint32_t maxBits = 0;
  bool nan = false;
  for (size_t i = 0; i < len; ++i) {
    uint32_t b;
    std::memcpy(&b, &x[i], sizeof b);
    b &= 0x7FFFFFFFu;
    nan |= b >= 0x7F800000u;
    maxBits = std::max(maxBits, b);
  }
  if (nan) {
    std::fill(x, x + len, kNaN);
    return;
  }
  int e = kMinExp;
  if (maxBits) {
    const int log2 = maxBits >= 0x00800000u ? static_cast<int>(maxBits >> 23) - 127
                                            : 31 - __builtin_clz(maxBits) - 149;
    e = std::clamp(log2, kMinExp, kMaxExp);
  }
  const double toSteps = pow2d(m - 1 - e);
  const double step = pow2d(e + 1 - m);
  for (size_t i = 0; i < len; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    const double y = static_cast<double>(fromBits(bits & 0x7FFFFFFFu)) * toSteps;
    const int32_t q = std::min(roundStepsFused<R>(y), maxQ);
    const int32_t sig = bits >> 31 ? -q : q;
    x[i] = static_cast<float>(static_cast<double>(sig) * step);
  }
}

template <Rounding R>
void roundRuns(float *x, size_t n, const NumberFormat &fmt, size_t run, int32_t maxQ) {
  const size_t k = fmt.blockSize;
  const int m = static_cast<int>(fmt.mantissaBits);
  for (size_t start = 0; start < n; start += run) {
    const size_t len = std::min(run, n - start);
    for (size_t b = 0; b < len; b += k)
      roundBlock<R>(x + start + b, std::min(k, len - b), m, maxQ);
  }
}

} // namespace

bool roundTripMsfpFused(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength) {
  if (!isValidBlock(fmt) || fmt.element != Element::SignMagnitude)
    return false;
  const int32_t maxQ = elementInfo(fmt).maxSig;
  const size_t run = vectorLength ? vectorLength : n;
  switch (rounding) {
  case Rounding::NearestEven: roundRuns<Rounding::NearestEven>(x, n, fmt, run, maxQ); break;
  case Rounding::NearestAway: roundRuns<Rounding::NearestAway>(x, n, fmt, run, maxQ); break;
  case Rounding::TowardZero: roundRuns<Rounding::TowardZero>(x, n, fmt, run, maxQ); break;
  }
  return true;
}

} // namespace softnpu::numerics::detail
