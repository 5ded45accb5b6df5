//===- UnpackKernelTest.cpp - Vectorised weight decoding vs the portable one ===//
//
// numerics::unpackRowBfpInto with every decode kernel this CPU can run must
// give, field for field, what the portable decoder gives: over random packed
// bytes (every scale byte, NaN blocks, every element code including the MX
// NaN / Inf codes, garbage in padding bits) and over rows packed by packRow
// from random floats, for every block format: MSFP m = 1..15 and every MX
// element type, block sizes from 1 to 256, row lengths that leave short last
// blocks, rows that end exactly at the end of their buffer.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace softnpu::numerics {
namespace {

std::vector<NumberFormat> everyBlockFormat() {
  std::vector<NumberFormat> out;
  for (unsigned m = 1; m <= 15; ++m)
    for (unsigned k : {1u, 2u, 7u, 8u, 16u, 32u, 40u, 256u})
      out.push_back(NumberFormat::bfp(m, k));
  for (Element e : {Element::E4M3, Element::E5M2, Element::E3M2, Element::E2M3, Element::E2M1, Element::Int8})
    for (unsigned k : {32u, 8u, 5u, 16u, 1u})
      out.push_back(NumberFormat::mx(e, k));
  return out;
}

std::string describe(const NumberFormat &f, size_t n) { return f.name() + " n " + std::to_string(n); }

/// Decodes `packed` (exactly packedRowBytes(fmt, n) bytes, so a read past the
/// row would leave the buffer) with `kernel`.
BfpVector decode(const std::vector<uint8_t> &packed, size_t n, const NumberFormat &fmt, DecodeKernel kernel) {
  BfpVector v;
  EXPECT_TRUE(unpackRowBfpInto(packed.data(), n, fmt, v, kernel)) << describe(fmt, n);
  return v;
}

void expectSameVector(const BfpVector &a, const BfpVector &b, const std::string &what) {
  EXPECT_EQ(a.format, b.format) << what;
  EXPECT_EQ(a.scales, b.scales) << what;
  EXPECT_EQ(a.nanBlocks, b.nanBlocks) << what;
  EXPECT_EQ(a.significands, b.significands) << what;
  EXPECT_EQ(a.exponents, b.exponents) << what;
}

std::vector<size_t> lengthsFor(unsigned k) { return {1, k, k + 1, 2 * k + 3, 8 * k - 1, 400, 401}; }

TEST(UnpackKernel, EveryKernelMatchesThePortableDecoderOnRandomBytes) {
  if (!decodeKernelAvailable(DecodeKernel::Avx2))
    GTEST_SKIP() << "this CPU has no AVX2: only the portable decoder runs";
  std::mt19937 rng(20261205);
  std::uniform_int_distribution<int> byte(0, 255), percent(0, 99);
  size_t nanBlocks = 0, elements = 0;
  for (const NumberFormat &fmt : everyBlockFormat()) {
    for (size_t n : lengthsFor(fmt.blockSize)) {
      for (int trial = 0; trial < 3; ++trial) {
        std::vector<uint8_t> packed(packedRowBytes(fmt, n));
        for (uint8_t &b : packed)
          b = static_cast<uint8_t>(byte(rng));
        // Some blocks NaN by their scale byte (0xFF), some with every code 0.
        const size_t k = fmt.blockSize, full = (fmt.elementBits() * k + 7) / 8 + 1;
        for (size_t at = 0; at < packed.size(); at += full) {
          const int kind = percent(rng);
          if (kind < 5)
            packed[at] = 0xFF;
          else if (kind < 10)
            std::fill(packed.begin() + static_cast<std::ptrdiff_t>(at + 1),
                      packed.begin() + static_cast<std::ptrdiff_t>(std::min(packed.size(), at + full)), uint8_t{0});
        }
        const BfpVector portable = decode(packed, n, fmt, DecodeKernel::Portable);
        expectSameVector(decode(packed, n, fmt, DecodeKernel::Avx2), portable, describe(fmt, n) + " avx2");
        expectSameVector(decode(packed, n, fmt, DecodeKernel::Auto), portable, describe(fmt, n) + " auto");
        expectSameVector(unpackRowBfp(packed.data(), n, fmt), portable, describe(fmt, n) + " unpackRowBfp");
        for (uint8_t nan : portable.nanBlocks)
          nanBlocks += nan;
        elements += n;
      }
    }
  }
  // The random rows reached what they are meant to cover.
  EXPECT_GT(nanBlocks, 1000u);
  EXPECT_GT(elements, 500000u);
}

TEST(UnpackKernel, EveryKernelMatchesThePortableDecoderOnPackedFloats) {
  std::mt19937 rng(7);
  std::normal_distribution<float> value(0.0f, 3.0f);
  std::uniform_int_distribution<int> percent(0, 99);
  for (const NumberFormat &fmt : everyBlockFormat()) {
    for (size_t n : lengthsFor(fmt.blockSize)) {
      std::vector<float> x(n);
      for (float &f : x) {
        const int kind = percent(rng);
        f = kind < 10 ? 0.0f : kind < 15 ? value(rng) * 1e-30f : value(rng);
      }
      std::vector<uint8_t> packed(packedRowBytes(fmt, n));
      packRow(x.data(), n, fmt, Rounding::NearestEven, packed.data());
      const BfpVector portable = decode(packed, n, fmt, DecodeKernel::Portable);
      // The decoder inverts packRow: the values are those quantize() gives.
      const BfpVector q = quantize(x.data(), n, fmt, Rounding::NearestEven);
      std::vector<float> a(n), b(n);
      dequantize(portable, n, a.data());
      dequantize(q, n, b.data());
      ASSERT_EQ(a, b) << describe(fmt, n);
      for (DecodeKernel kernel : {DecodeKernel::Auto, DecodeKernel::Avx2})
        if (decodeKernelAvailable(kernel))
          expectSameVector(decode(packed, n, fmt, kernel), portable, describe(fmt, n));
    }
  }
}

TEST(UnpackKernel, RefusesWhatItCannotDecode) {
  EXPECT_TRUE(decodeKernelAvailable(DecodeKernel::Portable));
  EXPECT_TRUE(decodeKernelAvailable(DecodeKernel::Auto));
  const uint8_t bytes[8] = {};
  BfpVector v;
  v.scales = {1, 2};
  EXPECT_FALSE(unpackRowBfpInto(bytes, 4, NumberFormat::fp32(), v));
  EXPECT_TRUE(v.scales.empty());
  EXPECT_FALSE(unpackRowBfpInto(bytes, 4, NumberFormat::bfp(16, 8), v)); // m = 16 is not a format
  EXPECT_TRUE(unpackRowBfpInto(bytes, 4, NumberFormat::bfp(7, 4), v));
  EXPECT_EQ(v.significands, std::vector<int16_t>(4, 0));
}

} // namespace
} // namespace softnpu::numerics
