//===- CompactMsfpTest.cpp - Compact MSFP matrix-vector product vs dot() ---===//
//
// numerics::matVecCompactMsfp (the simulator's fast mv_mul path for MSFP
// with m <= 7) must give, bit for bit, what numerics::dot gives row by row,
// with every kernel this CPU can run (portable, SSE2, AVX2, AVX2 + VNNI):
// random matrices and vectors built directly as BfpVectors (so scales span
// the whole range: subnormal results, overflow to infinity, underflow to
// zero), NaN blocks, all-zero rows and blocks (also runs of zero input blocks
// in the middle, as in [x | pad | h | pad] of recurrent layers), short last
// row groups (rows not a multiple of 8), random starting accumulators
// including -0; k 8, 16, 32 (and 2, 6, 10: not a multiple of 4; 256), m 1..7
// on both sides. Also: formats and out-of-range vectors the kernel must refuse,
// and batches of input pieces prepared straight from floats
// (prepareCompactBatch).
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace softnpu::numerics {
namespace {

/// The kernels to compare (those this build and CPU can run).
std::vector<CompactKernel> kernels() {
  std::vector<CompactKernel> out;
  for (CompactKernel k : {CompactKernel::Auto, CompactKernel::Portable, CompactKernel::Sse2, CompactKernel::Avx2,
                          CompactKernel::Avx2Vnni, CompactKernel::Avx512Vnni})
    if (compactKernelAvailable(k))
      out.push_back(k);
  return out;
}

const char *kernelName(CompactKernel k) {
  switch (k) {
  case CompactKernel::Auto:
    return "auto";
  case CompactKernel::Portable:
    return "portable";
  case CompactKernel::Sse2:
    return "sse2";
  case CompactKernel::Avx2:
    return "avx2";
  case CompactKernel::Avx2Vnni:
    return "avx2-vnni";
  case CompactKernel::Avx512Vnni:
    return "avx512-vnni";
  }
  return "?";
}

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

/// A random SignMagnitude BfpVector of `blocks` blocks. `extremeScales`
/// draws scales over the whole [kMinExp, kMaxExp] range, otherwise near 0.
BfpVector randomVector(std::mt19937 &rng, const NumberFormat &fmt, size_t blocks, bool zeroRow, bool extremeScales) {
  BfpVector v;
  v.format = fmt;
  const size_t k = fmt.blockSize;
  const int maxQ = (1 << fmt.mantissaBits) - 1;
  v.scales.resize(blocks);
  v.nanBlocks.assign(blocks, 0);
  v.significands.assign(blocks * k, 0);
  v.exponents.assign(blocks * k, static_cast<int8_t>(1 - static_cast<int>(fmt.mantissaBits)));
  std::uniform_int_distribution<int> wideScale(kMinExp, kMaxExp), nearScale(-12, 6), q(-maxQ, maxQ), percent(0, 99);
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
  std::uniform_int_distribution<int> percent(0, 99), rowsDist(1, 21), blocksDist(1, 7);
  std::normal_distribution<float> initDist(0.0f, 100.0f);
  size_t blocksCompared = 0, nanResults = 0, infResults = 0, subnormalResults = 0;
  for (unsigned k : {8u, 16u, 32u, 6u, 2u, 10u}) {
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
          std::vector<float> init(rows), expected(rows);
          for (size_t r = 0; r < rows; ++r) {
            const int kind = percent(rng);
            init[r] = kind < 30   ? 0.0f
                      : kind < 35 ? std::numeric_limits<float>::denorm_min()
                      : kind < 40 ? -0.0f
                                  : initDist(rng);
            expected[r] = dot(w[r], x, init[r]);
          }
          for (CompactKernel kernel : kernels()) {
            std::vector<float> acc = init;
            ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data(), kernel));
            for (size_t r = 0; r < rows; ++r)
              ASSERT_EQ(bitsOf(acc[r]), bitsOf(expected[r]))
                  << kernelName(kernel) << " k " << k << " mw " << mw << " mx " << mx << " row " << r << ": " << acc[r]
                  << " vs " << expected[r];
          }
          for (size_t r = 0; r < rows; ++r) {
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
      for (CompactKernel kernel : kernels()) {
        std::vector<float> acc(rows, 0.5f);
        ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data(), kernel));
        for (size_t r = 0; r < rows; ++r)
          EXPECT_EQ(bitsOf(acc[r]), bitsOf(dot(w[r], x, 0.5f)))
              << kernelName(kernel) << " k " << k << " m " << m << " row " << r;
      }
    }
  }
}

/// Floats that exercise MSFP rounding: normal values, ties, tiny values
/// (subnormal steps), zeros of both signs, whole zero blocks, huge values.
std::vector<float> roundingInputs(std::mt19937 &rng, size_t n) {
  std::normal_distribution<float> value(0.0f, 1.0f);
  std::uniform_int_distribution<int> percent(0, 99), shift(-140, 120);
  std::vector<float> xs(n);
  for (size_t i = 0; i < n; ++i) {
    const int kind = percent(rng);
    if (kind < 5)
      xs[i] = kind % 2 ? -0.0f : 0.0f;
    else if (kind < 10)
      xs[i] = std::ldexp(static_cast<float>(rng() % 64) + 0.5f, -4); // halfway cases
    else if (kind < 15)
      xs[i] = std::ldexp(value(rng), shift(rng));
    else
      xs[i] = value(rng);
  }
  if (n > 40)
    std::fill(xs.begin() + 16, xs.begin() + 40, 0.0f); // zero blocks in the middle
  return xs;
}

/// A NaN or an infinity, by rounding mode (both must leave a piece unprepared).
float p2Special(Rounding r) {
  return r == Rounding::NearestAway ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::quiet_NaN();
}

/// A rows x cols matrix of N(0, 1) values rounded to `wf`, in compact form.
bool randomCompactMatrix(std::mt19937 &rng, size_t rows, size_t cols, const NumberFormat &wf, MsfpCompactMatrix &out) {
  std::normal_distribution<float> value(0.0f, 1.0f);
  std::vector<BfpVector> w;
  std::vector<float> row(cols);
  for (size_t r = 0; r < rows; ++r) {
    for (float &f : row)
      f = value(rng);
    w.push_back(quantize(row.data(), cols, wf, Rounding::NearestEven));
  }
  return makeCompactMsfp(w, out);
}

