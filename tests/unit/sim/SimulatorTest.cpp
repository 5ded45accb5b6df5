//===- SimulatorTest.cpp - Hand-built programs vs independent expectations -===//
//
// Each test builds an artifact in code for the "tiny" target (N = 16), runs
// it on sim::Simulator and checks the result
// against values computed here from the definitions in
// docs/execution-model.md: double-precision sums for fp32, and for BFP a
// float64 evaluation of the quantized operands accumulated in the documented
// order (bit-exact).
//
//===----------------------------------------------------------------------===//
#include "softnpu/sim/Simulator.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = 16;

// A 2x3 tile grid: W is 32 x 48 (fully used), x has 48 elements at DRAM 0,
// y (32) goes to DRAM 100.
constexpr size_t kRows = 2 * N, kCols = 3 * N;

artifact::Artifact matVecArtifact(bool fp32, const std::vector<float> &w, const std::vector<float> &x) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(fp32));
  a.dramElements = 200;
  addDramInit(a, 0, x);
  addMatrix(a, 5, w, kRows, kCols);
  Program p;
  p.swr(SReg::Cols, 3);
  p.load(0, MemSpace::Ivrf, 7);
  p.swr(SReg::Rows, 2);
  p.vrd(MemSpace::Ivrf, 7);
  p.op(Opcode::MvMul, 5);
  p.vwr(MemSpace::Dram, 100);
  p.end();
  a.program = p.insts;
  return a;
}

} // namespace

TEST(SimulatorTest, MatVecFp32MatchesDoubleReference) {
  std::vector<float> w = randomVector(kRows * kCols, 1), x = randomVector(kCols, 2);
  auto s = makeSim(matVecArtifact(true, w, x));
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  std::vector<float> y = readDram(*s, 100, kRows);
  for (size_t i = 0; i < kRows; ++i) {
    double ref = 0, mag = 0;
    for (size_t j = 0; j < kCols; ++j) {
      ref += static_cast<double>(w[i * kCols + j]) * x[j];
      mag += std::fabs(static_cast<double>(w[i * kCols + j]) * x[j]);
    }
    EXPECT_NEAR(y[i], ref, 1e-6 * mag + 1e-7) << "row " << i;
  }
  EXPECT_EQ(s->counters().chains, 2u);
  EXPECT_EQ(s->counters().mvMulTileOps, 6u);
  EXPECT_EQ(s->counters().macs, 6u * N * N);
}

TEST(SimulatorTest, MatVecBfpIsBitExactWithQuantizedFloat64Evaluation) {
  // Wide dynamic range so that block exponents and rounding matter.
  std::vector<float> w = randomVector(kRows * kCols, 3), x = randomVector(kCols, 4, 8.0f);
  for (size_t i = 0; i < w.size(); i += 7)
    w[i] *= 300.0f;
  x[5] = 1e-3f;
  artifact::Artifact a = matVecArtifact(false, w, x);
  const numerics::NumberFormat fmt = a.target.weightFormat;
  ASSERT_FALSE(fmt.isFp32());
  ASSERT_EQ(N % fmt.blockSize, 0u);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  std::vector<float> y = readDram(*s, 100, kRows);

  // Independent evaluation: dequantized operands, float64 block sums.
  std::vector<float> xq(x);
  numerics::roundTrip(xq.data(), xq.size(), a.target.inputFormat, a.target.rounding, N);
  std::vector<float> wq(w);
  for (size_t i = 0; i < kRows; ++i)
    for (size_t tc = 0; tc < 3; ++tc)
      numerics::roundTrip(wq.data() + i * kCols + tc * N, N, fmt, a.target.rounding);
  int exactMatches = 0;
  for (size_t i = 0; i < kRows; ++i) {
    float acc = 0.0f;
    for (size_t c = 0; c < 3; ++c)
      for (size_t b = 0; b < N; b += fmt.blockSize) {
        double sum = 0;
        for (size_t e = b; e < b + fmt.blockSize; ++e)
          sum += static_cast<double>(wq[i * kCols + c * N + e]) * xq[c * N + e];
        acc = acc + static_cast<float>(sum);
      }
    EXPECT_TRUE(sameBits(y[i], acc)) << "row " << i << ": sim " << y[i] << " expected " << acc;
    exactMatches += sameBits(y[i], acc);
  }
  EXPECT_EQ(exactMatches, static_cast<int>(kRows));
  // And the quantization mattered (the result is not the fp32 product).
  double maxDiff = 0;
  for (size_t i = 0; i < kRows; ++i) {
    double ref = 0;
    for (size_t j = 0; j < kCols; ++j)
      ref += static_cast<double>(w[i * kCols + j]) * x[j];
    maxDiff = std::max(maxDiff, std::fabs(ref - y[i]));
  }
  EXPECT_GT(maxDiff, 0.0);
}

