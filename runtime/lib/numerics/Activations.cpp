//===- Activations.cpp - The MFU's tanh and sigmoid, bit for bit ----------===//
//
// glibc 2.36's tanhf (with its expm1f) and expf, transcribed with the same
// operation order (Activations.h says why): a portable scalar version, an
// AVX2 + FMA version that computes every branch for 8 lanes and blends, and
// its AVX-512 twin for 16 lanes (the same operations, blending by masks).
// Compiled with -ffp-contract=off (as all of runtime/ is): a multiply-add is
// fused (std::fma / _mm256_fmadd_pd) exactly where glibc's FMA build of expf
// fuses it, and nowhere else.
// tests/unit/numerics/ActivationsExhaustiveTest.cpp checks every version
// the CPU runs against the host libm over all 2^32 inputs.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Activations.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_ACT_X86 1
#include <immintrin.h>
#endif

namespace softnpu::numerics {

namespace {

uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
float floatOf(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// --- expm1f (sysdeps/ieee754/flt-32/s_expm1f.c), fp32 throughout ----------
// The constants as glibc's libm holds them (fdlibm's decimal literals).
constexpr float kHuge = 0x1.93e594p+99f, kTiny = 0x1.4484cp-100f; // 1e30, 1e-30
constexpr float kLn2Hi = 0x1.62e3p-1f, kLn2Lo = 0x1.2fefa2p-17f, kInvLn2 = 0x1.715476p+0f;
constexpr float kQ1 = -0x1.111112p-5f, kQ2 = 0x1.a01a02p-10f, kQ3 = -0x1.4ce19ap-14f, kQ4 = 0x1.0cfca8p-18f,
                kQ5 = -0x1.afdb76p-23f;

/// expm1f for the arguments tanhf passes: finite, |x| < 88.72 (the
/// overflow branch is left out).
float expm1Scalar(float x) {
  uint32_t hx = bitsOf(x);
  const bool neg = (hx & 0x80000000u) != 0;
  hx &= 0x7fffffffu;
  if (hx >= 0x4195b844u && neg) // x < -27 ln2: -1 (with inexact)
    return kTiny - 1.0f;
  float hi, lo, c = 0.0f;
  int32_t k;
  if (hx > 0x3eb17218u) { // |x| > ln2 / 2
    if (hx < 0x3F851592u) {
      hi = neg ? x + kLn2Hi : x - kLn2Hi;
      lo = neg ? -kLn2Lo : kLn2Lo;
      k = neg ? -1 : 1;
    } else {
      k = static_cast<int32_t>(kInvLn2 * x + (neg ? -0.5f : 0.5f));
      const float t = static_cast<float>(k);
      hi = x - t * kLn2Hi;
      lo = t * kLn2Lo;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x33000000u) { // |x| < 2^-25: x
    const float t = kHuge + x;
    return x - (t - kHuge);
  } else {
    k = 0;
  }
  const float hfx = 0.5f * x;
  const float hxs = x * hfx;
  const float r1 = 1.0f + hxs * (kQ1 + hxs * (kQ2 + hxs * (kQ3 + hxs * (kQ4 + hxs * kQ5))));
  float t = 3.0f - r1 * hfx;
  float e = hxs * ((r1 - t) / (6.0f - x * t));
  if (k == 0)
    return x - (x * e - hxs);
  e = (x * (e - c) - c);
  e -= hxs;
  if (k == -1)
    return 0.5f * (x - e) - 0.5f;
  if (k == 1)
    return x < -0.25f ? -2.0f * (e - (x + 0.5f)) : 1.0f + 2.0f * (x - e);
  float y;
  if (k <= -2 || k > 56) { // exp(x) - 1 is exp(x) or -1 to fp32 precision
    y = 1.0f - (e - x);
    y = floatOf(bitsOf(y) + (static_cast<uint32_t>(k) << 23));
    return y - 1.0f;
  }
  if (k < 23) {
    t = floatOf(0x3f800000u - (0x1000000u >> k)); // 1 - 2^-k
    y = t - (e - x);
  } else {
    t = floatOf(static_cast<uint32_t>(0x7f - k) << 23); // 2^-k
    y = x - (e + t);
    y += 1.0f;
  }
  return floatOf(bitsOf(y) + (static_cast<uint32_t>(k) << 23));
}

// --- expf (sysdeps/ieee754/flt-32/e_expf.c, e_exp2f_data.c), FMA build -----
constexpr double kInvLn2N = 0x1.71547652b82fep+5; // 32 / ln 2
constexpr double kShift = 0x1.8p+52;
constexpr double kC0 = 0x1.c6af84b912394p-20, kC1 = 0x1.ebfce50fac4f3p-13, kC2 = 0x1.62e42ff0c52d6p-6;
/// 2^(i/32) with i << 47 subtracted from the bits (the exponent is added back).
constexpr uint64_t kExp2Table[32] = {0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
                                     0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
                                     0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
                                     0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
                                     0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
                                     0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
                                     0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
                                     0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540};
constexpr float kExpOverflow = 0x1.62e42ep6f;      // above: +inf
constexpr float kExpUnderflow = -0x1.9fe368p6f;    // below: +0
constexpr float kExpMayUnderflow = -0x1.9d1d9ep6f; // below: 0x1.4p-75f^2 = 2^-149
constexpr float kExpMayUnderflowValue = 0x1p-149f;

} // namespace

float expScalar(float x) {
  const uint32_t abstop = (bitsOf(x) >> 20) & 0x7ff;
  if (abstop >= 0x42b) { // |x| >= 88 or NaN
    if (bitsOf(x) == 0xff800000u)
      return 0.0f;
    if (abstop >= 0x7f8)
      return x + x;
    if (x > kExpOverflow)
      return INFINITY;
    if (x < kExpUnderflow)
      return 0.0f;
    if (x < kExpMayUnderflow)
      return kExpMayUnderflowValue;
  }
  const double xd = x;
  double kd = std::fma(kInvLn2N, xd, kShift);
  uint64_t ki;
  std::memcpy(&ki, &kd, sizeof ki);
  kd -= kShift;
  const double r = std::fma(kInvLn2N, xd, -kd);
  const uint64_t t = kExp2Table[ki % 32] + (ki << 47);
  double s;
  std::memcpy(&s, &t, sizeof s);
  const double z = std::fma(kC0, r, kC1);
  const double r2 = r * r;
  double y = std::fma(kC2, r, 1.0);
  y = std::fma(z, r2, y);
  return static_cast<float>(y * s);
}

float sigmoidScalar(float x) { return 1.0f / (1.0f + expScalar(-x)); }

float tanhScalar(float x) {
  const uint32_t jx = bitsOf(x), ix = jx & 0x7fffffffu;
  if (ix >= 0x7f800000u) // +-inf: +-1; NaN: NaN
    return (jx & 0x80000000u) ? 1.0f / x - 1.0f : 1.0f / x + 1.0f;
  float z;
  if (ix < 0x41b00000u) { // |x| < 22
    if (ix == 0)
      return x;
    if (ix < 0x24000000u) // |x| < 2^-55
      return x * (1.0f + x);
    if (ix >= 0x3f800000u) { // |x| >= 1
      const float t = expm1Scalar(2.0f * std::fabs(x));
      z = 1.0f - 2.0f / (t + 2.0f);
    } else {
      const float t = expm1Scalar(-2.0f * std::fabs(x));
      z = -t / (t + 2.0f);
    }
  } else {
    z = 1.0f - kTiny;
  }
  return (jx & 0x80000000u) ? -z : z;
}

namespace detail {
void tanhLanesPortable(float *x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    x[i] = tanhScalar(x[i]);
}
void sigmoidLanesPortable(float *x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    x[i] = sigmoidScalar(x[i]);
}
} // namespace detail

#ifdef SOFTNPU_ACT_X86
namespace {

#define SOFTNPU_AVX2 __attribute__((target("avx2,fma"), always_inline)) inline

SOFTNPU_AVX2 __m256 splat(float v) { return _mm256_set1_ps(v); }
SOFTNPU_AVX2 __m256i splatI(uint32_t v) { return _mm256_set1_epi32(static_cast<int32_t>(v)); }
SOFTNPU_AVX2 __m256 pick(__m256 mask, __m256 yes, __m256 no) { return _mm256_blendv_ps(no, yes, mask); }
SOFTNPU_AVX2 __m256 pickI(__m256i mask, __m256 yes, __m256 no) {
  return _mm256_blendv_ps(no, yes, _mm256_castsi256_ps(mask));
}
/// a > b on unsigned 31-bit values (sign bits clear), lane-wise.
SOFTNPU_AVX2 __m256i above(__m256i a, uint32_t b) { return _mm256_cmpgt_epi32(a, splatI(b)); }
/// y with k added to its exponent field (SET_FLOAT_WORD(y, i + (k << 23))).
SOFTNPU_AVX2 __m256 addExponent(__m256 y, __m256i k) {
  return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(y), _mm256_slli_epi32(k, 23)));
}

/// expm1Scalar for a in [-2, -2^-54] or [2, 44), what tanhf passes for
/// |x| in [2^-55, 22): k is 0, -1, -2, -3 (a < 0) or 3..63 (a > 0).
SOFTNPU_AVX2 __m256 expm1Tanh(__m256 a) {
  const __m256 one = splat(1.0f), half = splat(0.5f);
  const __m256i ha = _mm256_and_si256(_mm256_castps_si256(a), splatI(0x7fffffffu));
  const __m256 neg = _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 signedHalf = _mm256_or_ps(half, _mm256_and_ps(neg, splat(-0.0f)));
  __m256i k = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(splat(kInvLn2), a), signedHalf));
  const __m256i kOne = _mm256_blendv_epi8(splatI(1), splatI(0xffffffffu), _mm256_castps_si256(neg));
  const __m256i reduced = above(ha, 0x3eb17218u), small = _mm256_cmpgt_epi32(splatI(0x3F851592u), ha);
  k = _mm256_blendv_epi8(k, kOne, small); // ln2/2 < |a| < 1.5 ln2: k = +-1
  k = _mm256_and_si256(k, reduced);       // |a| <= ln2/2: k = 0
  const __m256 t = _mm256_cvtepi32_ps(k); // k = 0, +-1 give glibc's hi, lo too
  const __m256 hi = _mm256_sub_ps(a, _mm256_mul_ps(t, splat(kLn2Hi)));
  const __m256 lo = _mm256_mul_ps(t, splat(kLn2Lo));
  const __m256 x = _mm256_sub_ps(hi, lo);
  const __m256 c = _mm256_sub_ps(_mm256_sub_ps(hi, x), lo);

