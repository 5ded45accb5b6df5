//===- QuantizeMsfp.cpp - quantizeInto's fused path for MSFP formats ------===//
//
// quantizeInto of a SignMagnitude (MSFP-style) block format in one pass per
// block (the simulator quantizes every mv_mul input this way): the shared
// exponent from the largest magnitude (msfpBlockExponent) and each element
// rounded to its step (msfpSignificand), the rules quantizeBlock applies
// (Quantize.cpp), without its per-element-type setup and its second pass.
// tests/unit/numerics/RoundTripFastTest.cpp checks it against
// quantizeIntoReference bit for bit over random data, special values, every
// MSFP format and rounding mode.
//
//===----------------------------------------------------------------------===//
#include "MsfpBlock16X86.h"
#include "MsfpFusedDetail.h"

#include <algorithm>

namespace softnpu::numerics::detail {

namespace {

template <Rounding R>
__attribute__((always_inline)) inline void quantizeBlocks(const float *x, size_t n, int m, int32_t maxQ,
                                                          BfpVector &out) {
  const size_t k = out.format.blockSize;
  for (size_t b = 0, start = 0; start < n; ++b, start += k) {
    const size_t len = std::min(k, n - start);
    int16_t *sig = out.significands.data() + start;
    int e;
    if (!msfpBlockExponent(x + start, len, e)) { // NaN or infinity: the whole block is NaN
      out.nanBlocks[b] = 1;
      out.scales[b] = static_cast<int16_t>(kMinExp);
      std::fill(sig, sig + k, int16_t{0});
      continue;
    }
    out.nanBlocks[b] = 0;
    out.scales[b] = static_cast<int16_t>(e);
    const double toSteps = pow2d(m - 1 - e);
    for (size_t i = 0; i < len; ++i)
      sig[i] = static_cast<int16_t>(msfpSignificand<R>(x[start + i], toSteps, maxQ));
    std::fill(sig + len, sig + k, int16_t{0}); // a short last block's padding
  }
}

/// The same loops compiled for AVX2 (the compiler vectorises them wider;
/// the arithmetic is the same, so are the results), run after a CPU check
/// as the other x86 kernels are (a quarter less time per mv_mul input).
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
template <Rounding R>
__attribute__((target("avx2"))) void quantizeBlocksAvx2(const float *x, size_t n, int m, int32_t maxQ, BfpVector &out) {
  quantizeBlocks<R>(x, n, m, maxQ, out);
}
/// And for AVX-512 (eight doubles a step), where the CPU has it.
template <Rounding R>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))) void quantizeBlocksAvx512(const float *x, size_t n, int m,
                                                                                        int32_t maxQ, BfpVector &out) {
  quantizeBlocks<R>(x, n, m, maxQ, out);
}
bool avx2() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}
#endif

template <Rounding R> void quantizeAll(const float *x, size_t n, int m, int32_t maxQ, BfpVector &out) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (haveAvx512ForMsfp16())
    return quantizeBlocksAvx512<R>(x, n, m, maxQ, out);
  if (avx2())
    return quantizeBlocksAvx2<R>(x, n, m, maxQ, out);
#endif
  quantizeBlocks<R>(x, n, m, maxQ, out);
}

} // namespace

bool quantizeMsfpFused(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out) {
  if (!isValidBlock(fmt) || fmt.element != Element::SignMagnitude)
    return false;
  const ElementInfo info = elementInfo(fmt);
  const size_t blocks = numBlocks(n, fmt.blockSize);
  out.format = fmt;
  out.scales.resize(blocks);
  out.nanBlocks.resize(blocks);
  out.significands.resize(blocks * fmt.blockSize);
  out.exponents.assign(blocks * fmt.blockSize, static_cast<int8_t>(info.lsbExp)); // every MSFP element's
  const int m = static_cast<int>(fmt.mantissaBits);
  switch (rounding) {
  case Rounding::NearestEven:
    quantizeAll<Rounding::NearestEven>(x, n, m, info.maxSig, out);
    break;
  case Rounding::NearestAway:
    quantizeAll<Rounding::NearestAway>(x, n, m, info.maxSig, out);
    break;
  case Rounding::TowardZero:
    quantizeAll<Rounding::TowardZero>(x, n, m, info.maxSig, out);
    break;
  }
  return true;
}

} // namespace softnpu::numerics::detail