TEST(SimulatorTest, BiasAddReluOnMfu0) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 100;
  std::vector<float> x = randomVector(2 * N, 5), bias = randomVector(2 * N, 6);
  addDramInit(a, 0, x);
  addDramInit(a, 32, bias);
  Program p;
  p.swr(SReg::Cols, 2);
  p.load(32, MemSpace::AsVrf, 3, 0);
  p.vrd(MemSpace::Dram, 0);
  p.op(Opcode::VvAdd, 3);
  p.op(Opcode::VRelu);
  p.vwr(MemSpace::Dram, 64);
  p.end();
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->plan().chains[1].mfuOfOp[1], 0u);
  EXPECT_EQ(s->plan().chains[1].mfuOfOp[2], 0u);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  std::vector<float> y = readDram(*s, 64, 2 * N);
  int positives = 0;
  for (size_t i = 0; i < 2 * N; ++i) {
    float sum = x[i] + bias[i];
    EXPECT_EQ(y[i], sum > 0 ? sum : 0.0f) << i;
    positives += sum > 0;
  }
  EXPECT_GT(positives, 0);
  EXPECT_LT(positives, static_cast<int>(2 * N));
}

TEST(SimulatorTest, MultiplyUsesMulVrfAndSecondAddRunsOnMfu1) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 200;
  std::vector<float> x = randomVector(N, 7), v0 = randomVector(N, 8), m0 = randomVector(N, 9), v1 = randomVector(N, 10);
  addDramInit(a, 0, x);
  addDramInit(a, 16, v0);
  addDramInit(a, 32, m0);
  addDramInit(a, 48, v1);
  Program p;
  p.load(16, MemSpace::AsVrf, 2, 0);  // ASVRF[0][2] = v0
  p.load(48, MemSpace::AsVrf, 2, 1);  // ASVRF[1][2] = v1 (same address, other MFU)
  p.load(32, MemSpace::MulVrf, 4, 0); // MULVRF[0][4] = m0
  // x + v0 (MFU 0 add) -> * m0 (MFU 0 mul) -> tanh (MFU 0 act) -> - v1 (MFU 1 add).
  p.vrd(MemSpace::Dram, 0);
  p.op(Opcode::VvAdd, 2);
  p.op(Opcode::VvMul, 4);
  p.op(Opcode::VTanh);
  p.op(Opcode::VvASubB, 2);
  p.vwr(MemSpace::Dram, 100);
  p.vwr(MemSpace::Ivrf, 9); // a chain may write several times
  p.end();
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  const isa::ChainPlan &chain = s->plan().chains[3];
  EXPECT_EQ(chain.mfuOfOp[4], 1u);
  EXPECT_EQ(chain.mfusUsed, 2u);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  std::vector<float> y = readDram(*s, 100, N);
  const float *ivrf9 = s->vrfVector(MemSpace::Ivrf, 0, 9);
  ASSERT_NE(ivrf9, nullptr);
  for (size_t i = 0; i < N; ++i) {
    float e = std::tanh((x[i] + v0[i]) * m0[i]) - v1[i];
    EXPECT_EQ(y[i], e) << i;
    EXPECT_EQ(ivrf9[i], e) << i;
  }
  // The v_b_sub_a / max / sigmoid variants.
  Program q;
  q.load(16, MemSpace::AsVrf, 0, 0);
  q.load(48, MemSpace::AsVrf, 0, 1);
  q.vrd(MemSpace::Dram, 0);
  q.op(Opcode::VvBSubA, 0);
  q.op(Opcode::VSigm);
  q.op(Opcode::VvMax, 0);
  q.op(Opcode::VPass);
  q.vwr(MemSpace::Dram, 100);
  q.end();
  a.program = q.insts;
  s = makeSim(a);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->run(err)) << err;
  y = readDram(*s, 100, N);
  for (size_t i = 0; i < N; ++i)
    EXPECT_EQ(y[i], std::fmax(1.0f / (1.0f + std::exp(-(v0[i] - x[i]))), v1[i])) << i;
}

