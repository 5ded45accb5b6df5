//===- BfpTest.cpp - Block floating point against an independent reference ===//
//
// The reference below is written from the rules in docs/numerics.md without
// using the library: the shared exponent comes from the largest magnitude via
// frexpl, rounding compares the distances to the two neighbouring integers in
// 64-bit long double (exact for every float scaled by a power of two), and the
// dot product sums products of dequantized values in long double (exact) per
// block before one rounding to float.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace softnpu::numerics {
namespace {

static_assert(std::numeric_limits<long double>::digits >= 64,
              "the reference needs a 64-bit long double mantissa to be exact");

constexpr Rounding kAllRoundings[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero};

//===--- Reference -------------------------------------------------------===//

struct RefBlock {
  bool nan = false;
  int exponent = kMinExp;
  std::vector<long> q; // one per element of the block (len, not padded)
};

RefBlock refQuantizeBlock(const float *x, size_t len, unsigned m, Rounding rounding) {
  RefBlock r;
  r.q.assign(len, 0);
  long double maxAbs = 0;
  for (size_t i = 0; i < len; ++i) {
    if (std::isnan(x[i]) || std::isinf(x[i]))
      r.nan = true;
    else
      maxAbs = std::max(maxAbs, std::fabs(static_cast<long double>(x[i])));
  }
  if (r.nan)
    return r;
  int e = kMinExp;
  if (maxAbs != 0) {
    int frexpExp = 0;
    std::frexp(maxAbs, &frexpExp); // maxAbs = f * 2^frexpExp, f in [0.5, 1)
    e = std::clamp(frexpExp - 1, kMinExp, kMaxExp);
  }
  r.exponent = e;
  const long double step = std::ldexp(1.0L, e - static_cast<int>(m) + 1);
  const long maxQ = (1L << m) - 1;
  for (size_t i = 0; i < len; ++i) {
    const long double s = std::fabs(static_cast<long double>(x[i])) / step; // exact
    const long double lo = std::floor(s);
    const long double distLo = s - lo, distHi = (lo + 1) - s;
    long q = static_cast<long>(lo);
    const bool loIsOdd = std::fmod(lo, 2.0L) == 1.0L;
    switch (rounding) {
    case Rounding::NearestEven:
      if (distHi < distLo || (distHi == distLo && loIsOdd))
        ++q;
      break;
    case Rounding::NearestAway:
      if (distHi <= distLo)
        ++q;
      break;
    case Rounding::TowardZero:
      break;
    }
    q = std::min(q, maxQ);
    r.q[i] = x[i] < 0 ? -q : q;
  }
  return r;
}

std::vector<RefBlock> refQuantize(const std::vector<float> &x, unsigned m, unsigned k, Rounding rounding) {
  std::vector<RefBlock> blocks;
  for (size_t start = 0; start < x.size(); start += k)
    blocks.push_back(refQuantizeBlock(x.data() + start, std::min<size_t>(k, x.size() - start), m, rounding));
  return blocks;
}

long double refValue(const RefBlock &b, size_t i, unsigned m) {
  if (i >= b.q.size())
    return 0; // zero padding of a short last block
  if (b.nan)
    return std::numeric_limits<long double>::quiet_NaN();
  return static_cast<long double>(b.q[i]) * std::ldexp(1.0L, b.exponent - static_cast<int>(m) + 1);
}

/// Documented order: per block an exact sum, one rounding to float, then fp32
/// accumulation in block order from init.
float refDot(const std::vector<RefBlock> &w, const std::vector<RefBlock> &x, unsigned mw, unsigned mx, unsigned k,
             size_t n, float init) {
  float acc = init;
  for (size_t b = 0; b * k < n; ++b) {
    const size_t len = std::min<size_t>(k, n - b * k);
    long double sum = 0;
    for (size_t i = 0; i < len; ++i)
      sum += refValue(w[b], i, mw) * refValue(x[b], i, mx);
    acc = acc + static_cast<float>(sum);
  }
  return acc;
}

bool sameFloat(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  uint32_t ua, ub;
  std::memcpy(&ua, &a, 4);
  std::memcpy(&ub, &b, 4);
  return ua == ub;
}

//===--- Random blocks that hit the interesting cases --------------------===//

class BlockGenerator {
public:
  explicit BlockGenerator(uint64_t seed) : rng_(seed) {}

  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }

  /// A block of len floats around exponent eb: exact ties at the step of the
  /// block, values just below 2^(eb+1) (saturation), zeros, tiny values,
  /// subnormals and, rarely, NaN or Inf.
  std::vector<float> block(size_t len, unsigned m) {
    const int eb = static_cast<int>(below(270)) - 145; // -145 .. 124
    std::vector<float> x(len);
    for (float &v : x) {
      switch (below(10)) {
      case 0:
        v = 0.0f;
        break;
      case 1: // (j + 1/2) * 2^(eb - m + 1): a tie when eb ends up the block exponent
        v = std::ldexp(static_cast<float>(2 * below(1u << m) + 1), eb - static_cast<int>(m));
        break;
      case 2: // just below 2^(eb+1): rounds up to 2^m and saturates
        v = std::ldexp(static_cast<float>((1u << 24) - 1 - below(1u << 12)), eb - 23);
        break;
      case 3: // far below the block's top: flushed to zero or few bits left
        v = std::ldexp(static_cast<float>((1u << 23) | below(1u << 23)), eb - 23 - 10 - static_cast<int>(below(20)));
        break;
      default:
        v = std::ldexp(static_cast<float>((1u << 23) | below(1u << 23)), eb - 23 - static_cast<int>(below(m + 3)));
        break;
      }
      if (below(2))
        v = -v;
    }
    if (below(500) == 0)
      x[below(static_cast<unsigned>(len))] =
          below(2) ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
    return x;
  }

  std::vector<float> vector(size_t n, unsigned m, unsigned k) {
    std::vector<float> x;
    for (size_t start = 0; start < n; start += k) {
      std::vector<float> b = block(std::min<size_t>(k, n - start), m);
      x.insert(x.end(), b.begin(), b.end());
    }
    return x;
  }

private:
  std::mt19937_64 rng_;
};

void expectMatchesReference(const BfpVector &v, const std::vector<RefBlock> &ref, const std::vector<float> &x,
                            unsigned m, unsigned k, Rounding rounding) {
  ASSERT_EQ(v.format, NumberFormat::bfp(m, k));
  ASSERT_EQ(v.scales.size(), ref.size());
  ASSERT_EQ(v.nanBlocks.size(), ref.size());
  ASSERT_EQ(v.significands.size(), ref.size() * k);
  ASSERT_EQ(v.exponents.size(), ref.size() * k);
  for (size_t b = 0; b < ref.size(); ++b) {
    const RefBlock &r = ref[b];
    ASSERT_EQ(v.nanBlocks[b] != 0, r.nan) << "block " << b;
    if (!r.nan)
      ASSERT_EQ(v.scales[b], r.exponent) << "block " << b << " m=" << m << " k=" << k;
    for (size_t i = 0; i < k; ++i) {
      const long expected = (!r.nan && i < r.q.size()) ? r.q[i] : 0;
      ASSERT_EQ(v.exponents[b * k + i], 1 - static_cast<int>(m));
      ASSERT_EQ(v.significands[b * k + i], expected)
          << "block " << b << " element " << i << " x=" << x[b * k + std::min(i, r.q.size() - 1)] << " m=" << m
          << " k=" << k << " rounding=" << roundingName(rounding);
    }
  }
  std::vector<float> back(x.size());
  dequantize(v, x.size(), back.data());
  for (size_t i = 0; i < x.size(); ++i) {
    const float expected = static_cast<float>(refValue(ref[i / k], i % k, m));
    ASSERT_TRUE(sameFloat(back[i], expected)) << "element " << i << ": " << back[i] << " vs " << expected;
  }
}

//===--- Hand-worked cases ------------------------------------------------===//

std::vector<int> mantissasOf(const BfpVector &v) {
  return std::vector<int>(v.significands.begin(), v.significands.end());
}

