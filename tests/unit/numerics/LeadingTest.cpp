//===- LeadingTest.cpp - Rows stored at their real extent times whole vectors ===//
//
// The simulator keeps a tile's rows only as long as the matrix's real extent
// and multiplies them with whole native vectors: numerics::dotLeading must
// equal dot() with the vector cut to the row's length, and the compact
// kernel given a longer input must equal dot() with the row zero-padded to
// the input's length (every kernel, accumulators including -0), or refuse
// when the part past the row holds a NaN block.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace softnpu::numerics {
namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

std::vector<float> randomFloats(std::mt19937 &rng, size_t n) {
  std::normal_distribution<float> value(0.0f, 2.0f);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<float> x(n);
  for (float &f : x)
    f = percent(rng) < 10 ? 0.0f : value(rng);
  return x;
}

/// v's first `blocks` blocks.
BfpVector cut(const BfpVector &v, size_t blocks) {
  const size_t k = v.format.blockSize;
  BfpVector c;
  c.format = v.format;
  c.scales.assign(v.scales.begin(), v.scales.begin() + static_cast<std::ptrdiff_t>(blocks));
  c.nanBlocks.assign(v.nanBlocks.begin(), v.nanBlocks.begin() + static_cast<std::ptrdiff_t>(blocks));
  c.significands.assign(v.significands.begin(), v.significands.begin() + static_cast<std::ptrdiff_t>(blocks * k));
  c.exponents.assign(v.exponents.begin(), v.exponents.begin() + static_cast<std::ptrdiff_t>(blocks * k));
  return c;
}

TEST(DotLeading, EqualsDotWithTheVectorCutToTheRow) {
  std::mt19937 rng(11);
  const std::vector<std::pair<NumberFormat, NumberFormat>> pairs = {
      {NumberFormat::bfp(7, 16), NumberFormat::bfp(7, 16)},
      {NumberFormat::bfp(14, 16), NumberFormat::bfp(10, 16)},
      {NumberFormat::bfp(7, 8), NumberFormat::bfp(3, 8)},
      {NumberFormat::bfp(5, 5), NumberFormat::bfp(5, 5)},
      {NumberFormat::mx(Element::E2M1), NumberFormat::mx(Element::E4M3)},
      {NumberFormat::mx(Element::Int8), NumberFormat::mx(Element::Int8)},
      {NumberFormat::mx(Element::E3M2, 8), NumberFormat::mx(Element::E5M2, 8)}};
  size_t compared = 0;
  for (const auto &[fw, fx] : pairs) {
    const size_t k = fw.blockSize;
    for (size_t cols : {size_t{1}, k - 1, k, 2 * k + 1, 5 * k}) {
      if (cols == 0)
        continue;
      const std::vector<float> wv = randomFloats(rng, cols), xv = randomFloats(rng, 6 * k + 3);
      const BfpVector w = quantize(wv.data(), cols, fw, Rounding::NearestEven);
      const BfpVector x = quantize(xv.data(), xv.size(), fx, Rounding::NearestEven);
      ASSERT_LT(w.numBlocks(), x.numBlocks());
      for (float init : {0.0f, -0.0f, 1.5f, -1e30f}) {
        const float expected = dot(w, cut(x, w.numBlocks()), init);
        EXPECT_EQ(bitsOf(dotLeading(w, x, init)), bitsOf(expected))
            << fw.name() << " x " << fx.name() << " cols " << cols;
        ++compared;
      }
      // dot() itself still wants equal lengths; a shorter x is refused.
      EXPECT_TRUE(std::isnan(dot(w, x, 0.0f)));
      EXPECT_TRUE(std::isnan(dotLeading(x, w, 0.0f)));
    }
  }
  EXPECT_EQ(compared, pairs.size() * 5 * 4);
}

/// w's rows zero-padded to `blocks` blocks (the zero blocks as quantize makes them).
BfpVector padded(const BfpVector &row, size_t blocks) {
  const std::vector<float> zeros(blocks * row.format.blockSize, 0.0f);
  BfpVector p = quantize(zeros.data(), zeros.size(), row.format, Rounding::NearestEven);
  std::copy(row.scales.begin(), row.scales.end(), p.scales.begin());
  std::copy(row.nanBlocks.begin(), row.nanBlocks.end(), p.nanBlocks.begin());
  std::copy(row.significands.begin(), row.significands.end(), p.significands.begin());
  std::copy(row.exponents.begin(), row.exponents.end(), p.exponents.begin());
  return p;
}

TEST(CompactLongerInput, EqualsDotOfZeroPaddedRows) {
  std::mt19937 rng(5);
  std::vector<CompactKernel> kernels;
  for (CompactKernel k : {CompactKernel::Auto, CompactKernel::Portable, CompactKernel::Sse2, CompactKernel::Avx2,
                          CompactKernel::Avx2Vnni, CompactKernel::Avx512Vnni})
    if (compactKernelAvailable(k))
      kernels.push_back(k);
  size_t compared = 0;
  for (unsigned k : {16u, 8u, 6u}) {
    const NumberFormat fw = NumberFormat::bfp(7, k), fx = NumberFormat::bfp(5, k);
    for (size_t cols : {size_t{3}, size_t{k}, size_t{2 * k + 1}}) {
      const size_t rows = 11, xLen = 5 * k;
      std::vector<BfpVector> w;
      for (size_t r = 0; r < rows; ++r) {
        const std::vector<float> v = randomFloats(rng, cols);
        w.push_back(quantize(v.data(), cols, fw, Rounding::NearestEven));
      }
      MsfpCompactMatrix cm;
      ASSERT_TRUE(makeCompactMsfp(w, cm));
      const std::vector<float> xv = randomFloats(rng, xLen);
      const BfpVector x = quantize(xv.data(), xLen, fx, Rounding::NearestEven);
      std::vector<float> init(rows);
      for (size_t r = 0; r < rows; ++r)
        init[r] = r % 3 == 0 ? -0.0f : r % 3 == 1 ? 0.0f : 0.25f * static_cast<float>(r);
      for (CompactKernel kernel : kernels) {
        std::vector<float> acc = init;
        ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data(), kernel));
        for (size_t r = 0; r < rows; ++r) {
          EXPECT_EQ(bitsOf(acc[r]), bitsOf(dot(padded(w[r], x.numBlocks()), x, init[r])))
              << "k " << k << " cols " << cols << " row " << r;
          ++compared;
        }
      }
      // A NaN block of x past the rows: every padded row would be NaN; refused.
      BfpVector xNan = x;
      xNan.nanBlocks.back() = 1;
      std::vector<float> acc = init;
      EXPECT_FALSE(matVecCompactMsfp(cm, xNan, acc.data()));
      EXPECT_EQ(acc, init);
      // A shorter x is refused too.
      if (w[0].numBlocks() > 1)
        EXPECT_FALSE(matVecCompactMsfp(cm, cut(x, w[0].numBlocks() - 1), acc.data()));
    }
  }
  EXPECT_GE(compared, 9u * 11u);
}

} // namespace
} // namespace softnpu::numerics