namespace {

/// A tiny fp32 artifact of 300 DRAM elements whose first `count` hold the
/// ramp `first`, `first` + 1, ... (returned in `src`), for the read tests.
artifact::Artifact rampArtifact(size_t count, float first, std::vector<float> &src) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 300;
  src.resize(count);
  for (size_t i = 0; i < count; ++i)
    src[i] = first + static_cast<float>(i);
  addDramInit(a, 0, src);
  return a;
}

} // namespace

TEST(SimulatorTest, DramStridedAndBroadcastReads) {
  std::vector<float> src;
  artifact::Artifact a = rampArtifact(60, 1.5f, src);
  Program p;
  p.swr(SReg::Cols, 2);
  p.swr(SReg::RdLen, 5);
  p.swr(SReg::RdStride, 3);
  p.vrd(MemSpace::Dram, 4);
  p.vwr(MemSpace::Dram, 100);
  p.end();
  p.swr(SReg::RdLen, 20);
  p.swr(SReg::RdStride, 0);
  p.vrd(MemSpace::Dram, 7);
  p.vwr(MemSpace::Dram, 200);
  p.end();
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  std::vector<float> strided = readDram(*s, 100, 2 * N), bcast = readDram(*s, 200, 2 * N);
  for (size_t j = 0; j < 2 * N; ++j) {
    EXPECT_EQ(strided[j], j < 5 ? src[4 + 3 * j] : 0.0f) << j;
    EXPECT_EQ(bcast[j], j < 20 ? src[7] : 0.0f) << j;
  }
}

TEST(SimulatorTest, DramPitchedReadsFillWholeVectorsPerRow) {
  // RD_PITCH: rows of RD_LEN elements RD_PITCH apart, each padded to whole
  // vectors: 3 rows of 5 elements 7 apart in 3 vectors; then 2 rows of 20
  // elements (2 vectors each) with stride 2 within a row, 50 apart. COLS not
  // a whole number of rows, or a last row past DRAM, is an error.
  std::vector<float> src;
  artifact::Artifact a = rampArtifact(200, 0.5f, src);
  Program p;
  p.swr(SReg::Cols, 3);
  p.swr(SReg::RdLen, 5);
  p.swr(SReg::RdPitch, 7);
  p.vrd(MemSpace::Dram, 2);
  p.vwr(MemSpace::Dram, 200);
  p.end();
  p.swr(SReg::Cols, 4);
  p.swr(SReg::RdLen, 20);
  p.swr(SReg::RdStride, 2);
  p.swr(SReg::RdPitch, 50);
  p.vrd(MemSpace::Dram, 1);
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  const std::vector<float> rows = readDram(*s, 200, 3 * N);
  for (size_t v = 0; v < 3; ++v)
    for (size_t j = 0; j < N; ++j)
      EXPECT_EQ(rows[v * N + j], j < 5 ? src[2 + 7 * v + j] : 0.0f) << v << " " << j;
  for (size_t r = 0; r < 2; ++r)
    for (size_t j = 0; j < 2 * N; ++j)
      EXPECT_EQ(s->vrfVector(MemSpace::Ivrf, 0, static_cast<uint32_t>(2 * r + j / N))[j % N],
                j < 20 ? src[1 + 50 * r + 2 * j] : 0.0f)
          << r << " " << j;

  Program bad;
  bad.swr(SReg::Cols, 3);
  bad.swr(SReg::RdLen, 20);
  bad.swr(SReg::RdPitch, 50);
  bad.vrd(MemSpace::Dram, 0);
  bad.vwr(MemSpace::Ivrf, 0);
  bad.end();
  auto runError = [&](const Program &q) {
    a.program = q.insts;
    auto t = makeSim(a);
    std::string e;
    EXPECT_TRUE(t && !t->run(e));
    return e;
  };
  err = runError(bad);
  EXPECT_NE(err.find("not a whole number of rows"), std::string::npos) << err;
  bad.insts[0] = scalarWrite(SReg::Cols, 6); // rows at 0, 150 and 300: the last reads past DRAM
  bad.insts[2] = scalarWrite(SReg::RdPitch, 150);
  err = runError(bad);
  EXPECT_NE(err.find("RD_PITCH 150"), std::string::npos) << err;
}

