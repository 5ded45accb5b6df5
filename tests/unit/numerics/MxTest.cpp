//===- MxTest.cpp - OCP MX formats and mixed-format dot products vs a reference ===//
//
// The reference below is written from the OCP Microscaling v1.0 rules in
// docs/numerics.md without using the library: every element type's
// representable magnitudes are enumerated from their bit fields (sign,
// exponent, mantissa, bias; INT8 as q / 64), the shared scale is
// floor(log2 max|x|) - emax with emax read off the largest enumerated value,
// and each scaled element is rounded by bracketing it between two enumerated
// neighbours and comparing with their exact midpoint (ties: even code or away
// from zero), saturating at the largest magnitude. The packed bytes are
// rebuilt from the enumerated codes. Dot products are evaluated exactly in
// __float128 (113-bit significand: every block sum fits) and rounded once per
// block to float, accumulated in fp32 in block order.
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

static_assert(std::numeric_limits<long double>::digits >= 64, "the reference needs a 64-bit long double");

constexpr Rounding kAllRoundings[] = {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero};

//===--- Reference element tables -----------------------------------------===//

struct RefElement {
  const char *name;
  Element element;
  unsigned bits;
  std::vector<long double> magnitudes; ///< sorted, non-negative, finite
  std::vector<uint32_t> codes;         ///< code of each magnitude (sign bit clear)
  long double maxValue = 0;
  int emax = 0;
  bool twosComplement = false;
  long double smallestNormal = 0;
};

/// An OCP FP element: value = 2^(e - bias) * 1.m, or 2^(1 - bias) * 0.m when
/// the exponent field is 0.
RefElement fpTable(const char *name, Element element, int ebits, int mbits, int bias) {
  RefElement r{name, element, static_cast<unsigned>(1 + ebits + mbits), {}, {}};
  const uint32_t maxField = (1u << ebits) - 1, maxMant = (1u << mbits) - 1;
  std::vector<std::pair<long double, uint32_t>> entries;
  for (uint32_t field = 0; field <= maxField; ++field)
    for (uint32_t mant = 0; mant <= maxMant; ++mant) {
      if (element == Element::E4M3 && field == maxField && mant == maxMant)
        continue; // NaN
      if (element == Element::E5M2 && field == maxField)
        continue; // Inf, NaN
      const long double frac = static_cast<long double>(mant) / (1u << mbits);
      const long double v =
          field == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0L + frac, static_cast<int>(field) - bias);
      entries.push_back({v, (field << mbits) | mant});
    }
  std::sort(entries.begin(), entries.end());
  for (const auto &[v, c] : entries) {
    r.magnitudes.push_back(v);
    r.codes.push_back(c);
  }
  r.maxValue = r.magnitudes.back();
  r.emax = std::ilogb(r.maxValue);
  r.smallestNormal = std::ldexp(1.0L, 1 - bias);
  return r;
}

RefElement int8Table() {
  RefElement r{"mxint8", Element::Int8, 8, {}, {}};
  for (uint32_t q = 0; q <= 127; ++q) {
    r.magnitudes.push_back(static_cast<long double>(q) / 64);
    r.codes.push_back(q);
  }
  r.maxValue = r.magnitudes.back();
  r.emax = std::ilogb(r.maxValue);
  r.twosComplement = true;
  r.smallestNormal = 1.0L / 8;
  return r;
}

const std::vector<RefElement> &refElements() {
  static const std::vector<RefElement> tables = {
      fpTable("mxfp8_e4m3", Element::E4M3, 4, 3, 7), fpTable("mxfp8_e5m2", Element::E5M2, 5, 2, 15),
      fpTable("mxfp6_e3m2", Element::E3M2, 3, 2, 3), fpTable("mxfp6_e2m3", Element::E2M3, 2, 3, 1),
      fpTable("mxfp4", Element::E2M1, 2, 1, 1),      int8Table(),
  };
  return tables;
}

//===--- Reference quantizer ----------------------------------------------===//

struct RefMxBlock {
  bool nan = false;
  int scale = -127;
  std::vector<long double> values; ///< len, the dequantized values
  std::vector<uint32_t> codes;     ///< len, with sign
};