TEST(CompactMsfp, BatchMatchesQuantizeThenMultiply) {
  // prepareCompactBatch (quantize fused with the kernels' layout, many
  // pieces at once) + matVecCompactMsfpBatch against quantizeInto +
  // matVecCompactMsfp(w, BfpVector) piece by piece, which is checked against
  // dot above: every compact block size and mantissa pair, every rounding,
  // pieces longer than the matrix, with a short last block or read only in
  // part, and a piece holding NaN or Inf (left unprepared, its accumulators
  // untouched).
  std::mt19937 rng(11);
  std::normal_distribution<float> value(0.0f, 1.0f);
  size_t compared = 0;
  // Enough for the kernels that take four pieces at a time. Pieces 1, 3 and
  // 5 keep roundingInputs' zero blocks; the others, unless a value's
  // exponent is too far out, are what the AVX-512 kernel's fast pieces take
  // (every block non-zero).
  const size_t pieces = 9;
  for (unsigned k : {2u, 8u, 10u, 16u, 32u}) {
    for (unsigned mw : {2u, 4u, 7u}) {
      for (unsigned mx = 1; mx <= 7; ++mx) {
        const NumberFormat wf = NumberFormat::bfp(mw, k), xf = NumberFormat::bfp(mx, k);
        // Pairs of whole groups (the AVX-512 kernel takes up to three pairs
        // at a time) and a short last group: 37 rows are 2 pairs, 61 rows 3
        // pairs and an odd group, 69 rows 3 + 1 pairs, 85 rows 3 + 2 pairs.
        const std::vector<size_t> rowCounts = k == 16  ? std::vector<size_t>{37, 61, 69, 85}
                                              : k == 8 ? std::vector<size_t>{37}
                                                       : std::vector<size_t>{13};
        for (size_t rows : rowCounts) {
          // Blocks of 16 with 37 rows: two-block pieces (their own finish).
          const size_t wCols = k == 16 && rows == 37 ? 2 * k : 3 * k;
          MsfpCompactMatrix cm;
          ASSERT_TRUE(randomCompactMatrix(rng, rows, wCols, wf, cm));
          for (Rounding rounding : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
            for (size_t n : {wCols, wCols + k / 2, wCols + 2 * k}) {
              const size_t stride = n + 3;
              std::vector<float> xs(pieces * stride, 7.0f);
              for (size_t p = 0; p < pieces; ++p) {
                std::vector<float> piece = roundingInputs(rng, n);
                if (p % 2 == 0 || p > 5)
                  for (size_t i = 16; i < std::min<size_t>(40, n); ++i)
                    piece[i] = value(rng);
                // Piece 1 tiny (exponents near kMinExp, subnormal elements),
                // piece 3 huge (near kMaxExp).
                for (float &f : piece)
                  f = p == 1 ? std::ldexp(f, -124) : p == 3 ? std::ldexp(std::clamp(f, -7.0f, 7.0f), 124) : f;
                std::copy(piece.begin(), piece.end(), xs.begin() + static_cast<std::ptrdiff_t>(p * stride));
              }
              // The longest pieces are read only up to `filled`: what lies
              // past it (here NaN) must count as zeros.
              const size_t filled = n == wCols + 2 * k ? n - k - 1 : n;
              for (size_t p = 0; p < pieces; ++p)
                std::fill(xs.begin() + static_cast<std::ptrdiff_t>(p * stride + filled),
                          xs.begin() + static_cast<std::ptrdiff_t>(p * stride + n), std::nanf(""));
              xs[2 * stride + filled - 1] = p2Special(rounding);
              MsfpCompactBatch batch;
              ASSERT_TRUE(prepareCompactBatch(xs.data(), stride, pieces, n, filled, xf, rounding, mw, batch));
              for (CompactKernel kernel : kernels()) {
                std::vector<float> got(pieces * rows, -0.0f);
                ASSERT_TRUE(matVecCompactMsfpBatch(cm, batch, got.data(), rows, kernel));
                for (size_t p = 0; p < pieces; ++p) {
                  std::vector<float> want(rows, -0.0f);
                  if (p == 2) {
                    EXPECT_EQ(batch.prepared[p], 0);
                  } else {
                    ASSERT_EQ(batch.prepared[p], 1);
                    std::vector<float> piece(xs.begin() + static_cast<std::ptrdiff_t>(p * stride),
                                             xs.begin() + static_cast<std::ptrdiff_t>(p * stride + n));
                    std::fill(piece.begin() + static_cast<std::ptrdiff_t>(filled), piece.end(), 0.0f);
                    BfpVector x;
                    quantizeInto(piece.data(), n, xf, rounding, x);
                    ASSERT_TRUE(matVecCompactMsfp(cm, x, want.data(), kernel));
                  }
                  for (size_t r = 0; r < rows; ++r, ++compared)
                    ASSERT_EQ(bitsOf(got[p * rows + r]), bitsOf(want[r]))
                        << kernelName(kernel) << " k " << k << " rows " << rows << " mw " << mw << " mx " << mx << " n "
                        << n << " piece " << p << " row " << r;
                }
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 10000u);
}

TEST(CompactMsfp, BatchWhoseEveryPieceTakesTheFastKernel) {
  // A batch whose pieces all qualify for the AVX-512 kernel's fast pieces
  // (every block non-zero, scales in range) goes to it whole, without a
  // test per piece: the same bits as piece by piece, for every count of
  // pieces modulo four and row counts that reach every number of pairs.
  std::mt19937 rng(17);
  std::normal_distribution<float> value(0.0f, 1.0f);
  const NumberFormat wf = NumberFormat::bfp(5, 16), xf = NumberFormat::bfp(6, 16);
  const size_t n = 80;
  for (size_t rows : {37u, 61u, 69u, 85u}) {
    MsfpCompactMatrix cm;
    ASSERT_TRUE(randomCompactMatrix(rng, rows, n, wf, cm));
    for (size_t pieces : {1u, 4u, 6u, 11u}) {
      std::vector<float> xs(pieces * n);
      for (float &f : xs)
        f = value(rng);
      MsfpCompactBatch batch;
      ASSERT_TRUE(prepareCompactBatch(xs.data(), n, pieces, n, n, xf, Rounding::NearestEven, 5, batch));
      ASSERT_TRUE(batch.allPrepared);
      for (CompactKernel kernel : kernels()) {
        std::vector<float> got(pieces * rows, -0.0f);
        ASSERT_TRUE(matVecCompactMsfpBatch(cm, batch, got.data(), rows, kernel));
        for (size_t p = 0; p < pieces; ++p) {
          BfpVector x;
          quantizeInto(xs.data() + p * n, n, xf, Rounding::NearestEven, x);
          std::vector<float> want(rows, -0.0f);
          ASSERT_TRUE(matVecCompactMsfp(cm, x, want.data(), kernel));
          for (size_t r = 0; r < rows; ++r)
            ASSERT_EQ(bitsOf(got[p * rows + r]), bitsOf(want[r]))
                << kernelName(kernel) << " rows " << rows << " pieces " << pieces << " piece " << p << " row " << r;
        }
      }
    }
  }
}

/// Piece p of two batches of the same shape, field by field: significand
/// bytes, corrections, exponents, active blocks and their scale range.
void expectSamePiece(const MsfpCompactBatch &got, const MsfpCompactBatch &want, size_t p) {
  const size_t blocks = want.blocks, q = want.quads;
  ASSERT_EQ(got.blocks, blocks);
  for (size_t i = 0; i < blocks * q; ++i)
    ASSERT_EQ(got.quad8[p * blocks * q + i], want.quad8[p * blocks * q + i]) << "piece " << p;
  for (size_t b = 0; b < blocks; ++b) {
    ASSERT_EQ(got.corr[p * blocks + b], want.corr[p * blocks + b]) << "piece " << p << " block " << b;
    ASSERT_EQ(got.expAdd[p * blocks + b], want.expAdd[p * blocks + b]) << "piece " << p << " block " << b;
  }
  ASSERT_EQ(got.activeCount[p], want.activeCount[p]) << "piece " << p;
  for (size_t a = 0; a < got.activeCount[p]; ++a)
    ASSERT_EQ(got.active[p * blocks + a], want.active[p * blocks + a]) << "piece " << p;
  if (got.activeCount[p]) {
    EXPECT_EQ(got.activeMinScale[p], want.activeMinScale[p]) << "piece " << p;
    EXPECT_EQ(got.activeMaxScale[p], want.activeMaxScale[p]) << "piece " << p;
  }
}

TEST(CompactMsfp, GatheredBlocksMatchPreparingTheGatheredFloats) {
  // gatherCompactBatch (pieces assembled from blocks quantized once, a
  // convolution's map) gives what prepareCompactBatch gives for the pieces'
  // floats, field by field: blocks tiny, huge, zero and ordinary, zero
  // blocks (-1) anywhere, a NaN or Inf block inside a piece or only in the
  // part past n that `scan` reaches (both leave the piece unprepared).
  std::mt19937 rng(17);
  for (unsigned k : {8u, 16u, 32u}) {
    for (unsigned mx : {3u, 6u, 7u}) {
      const NumberFormat xf = NumberFormat::bfp(mx, k);
      const size_t mapBlocks = 40, blocks = 9, pieces = 11, srcStride = blocks + 2;
      std::vector<float> map(mapBlocks * k);
      for (size_t b = 0; b < mapBlocks; ++b) {
        std::vector<float> part = roundingInputs(rng, k);
        for (size_t i = 0; i < k; ++i)
          map[b * k + i] = b % 7 == 1   ? std::ldexp(part[i], -124)
                           : b % 7 == 3 ? std::ldexp(std::clamp(part[i], -7.0f, 7.0f), 120)
                           : b % 7 == 5 ? 0.0f
                                        : part[i];
      }
      map[11 * k + 2] = std::nanf("");
      map[23 * k] = -std::numeric_limits<float>::infinity();
      std::uniform_int_distribution<int> pick(-1, static_cast<int>(mapBlocks) - 1);
      std::vector<int32_t> src(pieces * srcStride);
      for (int32_t &e : src) {
        e = pick(rng);
        if (e == 11 || e == 23)
          e = 0;
      }
      src[2 * srcStride + 4] = 11;               // a NaN inside piece 2
      src[5 * srcStride + blocks] = 23;          // an Inf past n in piece 5: only `scan` sees it
      src[6 * srcStride + blocks + 1] = 11;      // past what scan reaches in piece 6: not seen
      const size_t n = blocks * k, scan = n + k; // scan covers one block past n
      std::vector<float> floats(pieces * srcStride * k, 0.0f);
      for (size_t p = 0; p < pieces; ++p)
        for (size_t b = 0; b < srcStride; ++b)
          if (src[p * srcStride + b] >= 0)
            std::copy_n(map.begin() + src[p * srcStride + b] * static_cast<std::ptrdiff_t>(k), k,
                        floats.begin() + static_cast<std::ptrdiff_t>((p * srcStride + b) * k));
      for (Rounding rounding : {Rounding::NearestEven, Rounding::TowardZero}) {
        MsfpCompactBatch source, got, want;
        ASSERT_TRUE(prepareCompactBatch(map.data(), k, mapBlocks, k, k, xf, rounding, 7, source));
        ASSERT_TRUE(gatherCompactBatch(source, src.data(), srcStride, pieces, n, scan, got));
        ASSERT_TRUE(prepareCompactBatch(floats.data(), srcStride * k, pieces, n, n, xf, rounding, 7, want));
        ASSERT_EQ(got.blocks, want.blocks);
        ASSERT_EQ(got.base, want.base);
        for (size_t p = 0; p < pieces; ++p) {
          const bool nanPast = p == 5; // prepareCompactBatch reads n elements; the simulator scans the rest itself
          ASSERT_EQ(got.prepared[p], nanPast ? 0 : want.prepared[p]) << "k " << k << " mx " << mx << " piece " << p;
          if (p == 2)
            EXPECT_EQ(got.prepared[p], 0);
          if (!got.prepared[p])
            continue;
          ASSERT_NO_FATAL_FAILURE(expectSamePiece(got, want, p));
        }
      }
    }
  }
  MsfpCompactBatch twoBlocks, out;
  std::vector<float> xs(32, 0.5f);
  ASSERT_TRUE(
      prepareCompactBatch(xs.data(), 32, 1, 32, 32, NumberFormat::bfp(6, 16), Rounding::NearestEven, 7, twoBlocks));
  const int32_t zero = 0;
  EXPECT_FALSE(gatherCompactBatch(twoBlocks, &zero, 1, 1, 16, 16, out)); // the source must hold single blocks
}

/// Compares prepareCompactRuns over `runs` with prepareCompactBatch over
/// the floats they assemble, field by field, in every rounding and a few
/// widths; returns the pieces left unprepared (the same in both).
std::vector<size_t> expectRunsMatchAssembledFloats(const std::vector<float> &src, const std::vector<int64_t> &bases,
                                                   size_t blocks, const std::vector<BlockRun> &runs,
                                                   const std::vector<uint32_t> &runStart) {
  const size_t pieces = bases.size();
  std::vector<float> floats(pieces * blocks * 16, 0.0f);
  for (size_t p = 0; p < pieces; ++p)
    for (size_t b = 0; b < blocks; ++b)
      for (uint32_t r = runStart[b]; r < runStart[b + 1]; ++r)
        for (unsigned l = 0; l < 16; ++l)
          if (runs[r].mask >> l & 1u)
            floats[(p * blocks + b) * 16 + l] = src[static_cast<size_t>(bases[p] + runs[r].from + l)];
  std::vector<size_t> unprepared;
  for (unsigned mx : {3u, 6u, 7u})
    for (Rounding rounding : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero}) {
      const NumberFormat xf = NumberFormat::bfp(mx, 16);
      MsfpCompactBatch got, want;
      EXPECT_TRUE(prepareCompactRuns(src.data(), bases.data(), pieces, blocks, runs.data(), runStart.data(), xf,
                                     rounding, 5, got));
      EXPECT_TRUE(
          prepareCompactBatch(floats.data(), blocks * 16, pieces, blocks * 16, blocks * 16, xf, rounding, 5, want));
      EXPECT_EQ(got.blocks, want.blocks);
      EXPECT_EQ(got.base, want.base);
      unprepared.clear();
      for (size_t p = 0; p < pieces; ++p) {
        EXPECT_EQ(got.prepared[p], want.prepared[p]) << "mx " << mx << " piece " << p;
        if (!got.prepared[p] || !want.prepared[p]) {
          unprepared.push_back(p);
          continue;
        }
        expectSamePiece(got, want, p);
        if (::testing::Test::HasFailure())
          return unprepared;
      }
    }
  return unprepared;
}

/// Source floats for the runs tests: blocks of 16 tiny, huge, zero and
/// ordinary values.
std::vector<float> runSource(std::mt19937 &rng, size_t size) {
  std::vector<float> src(size);
  for (size_t i = 0; i < size; i += 16) {
    std::vector<float> part = roundingInputs(rng, 16);
    for (size_t j = 0; j < 16 && i + j < size; ++j)
      src[i + j] = (i / 16) % 5 == 1   ? std::ldexp(part[j], -124)
                   : (i / 16) % 5 == 3 ? std::ldexp(std::clamp(part[j], -7.0f, 7.0f), 120)
                   : (i / 16) % 9 == 4 ? 0.0f
                                       : part[j];
  }
  return src;
}

TEST(CompactMsfp, PiecesFromRunsMatchPreparingTheAssembledFloats) {
  // prepareCompactRuns (blocks assembled from runs of a source, a
  // convolution's windows read from its map) gives what prepareCompactBatch
  // gives for the assembled floats, field by field: runs of every length at
  // every lane, blocks with no run (zeros), pieces 7 elements apart whose
  // runs overlap other pieces', values tiny, huge, zero and ordinary, and a
  // NaN or an Inf in some pieces' runs (those pieces are left unprepared).
  if (!compactKernelAvailable(CompactKernel::Avx512Vnni))
    GTEST_SKIP() << "prepareCompactRuns needs AVX-512";
  std::mt19937 rng(29);
  const size_t blocks = 5, pieces = 37;
  std::vector<float> src = runSource(rng, 2000);
  // Block b: runs splitting its 16 lanes at random points, every other run
  // left out, each from a random place of the source.
  std::vector<BlockRun> runs;
  std::vector<uint32_t> runStart{0};
  std::uniform_int_distribution<int> cut(1, 15), from(0, 1500);
  for (size_t b = 0; b < blocks; ++b) {
    if (b != 3) { // block 3: no runs, all zeros
      unsigned lane = 0;
      for (int r = 0; lane < 16; ++r) {
        const unsigned len = std::min(16u - lane, static_cast<unsigned>(cut(rng)));
        if (r % 2 == 0 || b == 0)
          runs.push_back({from(rng) - static_cast<int64_t>(lane), static_cast<uint16_t>(((1u << len) - 1) << lane)});
        lane += len;
      }
    }
    runStart.push_back(static_cast<uint32_t>(runs.size()));
  }
  std::vector<int64_t> bases(pieces);
  for (size_t p = 0; p < pieces; ++p)
    bases[p] = static_cast<int64_t>(7 * p);
  // A NaN in piece 5's first run and an Inf in piece 20's last (other
  // pieces whose runs reach them see them too).
  auto firstLane = [](uint16_t mask) { return static_cast<int64_t>(__builtin_ctz(mask)); };
  src[static_cast<size_t>(bases[5] + runs.front().from + firstLane(runs.front().mask))] = std::nanf("");
  src[static_cast<size_t>(bases[20] + runs.back().from + firstLane(runs.back().mask))] =
      std::numeric_limits<float>::infinity();
  const std::vector<size_t> unprepared = expectRunsMatchAssembledFloats(src, bases, blocks, runs, runStart);
  EXPECT_NE(std::find(unprepared.begin(), unprepared.end(), 5), unprepared.end());
  EXPECT_NE(std::find(unprepared.begin(), unprepared.end(), 20), unprepared.end());
  EXPECT_LT(unprepared.size(), pieces / 2);
  MsfpCompactBatch out;
  const int64_t base = 0;
  const uint32_t none[2] = {0, 0};
  EXPECT_FALSE(prepareCompactRuns(src.data(), &base, 1, 1, runs.data(), none, NumberFormat::bfp(6, 8),
                                  Rounding::NearestEven, 5, out)); // blocks of 8: the caller assembles
}

TEST(CompactMsfp, PiecesOfOneRunPerBlockMatchPreparingTheAssembledFloats) {
  // Windows of one tap (a 1 x 1 convolution's) take loaders of their own:
  // pieces of whole blocks back to back load as one dense array, other
  // pieces of one run per block with one masked load per block. Each gives
  // what prepareCompactBatch gives for the assembled floats: pieces back to
  // back (48 channels), the same with one piece out of step or two blocks
  // swapped, with the last block half a run (24 channels, pieces 32 apart),
  // and with pieces apart (stride 2); a NaN in one piece.
  if (!compactKernelAvailable(CompactKernel::Avx512Vnni))
    GTEST_SKIP() << "prepareCompactRuns needs AVX-512";
  std::mt19937 rng(31);
  const size_t pieces = 41;
  std::vector<float> src = runSource(rng, 4200);
  src[16 * 3 * 9 + 21] = std::nanf(""); // piece 9's block 1 when pieces are 48 apart
  struct Case {
    const char *what;
    size_t blocks;
    std::vector<BlockRun> runs;
    int64_t step, outOfStep;
  };
  const std::vector<Case> cases = {
      {"back to back", 3, {{0, 0xFFFF}, {16, 0xFFFF}, {32, 0xFFFF}}, 48, -1},
      {"one piece out of step", 3, {{0, 0xFFFF}, {16, 0xFFFF}, {32, 0xFFFF}}, 48, 17},
      {"blocks out of order", 3, {{16, 0xFFFF}, {0, 0xFFFF}, {32, 0xFFFF}}, 48, -1},
      {"half a last block", 2, {{0, 0xFFFF}, {16, 0x00FF}}, 32, -1},
      {"pieces apart", 3, {{0, 0xFFFF}, {16, 0xFFFF}, {32, 0xFFFF}}, 96, -1},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<uint32_t> runStart(c.blocks + 1);
    std::iota(runStart.begin(), runStart.end(), 0u);
    std::vector<int64_t> bases(pieces);
    for (size_t p = 0; p < pieces; ++p)
      bases[p] = 5 + c.step * static_cast<int64_t>(p) + (static_cast<int64_t>(p) == c.outOfStep ? 3 : 0);
    const std::vector<size_t> unprepared = expectRunsMatchAssembledFloats(src, bases, c.blocks, c.runs, runStart);
    if (c.step == 48) // the NaN is piece 9's
      EXPECT_EQ(unprepared, std::vector<size_t>{9});
    else
      EXPECT_LE(unprepared.size(), 2u);
  }
}

TEST(CompactMsfp, DepthwiseFromSourceBlocksMatchesGatheringThem) {
  // A depthwise matrix (row r reads element t x C + r of each of 9 taps, C =
  // 32 channels: two 16-row groups, half the blocks used) multiplied straight from single source
  // blocks (matVecDepthwiseGathered) gives what gatherCompactBatch then
  // matVecCompactMsfpBatch give, bit for bit: zero source blocks, zero
  // weights, negative entries (padding), any mantissa widths; a NaN source
  // or a scale range that leaves the normal range is refused.
  if (!compactKernelAvailable(CompactKernel::Avx512Vnni))
    GTEST_SKIP() << "matVecDepthwiseGathered needs AVX-512";
  std::mt19937 rng(41);
  const size_t channels = 32, taps = 9, n = channels * taps, blocks = n / 16, pieces = 23, mapBlocks = 60;
  for (unsigned mw : {3u, 5u, 7u})
    for (unsigned mx : {3u, 4u, 5u, 6u, 7u}) {
      const NumberFormat wf = NumberFormat::bfp(mw, 16), xf = NumberFormat::bfp(mx, 16);
      std::uniform_real_distribution<float> u(-2.0f, 2.0f);
      std::vector<BfpVector> rows(channels);
      for (size_t r = 0; r < channels; ++r) {
        std::vector<float> row(n, 0.0f);
        for (size_t t = 0; t < taps; ++t)
          row[t * channels + r] = (r + t) % 11 == 3 ? 0.0f : u(rng) * std::ldexp(1.0f, static_cast<int>(t % 5) - 2);
        quantizeInto(row.data(), n, wf, Rounding::NearestEven, rows[r]);
      }
      MsfpCompactMatrix w;
      ASSERT_TRUE(makeCompactMsfp(rows, w));
      ASSERT_FALSE(w.depthwiseStart.empty()) << "no depthwise table";
      std::vector<float> map(mapBlocks * 16);
      for (size_t b = 0; b < mapBlocks; ++b)
        for (size_t i = 0; i < 16; ++i)
          map[b * 16 + i] = b % 7 == 2 ? 0.0f : u(rng) * std::ldexp(1.0f, static_cast<int>(b % 9) - 4);
      MsfpCompactBatch source;
      ASSERT_TRUE(prepareCompactBatch(map.data(), 16, mapBlocks, 16, 16, xf, Rounding::NearestEven, mw, source));
      std::uniform_int_distribution<int> pick(-1, static_cast<int>(mapBlocks) - 1);
      std::vector<int32_t> src(pieces * blocks);
      for (int32_t &e : src)
        e = pick(rng);
      ASSERT_TRUE(depthwiseSourcesReady(source, src.data(), src.size(), w.normalMinScale, w.normalMaxScale));
      MsfpCompactBatch gathered;
      ASSERT_TRUE(gatherCompactBatch(source, src.data(), blocks, pieces, n, n, gathered));
      std::vector<float> want(pieces * channels, 0.0f), got(pieces * channels, 0.0f);
      ASSERT_TRUE(matVecCompactMsfpBatch(w, gathered, want.data(), channels));
      ASSERT_TRUE(matVecDepthwiseGathered(w, source, src.data(), blocks, pieces, got.data(), channels));
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(bitsOf(got[i]), bitsOf(want[i])) << "mw " << mw << " mx " << mx << " piece " << i / channels
                                                   << " row " << i % channels << ": " << got[i] << " vs " << want[i];
      // The same from the blocks' and the weights' float values (fused
      // multiply-adds, four pieces at a time and the 3 left one by one).
      ASSERT_TRUE(w.hasDepthwiseValues());
      ASSERT_TRUE(dequantizeBlocks(source));
      std::vector<float> fromValues(pieces * channels, 0.0f);
      ASSERT_TRUE(matVecDepthwiseGathered(w, source, src.data(), blocks, pieces, fromValues.data(), channels));
      for (size_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(bitsOf(fromValues[i]), bitsOf(want[i]))
            << "values: mw " << mw << " mx " << mx << " piece " << i / channels << " row " << i % channels;
      // A NaN in a source block a piece names, and a block whose values
      // leave the normal range with these weights: the general way.
      auto refused = [&](size_t block, const std::vector<float> &blockValues, size_t entry, const char *what) {
        std::vector<float> bad = map;
        std::copy(blockValues.begin(), blockValues.end(), bad.begin() + static_cast<std::ptrdiff_t>(block * 16));
        MsfpCompactBatch badSource;
        ASSERT_TRUE(prepareCompactBatch(bad.data(), 16, mapBlocks, 16, 16, xf, Rounding::NearestEven, mw, badSource));
        std::vector<int32_t> naming = src;
        naming[entry] = static_cast<int32_t>(block);
        EXPECT_FALSE(depthwiseSourcesReady(badSource, naming.data(), naming.size(), w.normalMinScale, w.normalMaxScale))
            << what;
        if (std::string(what) == "NaN")
          EXPECT_FALSE(dequantizeBlocks(badSource)) << "a map with a NaN block has no float values";
      };
      std::vector<float> withNan(map.begin() + 5 * 16, map.begin() + 6 * 16);
      withNan[3] = std::nanf("");
      refused(5, withNan, 7, "NaN");
      refused(9, std::vector<float>(16, std::ldexp(1.5f, -126)), 0, "out of the normal range");
      // Weights near 2^70 and a map near 2^60: every scale in range, but
      // products past 2^128, which the integer kernel rounds to Inf before
      // adding; the float kernel (one fused multiply-add) must not be taken.
      std::vector<BfpVector> bigRows = rows;
      for (BfpVector &row : bigRows)
        for (auto &scale : row.scales)
          scale = static_cast<int16_t>(scale + 70);
      MsfpCompactMatrix big;
      ASSERT_TRUE(makeCompactMsfp(bigRows, big));
      std::vector<float> bigMap = map;
      for (float &v : bigMap)
        v = std::ldexp(v, 60);
      MsfpCompactBatch bigSource, bigGathered;
      ASSERT_TRUE(prepareCompactBatch(bigMap.data(), 16, mapBlocks, 16, 16, xf, Rounding::NearestEven, mw, bigSource));
      if (!depthwiseSourcesReady(bigSource, src.data(), src.size(), big.normalMinScale, big.normalMaxScale))
        continue; // a scale past the normal range for these widths: the general way anyway
      EXPECT_FALSE(depthwiseProductsExact(big.normalMaxScale, bigSource));
      ASSERT_TRUE(dequantizeBlocks(bigSource));
      ASSERT_TRUE(gatherCompactBatch(bigSource, src.data(), blocks, pieces, n, n, bigGathered));
      std::vector<float> bigWant(pieces * channels, 0.0f), bigGot(pieces * channels, 0.0f);
      ASSERT_TRUE(matVecCompactMsfpBatch(big, bigGathered, bigWant.data(), channels));
      ASSERT_TRUE(matVecDepthwiseGathered(big, bigSource, src.data(), blocks, pieces, bigGot.data(), channels));
      size_t infinite = 0;
      for (size_t i = 0; i < bigWant.size(); ++i) {
        infinite += std::isinf(bigWant[i]) ? 1 : 0;
        ASSERT_EQ(bitsOf(bigGot[i]), bitsOf(bigWant[i])) << "overflow: mw " << mw << " mx " << mx << " element " << i;
      }
      EXPECT_GT(infinite, 0u) << "mw " << mw << " mx " << mx;
    }
}

TEST(CompactMsfp, BlockValuesMatchPreparingThenDequantizing) {
  // prepareBlockValues gives the floats prepareCompactBatch then
  // dequantizeBlocks give, bit for bit, in every rounding mode and input
  // width: blocks of zeros, blocks that round to zero, ties, wide ranges,
  // and a count that is not a multiple of 16. A NaN, an infinity or a block
  // for the generic loop (tiny) is refused.
  if (!compactKernelAvailable(CompactKernel::Avx512Vnni))
    GTEST_SKIP() << "prepareBlockValues needs AVX-512";
  std::mt19937 rng(43);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  const size_t count = 37;
  std::vector<float> map(count * 16);
  for (size_t b = 0; b < count; ++b)
    for (size_t i = 0; i < 16; ++i) {
      const float v = u(rng) * std::ldexp(1.0f, static_cast<int>(b % 13) - 6);
      map[b * 16 + i] = b % 7 == 2 ? 0.0f : b % 11 == 4 && i ? 1e-3f * v : b % 5 == 1 ? std::round(v * 8) / 16 : v;
    }
  for (Rounding r : {Rounding::NearestEven, Rounding::NearestAway, Rounding::TowardZero})
    for (unsigned mx = 3; mx <= 7; ++mx) {
      const NumberFormat xf = NumberFormat::bfp(mx, 16);
      MsfpCompactBatch want, got;
      ASSERT_TRUE(prepareCompactBatch(map.data(), 16, count, 16, 16, xf, r, 5, want));
      ASSERT_TRUE(dequantizeBlocks(want));
      ASSERT_TRUE(prepareBlockValues(map.data(), count, xf, r, 5, got));
      EXPECT_TRUE(got.valuesOnly);
      EXPECT_EQ(got.base, want.base);
      EXPECT_EQ(got.activeScaleLo, want.activeScaleLo);
      EXPECT_EQ(got.activeScaleHi, want.activeScaleHi);
      ASSERT_EQ(got.values.size(), want.values.size());
      ASSERT_EQ(got.values.size(), (count + 1) * 16);
      const int8_t *q8 = reinterpret_cast<const int8_t *>(want.quad8.data());
      for (size_t i = 0; i < want.values.size(); ++i) {
        ASSERT_EQ(got.values[i], want.values[i])
            << "mx " << mx << " rounding " << static_cast<int>(r) << " block " << i / 16 << " lane " << i % 16;
        // Each value (stored as bfloat16) is exactly significand x 2^expAdd;
        // the block past the last is zeros.
        const size_t b = i / 16;
        const float exact =
            b < count && want.activeCount[b] ? std::ldexp(static_cast<float>(q8[i]), want.expAdd[b]) : 0.0f;
        ASSERT_EQ(bitsOf(blockValue(got, i)), bitsOf(exact)) << "mx " << mx << " block " << b << " lane " << i % 16;
      }
      MsfpCompactBatch gathered;
      const int32_t src[1] = {0};
      EXPECT_FALSE(gatherCompactBatch(got, src, 1, 1, 16, 16, gathered)) << "a values-only batch has no significands";
    }
  for (float bad : {std::nanf(""), std::numeric_limits<float>::infinity(), 1e-40f}) {
    std::vector<float> withBad = map;
    withBad[20 * 16 + 3] = bad;
    std::fill(withBad.begin() + 21 * 16, withBad.begin() + 22 * 16, 0.0f);
    withBad[21 * 16] = bad; // alone in its block: for 1e-40, a block for the generic loop
    MsfpCompactBatch got;
    EXPECT_FALSE(prepareBlockValues(withBad.data(), count, NumberFormat::bfp(6, 16), Rounding::NearestEven, 5, got))
        << bad;
  }
}

TEST(CompactMsfp, BlockValuesInStepsMatchThemAllAtOnce) {
  // prepareBlockValues with `ready` blocks, then extendBlockValues in steps,
  // gives the values of rounding all the blocks at once; the summary covers
  // the blocks rounded so far. A step reaching a block with a NaN, or one
  // past the range, leaves the batch without values.
  if (!compactKernelAvailable(CompactKernel::Avx512Vnni))
    GTEST_SKIP() << "prepareBlockValues needs AVX-512";
  const size_t count = 53;
  std::mt19937 rng(44);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> map(count * 16);
  for (size_t b = 0; b < count; ++b)
    for (size_t i = 0; i < 16; ++i) // block b's largest magnitude: 1.5 x 2^(b mod 9 - 4)
      map[b * 16 + i] = std::ldexp(i == 5 ? 1.5f : u(rng), static_cast<int>(b % 9) - 4);
  const NumberFormat xf = NumberFormat::bfp(6, 16);
  MsfpCompactBatch whole, steps;
  ASSERT_TRUE(prepareBlockValues(map.data(), count, xf, Rounding::NearestEven, 5, whole));
  ASSERT_TRUE(prepareBlockValues(map.data(), count, xf, Rounding::NearestEven, 5, steps, 3));
  EXPECT_EQ(steps.valuesReady, 3u);
  EXPECT_EQ(steps.activeScaleHi - steps.activeScaleLo, 2) << "blocks 0 to 2: scales 2^-4 to 2^-2";
  for (size_t upTo : {3, 4, 20, 21, 52, 60}) {
    ASSERT_TRUE(extendBlockValues(map.data(), upTo, Rounding::NearestEven, steps));
    EXPECT_EQ(steps.valuesReady, std::min(upTo, count));
  }
  EXPECT_EQ(steps.activeScaleLo, whole.activeScaleLo);
  EXPECT_EQ(steps.activeScaleHi, whole.activeScaleHi);
  ASSERT_EQ(steps.values.size(), whole.values.size());
  for (size_t i = 0; i < whole.values.size(); ++i)
    ASSERT_EQ(steps.values[i], whole.values[i]) << "block " << i / 16 << " lane " << i % 16;
  // 1e-36 alone in its block: E = -120, below the range of the values.
  for (float bad : {std::nanf(""), 1e-36f}) {
    std::vector<float> late = map;
    std::fill(late.begin() + 40 * 16, late.begin() + 41 * 16, 0.0f);
    late[40 * 16 + 7] = bad;
    MsfpCompactBatch b;
    ASSERT_TRUE(prepareBlockValues(late.data(), count, xf, Rounding::NearestEven, 5, b, 30));
    EXPECT_TRUE(extendBlockValues(late.data(), 40, Rounding::NearestEven, b)) << bad;
    EXPECT_FALSE(extendBlockValues(late.data(), 41, Rounding::NearestEven, b)) << bad;
    EXPECT_FALSE(b.valuesOnly);
    EXPECT_TRUE(b.values.empty());
  }
}

TEST(CompactMsfp, BatchRefusesMismatches) {
  const NumberFormat f = NumberFormat::bfp(7, 16);
  std::vector<float> xs(32, 0.5f);
  MsfpCompactBatch batch;
  EXPECT_FALSE(
      prepareCompactBatch(xs.data(), 32, 1, 32, 32, NumberFormat::bfp(8, 16), Rounding::NearestEven, 7, batch));
  EXPECT_FALSE(prepareCompactBatch(xs.data(), 32, 1, 0, 0, f, Rounding::NearestEven, 7, batch));
  std::vector<BfpVector> w(8, quantize(xs.data(), 32, f, Rounding::NearestEven));
  MsfpCompactMatrix cm;
  ASSERT_TRUE(makeCompactMsfp(w, cm));
  std::vector<float> acc(8, 0.0f);
  // Prepared for another weight width, or with fewer blocks than w.
  ASSERT_TRUE(prepareCompactBatch(xs.data(), 32, 1, 32, 32, f, Rounding::NearestEven, 4, batch));
  EXPECT_FALSE(matVecCompactMsfpBatch(cm, batch, acc.data(), 8));
  ASSERT_TRUE(prepareCompactBatch(xs.data(), 32, 1, 16, 16, f, Rounding::NearestEven, 7, batch));
  EXPECT_EQ(batch.blocks, 1u);
  EXPECT_FALSE(matVecCompactMsfpBatch(cm, batch, acc.data(), 8));
  EXPECT_EQ(acc, std::vector<float>(8, 0.0f));
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
  // An input of another block size, shorter than the rows or of a wide
  // format: refused, acc untouched (a longer one: LeadingTest.cpp).
  float acc = 3.0f;
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(7, 8), Rounding::NearestEven), &acc));
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 0, NumberFormat::bfp(7, 16), Rounding::NearestEven), &acc));
  EXPECT_FALSE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(9, 16), Rounding::NearestEven), &acc));
  EXPECT_EQ(acc, 3.0f);
  // The accepted case: 16 * (1 * 1) + 3.
  EXPECT_TRUE(matVecCompactMsfp(cm, quantize(ones, 16, NumberFormat::bfp(5, 16), Rounding::NearestEven), &acc));
  EXPECT_EQ(acc, 19.0f);
}