TEST(BfpTest, SharedExponentIsLargestElementExponent) {
  // max |x| = 5.5 -> E = 2; step = 2^(E - m + 1) = 2^-4 for m = 7.
  const float x[] = {0.75f, 3.0f, -5.5f, 0.1f};
  BfpVector v = quantize(x, 4, NumberFormat::bfp(7, 4), Rounding::NearestEven);
  ASSERT_EQ(v.scales.size(), 1u);
  EXPECT_EQ(v.scales[0], 2);
  // 0.75/0.0625 = 12, 3/0.0625 = 48, -5.5/0.0625 = -88, 0.1/0.0625 = 1.6 -> 2.
  EXPECT_EQ(mantissasOf(v), (std::vector<int>{12, 48, -88, 2}));

  // A negative element can set the exponent; an exact power of two sets E = its log2.
  const float y[] = {-8.0f, 3.0f};
  v = quantize(y, 2, NumberFormat::bfp(3, 2), Rounding::NearestEven);
  EXPECT_EQ(v.scales[0], 3);
  EXPECT_EQ(mantissasOf(v), (std::vector<int>{-4, 2})); // step 2^(3-3+1) = 2; 3/2 = 1.5 -> 2
}

TEST(BfpTest, ExponentClampsAtMinimumForSubnormals) {
  // 2^-130 is subnormal: floor(log2) = -130 clamps to -126; step 2^-132 for m = 7.
  const float x[] = {std::ldexp(1.0f, -130)};
  BfpVector v = quantize(x, 1, NumberFormat::bfp(7, 1), Rounding::NearestEven);
  EXPECT_EQ(v.scales[0], kMinExp);
  EXPECT_EQ(v.significands[0], 4);
  float back = 0;
  dequantize(v, 1, &back);
  EXPECT_EQ(back, x[0]);
}

TEST(BfpTest, RoundingModesOnExactTies) {
  // m = 3, block max 4.0 -> E = 2, step = 1: mantissas are the values rounded to integers.
  const float x[] = {4.0f, 0.5f, 1.5f, 2.5f, -2.5f, 2.4375f, 2.5625f, -0.5f};
  const std::vector<int> nearestEven = {4, 0, 2, 2, -2, 2, 3, 0};
  const std::vector<int> nearestAway = {4, 1, 2, 3, -3, 2, 3, -1};
  const std::vector<int> towardZero = {4, 0, 1, 2, -2, 2, 2, 0};
  const NumberFormat f = NumberFormat::bfp(3, 8);
  EXPECT_EQ(mantissasOf(quantize(x, 8, f, Rounding::NearestEven)), nearestEven);
  EXPECT_EQ(mantissasOf(quantize(x, 8, f, Rounding::NearestAway)), nearestAway);
  EXPECT_EQ(mantissasOf(quantize(x, 8, f, Rounding::TowardZero)), towardZero);
}

TEST(BfpTest, AllZeroBlock) {
  const float x[] = {0.0f, -0.0f, 0.0f, 0.0f, 1.0f};
  BfpVector v = quantize(x, 5, NumberFormat::bfp(5, 4), Rounding::NearestEven);
  ASSERT_EQ(v.scales.size(), 2u);
  EXPECT_EQ(v.scales[0], kMinExp);
  EXPECT_EQ(v.nanBlocks[0], 0);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(v.significands[i], 0);
  float back[5];
  dequantize(v, 5, back);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(back[i], 0.0f);
  EXPECT_EQ(back[4], 1.0f);
}

TEST(BfpTest, SaturatesWhenRoundingReachesTwoToTheM) {
  // m = 3, E = 2, step 1: 7.9 and 7.5 round to 8 = 2^m and saturate to 7.
  const float x[] = {7.9f, -7.75f, 7.5f, 1.0f};
  const NumberFormat f = NumberFormat::bfp(3, 4);
  EXPECT_EQ(mantissasOf(quantize(x, 4, f, Rounding::NearestEven)), (std::vector<int>{7, -7, 7, 1}));
  EXPECT_EQ(mantissasOf(quantize(x, 4, f, Rounding::NearestAway)), (std::vector<int>{7, -7, 7, 1}));
  EXPECT_EQ(mantissasOf(quantize(x, 4, f, Rounding::TowardZero)), (std::vector<int>{7, -7, 7, 1}));
  BfpVector v = quantize(x, 4, f, Rounding::NearestEven);
  EXPECT_EQ(v.scales[0], 2); // saturation does not bump the exponent
}