  const __m256 hfx = _mm256_mul_ps(half, x);
  const __m256 hxs = _mm256_mul_ps(x, hfx);
  __m256 r1 = _mm256_add_ps(splat(kQ4), _mm256_mul_ps(hxs, splat(kQ5)));
  r1 = _mm256_add_ps(splat(kQ3), _mm256_mul_ps(hxs, r1));
  r1 = _mm256_add_ps(splat(kQ2), _mm256_mul_ps(hxs, r1));
  r1 = _mm256_add_ps(splat(kQ1), _mm256_mul_ps(hxs, r1));
  r1 = _mm256_add_ps(one, _mm256_mul_ps(hxs, r1));
  const __m256 t3 = _mm256_sub_ps(splat(3.0f), _mm256_mul_ps(r1, hfx));
  __m256 e = _mm256_mul_ps(hxs, _mm256_div_ps(_mm256_sub_ps(r1, t3), _mm256_sub_ps(splat(6.0f), _mm256_mul_ps(x, t3))));
  e = _mm256_sub_ps(_mm256_sub_ps(_mm256_mul_ps(x, _mm256_sub_ps(e, c)), c), hxs); // k = 0: c = 0, same value
  const __m256 xme = _mm256_sub_ps(x, e), emx = _mm256_sub_ps(e, x);