TEST(SimulatorTest, WrLenWritesOnlyThePrefixAndRunsResetDram) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 100;
  std::vector<float> x = randomVector(N, 11), sentinel(N, 42.0f);
  addDramInit(a, 0, x);
  addDramInit(a, 50, sentinel);
  Program p;
  p.swr(SReg::WrLen, 5);
  p.vrd(MemSpace::Dram, 0);
  p.vwr(MemSpace::Dram, 50);
  p.end();
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  for (int run = 0; run < 2; ++run) {
    s->reset();
    EXPECT_EQ(readDram(*s, 50, N), sentinel);
    EXPECT_EQ(readDram(*s, 70, 1)[0], 0.0f);
    std::vector<float> junk(1, 9.0f);
    ASSERT_TRUE(s->writeDram(70, junk.data(), 1, err)) << err; // non-constant: cleared by reset
    ASSERT_TRUE(s->run(err)) << err;
    std::vector<float> y = readDram(*s, 50, N);
    for (size_t i = 0; i < N; ++i)
      EXPECT_EQ(y[i], i < 5 ? x[i] : 42.0f) << i;
    EXPECT_EQ(s->sreg(SReg::WrLen), 5u);
  }
  s->reset();
  EXPECT_EQ(s->sreg(SReg::WrLen), isa::sregReset(SReg::WrLen));
  EXPECT_EQ(s->sreg(SReg::RdStride), 1u);
}

TEST(SimulatorTest, ResetRestoresInitialisersAndClearsTheRest) {
  // Overlapping, adjacent and lone initialisers; writes covering parts of
  // them, the gaps between them and DRAM's ends. After reset() DRAM must be
  // the start-of-run image, which a fresh simulator shows.
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 200;
  addDramInit(a, 10, randomVector(20, 1));
  addDramInit(a, 25, randomVector(10, 2)); // overlaps the first
  addDramInit(a, 35, randomVector(5, 3));  // adjacent to the second
  addDramInit(a, 100, randomVector(7, 4));
  addDramInit(a, 193, randomVector(7, 5)); // DRAM's last elements
  auto fresh = makeSim(a), s = makeSim(a);
  ASSERT_TRUE(fresh && s);
  const std::vector<float> image = readDram(*fresh, 0, 200);
  std::string err;
  const std::vector<std::pair<uint64_t, uint64_t>> writes = {{0, 200}, {5, 12}, {30, 104}, {12, 13}, {106, 195}};
  for (const auto &[b, e] : writes) {
    const std::vector<float> junk(e - b, -7.0f);
    ASSERT_TRUE(s->writeDram(b, junk.data(), junk.size(), err)) << err;
    s->reset();
    const std::vector<float> now = readDram(*s, 0, 200);
    for (size_t i = 0; i < 200; ++i)
      ASSERT_TRUE(sameBits(now[i], image[i])) << "element " << i << " after writing [" << b << ", " << e << ")";
  }
  // Many writes before one reset, out of order, overlapping, nested and
  // adjacent (reset merges them; a map's DRAM is reused by later layers).
  const std::vector<std::pair<uint64_t, uint64_t>> run = {{30, 104}, {5, 12}, {100, 110}, {40, 50},
                                                          {12, 13},  {0, 3},  {104, 106}, {195, 200}};
  for (const auto &[b, e] : run) {
    const std::vector<float> junk(e - b, -7.0f);
    ASSERT_TRUE(s->writeDram(b, junk.data(), junk.size(), err)) << err;
  }
  s->reset();
  const std::vector<float> now = readDram(*s, 0, 200);
  for (size_t i = 0; i < 200; ++i)
    ASSERT_TRUE(sameBits(now[i], image[i])) << "element " << i << " after the writes of one run";
}