TEST(BfpTest, TinyValuesFlushToZero) {
  // E = 10, m = 3: step 2^8 = 256; 0.01 and 127 round to 0, 128 is a tie (-> 0 even, 1 away).
  const float x[] = {1024.0f, 0.01f, 127.0f, 128.0f};
  const NumberFormat f = NumberFormat::bfp(3, 4);
  EXPECT_EQ(mantissasOf(quantize(x, 4, f, Rounding::NearestEven)), (std::vector<int>{4, 0, 0, 0}));
  EXPECT_EQ(mantissasOf(quantize(x, 4, f, Rounding::NearestAway)), (std::vector<int>{4, 0, 0, 1}));
  // The smallest subnormal in a block of its own: E clamps to -126, step 2^-132, q = 0.
  const float tiny = std::numeric_limits<float>::denorm_min();
  BfpVector v = quantize(&tiny, 1, NumberFormat::bfp(7, 1), Rounding::NearestAway);
  EXPECT_EQ(v.scales[0], kMinExp);
  EXPECT_EQ(v.significands[0], 0);
}

TEST(BfpTest, NanOrInfMakesTheWholeBlockNan) {
  const float inf = std::numeric_limits<float>::infinity();
  const float x[] = {1.0f, -inf, 2.0f, 3.0f, 4.0f, std::nanf(""), 1.0f, 2.0f, 3.0f};
  BfpVector v = quantize(x, 9, NumberFormat::bfp(7, 3), Rounding::NearestEven);
  EXPECT_EQ(v.nanBlocks, (std::vector<uint8_t>{1, 1, 0}));
  float back[9];
  dequantize(v, 9, back);
  for (int i = 0; i < 6; ++i)
    EXPECT_TRUE(std::isnan(back[i])) << i;
  EXPECT_EQ(back[6], 1.0f);
  EXPECT_EQ(back[8], 3.0f);
  // A dot product touching a NaN block is NaN; one that does not is finite.
  BfpVector ones = quantize(std::vector<float>(9, 1.0f).data(), 9, NumberFormat::bfp(7, 3), Rounding::NearestEven);
  EXPECT_TRUE(std::isnan(dot(v, ones, 0.0f)));
  BfpVector tail = quantize(x + 6, 3, NumberFormat::bfp(7, 3), Rounding::NearestEven);
  BfpVector tailOnes = quantize(std::vector<float>(3, 1.0f).data(), 3, NumberFormat::bfp(7, 3), Rounding::NearestEven);
  EXPECT_EQ(dot(tail, tailOnes, 0.0f), 6.0f);
}

TEST(BfpTest, ShortLastBlockIsZeroPadded) {
  std::vector<float> x(20);
  for (int i = 0; i < 20; ++i)
    x[i] = static_cast<float>(i + 1) * (i < 16 ? 100.0f : 1.0f);
  BfpVector v = quantize(x.data(), 20, NumberFormat::bfp(7, 16), Rounding::NearestEven);
  ASSERT_EQ(v.scales.size(), 2u);
  ASSERT_EQ(v.size(), 32u);
  EXPECT_EQ(v.scales[1], 4); // from {17, 18, 19, 20} only: floor(log2 20) = 4
  for (size_t i = 20; i < 32; ++i)
    EXPECT_EQ(v.significands[i], 0) << i;
  EXPECT_EQ(v.significands[16], 68); // 17 / 2^(4-7+1)
}

TEST(BfpTest, Fp32RoundTripIsIdentity) {
  float x[] = {0.1f, -3.3f, 1e-40f};
  const float copy[] = {0.1f, -3.3f, 1e-40f};
  roundTrip(x, 3, NumberFormat::fp32(), Rounding::NearestEven);
  EXPECT_EQ(std::memcmp(x, copy, sizeof x), 0);
}