/// Compares every kernel with dot() row by row for `w` (rows) and `x`,
/// starting from `init`.
void expectAllKernelsMatchDot(const std::vector<BfpVector> &w, const BfpVector &x, const std::vector<float> &init,
                              const std::string &what) {
  MsfpCompactMatrix cm;
  ASSERT_TRUE(makeCompactMsfp(w, cm)) << what;
  for (CompactKernel kernel : kernels()) {
    std::vector<float> acc = init;
    ASSERT_TRUE(matVecCompactMsfp(cm, x, acc.data(), kernel)) << what;
    for (size_t r = 0; r < w.size(); ++r)
      ASSERT_EQ(bitsOf(acc[r]), bitsOf(dot(w[r], x, init[r])))
          << what << " " << kernelName(kernel) << " row " << r << ": " << acc[r] << " vs " << dot(w[r], x, init[r]);
  }
}

TEST(CompactMsfp, RecurrentLayerShapes) {
  // Native vectors of 400 as in brainwave-s10: gate-matrix tiles whose input
  // is [x | zero pad | h | zero pad] (zero blocks in the middle and at the
  // end), ReLU-like inputs with scattered zero blocks, row counts that are
  // not a multiple of 8 and zero padding rows; msfp12 / msfp15 / msfp16 (m =
  // 7 on both sides needs the widening path of the AVX2 kernel) and k 8 / 16 / 32.
  std::mt19937 rng(400);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::uniform_int_distribution<int> percent(0, 99);
  for (unsigned k : {16u, 8u, 32u}) {
    for (unsigned m : {3u, 6u, 7u}) {
      const NumberFormat fmt = NumberFormat::bfp(m, k);
      const size_t n = 400;
      for (size_t rows : {size_t{400}, size_t{403}, size_t{13}}) {
        std::vector<BfpVector> w;
        std::vector<float> row(n);
        for (size_t r = 0; r < rows; ++r) {
          const bool padRow = r >= rows - rows / 7; // zero rows at the end (padding of the gate)
          for (size_t i = 0; i < n; ++i)
            row[i] = padRow || i >= 350 ? 0.0f : u(rng) * 0.03f;
          w.push_back(quantize(row.data(), n, fmt, Rounding::NearestEven));
        }
        for (int variant = 0; variant < 3; ++variant) {
          std::vector<float> xs(n);
          for (size_t i = 0; i < n; ++i) {
            if (variant == 0) // x (0..99), pad (100..199), h (200..299), pad
              xs[i] = (i < 100 || (i >= 200 && i < 300)) ? u(rng) : 0.0f;
            else if (variant == 1) // ReLU output: zero runs of random length
              xs[i] = percent(rng) < 60 ? 0.0f : std::fabs(u(rng));
            else // one lone non-zero block in the middle
              xs[i] = (i >= 5 * k && i < 6 * k) ? u(rng) * 1e-3f : 0.0f;
          }
          const BfpVector x = quantize(xs.data(), n, fmt, Rounding::NearestEven);
          std::vector<float> init(rows);
          for (size_t r = 0; r < rows; ++r)
            init[r] = r % 3 == 0 ? 0.0f : r % 3 == 1 ? -0.0f : u(rng);
          expectAllKernelsMatchDot(w, x, init,
                                   "k " + std::to_string(k) + " m " + std::to_string(m) + " rows " +
                                       std::to_string(rows) + " variant " + std::to_string(variant));
        }
      }
    }
  }
}

