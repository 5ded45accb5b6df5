//===- CompactMsfpTest.cpp - Compact MSFP matrix-vector product vs dot() ---===//
//
// numerics::matVecCompactMsfp (the simulator's fast mv_mul path for MSFP
// with m <= 7) must give, bit for bit, what numerics::dot gives row by row:
// random matrices and vectors built directly as BfpVectors (so scales span
// the whole range: subnormal results, overflow to infinity, underflow to
// zero), NaN blocks, all-zero rows and blocks, short last row groups, random
// starting accumulators; k 8, 16, 32 (and 6, the generic loop), m 1..7 on
// both sides. Also: formats the kernel must refuse.
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

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

/// A random SignMagnitude BfpVector of `blocks` blocks. `extremeScales`
/// draws scales over the whole [kMinExp, kMaxExp] range, otherwise near 0.
BfpVector randomVector(std::mt19937 &rng, const NumberFormat &fmt, size_t blocks, bool zeroRow,
                       bool extremeScales) {
  BfpVector v;
  v.format = fmt;
  const size_t k = fmt.blockSize;
  const int maxQ = (1 << fmt.mantissaBits) - 1;
  v.scales.resize(blocks);
  v.nanBlocks.assign(blocks, 0);
  v.significands.assign(blocks * k, 0);
  v.exponents.assign(blocks * k, static_cast<int8_t>(1 - static_cast<int>(fmt.mantissaBits)));
  std::uniform_int_distribution<int> wideScale(kMinExp, kMaxExp), nearScale(-12, 6), q(-maxQ, maxQ),
      percent(0, 99);
  for (size_t b = 0; b < blocks; ++b) {
    v.scales[b] = static_cast<int16_t>(extremeScales ? wideScale(rng) : nearScale(rng));
    if (zeroRow)
      continue;
    const int kind = percent(rng);
    if (kind < 3) { // NaN block
      v.nanBlocks[b] = 1;
      v.scales[b] = kMinExp;
      continue;
    }
    if (kind < 8) // all-zero block
      continue;
    for (size_t i = 0; i < k; ++i) {
      const int r = percent(rng);
      v.significands[b * k + i] = static_cast<int16_t>(r < 20 ? 0 : r < 30 ? (r % 2 ? maxQ : -maxQ) : q(rng));
    }
  }
  return v;
}

TEST(CompactMsfp, MatchesDotBitForBit) {
  std::mt19937 rng(20261128);
  std::uniform_int_distribution<int> percent(0, 99), rowsDist(1, 13), blocksDist(1, 5);
  std::normal_distribution<float> initDist(0.0f, 100.0f);
  size_t blocksCompared = 0, nanResults = 0, infResults = 0, subnormalResults = 0;
  for (unsigned k : {8u, 16u, 32u, 6u}) {
    for (unsigned mw = 1; mw <= 7; ++mw) {
      for (unsigned mx = 1; mx <= 7; ++mx) {
        const NumberFormat fw = NumberFormat::bfp(mw, k), fx = NumberFormat::bfp(mx, k);
        ASSERT_TRUE(isCompactMsfp(fw));
        for (int trial = 0; trial < 30; ++trial) {
          const size_t rows = static_cast<size_t>(rowsDist(rng)), blocks = static_cast<size_t>(blocksDist(rng));
          const bool extreme = percent(rng) < 50;
          std::vector<BfpVector> w;
          for (size_t r = 0; r < rows; ++r)
            w.push_back(randomVector(rng, fw, blocks, percent(rng) < 15, extreme));
          const BfpVector x = randomVector(rng, fx, blocks, percent(rng) < 5, extreme);
          MsfpCompactMatrix cm;
          ASSERT_TRUE(makeCompactMsfp(w, cm));
          std::vector<float> acc(rows), expected(rows);
          for (size_t r = 0; r < rows; ++r) {
            const int kind = percent(rng);
            acc[r] = kind < 30 ? 0.0f : kind < 35 ? std::numeric_limits<float>::denorm_min() : initDist(rng);
            expected[r] = dot(w[r], x, acc[r]);
          }
          ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data()));
          for (size_t r = 0; r < rows; ++r) {
            ASSERT_EQ(bitsOf(acc[r]), bitsOf(expected[r]))
                << "k " << k << " mw " << mw << " mx " << mx << " row " << r << ": " << acc[r] << " vs "
                << expected[r];
            nanResults += std::isnan(expected[r]);
            infResults += std::isinf(expected[r]);
            subnormalResults += std::fpclassify(expected[r]) == FP_SUBNORMAL;
          }
          blocksCompared += rows * blocks;
        }
      }
    }
  }
  EXPECT_GE(blocksCompared, 100000u);
  // The random cases reached the edge cases they are meant to cover.
  EXPECT_GT(nanResults, 100u);
  EXPECT_GT(infResults, 100u);
  EXPECT_GT(subnormalResults, 10u);
}

