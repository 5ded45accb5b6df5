//===- MsfpBlock16X86.h - One MSFP block of 16 elements in AVX-512 -*- C++ -*-===//
//
// The fused MSFP rounding (MsfpFusedDetail.h: msfpBlockExponent, then
// msfpSignificand per element) for a whole block of exactly 16 elements in
// one AVX-512 register, used by roundTrip (RoundTripMsfp.cpp) and packRow
// (PackMsfp.cpp) for the weight matrices the compiler rounds and packs; its
// rounding step and CPU check also serve the simulator's batch quantizer
// (CompactInput.cpp) and quantizeInto (QuantizeMsfp.cpp).
//
// It computes in fp32 where the scalar path computes in double, with the
// same results: y = |x| * 2^(m - 1 - E) is exact as long as 2^(m - 1 - E)
// is a normal float (a power of two times a float; y < 2^m; a y below
// 2^-126 rounds to step 0 in every mode, as the exact one does), and
// roundSteps rounds y as msfpRoundSteps does. Blocks it cannot do that way
// (a NaN or infinity, or a scale outside the normal floats) are left to
// the scalar path: block16Significands returns false for them.
// tests/unit/numerics/RoundTripFastTest.cpp checks both users against the
// reference paths bit for bit.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_MSFPBLOCK16X86_H
#define SOFTNPU_LIB_NUMERICS_MSFPBLOCK16X86_H

#include "MsfpFusedDetail.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_MSFP16_X86 1
#include <immintrin.h>

#define SOFTNPU_AVX512_FN __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw")))

namespace softnpu::numerics::detail {

/// Whether this CPU runs the SOFTNPU_AVX512_FN functions.
inline bool haveAvx512ForMsfp16() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  return ok;
}

/// y (exact, >= 0) rounded to an integer step in mode R, as msfpRoundSteps
/// does it: ties to even by the hardware rounding, ties away as the integer
/// part plus 1 when the (exact) fraction is >= 0.5, toward zero truncated.
template <Rounding R> SOFTNPU_AVX512_FN inline __m512 roundSteps16(__m512 y) {
  if constexpr (R == Rounding::NearestEven) {
    return _mm512_roundscale_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  } else if constexpr (R == Rounding::TowardZero) {
    return _mm512_roundscale_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  } else {
    const __m512 t = _mm512_roundscale_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(y, t), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
    return _mm512_mask_add_ps(t, up, t, _mm512_set1_ps(1.0f));
  }
}

/// The signed significands of a block: x (as `bits`) times `scale` (a power
/// of two that makes every |x| x scale exact and at most 2^m, see
/// block16Significands), rounded to an integer step in mode R and saturated
/// to [-maxQ, maxQ], as msfpSignificand does it on |x| with x's sign after.
/// Ties to even and toward zero are symmetric: the float converts to the
/// signed integer in one instruction; ties away rounds |x| x scale.
template <Rounding R> SOFTNPU_AVX512_FN inline __m512i signedSteps16(__m512i bits, __m512 scale, int32_t maxQ) {
  if constexpr (R == Rounding::NearestEven || R == Rounding::TowardZero) {
    const __m512 y = _mm512_mul_ps(_mm512_castsi512_ps(bits), scale);
    const __m512i q = R == Rounding::NearestEven
                          ? _mm512_cvt_roundps_epi32(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
                          : _mm512_cvttps_epi32(y);
    return _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(maxQ)), _mm512_set1_epi32(-maxQ));
  } else {
    const __m512 y = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF))), scale);
    const __m512i steps = _mm512_min_epi32(_mm512_cvttps_epi32(roundSteps16<R>(y)), _mm512_set1_epi32(maxQ));
    return _mm512_mask_sub_epi32(steps, _mm512_movepi32_mask(bits), _mm512_setzero_si512(), steps); // x's sign
  }
}

/// The block x[0..16) of an m-bit MSFP format: its shared exponent `e` and
/// its signed significands `q` (msfpSignificand of each element); false,
/// with nothing set, for a block the scalar path must do.
template <Rounding R>
SOFTNPU_AVX512_FN inline bool block16Significands(const float *x, int m, int32_t maxQ, int &e, __m512i &q) {
  const __m512i bits = _mm512_castps_si512(_mm512_loadu_ps(x));
  const __m512i mag = _mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF));
  const uint32_t maxBits = _mm512_reduce_max_epu32(mag);
  if (maxBits >= 0x7F800000u)
    return false; // NaN or infinity
  if (maxBits == 0) {
    e = kMinExp;
    q = _mm512_setzero_si512();
    return true;
  }
  e = maxBits >= 0x00800000u ? static_cast<int>(maxBits >> 23) - 127 : kMinExp;
  const int shift = m - 1 - e;
  if (shift < -126 || shift > 127)
    return false;
  q = signedSteps16<R>(bits, _mm512_set1_ps(fromBits(static_cast<uint32_t>(shift + 127) << 23)), maxQ);
  return true;
}

/// The block values of a depthwise source (MsfpCompactBatch::values) are
/// bfloat16: the upper half of each float, which holds all of a value
/// with at most 8 significant bits. 16 of them as floats:
SOFTNPU_AVX512_FN inline __m512 loadBf16x16(const uint16_t *p) {
  return _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))), 16));
}
/// One block's floats as bfloat16 (their upper halves).
SOFTNPU_AVX512_FN inline void storeBf16x16(uint16_t *p, __m512 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(p),
                      _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(v), 16)));
}
/// Two blocks' floats as bfloat16, a then b, in one permute and one store.
SOFTNPU_AVX512_FN inline void storeBf16x32(uint16_t *p, __m512 a, __m512 b) {
  alignas(64) static const uint16_t kUpperHalves[32] = {1,  3,  5,  7,  9,  11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
                                                        33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63};
  _mm512_storeu_si512(
      p, _mm512_permutex2var_epi16(_mm512_castps_si512(a), _mm512_load_si512(kUpperHalves), _mm512_castps_si512(b)));
}

} // namespace softnpu::numerics::detail

#endif // x86-64 with GCC or Clang
#endif // SOFTNPU_LIB_NUMERICS_MSFPBLOCK16X86_H
