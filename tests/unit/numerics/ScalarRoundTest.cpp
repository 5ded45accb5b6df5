//===- ScalarRoundTest.cpp - bf16 / fp16 rounding vs an enumerated reference ===//
//
// The reference enumerates all 65536 codes of the target format (bf16: the
// top half of an fp32 pattern; fp16: IEEE binary16 decoded from its fields),
// keeps the finite non-negative values with their codes, and rounds |x| by
// bracketing it between two neighbours and comparing with their exact
// midpoint (ties: even code, or away from zero). Above the largest finite
// value it applies IEEE overflow: nearest modes give infinity from the
// midpoint between max and 2^(emax+1) upwards, toward-zero gives max.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

namespace softnpu::numerics {
namespace {

constexpr Rounding kAllRoundings[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero};

struct ScalarTable {
  std::vector<long double> values; ///< finite, non-negative, sorted
  std::vector<uint32_t> codes;
  long double maxValue = 0, overflowMid = 0;
};

long double decodeFp16(uint32_t code) {
  const uint32_t field = (code >> 10) & 31, mant = code & 1023;
  if (field == 0)
    return std::ldexp(static_cast<long double>(mant), -24);
  return std::ldexp(1024.0L + mant, static_cast<int>(field) - 25);
}

ScalarTable makeTable(bool bf16) {
  ScalarTable t;
  std::vector<std::pair<long double, uint32_t>> entries;
  for (uint32_t code = 0; code < 0x8000; ++code) {
    long double v;
    if (bf16) {
      const uint32_t bits = code << 16;
      float f;
      std::memcpy(&f, &bits, sizeof f);
      if (!std::isfinite(f))
        continue;
      v = f;
    } else {
      if (((code >> 10) & 31) == 31)
        continue; // Inf, NaN
      v = decodeFp16(code);
    }
    entries.push_back({v, code});
  }
  std::sort(entries.begin(), entries.end());
  for (const auto &[v, c] : entries) {
    t.values.push_back(v);
    t.codes.push_back(c);
  }
  t.maxValue = t.values.back();
  const long double next = std::ldexp(1.0L, std::ilogb(t.maxValue) + 1);
  t.overflowMid = (t.maxValue + next) / 2;
  return t;
}

float refRound(float x, const ScalarTable &t, Rounding rounding) {
  if (std::isnan(x) || std::isinf(x) || x == 0)
    return x;
  const long double a = std::fabs(static_cast<long double>(x));
  long double r;
  if (a > t.maxValue) {
    if (rounding == Rounding::TowardZero || a < t.overflowMid)
      r = t.maxValue;
    else
      r = std::numeric_limits<long double>::infinity(); // at the midpoint: max is odd, so even and away agree
  } else {
    const size_t hi = static_cast<size_t>(std::upper_bound(t.values.begin(), t.values.end(), a) - t.values.begin());
    const size_t lo = hi - 1;
    if (t.values[lo] == a || rounding == Rounding::TowardZero) {
      r = t.values[lo];
    } else {
      const long double mid = (t.values[lo] + t.values[hi]) / 2;
      if (a < mid)
        r = t.values[lo];
      else if (a > mid || rounding == Rounding::NearestAway)
        r = t.values[hi];
      else
        r = (t.codes[lo] & 1) == 0 ? t.values[lo] : t.values[hi];
    }
  }
  const float f = static_cast<float>(r);
  return x < 0 ? -f : f;
}

bool sameFloat(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Random floats over the whole range plus ties, values near the maximum,
/// subnormals, and specials.
float randomInput(std::mt19937_64 &rng, const ScalarTable &t) {
  const uint64_t r = rng();
  float x;
  switch (r % 8) {
  case 0: { // any bit pattern
    const uint32_t bits = static_cast<uint32_t>(rng());
    std::memcpy(&x, &bits, sizeof x);
    break;
  }
  case 1:
  case 2: { // exact midpoint of neighbours (a tie), when representable in fp32
    const size_t i = (rng() % (t.values.size() - 1));
    x = static_cast<float>((t.values[i] + t.values[i + 1]) / 2);
    break;
  }
  case 3: // near and above the maximum
    x = static_cast<float>(t.maxValue * (0.99L + static_cast<long double>(rng() % 4000) / 100000));
    break;
  case 4: // the target's subnormal range
    x = static_cast<float>(static_cast<long double>(rng() % 4096) / 16 *
                           t.values[1]); // sixteenths of the smallest subnormal
    break;
  case 5: { // fp32 in the range of the format
    const int e = static_cast<int>(rng() % 60) - 30;
    x = std::ldexp(static_cast<float>(rng() % (1u << 24)), e - 24);
    break;
  }
  default: { // a representable value nudged by a few fp32 ulps
    const size_t i = rng() % t.values.size();
    x = std::nextafter(static_cast<float>(t.values[i]), (rng() & 1) ? 1e30f : -1e30f);
    break;
  }
  }
  return (r >> 8) & 1 ? -x : x;
}

void checkFormat(const NumberFormat &fmt, bool bf16, uint64_t seed) {
  const ScalarTable t = makeTable(bf16);
  std::mt19937_64 rng(seed);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::min(),
                            65504.0f,
                            65520.0f,
                            65519.99f,
                            -65520.0f};
  for (Rounding rounding : kAllRoundings)
    for (float x : specials)
      ASSERT_TRUE(sameFloat(roundScalar(x, fmt, rounding), refRound(x, t, rounding)))
          << fmt.name() << " " << roundingName(rounding) << " x=" << x;
  for (int i = 0; i < 600000; ++i) {
    const float x = randomInput(rng, t);
    const Rounding rounding = kAllRoundings[i % 3];
    const float got = roundScalar(x, fmt, rounding), expected = refRound(x, t, rounding);
    ASSERT_TRUE(sameFloat(got, expected)) << fmt.name() << " " << roundingName(rounding) << " x=" << x << " ("
                                          << std::hexfloat << x << "): " << got << " vs " << expected;
  }
}

TEST(ScalarRoundTest, Bf16MatchesEnumeratedReference) { checkFormat(NumberFormat::bf16(), true, 0xbf16); }
TEST(ScalarRoundTest, Fp16MatchesEnumeratedReference) { checkFormat(NumberFormat::fp16(), false, 0xf916); }

TEST(ScalarRoundTest, HandWorkedValues) {
  // fp16: 1 + 2^-11 is a tie between 1 and 1 + 2^-10 -> 1 (even) / 1 + 2^-10 (away).
  const float tie = 1.0f + std::ldexp(1.0f, -11);
  EXPECT_EQ(roundScalar(tie, NumberFormat::fp16(), Rounding::NearestEven), 1.0f);
  EXPECT_EQ(roundScalar(tie, NumberFormat::fp16(), Rounding::NearestAway), 1.0f + std::ldexp(1.0f, -10));
  // fp16 overflow: 65520 is the midpoint above 65504 -> inf in nearest modes, 65504 toward zero.
  EXPECT_TRUE(std::isinf(roundScalar(65520.0f, NumberFormat::fp16(), Rounding::NearestEven)));
  EXPECT_EQ(roundScalar(65519.0f, NumberFormat::fp16(), Rounding::NearestEven), 65504.0f);
  EXPECT_EQ(roundScalar(1e9f, NumberFormat::fp16(), Rounding::TowardZero), 65504.0f);
  // fp16 subnormals: 2^-25 is half the smallest subnormal -> 0 (even), 2^-24 (away).
  EXPECT_EQ(roundScalar(std::ldexp(1.0f, -25), NumberFormat::fp16(), Rounding::NearestEven), 0.0f);
  EXPECT_EQ(roundScalar(std::ldexp(1.0f, -25), NumberFormat::fp16(), Rounding::NearestAway), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::signbit(roundScalar(-1e-10f, NumberFormat::fp16(), Rounding::NearestEven)));
  // bf16 keeps 8 significant bits: 1 + 2^-8 ties to 1; 1 + 3*2^-9 rounds up to 1 + 2^-7.
  EXPECT_EQ(roundScalar(1.0f + std::ldexp(1.0f, -8), NumberFormat::bf16(), Rounding::NearestEven), 1.0f);
  EXPECT_EQ(roundScalar(1.0f + 3 * std::ldexp(1.0f, -9), NumberFormat::bf16(), Rounding::NearestEven),
            1.0f + std::ldexp(1.0f, -7));
  EXPECT_TRUE(std::isnan(roundScalar(std::nanf(""), NumberFormat::bf16(), Rounding::TowardZero)));
  // fp32 is the identity.
  EXPECT_EQ(roundScalar(0.1f, NumberFormat::fp32(), Rounding::TowardZero), 0.1f);
  // roundTrip applies it element-wise.
  float v[] = {tie, 65520.0f};
  roundTrip(v, 2, NumberFormat::fp16(), Rounding::NearestEven);
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_TRUE(std::isinf(v[1]));
}

} // namespace
} // namespace softnpu::numerics