TEST(CompactMsfp, MatchesDotOnQuantizedData) {
  // Realistic path: quantize floats (incl. tiny values that need subnormal
  // results) to msfp formats, as the simulator does.
  std::mt19937 rng(7);
  std::normal_distribution<float> value(0.0f, 1.0f);
  for (unsigned k : {8u, 16u, 32u}) {
    for (unsigned m = 1; m <= 7; ++m) {
      const NumberFormat fmt = NumberFormat::bfp(m, k);
      const size_t n = 4 * k + 3, rows = 7;
      std::vector<BfpVector> w;
      std::vector<float> row(n), xs(n);
      for (size_t r = 0; r < rows; ++r) {
        const float scale = r == 3 ? 1e-38f : r == 5 ? 0.0f : 1.0f;
        for (float &f : row)
          f = value(rng) * scale;
        w.push_back(quantize(row.data(), n, fmt, Rounding::NearestEven));
      }
      for (float &f : xs)
        f = value(rng) * 1e-6f;
      const BfpVector x = quantize(xs.data(), n, fmt, Rounding::NearestEven);
      MsfpCompactMatrix cm;
      ASSERT_TRUE(makeCompactMsfp(w, cm));
      std::vector<float> acc(rows, 0.5f);
      ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data()));
      for (size_t r = 0; r < rows; ++r)
        EXPECT_EQ(bitsOf(acc[r]), bitsOf(dot(w[r], x, 0.5f))) << "k " << k << " m " << m << " row " << r;
    }
  }
}

TEST(CompactMsfp, RefusesOtherFormats) {
  EXPECT_FALSE(isCompactMsfp(NumberFormat::bfp(8, 16)));
  EXPECT_FALSE(isCompactMsfp(NumberFormat::bfp(7, 15)));
  EXPECT_FALSE(isCompactMsfp(NumberFormat::mx(Element::Int8)));
  EXPECT_FALSE(isCompactMsfp(NumberFormat::fp32()));
  const float ones[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  MsfpCompactMatrix cm;
  EXPECT_FALSE(makeCompactMsfp({quantize(ones, 16, NumberFormat::bfp(8, 16), Rounding::NearestEven)}, cm));
  EXPECT_TRUE(cm.empty());
  ASSERT_TRUE(makeCompactMsfp({quantize(ones, 16, NumberFormat::bfp(7, 16), Rounding::NearestEven)}, cm));
  // An input of another block size, length or a wide format: refused, acc untouched.
  float acc = 3.0f;
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(7, 8), Rounding::NearestEven), &acc));
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 32, NumberFormat::bfp(7, 16), Rounding::NearestEven), &acc));
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(9, 16), Rounding::NearestEven), &acc));
  EXPECT_EQ(acc, 3.0f);
  // The accepted case: 16 * (1 * 1) + 3.
  EXPECT_TRUE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(5, 16), Rounding::NearestEven), &acc));
  EXPECT_EQ(acc, 19.0f);
}

} // namespace
} // namespace softnpu::numerics
