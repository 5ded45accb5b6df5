//===- FormatsTest.cpp - Simulator numerics for every format, MFMT, MFU rounding ===//
//
// Hand-built artifacts for the "tiny" target (N = 16) run on sim::Simulator.
// Matrix-vector results are compared bit for bit with an evaluation written
// here from docs/execution-model.md: operands quantized per native vector
// (numerics::roundTrip with vectorLength N, the quantizer being verified
// against its own reference in tests/unit/numerics), each block's products
// summed exactly (in __float128, which holds every block sum exactly; for all
// formats but E5M2 this is the same as a float64 sum), rounded once to float,
// and accumulated in fp32 block by block, tile column by tile column.
// MFU results are compared with numerics::roundScalar applied at the
// documented points.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace softnpu;
using namespace softnpu::testing;
using numerics::Element;
using numerics::NumberFormat;

namespace {

constexpr unsigned N = 16;

/// Values spread over many binades, with zeros and exact small integers.
std::vector<float> spreadVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> mant(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v) {
    switch (gen() % 8) {
    case 0:
      x = 0.0f;
      break;
    case 1:
      x = static_cast<float>(static_cast<int>(gen() % 9) - 4);
      break;
    default:
      x = std::ldexp(mant(gen), static_cast<int>(gen() % 24) - 12);
      break;
    }
  }
  return v;
}

/// The documented mv_mul of a (rowTiles*N) x (colTiles*N) matrix and x.
std::vector<float> expectedMatVec(const std::vector<float> &w, const std::vector<float> &x, uint32_t rowTiles,
                                  uint32_t colTiles, const artifact::FormatPair &f, numerics::Rounding r) {
  const size_t rows = rowTiles * N, cols = colTiles * N;
  std::vector<float> wq(w), xq(x);
  numerics::roundTrip(wq.data(), wq.size(), f.weight, r, N); // every tile row is one native vector
  numerics::roundTrip(xq.data(), xq.size(), f.input, r, N);
  const size_t k = f.weight.isBlock() ? f.weight.blockSize : 1;
  std::vector<float> y(rows);
  for (size_t i = 0; i < rows; ++i) {
    float acc = 0.0f;
    for (size_t c = 0; c < colTiles; ++c)
      for (size_t b = 0; b < N; b += k) {
        if (!f.weight.isBlock()) {
          acc = acc + wq[i * cols + c * N + b] * xq[c * N + b]; // fp32: product rounded, then added
          continue;
        }
        __float128 sum = 0;
        for (size_t e = b; e < std::min<size_t>(b + k, N); ++e)
          sum += static_cast<__float128>(wq[i * cols + c * N + e]) * static_cast<__float128>(xq[c * N + e]);
        acc = acc + static_cast<float>(sum);
      }
    y[i] = acc;
  }
  return y;
}

/// A 2 x 3 tile grid pinned at tile 5 times x (48 elements at DRAM 0), y at DRAM 100.
artifact::Artifact matVecArtifact(const artifact::FormatPair &f, numerics::Rounding r, const std::vector<float> &w,
                                  const std::vector<float> &x) {
  artifact::Artifact a;
  a.target = tinyTarget();
  a.target.weightFormat = f.weight;
  a.target.inputFormat = f.input;
  a.target.rounding = r;
  a.formats = {f};
  a.dramElements = 200;
  addDramInit(a, 0, x);
  addMatrix(a, 5, w, 2 * N, 3 * N, 0);
  Program p;
  p.swr(SReg::Cols, 3);
  p.vrd(MemSpace::Dram, 0);
  p.vwr(MemSpace::Ivrf, 7);
  p.end();
  p.swr(SReg::Rows, 2);
  p.matVec(7, 5, 100);
  a.program = p.insts;
  a.instNode.assign(a.program.size(), artifact::kNoNode);
  return a;
}

} // namespace