TEST(BfpTest, MisuseGivesNanOrEmptyNotACrash) {
  const float x[] = {1.0f, 2.0f, 3.0f, 4.0f};
  EXPECT_EQ(quantize(x, 4, NumberFormat::fp32(), Rounding::NearestEven).size(), 0u);
  EXPECT_EQ(quantize(x, 4, NumberFormat::bfp(0, 4), Rounding::NearestEven).size(), 0u);
  BfpVector a = quantize(x, 4, NumberFormat::bfp(7, 2), Rounding::NearestEven);
  BfpVector b = quantize(x, 4, NumberFormat::bfp(6, 2), Rounding::NearestEven);
  BfpVector c = quantize(x, 4, NumberFormat::bfp(7, 4), Rounding::NearestEven);
  BfpVector d = quantize(x, 2, NumberFormat::bfp(7, 2), Rounding::NearestEven);
  EXPECT_TRUE(std::isnan(dot(a, c, 0.0f)));           // different block sizes
  EXPECT_TRUE(std::isnan(dot(a, d, 0.0f)));           // different lengths
  EXPECT_TRUE(std::isnan(dot(a, BfpVector{}, 0.0f))); // malformed
  EXPECT_FALSE(std::isnan(dot(a, b, 0.0f)));          // different m, same block size: allowed
  BfpVector e = quantize(x, 0, NumberFormat::bfp(7, 2), Rounding::NearestEven);
  EXPECT_EQ(dot(e, e, 5.0f), 5.0f); // empty: init
  float out[2];
  dequantize(BfpVector{}, 2, out);
  EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]));
}

//===--- Random comparison with the reference ----------------------------===//

TEST(BfpTest, QuantizeMatchesReferenceOnRandomBlocks) {
  BlockGenerator gen(0x5eed0001);
  const unsigned blockSizes[] = {1, 2, 3, 5, 8, 16, 16, 16, 32, 40, 1, 2, 4, 8, 16, 16, 16, 24, 40, 256};
  size_t blocks = 0;
  while (blocks < 120000) {
    const unsigned m = 1 + gen.below(15);
    const unsigned k = blockSizes[gen.below(20)];
    const Rounding rounding = kAllRoundings[gen.below(3)];
    const size_t n = 1 + gen.below(4 * k);
    const std::vector<float> x = gen.vector(n, m, k);
    const BfpVector v = quantize(x.data(), n, NumberFormat::bfp(m, k), rounding);
    const std::vector<RefBlock> ref = refQuantize(x, m, k, rounding);
    expectMatchesReference(v, ref, x, m, k, rounding);
    if (HasFatalFailure())
      return;
    blocks += ref.size();
  }
}

TEST(BfpTest, DotMatchesReferenceBitExactly) {
  BlockGenerator gen(0x5eed0002);
  // Large blocks are costly (the reference is long double); a few suffice.
  const unsigned blockSizes[] = {1, 2, 3, 4, 5, 8, 8, 16, 16, 16, 16, 16, 32, 40, 40, 128};
  size_t blocks = 0, finite = 0;
  while (blocks < 100000) {
    // Weights and inputs may have different mantissa widths (same block size).
    const unsigned mw = 1 + gen.below(15), mx = gen.below(3) ? mw : 1 + gen.below(15);
    const unsigned k = blockSizes[gen.below(16)];
    const Rounding rounding = kAllRoundings[gen.below(3)];
    const size_t nb = 1 + gen.below(6);
    const size_t n = (nb - 1) * k + 1 + gen.below(k); // last block may be short
    const std::vector<float> wf = gen.vector(n, mw, k), xf = gen.vector(n, mx, k);
    const BfpVector w = quantize(wf.data(), n, NumberFormat::bfp(mw, k), rounding);
    const BfpVector x = quantize(xf.data(), n, NumberFormat::bfp(mx, k), rounding);
    const std::vector<RefBlock> rw = refQuantize(wf, mw, k, rounding), rx = refQuantize(xf, mx, k, rounding);
    const float init = gen.below(2) ? 0.0f : std::ldexp(static_cast<float>(gen.below(1000)) - 500.0f, -5);
    const float got = dot(w, x, init);
    const float expected = refDot(rw, rx, mw, mx, k, n, init);
    ASSERT_TRUE(sameFloat(got, expected))
        << "m=" << mw << "/" << mx << " k=" << k << " n=" << n << ": " << got << " vs " << expected;
    finite += std::isfinite(expected) && expected != init ? 1 : 0;
    blocks += nb;
  }
  EXPECT_GT(finite, 1000u); // the comparison exercised real values, not only NaN/zero
}

