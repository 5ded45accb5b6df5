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
// what dequantize's ldexpf does with the same exact value. Blocks of 16 go
// through MsfpBlock16X86.h where the CPU has AVX-512, in fp32: the value
// float(q) * 2^(e+1-m) is the same single rounding of the same exact value.
//
//===----------------------------------------------------------------------===//
#include "MsfpBlock16X86.h"
#include "MsfpFusedDetail.h"

#include <algorithm>

namespace softnpu::numerics::detail {

namespace {

/// One block of `len` elements in place.
template <Rounding R> void roundBlock(float *x, size_t len, int m, int32_t maxQ) {
  int e;
  if (!msfpBlockExponent(x, len, e)) {
    std::fill(x, x + len, kNaN);
    return;
  }
  const double toSteps = pow2d(m - 1 - e);
  const double step = pow2d(e + 1 - m);
  for (size_t i = 0; i < len; ++i)
    x[i] = static_cast<float>(static_cast<double>(msfpSignificand<R>(x[i], toSteps, maxQ)) * step);
}

#if defined(SOFTNPU_MSFP16_X86)
/// One run of `len` elements in blocks of 16: whole blocks through
/// block16Significands, the rest (and the blocks it leaves) by roundBlock.
template <Rounding R> SOFTNPU_AVX512_FN void roundRun16(float *x, size_t len, int m, int32_t maxQ) {
  size_t b = 0;
  for (; b + 16 <= len; b += 16) {
    int e;
    __m512i q;
    if (block16Significands<R>(x + b, m, maxQ, e, q) && e + 1 - m >= -149)
      _mm512_storeu_ps(x + b, _mm512_mul_ps(_mm512_cvtepi32_ps(q), _mm512_set1_ps(pow2f(e + 1 - m))));
    else
      roundBlock<R>(x + b, 16, m, maxQ);
  }
  if (b < len)
    roundBlock<R>(x + b, len - b, m, maxQ);
}
#endif

template <Rounding R> void roundRuns(float *x, size_t n, const NumberFormat &fmt, size_t run, int32_t maxQ) {
  const size_t k = fmt.blockSize;
  const int m = static_cast<int>(fmt.mantissaBits);
#if defined(SOFTNPU_MSFP16_X86)
  if (k == 16 && haveAvx512ForMsfp16()) {
    for (size_t start = 0; start < n; start += run)
      roundRun16<R>(x + start, std::min(run, n - start), m, maxQ);
    return;
  }
#endif
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
  case Rounding::NearestEven:
    roundRuns<Rounding::NearestEven>(x, n, fmt, run, maxQ);
    break;
  case Rounding::NearestAway:
    roundRuns<Rounding::NearestAway>(x, n, fmt, run, maxQ);
    break;
  case Rounding::TowardZero:
    roundRuns<Rounding::TowardZero>(x, n, fmt, run, maxQ);
    break;
  }
  return true;
}

} // namespace softnpu::numerics::detail