TEST(SimFormatsTest, MatVecOfEveryFormatIsBitExact) {
  const NumberFormat msfp[] = {NumberFormat::bfp(3, 16), NumberFormat::bfp(4, 16), NumberFormat::bfp(5, 16),
                               NumberFormat::bfp(6, 16), NumberFormat::bfp(7, 16)};
  std::vector<artifact::FormatPair> pairs = {{NumberFormat::fp32(), NumberFormat::fp32()}};
  for (const NumberFormat &f : msfp)
    pairs.push_back({f, f});
  pairs.push_back({NumberFormat::bfp(3, 5), NumberFormat::bfp(3, 5)}); // blocks 5, 5, 5, 1 per native vector
  pairs.push_back({NumberFormat::bfp(12, 7), NumberFormat::bfp(2, 7)});
  for (Element e : {Element::E4M3, Element::E5M2, Element::E3M2, Element::E2M3, Element::E2M1, Element::Int8}) {
    pairs.push_back({NumberFormat::mx(e), NumberFormat::mx(e)}); // block 32 > N: one block of 16 per vector
    pairs.push_back({NumberFormat::mx(e, 8), NumberFormat::mx(e, 8)});
  }
  pairs.push_back({NumberFormat::mx(Element::E2M1), NumberFormat::mx(Element::E4M3)}); // mxfp4 x mxfp8
  pairs.push_back({NumberFormat::mx(Element::Int8, 16), NumberFormat::bfp(6, 16)});
  unsigned seed = 100;
  for (const artifact::FormatPair &f : pairs)
    for (numerics::Rounding r :
         {numerics::Rounding::NearestEven, numerics::Rounding::NearestAway, numerics::Rounding::TowardZero}) {
      SCOPED_TRACE(f.weight.name() + " x " + f.input.name() + " " + numerics::roundingName(r));
      const std::vector<float> w = spreadVector(2 * N * 3 * N, ++seed), x = spreadVector(3 * N, ++seed);
      const artifact::Artifact a = matVecArtifact(f, r, w, x);
      std::string err;
      ASSERT_TRUE(artifact::validate(a, err)) << err;
      auto s = sim::Simulator::create(a, err);
      ASSERT_TRUE(s) << err;
      ASSERT_TRUE(s->run(err)) << err;
      const std::vector<float> y = readDram(*s, 100, 2 * N);
      const std::vector<float> expected = expectedMatVec(w, x, 2, 3, f, r);
      for (size_t i = 0; i < y.size(); ++i)
        ASSERT_TRUE(sameBits(y[i], expected[i])) << "row " << i << ": " << y[i] << " vs " << expected[i];
      // The quantization mattered for block formats.
      if (f.weight.isBlock()) {
        const std::vector<float> exact = expectedMatVec(w, x, 2, 3, {NumberFormat::fp32(), NumberFormat::fp32()}, r);
        size_t differ = 0;
        for (size_t i = 0; i < y.size(); ++i)
          differ += !sameBits(y[i], exact[i]);
        EXPECT_GT(differ, 0u);
      }
    }
}