TEST(BfpTest, DotRoundsEachBlockOnceThenAccumulatesInFloat) {
  // m = 15 holds these integers exactly. Block 0: 16383*1025 + 1*1024 =
  // 16793599, odd and above 2^24, so converting the block result to float
  // rounds it (tie to even) to 16793600. Block 1 adds 1*(-1): 16793599 again
  // rounds to 16793600 in the fp32 accumulator. The exact sum is 16793598,
  // which a single rounding at the end would have produced.
  const NumberFormat f = NumberFormat::bfp(15, 2);
  const float w[] = {16383.0f, 1.0f, 1.0f, 0.0f};
  const float x[] = {1025.0f, 1024.0f, -1.0f, 0.0f};
  BfpVector qw = quantize(w, 4, f, Rounding::NearestEven), qx = quantize(x, 4, f, Rounding::NearestEven);
  EXPECT_EQ(dot(qw, qx, 0.0f), 16793600.0f);
  // Block 0 alone, started from init: the block result is already rounded to 16793600 (else -1).
  BfpVector qw0 = quantize(w, 2, f, Rounding::NearestEven), qx0 = quantize(x, 2, f, Rounding::NearestEven);
  EXPECT_EQ(dot(qw0, qx0, -16793600.0f), 0.0f);
}

TEST(BfpTest, DotFp32UsesSequentialOrderWithoutFma) {
  // Sequential float order: (2^24 + 1) rounds to 2^24, then - 2^24 = 0. Exact sum is 1.
  const float w[] = {16777216.0f, 1.0f, -16777216.0f};
  const float ones[] = {1.0f, 1.0f, 1.0f};
  EXPECT_EQ(dotFp32(w, ones, 3, 0.0f), 0.0f);
  // Product rounded before the add: (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 rounds (tie to even) to
  // 1 + 2^-11, so adding -(1 + 2^-11) gives exactly 0; a fused multiply-add would give 2^-24.
  const float a = 1.0f + std::ldexp(1.0f, -12);
  EXPECT_EQ(dotFp32(&a, &a, 1, -(1.0f + std::ldexp(1.0f, -11))), 0.0f);
  // The init value is the first addend.
  EXPECT_EQ(dotFp32(w, ones, 1, 1.0f), 16777216.0f);
}

TEST(BfpTest, DotFp32MatchesSequentialLoopOnRandomData) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-100.0f, 100.0f);
  for (int iter = 0; iter < 1000; ++iter) {
    std::vector<float> w(1 + iter % 97), x(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] = dist(rng);
      x[i] = dist(rng);
    }
    long double exactProduct;
    float acc = 0.5f;
    for (size_t i = 0; i < w.size(); ++i) {
      exactProduct = static_cast<long double>(w[i]) * x[i]; // exact in long double
      acc = acc + static_cast<float>(exactProduct);         // one rounding of the product, one of the sum
    }
    ASSERT_TRUE(sameFloat(dotFp32(w.data(), x.data(), w.size(), 0.5f), acc)) << iter;
  }
}

//===--- Packing ----------------------------------------------------------===//

TEST(BfpTest, PackLayoutOfKnownValues) {
  // m = 3, k = 2: {4, -1}: E = 2 -> byte 129; step 1 -> codes 4 (0100) and
  // sign|1 (1001), 4 bits each, LSB first -> 0x94.
  const float x[] = {4.0f, -1.0f};
  std::vector<uint8_t> out(packedRowBytes(NumberFormat::bfp(3, 2), 2));
  ASSERT_EQ(out.size(), 2u);
  packRow(x, 2, NumberFormat::bfp(3, 2), Rounding::NearestEven, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0x81, 0x94}));

  // m = 8 (9-bit codes), k = 1: -3 = -192 * 2^(1-8+1) -> exponent byte 128,
  // code 1 0000 0000 | 192 = 0x1C0 -> bytes C0 01.
  const float y[] = {-3.0f};
  out.assign(packedRowBytes(NumberFormat::bfp(8, 1), 1), 0);
  ASSERT_EQ(out.size(), 3u);
  packRow(y, 1, NumberFormat::bfp(8, 1), Rounding::NearestEven, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0x80, 0xC0, 0x01}));

  // A NaN block has exponent byte 0xFF and zero codes; a short last block
  // stores only its own codes (m = 4: 5-bit codes; 3 bytes for the block of
  // 2, then 2 bytes for the last block of 1).
  const float z[] = {std::nanf(""), 1.0f, 1.0f};
  out.assign(packedRowBytes(NumberFormat::bfp(4, 2), 3), 0xAA);
  ASSERT_EQ(out.size(), 5u);
  packRow(z, 3, NumberFormat::bfp(4, 2), Rounding::NearestEven, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0xFF, 0x00, 0x00, 0x7F, 0x08}));

  // fp32: little-endian IEEE.
  const float one = 1.0f;
  out.assign(packedRowBytes(NumberFormat::fp32(), 1), 0);
  ASSERT_EQ(out.size(), 4u);
  packRow(&one, 1, NumberFormat::fp32(), Rounding::NearestEven, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{0x00, 0x00, 0x80, 0x3F}));
}