/// A row of `blocks` blocks with the given scales, significands from `q`
/// (0 = zero block, kNanBlock = NaN block).
constexpr int kNanBlock = 1000;
BfpVector makeRow(const NumberFormat &fmt, const std::vector<int> &scales, const std::vector<int> &q) {
  BfpVector v;
  v.format = fmt;
  const size_t k = fmt.blockSize, blocks = scales.size();
  v.scales.assign(scales.begin(), scales.end());
  v.nanBlocks.assign(blocks, 0);
  v.significands.assign(blocks * k, 0);
  v.exponents.assign(blocks * k, static_cast<int8_t>(1 - static_cast<int>(fmt.mantissaBits)));
  for (size_t b = 0; b < blocks; ++b) {
    if (q[b] == kNanBlock) {
      v.nanBlocks[b] = 1;
      v.scales[b] = kMinExp;
      continue;
    }
    for (size_t i = 0; i < k; ++i)
      v.significands[b * k + i] = static_cast<int16_t>(i % 3 == 2 ? -q[b] : i % 3 == 1 ? 0 : q[b]);
  }
  return v;
}

TEST(CompactMsfp, ZeroBlocksNanBlocksAndExtremeExponents) {
  // Hand-made cases: a zero weight block next to blocks of extreme scale (its
  // own scale must not push the group off the normal-range path, nor change
  // a value); block values in the subnormal range, below it (rounding to
  // +-0 or the smallest subnormal) and overflowing to infinity; NaN weight
  // blocks where the input block is zero (the result is still NaN); NaN
  // input blocks inside a run of zero input blocks; -0 accumulators.
  const NumberFormat fmt = NumberFormat::bfp(7, 16);
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::vector<int> wScales, wq, xScales, xq;
    std::vector<float> init;
  };
  const std::vector<Case> cases = {
      // zero weight block (scale -126) beside normal blocks
      {{-126, -3, 5, -2}, {0, 100, 7, 1}, {-1, 0, -4, 3}, {5, 127, 9, 0}, {-0.0f, 0.0f, 1.0f}},
      // block values in the subnormal range and below: E = -126 - 126 + base
      {{-126, -120, -60, -126}, {1, 127, 3, 127}, {-126, -20, -80, -126}, {1, 3, 127, 127}, {-0.0f, 0.0f, 1e-45f}},
      // overflow to +-inf, then more blocks
      {{127, 127, 0, 127}, {127, 127, 1, 127}, {127, 127, 0, -126}, {127, 127, 1, 0}, {0.0f, -0.0f, -inf}},
      // NaN weight block where the input is zero; zero input elsewhere
      {{0, 0, 0, 0}, {5, kNanBlock, 0, 3}, {0, -126, -126, 2}, {1, 0, 0, 4}, {-0.0f, 2.0f, 0.0f}},
      // NaN input block inside a zero run
      {{1, 2, 3, 4}, {3, 4, 5, 6}, {0, -126, -126, -126}, {2, 0, kNanBlock, 0}, {-0.0f, 0.0f, 3.0f}},
      // all input blocks zero: only -0 -> +0 remains
      {{1, 2, 3, 4}, {3, 4, 5, 6}, {-126, -126, -126, -126}, {0, 0, 0, 0}, {-0.0f, 0.0f, -5.0f}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    const Case &t = cases[c];
    for (size_t rows : {size_t{1}, size_t{3}, size_t{9}}) {
      std::vector<BfpVector> w;
      std::vector<float> init;
      for (size_t r = 0; r < rows; ++r) {
        std::vector<int> q = t.wq;
        if (r % 2 == 1) // odd rows: the same blocks with other significands (and an all-zero row)
          for (int &v : q)
            v = v == kNanBlock ? v : r == 5 ? 0 : (v * 3) % 128;
        w.push_back(makeRow(fmt, t.wScales, q));
        init.push_back(t.init[r % t.init.size()]);
      }
      expectAllKernelsMatchDot(w, makeRow(fmt, t.xScales, t.xq), init,
                               "case " + std::to_string(c) + " rows " + std::to_string(rows));
    }
  }
}