TEST(SimFormatsTest, MfmtSelectsTheFormatPairOfEachMatrix) {
  artifact::Artifact a;
  a.target = tinyTarget(); // pair 0: msfp15 x msfp15
  const artifact::FormatPair mx = {NumberFormat::mx(Element::E2M1, 16), NumberFormat::mx(Element::E4M3, 16)};
  a.formats = {{a.target.weightFormat, a.target.inputFormat}, mx};
  a.dramElements = 600;
  const std::vector<float> wa = spreadVector(N * N, 1), wb = spreadVector(N * N, 2), wc = spreadVector(N * N, 3),
                           x = spreadVector(N, 4);
  addMatrix(a, 0, wa, N, N, 0);
  addMatrix(a, 1, wb, N, N, 1);
  addDramInit(a, 0, x);
  addDramInit(a, 300, wc);
  a.nodeNames = {"A", "B"};
  Program p;
  p.vrd(MemSpace::Dram, 0); // COLS = ROWS = 1 (reset values)
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  p.matVec(0, 0, 100); // MFMT 0 (reset): matrix A, msfp15
  p.swr(SReg::MFmt, 1);
  p.matVec(0, 1, 120); // matrix B, mxfp4 x mxfp8
  p.swr(SReg::MatH, N);
  p.swr(SReg::MatW, N);
  p.mrd(300, 2); // C quantized to mxfp4 under MFMT 1
  p.matVec(0, 2, 140);
  a.program = p.insts;
  a.instNode.assign(a.program.size(), 0);
  std::string err;
  ASSERT_TRUE(artifact::validate(a, err)) << err;
  auto s = sim::Simulator::create(a, err);
  ASSERT_TRUE(s) << err;
  ASSERT_TRUE(s->run(err)) << err;
  const numerics::Rounding r = a.target.rounding;
  const std::pair<uint64_t, std::pair<const std::vector<float> *, artifact::FormatPair>> cases[] = {
      {100, {&wa, a.formats[0]}}, {120, {&wb, mx}}, {140, {&wc, mx}}};
  for (const auto &[addr, c] : cases) {
    const std::vector<float> y = readDram(*s, addr, N), expected = expectedMatVec(*c.first, x, 1, 1, c.second, r);
    for (size_t i = 0; i < N; ++i)
      ASSERT_TRUE(sameBits(y[i], expected[i])) << "DRAM " << addr << " row " << i;
  }
  // Tile 2 holds C in mxfp4 (each row one native vector).
  std::vector<float> cq(wc);
  numerics::roundTrip(cq.data(), cq.size(), mx.weight, r, N);
  const std::vector<float> tile = s->mrfTile(2);
  for (size_t i = 0; i < N * N; ++i)
    ASSERT_TRUE(sameBits(tile[i], cq[i])) << i;
  EXPECT_EQ(s->sreg(SReg::MFmt), 1u);
  s->reset();
  EXPECT_EQ(s->sreg(SReg::MFmt), 0u);

  // mv_mul of a tile whose weight format is not the selected pair's: run-time error.
  artifact::Artifact bad = a;
  bad.program.insert(bad.program.begin() + 3, {Opcode::SWr, MemSpace::None, 0, 1, static_cast<uint16_t>(SReg::MFmt)});
  bad.instNode.push_back(1);
  s = sim::Simulator::create(bad, err);
  ASSERT_TRUE(s) << err;
  EXPECT_FALSE(s->run(err));
  EXPECT_NE(err.find("instruction 5 (mv_mul 0)"), std::string::npos) << err;
  EXPECT_NE(err.find("MRF tile 0 holds msfp15 weights but MFMT 1 selects mxfp4,k=16"), std::string::npos) << err;

  // An MFMT outside the table (validate() refuses it statically; the simulator at run time).
  bad = a;
  ASSERT_EQ(bad.program[7].op, Opcode::SWr);
  bad.program[7].a = 7; // s_wr MFMT, 7
  s = sim::Simulator::create(bad, err);
  ASSERT_TRUE(s) << err;
  EXPECT_FALSE(s->run(err));
  EXPECT_NE(err.find("MFMT 7 is not an entry of the format table (2 entries)"), std::string::npos) << err;
  EXPECT_FALSE(artifact::validate(bad, err));
  EXPECT_NE(err.find("MFMT 7"), std::string::npos) << err;
}

TEST(SimFormatsTest, CreateChecksTheFormatTable) {
  artifact::Artifact a =
      matVecArtifact({NumberFormat::bfp(6, 16), NumberFormat::bfp(6, 16)}, numerics::Rounding::NearestEven,
                     spreadVector(2 * N * 3 * N, 5), spreadVector(3 * N, 6));
  std::string err;
  artifact::Artifact b = a;
  b.formats.clear();
  EXPECT_FALSE(sim::Simulator::create(b, err));
  EXPECT_NE(err.find("no format table"), std::string::npos) << err;
  b = a;
  b.matrices[0].formatIndex = 3;
  EXPECT_FALSE(sim::Simulator::create(b, err));
  EXPECT_NE(err.find("matrix 0"), std::string::npos) << err;
  b = a;
  b.formats.push_back({NumberFormat::bfp(6, 16), NumberFormat::bfp(6, 8)});
  EXPECT_FALSE(sim::Simulator::create(b, err));
  EXPECT_NE(err.find("format pair 1"), std::string::npos) << err;
}