TEST(BfpTest, PackUnpackRoundTrip) {
  BlockGenerator gen(0x5eed0003);
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 8u, 16u, 32u, 40u, 256u}) {
      const size_t n = 3 * k + 1 + gen.below(k);
      const std::vector<float> x = gen.vector(n, m, k);
      const NumberFormat f = NumberFormat::bfp(m, k);
      const size_t bytes = packedRowBytes(f, n);
      const size_t full = n / k, rest = n % k;
      ASSERT_EQ(bytes, full * (1 + (k * (m + 1) + 7) / 8) + (rest ? 1 + (rest * (m + 1) + 7) / 8 : 0));
      std::vector<uint8_t> packed(bytes);
      packRow(x.data(), n, f, Rounding::NearestEven, packed.data());
      const BfpVector q = quantize(x.data(), n, f, Rounding::NearestEven);
      const BfpVector u = unpackRowBfp(packed.data(), n, f);
      EXPECT_EQ(u.format, f);
      EXPECT_EQ(u.scales, q.scales) << "m=" << m << " k=" << k;
      EXPECT_EQ(u.nanBlocks, q.nanBlocks);
      EXPECT_EQ(u.significands, q.significands);
      EXPECT_EQ(u.exponents, q.exponents);
      std::vector<float> viaPack(n), viaRoundTrip(x);
      unpackRow(packed.data(), n, f, viaPack.data());
      roundTrip(viaRoundTrip.data(), n, f, Rounding::NearestEven);
      for (size_t i = 0; i < n; ++i)
        ASSERT_TRUE(sameFloat(viaPack[i], viaRoundTrip[i])) << i;
    }
  // fp32 rows round-trip bit for bit.
  const std::vector<float> x = {0.1f, -2.5e-40f, 3.0e38f, -0.0f};
  std::vector<uint8_t> packed(packedRowBytes(NumberFormat::fp32(), 4));
  packRow(x.data(), 4, NumberFormat::fp32(), Rounding::TowardZero, packed.data());
  std::vector<float> back(4);
  unpackRow(packed.data(), 4, NumberFormat::fp32(), back.data());
  for (size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(sameFloat(back[i], x[i]));
}

// The weight image grows without zeroing (artifact::ImageBytes): packRow must
// write every byte of its row, whatever the buffer held before, in every
// format and rounding, for NaN blocks, all-zero blocks and short last blocks.
TEST(BfpTest, PackRowWritesEveryByteOfItsRow) {
  std::vector<NumberFormat> formats = {NumberFormat::fp32()};
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 7u, 8u, 16u, 32u, 40u})
      formats.push_back(NumberFormat::bfp(m, k));
  for (Element e : {Element::E4M3, Element::E5M2, Element::E3M2, Element::E2M3, Element::E2M1, Element::Int8})
    for (unsigned k : {32u, 8u, 5u})
      formats.push_back(NumberFormat::mx(e, k));
  std::mt19937 rng(20261207);
  std::normal_distribution<float> value(0.0f, 3.0f);
  std::uniform_int_distribution<int> percent(0, 99);
  for (const NumberFormat &f : formats)
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
      for (size_t n : {size_t{1}, size_t{5}, size_t{16}, size_t{17}, size_t{400}, size_t{401}}) {
        std::vector<float> x(n);
        for (float &v : x) {
          const int kind = percent(rng);
          v = kind < 10 ? 0.0f : kind < 12 ? std::numeric_limits<float>::quiet_NaN() : value(rng);
        }
        std::vector<uint8_t> zeros(packedRowBytes(f, n), 0x00), ones(packedRowBytes(f, n), 0xFF);
        packRow(x.data(), n, f, r, zeros.data());
        packRow(x.data(), n, f, r, ones.data());
        ASSERT_EQ(zeros, ones) << f.name() << " n " << n;
      }
}

} // namespace
} // namespace softnpu::numerics