/// Index into e.magnitudes of the rounded magnitude of v >= 0.
size_t roundMagnitude(const RefElement &e, long double v, Rounding rounding) {
  const size_t last = e.magnitudes.size() - 1;
  if (v >= e.maxValue)
    return last; // saturation
  const size_t hi =
      static_cast<size_t>(std::upper_bound(e.magnitudes.begin(), e.magnitudes.end(), v) - e.magnitudes.begin());
  const size_t lo = hi - 1; // magnitudes[0] = 0 <= v
  if (e.magnitudes[lo] == v || rounding == Rounding::TowardZero)
    return lo;
  const long double mid = (e.magnitudes[lo] + e.magnitudes[hi]) / 2; // exact: few significant bits
  if (v < mid)
    return lo;
  if (v > mid)
    return hi;
  if (rounding == Rounding::NearestAway)
    return hi;
  return (e.codes[lo] & 1) == 0 ? lo : hi; // ties to the even code
}

RefMxBlock refQuantizeMx(const float *x, size_t len, const RefElement &e, Rounding rounding) {
  RefMxBlock r;
  r.values.assign(len, 0);
  r.codes.assign(len, 0);
  long double maxAbs = 0;
  for (size_t i = 0; i < len; ++i) {
    if (!std::isfinite(x[i]))
      r.nan = true;
    else
      maxAbs = std::max(maxAbs, std::fabs(static_cast<long double>(x[i])));
  }
  if (r.nan)
    return r;
  if (maxAbs != 0) {
    int frexpExp = 0;
    std::frexp(maxAbs, &frexpExp);
    r.scale = std::clamp(frexpExp - 1 - e.emax, -127, 127);
  }
  const long double unit = std::ldexp(1.0L, r.scale);
  for (size_t i = 0; i < len; ++i) {
    const long double v = std::fabs(static_cast<long double>(x[i])) / unit; // exact
    const size_t idx = roundMagnitude(e, v, rounding);
    const long double mag = e.magnitudes[idx];
    const bool neg = x[i] < 0 && mag != 0;
    r.values[i] = (neg ? -mag : mag) * unit;
    uint32_t code = e.codes[idx];
    if (neg)
      code = e.twosComplement ? ((1u << e.bits) - code) & ((1u << e.bits) - 1) : code | (1u << (e.bits - 1));
    r.codes[i] = code;
  }
  return r;
}