namespace {

/// x + bias, then sigmoid, on one MFU; plus a matrix-vector chain; with the
/// given MFU format and rounding.
artifact::Artifact mfuArtifact(const NumberFormat &mfu, numerics::Rounding r, const std::vector<float> &x,
                               const std::vector<float> &bias, const std::vector<float> &w) {
  artifact::Artifact a;
  a.target = tinyTarget();
  a.target.mfuFormat = mfu;
  a.target.rounding = r;
  a.formats = {{a.target.weightFormat, a.target.inputFormat}};
  a.dramElements = 400;
  addDramInit(a, 0, x);
  addDramInit(a, 16, bias);
  addMatrix(a, 0, w, N, N, 0);
  Program p;
  p.vrd(MemSpace::Dram, 16); // bias -> ASVRF[0] 3 (rounded to the MFU format on the way)
  p.vwr(MemSpace::AsVrf, 3, 0);
  p.end();
  p.vrd(MemSpace::Dram, 0);
  p.op(Opcode::VvAdd, 3);
  p.op(Opcode::VSigm);
  p.vwr(MemSpace::Dram, 100);
  p.end();
  p.vrd(MemSpace::Dram, 0); // x -> IVRF (rounded to the MFU format), then W x
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  p.matVec(0, 0, 200);
  a.program = p.insts;
  a.instNode.assign(a.program.size(), artifact::kNoNode);
  return a;
}

} // namespace

TEST(SimFormatsTest, MfuRoundsEveryValueToItsFormat) {
  std::vector<float> x = spreadVector(N, 7), bias = spreadVector(N, 8);
  x[0] = 1.0f + std::ldexp(1.0f, -9); // bf16 tie at v_rd
  bias[0] = 0.0f;
  x[1] = 70000.0f; // above fp16's maximum
  const std::vector<float> w = spreadVector(N * N, 9);
  std::string err;
  for (const NumberFormat &mfu : {NumberFormat::bf16(), NumberFormat::fp16()})
    for (numerics::Rounding r : {numerics::Rounding::NearestEven, numerics::Rounding::TowardZero}) {
      SCOPED_TRACE(mfu.name() + " " + numerics::roundingName(r));
      const artifact::Artifact a = mfuArtifact(mfu, r, x, bias, w);
      ASSERT_TRUE(artifact::validate(a, err)) << err;
      auto s = sim::Simulator::create(a, err);
      ASSERT_TRUE(s) << err;
      ASSERT_TRUE(s->run(err)) << err;
      auto round = [&](float v) { return numerics::roundScalar(v, mfu, r); };
      const std::vector<float> y = readDram(*s, 100, N);
      size_t changed = 0;
      for (size_t i = 0; i < N; ++i) {
        const float sum = round(round(x[i]) + round(bias[i]));
        const float expected = round(1.0f / (1.0f + std::exp(-sum)));
        ASSERT_TRUE(sameBits(y[i], expected)) << i << ": " << y[i] << " vs " << expected;
        changed += !sameBits(y[i], 1.0f / (1.0f + std::exp(-(x[i] + bias[i]))));
      }
      EXPECT_GT(changed, 0u);
      // The ASVRF operand was rounded when it was written.
      const float *v = s->vrfVector(MemSpace::AsVrf, 0, 3);
      ASSERT_NE(v, nullptr);
      for (size_t i = 0; i < N; ++i)
        EXPECT_TRUE(sameBits(v[i], round(bias[i]))) << i;
      // The matrix unit's fp32 output enters the MFU format. Its input came
      // through an MFU chain, so it is computed from the rounded x.
      std::vector<float> xr(x);
      for (float &e : xr)
        e = round(e);
      const std::vector<float> mv = readDram(*s, 200, N);
      const std::vector<float> ref = expectedMatVec(w, xr, 1, 1, a.formats[0], r);
      for (size_t i = 0; i < N; ++i)
        ASSERT_TRUE(sameBits(mv[i], round(ref[i]))) << i;
    }
}