TEST(CompactMsfp, NegativeZeroAccumulatorBecomesPositiveAsDotDoes) {
  // dot() adds +0 for an all-zero block: -0 + +0 = +0. The kernels skip such
  // blocks and must still turn -0 into +0 (and keep +0, NaN, others).
  const NumberFormat fmt = NumberFormat::bfp(6, 16);
  const std::vector<BfpVector> w = {makeRow(fmt, {0, 0}, {0, 0}), makeRow(fmt, {0, 0}, {3, 0}),
                                    makeRow(fmt, {0, 0}, {0, 0})};
  const BfpVector x = makeRow(fmt, {0, -126}, {5, 0});
  std::vector<float> init = {-0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN()};
  expectAllKernelsMatchDot(w, x, init, "zero rows");
  EXPECT_EQ(bitsOf(dot(w[0], x, -0.0f)), bitsOf(0.0f));
  // A group of rows that are all zero (skipped as a whole), and an input
  // that is all zero (every block skipped).
  const std::vector<BfpVector> zeroRows(3, makeRow(fmt, {0, 0}, {0, 0}));
  expectAllKernelsMatchDot(zeroRows, x, {-0.0f, 0.0f, -0.0f}, "zero group");
  expectAllKernelsMatchDot(w, makeRow(fmt, {0, -126}, {0, 0}), {-0.0f, -0.0f, 1.0f}, "zero input");
}