namespace {
void checkMatrixMove(bool fp32, bool transpose) {
  SCOPED_TRACE(std::string(fp32 ? "fp32" : "bfp") + (transpose ? " transposed" : ""));
  const size_t h = 20, w = 35; // DRAM matrix M
  artifact::Artifact a;
  setTarget(a, tinyTarget(fp32));
  a.dramElements = 1000;
  std::vector<float> m = randomVector(h * w, 12, 4.0f);
  addDramInit(a, 10, m);
  const size_t r = transpose ? w : h, c = transpose ? h : w; // logical W
  const uint32_t rows = static_cast<uint32_t>((r + N - 1) / N), cols = static_cast<uint32_t>((c + N - 1) / N);
  Program p;
  p.swr(SReg::MatH, h);
  p.swr(SReg::MatW, w);
  p.swr(SReg::Rows, rows);
  p.swr(SReg::Cols, cols);
  p.mrd(10, 30, transpose);
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  EXPECT_EQ(s->counters().mrfTilesWritten, uint64_t{rows} * cols);
  for (uint32_t tr = 0; tr < rows; ++tr)
    for (uint32_t tc = 0; tc < cols; ++tc) {
      std::vector<float> tile = s->mrfTile(30 + tr * cols + tc);
      ASSERT_EQ(tile.size(), N * N);
      for (size_t i = 0; i < N; ++i) {
        std::vector<float> row(N);
        for (size_t j = 0; j < N; ++j) {
          size_t g = tr * N + i, k = tc * N + j;
          row[j] = g < r && k < c ? (transpose ? m[k * w + g] : m[g * w + k]) : 0.0f;
        }
        numerics::roundTrip(row.data(), N, a.target.weightFormat, a.target.rounding);
        for (size_t j = 0; j < N; ++j)
          ASSERT_TRUE(sameBits(tile[i * N + j], row[j])) << "tile (" << tr << "," << tc << ") row " << i << " col " << j
                                                         << ": " << tile[i * N + j] << " vs " << row[j];
      }
    }
  // Tiles outside the move stay zero.
  for (float v : s->mrfTile(29))
    EXPECT_EQ(v, 0.0f);
}
} // namespace

TEST(SimulatorTest, MatrixMoveFp32) { checkMatrixMove(true, false); }
TEST(SimulatorTest, MatrixMoveBfp) { checkMatrixMove(false, false); }
TEST(SimulatorTest, MatrixMoveTransposedFp32) { checkMatrixMove(true, true); }
TEST(SimulatorTest, MatrixMoveTransposedBfp) { checkMatrixMove(false, true); }

TEST(SimulatorTest, PinnedTilesMatchTheWeightImage) {
  std::vector<float> w = randomVector(kRows * kCols, 13), x(kCols, 0.0f);
  artifact::Artifact a = matVecArtifact(false, w, x);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::vector<float> tile = s->mrfTile(5 + 1 * 3 + 2); // grid (1, 2)
  for (size_t i = 0; i < N; ++i) {
    std::vector<float> row(w.begin() + (N + i) * kCols + 2 * N, w.begin() + (N + i) * kCols + 3 * N);
    numerics::roundTrip(row.data(), N, a.target.weightFormat, a.target.rounding);
    for (size_t j = 0; j < N; ++j)
      EXPECT_TRUE(sameBits(tile[i * N + j], row[j])) << i << "," << j;
  }
  EXPECT_TRUE(s->mrfTile(a.target.mrfTiles).empty());
}

TEST(SimulatorTest, OutOfRangeDramReadNamesTheInstruction) {
  Program p;
  p.swr(SReg::Cols, 1);
  p.vrd(MemSpace::Dram, 90);
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  expectRunError(p, {"instruction 1 (v_rd DRAM, 90)", "node 'fc1'", "DRAM"});
}

