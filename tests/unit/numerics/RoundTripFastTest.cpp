//===- RoundTripFastTest.cpp - Fused MSFP roundTrip / packRow vs reference ===//
//
// numerics::roundTrip, packRow and quantizeInto take fused paths for MSFP
// (SignMagnitude) formats; they must give, bit for bit, what
// roundTripReference (quantize + dequantize), packRowReference (quantize +
// encode) and quantizeIntoReference give: over random data of many magnitudes, special values (NaN,
// +-Inf,
// +-0, subnormals, the largest floats), every MSFP format m = 1..15 with
// block sizes from 1 to 256, every rounding mode, run lengths that restart
// blocks mid-row (vectorLength) and rows that end in a short block, and
// blocks of 16 (an AVX-512 path) at both ends of the float range. The other
// formats (MX, scalars, fp32) must keep going through the reference.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace softnpu::numerics {
namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

/// Random floats: mostly normal values over a wide exponent range, with
/// special values and subnormals sprinkled in (more of them when `special`).
std::vector<float> randomRow(std::mt19937 &rng, size_t n, bool special) {
  std::uniform_real_distribution<float> mant(-2.0f, 2.0f);
  std::uniform_int_distribution<int> exp(-140, 120), pick(0, special ? 12 : 200);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::denorm_min() * 37,
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::min()};
  std::vector<float> x(n);
  const int blockExp = exp(rng); // rows of one magnitude, as weights are
  for (size_t i = 0; i < n; ++i) {
    const int p = pick(rng);
    if (p < 10)
      x[i] = specials[p];
    else
      x[i] = std::ldexp(mant(rng), p % 3 == 0 ? exp(rng) : blockExp + p % 5);
  }
  return x;
}

void expectSame(std::vector<float> x, const NumberFormat &f, Rounding r, size_t run) {
  std::vector<float> ref = x;
  roundTripReference(ref.data(), ref.size(), f, r, run);
  roundTrip(x.data(), x.size(), f, r, run);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(bitsOf(x[i]), bitsOf(ref[i]))
        << f.name() << " rounding " << static_cast<int>(r) << " run " << run << " n " << x.size() << " element " << i;
}

TEST(RoundTripFast, MsfpMatchesReferenceBitForBit) {
  std::mt19937 rng(9);
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 7u, 16u, 40u, 256u}) {
      const NumberFormat f = NumberFormat::bfp(m, k);
      for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
        for (size_t n : {size_t{1}, size_t{15}, size_t{64}, size_t{400}, size_t{1000}})
          for (size_t run : {size_t{0}, size_t{16}, size_t{100}, size_t{400}})
            for (bool special : {false, true})
              expectSame(randomRow(rng, n, special), f, r, run);
    }
}

void expectSamePacked(const std::vector<float> &x, const NumberFormat &f, Rounding r) {
  const size_t bytes = packedRowBytes(f, x.size());
  // 0xA5 fill: a byte either path leaves unwritten would differ.
  std::vector<uint8_t> ref(bytes, 0xA5), fast(bytes, 0x5A);
  packRowReference(x.data(), x.size(), f, r, ref.data());
  packRow(x.data(), x.size(), f, r, fast.data());
  for (size_t i = 0; i < bytes; ++i)
    ASSERT_EQ(fast[i], ref[i]) << f.name() << " rounding " << static_cast<int>(r) << " n " << x.size() << " byte " << i;
}

TEST(RoundTripFast, MsfpPackMatchesReferenceByteForByte) {
  std::mt19937 rng(11);
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 7u, 16u, 40u, 256u})
      for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
        for (size_t n : {size_t{1}, size_t{15}, size_t{64}, size_t{400}, size_t{1000}})
          for (bool special : {false, true})
            expectSamePacked(randomRow(rng, n, special), NumberFormat::bfp(m, k), r);
}

/// quantizeInto against quantizeIntoReference, into BfpVectors that hold a
/// previous, longer result (as the simulator reuses them): every field must
/// be rewritten.
void expectSameQuantized(const std::vector<float> &x, const NumberFormat &f, Rounding r) {
  BfpVector ref = quantize(std::vector<float>(x.size() + 40, 3.0f).data(), x.size() + 40, f, r), fast = ref;
  quantizeIntoReference(x.data(), x.size(), f, r, ref);
  quantizeInto(x.data(), x.size(), f, r, fast);
  const std::string what =
      f.name() + " rounding " + std::to_string(static_cast<int>(r)) + " n " + std::to_string(x.size());
  ASSERT_TRUE(fast.format == ref.format) << what;
  ASSERT_EQ(fast.scales, ref.scales) << what;
  ASSERT_EQ(fast.nanBlocks, ref.nanBlocks) << what;
  ASSERT_EQ(fast.significands, ref.significands) << what;
  ASSERT_EQ(fast.exponents, ref.exponents) << what;
}

TEST(RoundTripFast, MsfpQuantizeMatchesReference) {
  std::mt19937 rng(12);
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 7u, 16u, 40u, 256u})
      for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
        for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{64}, size_t{400}, size_t{1000}})
          for (bool special : {false, true})
            expectSameQuantized(randomRow(rng, n, special), NumberFormat::bfp(m, k), r);
}

/// Blocks of 16 whose largest magnitude sits in every binade at the ends of
/// the float range (subnormal, the smallest normals, the largest): there the
/// scale 2^(m-1-E) or the step 2^(E+1-m) leaves the normal floats, where
/// the AVX-512 block path must hand the block to the scalar one.
std::vector<float> edgeBinadeRow(std::mt19937 &rng) {
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::vector<int> binades;
  for (int e = -149; e <= -110; ++e)
    binades.push_back(e);
  for (int e = 110; e <= 127; ++e)
    binades.push_back(e);
  std::vector<float> x;
  for (int e : binades) {
    for (int i = 0; i < 15; ++i)
      x.push_back(std::ldexp(mant(rng), e - i % 4));
    x.push_back(std::ldexp(1.5f, e)); // the block's largest magnitude
  }
  return x;
}

TEST(RoundTripFast, MsfpBlocksAtTheEndsOfTheFloatRangeMatchReference) {
  std::mt19937 rng(13);
  for (unsigned m = 1; m <= 15; ++m)
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
      const std::vector<float> x = edgeBinadeRow(rng);
      expectSame(x, NumberFormat::bfp(m, 16), r, 0);
      expectSamePacked(x, NumberFormat::bfp(m, 16), r);
      expectSameQuantized(x, NumberFormat::bfp(m, 16), r);
    }
}

TEST(RoundTripFast, OtherFormatsKeepTheReference) {
  std::mt19937 rng(10);
  std::vector<NumberFormat> formats = {NumberFormat::mx(Element::E4M3, 32), NumberFormat::mx(Element::E2M1, 32),
                                       NumberFormat::mx(Element::Int8, 32)};
  for (const char *name : {"fp32", "bf16", "fp16"})
    formats.push_back(*NumberFormat::parse(name));
  for (const NumberFormat &f : formats)
    for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
      expectSame(randomRow(rng, 300, true), f, r, 128);
      if (f.isBlock() || f.isFp32())
        expectSamePacked(randomRow(rng, 300, true), f, r);
      if (f.isBlock())
        expectSameQuantized(randomRow(rng, 300, true), f, r);
    }
}

} // namespace
} // namespace softnpu::numerics