/// The `pieces` inputs xs (each w's length) as one batch (msfp with 6-bit
/// weights): every kernel's matVecCompactMsfpBatch against dot(), bit for
/// bit, every row starting from init.
void expectBatchKernelsMatchDot(const std::vector<BfpVector> &w, const MsfpCompactMatrix &cm,
                                const std::vector<float> &xs, size_t pieces, const NumberFormat &fmt,
                                const std::vector<float> &init, const std::string &what) {
  const size_t n = xs.size() / pieces, rows = w.size();
  MsfpCompactBatch batch;
  ASSERT_TRUE(prepareCompactBatch(xs.data(), n, pieces, n, n, fmt, Rounding::NearestEven, 6, batch)) << what;
  for (CompactKernel kernel : kernels()) {
    std::vector<float> got(pieces * rows);
    for (size_t p = 0; p < pieces; ++p)
      std::copy(init.begin(), init.end(), got.begin() + static_cast<std::ptrdiff_t>(p * rows));
    ASSERT_TRUE(matVecCompactMsfpBatch(cm, batch, got.data(), rows, kernel)) << what;
    for (size_t p = 0; p < pieces; ++p) {
      const BfpVector x = quantize(xs.data() + p * n, n, fmt, Rounding::NearestEven);
      for (size_t r = 0; r < rows; ++r)
        ASSERT_EQ(bitsOf(got[p * rows + r]), bitsOf(dot(w[r], x, init[r])))
            << kernelName(kernel) << " " << what << " piece " << p << " row " << r;
    }
  }
}