TEST(SimulatorTest, OutOfRangeErrors) {
  {
    Program p;
    p.swr(SReg::RdStride, 7);
    p.vrd(MemSpace::Dram, 0);
    p.vwr(MemSpace::Ivrf, 0);
    p.end();
    expectRunError(p, {"instruction 1 (v_rd DRAM, 0)", "RD_STRIDE 7"});
  }
  {
    Program p;
    p.vrd(MemSpace::Dram, 0);
    p.vwr(MemSpace::Dram, 90);
    p.end();
    expectRunError(p, {"instruction 1 (v_wr DRAM, 90)", "[90, 106)"});
  }
  {
    Program p;
    p.swr(SReg::Cols, 2);
    p.vrd(MemSpace::Ivrf, 255);
    p.vwr(MemSpace::Dram, 0);
    p.end();
    expectRunError(p, {"instruction 1 (v_rd IVRF, 255)", "depth 256"});
  }
  {
    Program p;
    p.vrd(MemSpace::Dram, 0);
    p.vwr(MemSpace::MulVrf, 256, 1);
    p.end();
    expectRunError(p, {"instruction 1 (v_wr MULVRF, 256, mfu 1)", "MULVRF[1]"});
  }
  {
    Program p;
    p.vrd(MemSpace::Dram, 0);
    p.op(Opcode::VvAdd, 300);
    p.vwr(MemSpace::Dram, 0);
    p.end();
    expectRunError(p, {"instruction 1 (vv_add 300)", "ASVRF[0]"});
  }
  {
    Program p;
    p.swr(SReg::Rows, 2);
    p.vrd(MemSpace::Ivrf, 0);
    p.op(Opcode::MvMul, 255);
    p.vwr(MemSpace::Dram, 0);
    p.end();
    expectRunError(p, {"instruction 2 (mv_mul 255)", "MRF"});
  }
  {
    Program p;
    p.swr(SReg::Cols, 0);
    p.vrd(MemSpace::Dram, 0);
    p.vwr(MemSpace::Dram, 0);
    p.end();
    expectRunError(p, {"instruction 1 (v_rd DRAM, 0)", "COLS is 0"});
  }
  {
    Program p;
    p.swr(SReg::WrLen, 17);
    p.vrd(MemSpace::Dram, 0);
    p.vwr(MemSpace::Dram, 0);
    p.end();
    expectRunError(p, {"instruction 2 (v_wr DRAM, 0)", "WR_LEN 17"});
  }
  {
    Program p;
    p.swr(SReg::MatH, 10);
    p.swr(SReg::MatW, 10);
    p.mrd(95, 0, false);
    expectRunError(p, {"instruction 2 (m_rd 95, tile 0)", "DRAM"});
  }
  {
    Program p;
    p.swr(SReg::MatH, 17);
    p.swr(SReg::MatW, 4);
    p.mrd(0, 0, false);
    expectRunError(p, {"instruction 2 (m_rd 0, tile 0)", "does not fit"});
  }
  {
    Program p;
    p.swr(SReg::MatH, 4);
    p.swr(SReg::MatW, 4);
    p.mrd(0, 256, true);
    expectRunError(p, {"instruction 2 (m_rd 0, tile 256, transpose)", "MRF"});
  }
}

TEST(SimulatorTest, CreateRejectsMalformedArtifacts) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 10;
  Program p;
  p.vrd(MemSpace::Dram, 0);
  p.vwr(MemSpace::Dram, 0);
  a.program = p.insts; // no end_chain
  std::string err;
  EXPECT_FALSE(sim::Simulator::create(a, err));
  EXPECT_NE(err.find("end_chain"), std::string::npos) << err;

  a.program.clear();
  addDramInit(a, 5, std::vector<float>(6, 1.0f)); // past the 10 DRAM elements
  err.clear();
  EXPECT_FALSE(sim::Simulator::create(a, err));
  EXPECT_NE(err.find("DRAM initialiser 0"), std::string::npos) << err;

  artifact::Artifact b = matVecArtifact(true, std::vector<float>(kRows * kCols, 1.0f), std::vector<float>(kCols));
  b.matrices[0].size -= 1;
  err.clear();
  EXPECT_FALSE(sim::Simulator::create(b, err));
  EXPECT_NE(err.find("matrix 0"), std::string::npos) << err;
}

TEST(SimulatorTest, ChainObserverSeesEveryChain) {
  std::vector<float> w = randomVector(kRows * kCols, 14), x = randomVector(kCols, 15);
  auto s = makeSim(matVecArtifact(true, w, x));
  ASSERT_TRUE(s);
  std::vector<sim::ChainEvent> events;
  s->setChainObserver([&](const sim::ChainEvent &e) { events.push_back(e); });
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].hasMatVec);
  EXPECT_TRUE(events[1].hasMatVec);
  EXPECT_EQ(events[1].rows, 2u);
  EXPECT_EQ(events[1].cols, 3u);
  EXPECT_EQ(events[1].macs, 6u * N * N);
}