  const __m256 r0 = xme;
  const __m256 rm1 = _mm256_sub_ps(_mm256_mul_ps(half, xme), half);
  const __m256 rBig = _mm256_sub_ps(addExponent(_mm256_sub_ps(one, emx), k), one); // k <= -2 or k > 56
  const __m256i kCount = _mm256_and_si256(k, splatI(31));
  const __m256 oneMinus2k =
      _mm256_castsi256_ps(_mm256_sub_epi32(splatI(0x3f800000u), _mm256_srlv_epi32(splatI(0x1000000u), kCount)));
  const __m256 rMid = addExponent(_mm256_sub_ps(oneMinus2k, emx), k); // 2 <= k < 23
  const __m256 twoMinusK = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_sub_epi32(splatI(0x7f), k), 23));
  const __m256 rHigh = addExponent(_mm256_add_ps(_mm256_sub_ps(x, _mm256_add_ps(e, twoMinusK)), one), k); // 23..56
  const __m256 rTiny = _mm256_sub_ps(a, _mm256_sub_ps(_mm256_add_ps(splat(kHuge), a), splat(kHuge)));

  __m256 r = pickI(_mm256_cmpgt_epi32(k, splatI(22)), rHigh, rMid);
  r = pickI(_mm256_or_si256(_mm256_cmpgt_epi32(k, splatI(56)), _mm256_cmpgt_epi32(splatI(0xffffffffu), k)), rBig, r);
  r = pickI(_mm256_cmpeq_epi32(k, splatI(0xffffffffu)), rm1, r);
  r = pickI(_mm256_cmpeq_epi32(k, _mm256_setzero_si256()), r0, r);
  return pickI(_mm256_cmpgt_epi32(splatI(0x33000000u), ha), rTiny, r);
}