TEST(CompactMsfp, SparseBlockDiagonalMatchesDot) {
  // A depthwise convolution's matrix: row o holds one weight per tap t at
  // column t * C + o, so most (group, block) pairs are all zero and the
  // matrix is sparse (MsfpCompactMatrix::groupBlocks): the kernels add only
  // the blocks a group uses, each with one product per row (groupDiagonal). Against dot() bit for bit, single vectors
  // and batches, with -0 accumulators, zero and tiny input blocks, a NaN weight block, and every row count up to a few
  // groups.
  std::mt19937 rng(5);
  std::normal_distribution<float> value(0.0f, 1.0f);
  const NumberFormat fmt = NumberFormat::bfp(6, 16);
  size_t sparseSeen = 0;
  for (size_t channels : {size_t{8}, size_t{37}, size_t{64}, size_t{160}}) {
    const size_t taps = 9, n = taps * channels;
    std::vector<BfpVector> w;
    for (size_t o = 0; o < channels; ++o) {
      std::vector<float> row(n, 0.0f);
      for (size_t t = 0; t < taps; ++t)
        row[t * channels + o] = value(rng);
      if (o == 3 && channels == 160)
        row[4 * channels + o] = std::nanf(""); // a NaN block: that group takes the generic path
      w.push_back(quantize(row.data(), n, fmt, Rounding::NearestEven));
    }
    MsfpCompactMatrix cm;
    ASSERT_TRUE(makeCompactMsfp(w, cm));
    sparseSeen += cm.sparse();
    if (cm.sparse()) { // each row holds one weight per tap block, at element base + row: the diagonal kernels
      EXPECT_EQ(cm.groupDiagonal[1], 1u) << channels;
      EXPECT_EQ(cm.diagonalSpan[4], 4u) << channels;                         // groups 4 .. 7, 9 blocks each
      EXPECT_EQ(cm.groupDiagonal[0], channels == 160 ? 0u : 1u) << channels; // 160: row 3's NaN
    }
    std::vector<float> init(channels);
    for (size_t o = 0; o < channels; ++o)
      init[o] = o % 3 == 0 ? -0.0f : value(rng);
    const size_t pieces = 6;
    std::vector<float> xs(pieces * n);
    for (size_t p = 0; p < pieces; ++p)
      for (size_t i = 0; i < n; ++i) {
        const float v = value(rng);
        // piece 1: zero blocks every other 16; piece 4: tiny values
        xs[p * n + i] = p == 1 && (i / 16) % 2 == 0 ? 0.0f : p == 4 ? std::ldexp(v, -120) : v;
      }
    expectAllKernelsMatchDot(w, quantize(xs.data(), n, fmt, Rounding::NearestEven), init,
                             "channels " + std::to_string(channels));
    expectBatchKernelsMatchDot(w, cm, xs, pieces, fmt, init, "channels " + std::to_string(channels));
  }
  // 64 and 160 channels; with 8 or 37 a group's taps reach over a quarter of
  // the blocks, and the matrix counts as dense.
  EXPECT_EQ(sparseSeen, 2u);
}