/// Packs reference blocks LSB first: scale byte (0xFF NaN), then codes.
/// Packed bytes of a row of n elements: each block holds k codes, except a
/// short last block, which stores only its own n mod k codes.
std::vector<uint8_t> refPack(const std::vector<RefMxBlock> &blocks, size_t n, unsigned k, unsigned bits) {
  std::vector<uint8_t> out;
  for (size_t bi = 0; bi < blocks.size(); ++bi) {
    const RefMxBlock &b = blocks[bi];
    const size_t len = std::min<size_t>(k, n - bi * k);
    std::vector<uint8_t> bytes(1 + (len * bits + 7) / 8, 0);
    bytes[0] = b.nan ? 0xFF : static_cast<uint8_t>(b.scale + 127);
    for (size_t i = 0; i < std::min(len, b.codes.size()) && !b.nan; ++i)
      for (unsigned j = 0; j < bits; ++j)
        if ((b.codes[i] >> j) & 1)
          bytes[1 + (i * bits + j) / 8] |= static_cast<uint8_t>(1u << ((i * bits + j) % 8));
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  return out;
}

bool sameFloat(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Element i's value as the BfpVector fields say: significand * 2^(exponent + scale).
long double valueOf(const BfpVector &v, size_t i) {
  return std::ldexp(static_cast<long double>(v.significands[i]), v.exponents[i] + v.scales[i / v.format.blockSize]);
}

//===--- Random blocks that hit the edge cases -----------------------------===//

class MxGenerator {
public:
  explicit MxGenerator(uint64_t seed) : rng_(seed) {}
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }
  long double unit() { return static_cast<long double>(rng_() >> 11) / (1ull << 53); }

  /// A block of len floats whose intended scale is X: element-grid values,
  /// exact midpoints (ties), values at and above the element maximum, the
  /// element subnormal range, fp32 subnormals, zeros, an outlier, NaN / Inf.
  std::vector<float> block(size_t len, const RefElement &e) {
    std::vector<float> x(len, 0.0f);
    if (below(40) == 0)
      return x;                                       // all zeros
    const int X = static_cast<int>(below(262)) - 137; // -137 .. 124
    const size_t n = e.magnitudes.size();
    for (float &f : x) {
      long double v;
      switch (below(12)) {
      case 0:
        v = 0;
        break;
      case 1:
        v = e.magnitudes[below(static_cast<unsigned>(n))];
        break;
      case 2:
      case 3: { // exact tie between neighbours
        const size_t i = below(static_cast<unsigned>(n - 1));
        v = (e.magnitudes[i] + e.magnitudes[i + 1]) / 2;
        break;
      }
      case 4:
        v = e.maxValue;
        break;
      case 5:
        v = e.maxValue + unit() * (std::ldexp(1.0L, e.emax + 1) - e.maxValue);
        break; // above max
      case 6:
        v = unit() * e.smallestNormal;
        break; // element subnormal range
      case 7:
        f = std::ldexp(static_cast<float>(1 + below(1u << 23)), -149);
        continue; // fp32 subnormal
      default:
        v = unit() * std::ldexp(1.0L, e.emax + 1 - static_cast<int>(below(10)));
        break;
      }
      f = static_cast<float>(std::ldexp(v, X));
      if (below(2))
        f = -f;
    }
    if (below(20) == 0) // one huge outlier
      x[below(static_cast<unsigned>(len))] *= std::ldexp(1.0f, 10 + static_cast<int>(below(30)));
    if (below(300) == 0)
      x[below(static_cast<unsigned>(len))] =
          below(2) ? std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
    if (below(200) == 0)
      x[below(static_cast<unsigned>(len))] = -0.0f;
    return x;
  }

  std::vector<float> vector(size_t n, unsigned k, const RefElement &e) {
    std::vector<float> x;
    for (size_t start = 0; start < n; start += k) {
      std::vector<float> b = block(std::min<size_t>(k, n - start), e);
      x.insert(x.end(), b.begin(), b.end());
    }
    return x;
  }

private:
  std::mt19937_64 rng_;
};

//===--- Quantizer and packing vs the reference -----------------------------===//

TEST(MxTest, ElementTablesMatchThePublishedMaxima) {
  // OCP MX v1.0: E4M3 448, E5M2 57344, E3M2 28, E2M3 7.5, E2M1 6, INT8 127/64.
  const long double maxima[] = {448, 57344, 28, 7.5L, 6, 127.0L / 64};
  const int emax[] = {8, 15, 4, 2, 2, 0};
  for (size_t i = 0; i < refElements().size(); ++i) {
    EXPECT_EQ(refElements()[i].maxValue, maxima[i]) << refElements()[i].name;
    EXPECT_EQ(refElements()[i].emax, emax[i]) << refElements()[i].name;
  }
}

TEST(MxTest, QuantizeAndPackMatchReferenceOnRandomBlocks) {
  for (const RefElement &e : refElements()) {
    MxGenerator gen(0x3e3e0000 + static_cast<unsigned>(e.element));
    const unsigned blockSizes[] = {32, 32, 32, 32, 1, 3, 16, 40};
    size_t blocks = 0;
    while (blocks < 100000) {
      const unsigned k = blockSizes[gen.below(8)];
      const Rounding rounding = kAllRoundings[gen.below(3)];
      const size_t n = 1 + gen.below(4 * k);
      const std::vector<float> x = gen.vector(n, k, e);
      const NumberFormat fmt = NumberFormat::mx(e.element, k);
      const BfpVector v = quantize(x.data(), n, fmt, rounding);
      std::vector<RefMxBlock> ref;
      for (size_t start = 0; start < n; start += k)
        ref.push_back(refQuantizeMx(x.data() + start, std::min<size_t>(k, n - start), e, rounding));
      ASSERT_EQ(v.format, fmt);
      ASSERT_EQ(v.numBlocks(), ref.size());
      ASSERT_EQ(v.size(), ref.size() * k);
      for (size_t b = 0; b < ref.size(); ++b) {
        ASSERT_EQ(v.nanBlocks[b] != 0, ref[b].nan) << e.name << " block " << b;
        if (ref[b].nan)
          continue;
        ASSERT_EQ(v.scales[b], ref[b].scale) << e.name << " block " << b;
        for (size_t i = 0; i < k; ++i) {
          const long double expected = i < ref[b].values.size() ? ref[b].values[i] : 0;
          ASSERT_EQ(valueOf(v, b * k + i), expected)
              << e.name << " k=" << k << " " << roundingName(rounding) << " block " << b << " element " << i
              << " x=" << (i < ref[b].values.size() ? x[b * k + i] : 0.0f);
        }
      }
      // Dequantization gives the same values as floats.
      std::vector<float> back(n);
      dequantize(v, n, back.data());
      for (size_t i = 0; i < n; ++i) {
        const RefMxBlock &rb = ref[i / k];
        const float expected = rb.nan ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(rb.values[i % k]);
        ASSERT_TRUE(sameFloat(back[i], expected) || (back[i] == 0 && expected == 0)) << e.name << " element " << i;
      }
      // Packed bytes equal the reference codes; unpacking restores the vector.
      std::vector<uint8_t> packed(packedRowBytes(fmt, n));
      packRow(x.data(), n, fmt, rounding, packed.data());
      ASSERT_EQ(packed, refPack(ref, n, k, e.bits)) << e.name << " k=" << k;
      const BfpVector u = unpackRowBfp(packed.data(), n, fmt);
      ASSERT_EQ(u.scales, v.scales);
      ASSERT_EQ(u.nanBlocks, v.nanBlocks);
      ASSERT_EQ(u.significands, v.significands);
      ASSERT_EQ(u.exponents, v.exponents);
      blocks += ref.size();
    }
  }
}

TEST(MxTest, HandWorkedBlocks) {
  // E2M1 (bias 1), block of 4: max 7.0 -> X = floor(log2 7) - 2 = 0. 5 is a tie
  // between 4 (code 0 11 0 = 6, even) and 6 (0 11 1 = 7) -> 4; away -> 6. 0.25 is a
  // tie between 0 and 0.5 -> 0 (even) / 0.5 (away). 1.75 is a tie between 1.5
  // (code 3) and 2 (code 4) -> 2 in both nearest modes, 1.5 toward zero. 7 saturates to 6.
  const float x[] = {5.0f, 0.25f, -1.75f, 7.0f};
  const NumberFormat f = NumberFormat::mx(Element::E2M1, 4);
  float back[4];
  dequantize(quantize(x, 4, f, Rounding::NearestEven), 4, back);
  EXPECT_EQ(std::vector<float>(back, back + 4), (std::vector<float>{4.0f, 0.0f, -2.0f, 6.0f}));
  dequantize(quantize(x, 4, f, Rounding::NearestAway), 4, back);
  EXPECT_EQ(std::vector<float>(back, back + 4), (std::vector<float>{6.0f, 0.5f, -2.0f, 6.0f}));
  dequantize(quantize(x, 4, f, Rounding::TowardZero), 4, back);
  EXPECT_EQ(std::vector<float>(back, back + 4), (std::vector<float>{4.0f, 0.0f, -1.5f, 6.0f}));
  // Packed: scale byte 127, codes 4 bits LSB first: 4 -> 0x6, 0 -> 0x0,
  // -2 -> 1 10 0 = 0xC, 6 -> 0x7: bytes 7F 06 7C.
  uint8_t packed[3];
  ASSERT_EQ(packedRowBytes(f, 4), 3u);
  packRow(x, 4, f, Rounding::NearestEven, packed);
  EXPECT_EQ(std::vector<uint8_t>(packed, packed + 3), (std::vector<uint8_t>{0x7F, 0x06, 0x7C}));

  // MXINT8: max 1.99 -> X = 0; q = round(x * 64): 127.36 -> 127, -0.5 -> 0 (tie to even), -64.
  const float y[] = {1.99f, -1.0f / 128, 0.0f, -1.0f};
  BfpVector q = quantize(y, 4, NumberFormat::mx(Element::Int8, 4), Rounding::NearestEven);
  EXPECT_EQ(q.scales[0], 0);
  EXPECT_EQ(std::vector<int>(q.significands.begin(), q.significands.end()), (std::vector<int>{127, 0, 0, -64}));

  // A NaN anywhere makes the block NaN: scale byte 0xFF and zero codes.
  const float z[] = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  uint8_t nanPacked[3];
  packRow(z, 2, NumberFormat::mx(Element::E4M3, 2), Rounding::NearestEven, nanPacked);
  EXPECT_EQ(nanPacked[0], 0xFF);
  EXPECT_EQ(nanPacked[1], 0x00);
  // All-zero block: X = -127 (byte 0).
  const float zeros[] = {0.0f, -0.0f};
  packRow(zeros, 2, NumberFormat::mx(Element::E4M3, 2), Rounding::NearestEven, nanPacked);
  EXPECT_EQ(nanPacked[0], 0x00);
}

TEST(MxTest, ElementNanCodesUnpackToANanBlock) {
  const NumberFormat f = NumberFormat::mx(Element::E4M3, 2);
  const uint8_t bytes[] = {127, 0x7F, 0x38}; // element 0: S.1111.111 = NaN; element 1: 1.0
  const BfpVector v = unpackRowBfp(bytes, 2, f);
  ASSERT_EQ(v.nanBlocks.size(), 1u);
  EXPECT_EQ(v.nanBlocks[0], 1);
  const uint8_t inf[] = {127, 0x7C, 0x00}; // E5M2 infinity code
  EXPECT_EQ(unpackRowBfp(inf, 2, NumberFormat::mx(Element::E5M2, 2)).nanBlocks[0], 1);
}

//===--- Dot products across formats ----------------------------------------===//

/// Exact per-block sums in __float128, one rounding to float per block, fp32
/// accumulation in block order.
float refDot(const BfpVector &w, const BfpVector &x, float init) {
  const size_t k = w.format.blockSize;
  float acc = init;
  for (size_t b = 0; b < w.numBlocks(); ++b) {
    if (w.nanBlocks[b] || x.nanBlocks[b]) {
      acc = acc + std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    __float128 sum = 0;
    for (size_t i = b * k; i < (b + 1) * k; ++i)
      sum += static_cast<__float128>(valueOf(w, i)) * static_cast<__float128>(valueOf(x, i));
    acc = acc + static_cast<float>(sum);
  }
  return acc;
}

TEST(MxTest, DotOfEveryFormatPairMatchesExactEvaluation) {
  // Every block format, at block sizes 32 and 16; pairs with equal block size.
  std::vector<NumberFormat> formats;
  for (unsigned k : {32u, 16u}) {
    for (const RefElement &e : refElements())
      formats.push_back(NumberFormat::mx(e.element, k));
    for (unsigned m : {3u, 6u, 7u, 15u})
      formats.push_back(NumberFormat::bfp(m, k));
  }
  MxGenerator gen(0xd07d07);
  size_t blocks = 0, finite = 0, subnormal = 0, infinite = 0;
  while (blocks < 200000) {
    const NumberFormat fw = formats[gen.below(static_cast<unsigned>(formats.size()))];
    NumberFormat fx;
    do
      fx = formats[gen.below(static_cast<unsigned>(formats.size()))];
    while (fx.blockSize != fw.blockSize);
    const Rounding rounding = kAllRoundings[gen.below(3)];
    const unsigned k = fw.blockSize;
    const size_t n = (1 + gen.below(4)) * k - gen.below(k / 2);
    const RefElement &shape = refElements()[gen.below(static_cast<unsigned>(refElements().size()))];
    const std::vector<float> wf = gen.vector(n, k, shape), xf = gen.vector(n, k, shape);
    const BfpVector w = quantize(wf.data(), n, fw, rounding), x = quantize(xf.data(), n, fx, rounding);
    const float init =
        gen.below(2) ? 0.0f
                     : std::ldexp(static_cast<float>(gen.below(1000)) - 500.0f, static_cast<int>(gen.below(60)) - 30);
    const float got = dot(w, x, init), expected = refDot(w, x, init);
    ASSERT_TRUE(sameFloat(got, expected))
        << fw.name() << " x " << fx.name() << " n=" << n << ": " << got << " vs " << expected;
    finite += std::isfinite(expected) && expected != init;
    subnormal += expected != 0 && std::fabs(expected) < std::numeric_limits<float>::min();
    infinite += std::isinf(expected);
    blocks += w.numBlocks();
  }
  EXPECT_GT(finite, 10000u);
  EXPECT_GT(subnormal, 10u); // block results in the fp32 subnormal range were exercised
  EXPECT_GT(infinite, 10u);  // and overflow to infinity
}

TEST(MxTest, RoundTripRestartsBlocksAtEachVector) {
  // vectorLength 3 with block 2: blocks {0,1} {2} | {3,4} {5}; the outlier at
  // element 2 does not flush element 3 as one run of blocks {2,3} would.
  float x[] = {1.0f, 1.0f, 1024.0f, 1.0f, 1.0f, 1.0f};
  roundTrip(x, 6, NumberFormat::bfp(3, 2), Rounding::NearestEven, 3);
  EXPECT_EQ(std::vector<float>(x, x + 6), (std::vector<float>{1.0f, 1.0f, 1024.0f, 1.0f, 1.0f, 1.0f}));
  float y[] = {1.0f, 1.0f, 1024.0f, 1.0f, 1.0f, 1.0f};
  roundTrip(y, 6, NumberFormat::bfp(3, 2), Rounding::NearestEven, 0);
  EXPECT_EQ(y[3], 0.0f); // in one run: block {1024, 1} flushes the 1
}

} // namespace
} // namespace softnpu::numerics