SOFTNPU_AVX2 __m256 tanh8(__m256 v) {
  const __m256 one = splat(1.0f), two = splat(2.0f), signBit = splat(-0.0f);
  const __m256i ix = _mm256_and_si256(_mm256_castps_si256(v), splatI(0x7fffffffu));
  const __m256 ax = _mm256_andnot_ps(signBit, v);
  const __m256i big = above(ix, 0x3f7fffffu); // |x| >= 1
  const __m256 a = pickI(big, _mm256_add_ps(ax, ax), _mm256_mul_ps(splat(-2.0f), ax));
  const __m256 t = expm1Tanh(a);
  const __m256 tp2 = _mm256_add_ps(t, two);
  __m256 z = pickI(big, _mm256_sub_ps(one, _mm256_div_ps(two, tp2)), _mm256_div_ps(_mm256_xor_ps(t, signBit), tp2));
  z = pickI(above(ix, 0x41afffffu), splat(1.0f - kTiny), z); // |x| >= 22 (and inf): 1
  z = _mm256_or_ps(z, _mm256_and_ps(v, signBit));            // z >= 0 here: -z is z with v's sign
  z = pickI(_mm256_cmpgt_epi32(splatI(0x24000000u), ix), _mm256_mul_ps(v, _mm256_add_ps(one, v)), z); // tiny, 0
  return pick(_mm256_cmp_ps(v, v, _CMP_UNORD_Q), _mm256_add_ps(v, v), z); // NaN: quieted x, as 1/x + 1
}

/// expScalar on 4 doubles converted from floats.
SOFTNPU_AVX2 __m256d exp4(__m256d xd) {
  const __m256d shift = _mm256_set1_pd(kShift), invLn2N = _mm256_set1_pd(kInvLn2N);
  __m256d kd = _mm256_fmadd_pd(invLn2N, xd, shift);
  const __m256i ki = _mm256_castpd_si256(kd);
  kd = _mm256_sub_pd(kd, shift);
  const __m256d r = _mm256_fmsub_pd(invLn2N, xd, kd);
  const __m256i idx = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
  const __m256i tab = _mm256_i64gather_epi64(reinterpret_cast<const long long *>(kExp2Table), idx, 8);
  const __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(tab, _mm256_slli_epi64(ki, 47)));
  const __m256d z = _mm256_fmadd_pd(_mm256_set1_pd(kC0), r, _mm256_set1_pd(kC1));
  const __m256d r2 = _mm256_mul_pd(r, r);
  __m256d y = _mm256_fmadd_pd(_mm256_set1_pd(kC2), r, _mm256_set1_pd(1.0));
  y = _mm256_fmadd_pd(z, r2, y);
  return _mm256_mul_pd(y, s);
}