TEST(CompactMsfp, SparseSpansOfGroupsMatchDot) {
  // The kernels take consecutive groups of a sparse matrix together when
  // they use nearly the same blocks (MsfpCompactMatrix::spanGroups): up to
  // four, each walking the union of their blocks. Here band i (rows 32 i ..
  // 32 i + 31) uses the 4 blocks of columns [64 i, 64 i + 64), except its
  // last group, which uses them one block further on: the union of a band's
  // groups is 5 blocks (a span of 4, where the last group needs a block the
  // others lack); 100 rows leave a last group of 4. Against dot() bit for
  // bit, with all-active inputs (the precomputed spans as they are) and
  // inputs with zero blocks (the spans filtered), single vectors and batches.
  std::mt19937 rng(9);
  std::normal_distribution<float> value(0.0f, 1.0f);
  const NumberFormat fmt = NumberFormat::bfp(6, 16);
  const size_t rows = 100, n = 512;
  std::vector<BfpVector> w;
  for (size_t r = 0; r < rows; ++r) {
    std::vector<float> row(n, 0.0f);
    const size_t first = r / 32 * 64 + (r % 32 / 8 == 3 ? 16 : 0);
    for (size_t c = first; c < first + 64; ++c)
      row[c] = value(rng);
    w.push_back(quantize(row.data(), n, fmt, Rounding::NearestEven));
  }
  MsfpCompactMatrix cm;
  ASSERT_TRUE(makeCompactMsfp(w, cm));
  ASSERT_TRUE(cm.sparse());
  EXPECT_EQ(cm.spanGroups[0], 4u);  // rows 0 .. 31: blocks 0 .. 4
  EXPECT_EQ(cm.spanGroups[2], 2u);  // rows 16 .. 31: four groups would reach band 1's blocks
  EXPECT_EQ(cm.spanGroups[12], 1u); // the last group
  std::vector<float> init(rows);
  for (size_t r = 0; r < rows; ++r)
    init[r] = r % 5 == 0 ? -0.0f : value(rng);
  const size_t pieces = 4;
  std::vector<float> xs(pieces * n);
  for (size_t p = 0; p < pieces; ++p)
    for (size_t i = 0; i < n; ++i) // pieces 1 and 3: some zero blocks
      xs[p * n + i] = (p % 2 == 1 && (i / 16) % 3 == p / 2) ? 0.0f : value(rng);
  for (size_t p = 0; p < pieces; ++p)
    expectAllKernelsMatchDot(w, quantize(xs.data() + p * n, n, fmt, Rounding::NearestEven), init,
                             "piece " + std::to_string(p));
  expectBatchKernelsMatchDot(w, cm, xs, pieces, fmt, init, "spans");
}

TEST(CompactMsfp, RefusesOutOfRangeValues) {
  // The layout holds significands in bytes: a hand-made vector with a
  // significand or scale outside its format's range is refused (the
  // simulator then uses dot()), never silently truncated.
  const NumberFormat fmt = NumberFormat::bfp(6, 16);
  MsfpCompactMatrix cm;
  BfpVector bad = makeRow(fmt, {0, 0}, {3, 4});
  bad.significands[3] = 64; // > 2^6 - 1
  EXPECT_FALSE(makeCompactMsfp({bad}, cm));
  bad = makeRow(fmt, {0, 0}, {3, 4});
  bad.scales[1] = 200;
  EXPECT_FALSE(makeCompactMsfp({bad}, cm));
  const BfpVector good = makeRow(fmt, {0, 0}, {3, 4});
  ASSERT_TRUE(makeCompactMsfp({good}, cm));
  for (CompactKernel kernel : kernels()) {
    float acc = 7.0f;
    BfpVector x = makeRow(fmt, {0, 0}, {3, 4});
    x.significands[20] = -64;
    EXPECT_FALSE(matVecCompactMsfp(cm, x, &acc, kernel));
    x = makeRow(fmt, {0, 0}, {3, 4});
    x.scales[0] = -127;
    EXPECT_FALSE(matVecCompactMsfp(cm, x, &acc, kernel));
    EXPECT_EQ(acc, 7.0f);
  }
}

TEST(CompactMsfp, LargeBlocks) {
  // k = 256 (the largest block): sums up to 256 * 127 * 127 < 2^22.
  std::mt19937 rng(256);
  for (unsigned m : {6u, 7u}) {
    const NumberFormat fmt = NumberFormat::bfp(m, 256);
    const int maxQ = (1 << m) - 1;
    std::vector<BfpVector> w;
    for (size_t r = 0; r < 11; ++r) {
      std::vector<int> q(2);
      for (int &v : q)
        v = maxQ - static_cast<int>(r);
      w.push_back(makeRow(fmt, {3, -5}, q));
      for (int16_t &s : w.back().significands)
        s = static_cast<int16_t>(rng() % 2 ? maxQ : -maxQ);
    }
    BfpVector x = makeRow(fmt, {1, 2}, {maxQ, maxQ});
    for (int16_t &s : x.significands)
      s = maxQ;
    expectAllKernelsMatchDot(w, x, std::vector<float>(11, 0.25f), "k 256 m " + std::to_string(m));
  }
}

} // namespace
} // namespace softnpu::numerics