SOFTNPU_AVX2 __m256 sigmoid8(__m256 v) {
  const __m256 x = _mm256_xor_ps(v, splat(-0.0f)); // expf(-v)
  const __m128 lo = _mm256_cvtpd_ps(exp4(_mm256_cvtps_pd(_mm256_castps256_ps128(x))));
  const __m128 hi = _mm256_cvtpd_ps(exp4(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
  __m256 e = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
  e = pick(_mm256_cmp_ps(x, splat(kExpMayUnderflow), _CMP_LT_OQ), splat(kExpMayUnderflowValue), e);
  e = pick(_mm256_cmp_ps(x, splat(kExpUnderflow), _CMP_LT_OQ), _mm256_setzero_ps(), e);
  e = pick(_mm256_cmp_ps(x, splat(kExpOverflow), _CMP_GT_OQ), splat(INFINITY), e);
  e = pick(_mm256_cmp_ps(x, x, _CMP_UNORD_Q), _mm256_add_ps(x, x), e);
  const __m256 one = splat(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

template <__m256 (*F)(__m256)> __attribute__((target("avx2,fma"))) void lanesAvx2(float *x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(x + i, F(_mm256_loadu_ps(x + i)));
  if (i < n) { // the tail through a padded copy
    alignas(32) float tail[8] = {};
    std::memcpy(tail, x + i, (n - i) * sizeof(float));
    _mm256_store_ps(tail, F(_mm256_load_ps(tail)));
    std::memcpy(x + i, tail, (n - i) * sizeof(float));
  }
}

#define SOFTNPU_AVX512 __attribute__((target("avx512f,avx512dq"), always_inline)) inline

// The same operations as tanh8 / sigmoid8 on 16 lanes: each AVX2 step has
// its AVX-512 twin (blends by compare masks instead of mask vectors), so
// every lane gets the same bits.
SOFTNPU_AVX512 __m512 splat16(float v) { return _mm512_set1_ps(v); }
SOFTNPU_AVX512 __m512i splatI16(uint32_t v) { return _mm512_set1_epi32(static_cast<int32_t>(v)); }
/// a > b on unsigned 31-bit values (sign bits clear), lane-wise.
SOFTNPU_AVX512 __mmask16 above16(__m512i a, uint32_t b) { return _mm512_cmpgt_epi32_mask(a, splatI16(b)); }
SOFTNPU_AVX512 __m512 addExponent16(__m512 y, __m512i k) {
  return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(y), _mm512_slli_epi32(k, 23)));
}
SOFTNPU_AVX512 __m512 orPs(__m512 a, __m512 b) {
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}
SOFTNPU_AVX512 __m512 andPs(__m512 a, __m512 b) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}
SOFTNPU_AVX512 __m512 xorPs(__m512 a, __m512 b) {
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_castps_si512(b)));
}

/// expm1Tanh on 16 lanes.
SOFTNPU_AVX512 __m512 expm1Tanh16(__m512 a) {
  const __m512 one = splat16(1.0f), half = splat16(0.5f);
  const __m512i ha = _mm512_and_si512(_mm512_castps_si512(a), splatI16(0x7fffffffu));
  const __mmask16 neg = _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_LT_OQ);
  const __m512 signedHalf = _mm512_mask_blend_ps(neg, half, splat16(-0.5f));
  __m512i k = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(splat16(kInvLn2), a), signedHalf));
  const __m512i kOne = _mm512_mask_blend_epi32(neg, splatI16(1), splatI16(0xffffffffu));
  const __mmask16 reduced = above16(ha, 0x3eb17218u), small = _mm512_cmpgt_epi32_mask(splatI16(0x3F851592u), ha);
  k = _mm512_mask_blend_epi32(small, k, kOne); // ln2/2 < |a| < 1.5 ln2: k = +-1
  k = _mm512_maskz_mov_epi32(reduced, k);      // |a| <= ln2/2: k = 0
  const __m512 t = _mm512_cvtepi32_ps(k);
  const __m512 hi = _mm512_sub_ps(a, _mm512_mul_ps(t, splat16(kLn2Hi)));
  const __m512 lo = _mm512_mul_ps(t, splat16(kLn2Lo));
  const __m512 x = _mm512_sub_ps(hi, lo);
  const __m512 c = _mm512_sub_ps(_mm512_sub_ps(hi, x), lo);

  const __m512 hfx = _mm512_mul_ps(half, x);
  const __m512 hxs = _mm512_mul_ps(x, hfx);
  __m512 r1 = _mm512_add_ps(splat16(kQ4), _mm512_mul_ps(hxs, splat16(kQ5)));
  r1 = _mm512_add_ps(splat16(kQ3), _mm512_mul_ps(hxs, r1));
  r1 = _mm512_add_ps(splat16(kQ2), _mm512_mul_ps(hxs, r1));
  r1 = _mm512_add_ps(splat16(kQ1), _mm512_mul_ps(hxs, r1));
  r1 = _mm512_add_ps(one, _mm512_mul_ps(hxs, r1));
  const __m512 t3 = _mm512_sub_ps(splat16(3.0f), _mm512_mul_ps(r1, hfx));
  __m512 e =
      _mm512_mul_ps(hxs, _mm512_div_ps(_mm512_sub_ps(r1, t3), _mm512_sub_ps(splat16(6.0f), _mm512_mul_ps(x, t3))));
  e = _mm512_sub_ps(_mm512_sub_ps(_mm512_mul_ps(x, _mm512_sub_ps(e, c)), c), hxs);
  const __m512 xme = _mm512_sub_ps(x, e), emx = _mm512_sub_ps(e, x);

  const __m512 r0 = xme;
  const __m512 rm1 = _mm512_sub_ps(_mm512_mul_ps(half, xme), half);
  const __m512 rBig = _mm512_sub_ps(addExponent16(_mm512_sub_ps(one, emx), k), one);
  const __m512i kCount = _mm512_and_si512(k, splatI16(31));
  const __m512 oneMinus2k =
      _mm512_castsi512_ps(_mm512_sub_epi32(splatI16(0x3f800000u), _mm512_srlv_epi32(splatI16(0x1000000u), kCount)));
  const __m512 rMid = addExponent16(_mm512_sub_ps(oneMinus2k, emx), k);
  const __m512 twoMinusK = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_sub_epi32(splatI16(0x7f), k), 23));
  const __m512 rHigh = addExponent16(_mm512_add_ps(_mm512_sub_ps(x, _mm512_add_ps(e, twoMinusK)), one), k);
  const __m512 rTiny = _mm512_sub_ps(a, _mm512_sub_ps(_mm512_add_ps(splat16(kHuge), a), splat16(kHuge)));

  __m512 r = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(k, splatI16(22)), rMid, rHigh);
  r = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(k, splatI16(56)) | _mm512_cmpgt_epi32_mask(splatI16(0xffffffffu), k),
                           r, rBig);
  r = _mm512_mask_blend_ps(_mm512_cmpeq_epi32_mask(k, splatI16(0xffffffffu)), r, rm1);
  r = _mm512_mask_blend_ps(_mm512_cmpeq_epi32_mask(k, _mm512_setzero_si512()), r, r0);
  return _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(splatI16(0x33000000u), ha), r, rTiny);
}

SOFTNPU_AVX512 __m512 tanh16(__m512 v) {
  const __m512 one = splat16(1.0f), two = splat16(2.0f), signBit = splat16(-0.0f);
  const __m512i ix = _mm512_and_si512(_mm512_castps_si512(v), splatI16(0x7fffffffu));
  const __m512 ax = _mm512_castsi512_ps(ix);
  const __mmask16 big = above16(ix, 0x3f7fffffu); // |x| >= 1
  const __m512 a = _mm512_mask_blend_ps(big, _mm512_mul_ps(splat16(-2.0f), ax), _mm512_add_ps(ax, ax));
  const __m512 t = expm1Tanh16(a);
  const __m512 tp2 = _mm512_add_ps(t, two);
  __m512 z =
      _mm512_mask_blend_ps(big, _mm512_div_ps(xorPs(t, signBit), tp2), _mm512_sub_ps(one, _mm512_div_ps(two, tp2)));
  z = _mm512_mask_blend_ps(above16(ix, 0x41afffffu), z, splat16(1.0f - kTiny));
  z = orPs(z, andPs(v, signBit));
  z = _mm512_mask_blend_ps(_mm512_cmpgt_epi32_mask(splatI16(0x24000000u), ix), z,
                           _mm512_mul_ps(v, _mm512_add_ps(one, v)));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), z, _mm512_add_ps(v, v));
}

/// exp4 on 8 doubles.
SOFTNPU_AVX512 __m512d exp8(__m512d xd) {
  const __m512d shift = _mm512_set1_pd(kShift), invLn2N = _mm512_set1_pd(kInvLn2N);
  __m512d kd = _mm512_fmadd_pd(invLn2N, xd, shift);
  const __m512i ki = _mm512_castpd_si512(kd);
  kd = _mm512_sub_pd(kd, shift);
  const __m512d r = _mm512_fmsub_pd(invLn2N, xd, kd);
  const __m512i idx = _mm512_and_si512(ki, _mm512_set1_epi64(31));
  const __m512i tab = _mm512_i64gather_epi64(idx, reinterpret_cast<const long long *>(kExp2Table), 8);
  const __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(tab, _mm512_slli_epi64(ki, 47)));
  const __m512d z = _mm512_fmadd_pd(_mm512_set1_pd(kC0), r, _mm512_set1_pd(kC1));
  const __m512d r2 = _mm512_mul_pd(r, r);
  __m512d y = _mm512_fmadd_pd(_mm512_set1_pd(kC2), r, _mm512_set1_pd(1.0));
  y = _mm512_fmadd_pd(z, r2, y);
  return _mm512_mul_pd(y, s);
}

SOFTNPU_AVX512 __m512 sigmoid16(__m512 v) {
  const __m512 x = xorPs(v, splat16(-0.0f)); // expf(-v)
  const __m256 lo = _mm512_cvtpd_ps(exp8(_mm512_cvtps_pd(_mm512_castps512_ps256(x))));
  const __m256 hi = _mm512_cvtpd_ps(exp8(_mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1))));
  __m512 e = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
  e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, splat16(kExpMayUnderflow), _CMP_LT_OQ), e,
                           splat16(kExpMayUnderflowValue));
  e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, splat16(kExpUnderflow), _CMP_LT_OQ), e, _mm512_setzero_ps());
  e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, splat16(kExpOverflow), _CMP_GT_OQ), e, splat16(INFINITY));
  e = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), e, _mm512_add_ps(x, x));
  const __m512 one = splat16(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, e));
}

template <__m512 (*F)(__m512)> __attribute__((target("avx512f,avx512dq"))) void lanesAvx512(float *x, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(x + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) { // the tail: masked, the other lanes computed on zeros and not stored
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(x + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

bool avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return ok;
}

#undef SOFTNPU_AVX512

bool avx2Fma() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

#undef SOFTNPU_AVX2

} // namespace
#endif

namespace detail {
void tanhLanesAvx2(float *x, size_t n) {
#ifdef SOFTNPU_ACT_X86
  if (avx2Fma())
    return lanesAvx2<tanh8>(x, n);
#endif
  tanhLanesPortable(x, n);
}
void sigmoidLanesAvx2(float *x, size_t n) {
#ifdef SOFTNPU_ACT_X86
  if (avx2Fma())
    return lanesAvx2<sigmoid8>(x, n);
#endif
  sigmoidLanesPortable(x, n);
}
} // namespace detail

void tanhLanes(float *x, size_t n) {
#ifdef SOFTNPU_ACT_X86
  if (avx512())
    return lanesAvx512<tanh16>(x, n);
  if (avx2Fma())
    return lanesAvx2<tanh8>(x, n);
#endif
  detail::tanhLanesPortable(x, n);
}

void sigmoidLanes(float *x, size_t n) {
#ifdef SOFTNPU_ACT_X86
  if (avx512())
    return lanesAvx512<sigmoid16>(x, n);
  if (avx2Fma())
    return lanesAvx2<sigmoid8>(x, n);
#endif
  detail::sigmoidLanesPortable(x, n);
}

} // namespace softnpu::numerics
