//===- StreamTest.cpp - Streamed constant matrices and m_rd stream --------===//
//
// A streamed matrix (MatrixEntry::streamed) stays packed in DRAM and is moved
// into MRF scratch tiles by `m_rd stream` (docs/execution-model.md, "Matrix
// moves"). The copy does not requantize, so every product must be
// bit-identical to the one with the same matrix pinned at session start;
// the pinned path is checked against independent references in
// SimulatorTest/FormatsTest. Also: two matrices through the same scratch
// tiles, the copy ignoring MFMT, and the run-time errors.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace softnpu;
using namespace softnpu::testing;
using numerics::Element;
using numerics::NumberFormat;

namespace {

constexpr unsigned N = 16;
constexpr uint32_t kRowTiles = 2, kColTiles = 3;
constexpr size_t kRows = kRowTiles * N, kCols = kColTiles * N;
constexpr uint64_t kX = 0; // DRAM address of x (kCols elements)

Inst inst(Opcode op, uint32_t a = 0, uint16_t b = 0, MemSpace mem = MemSpace::None, uint8_t flags = 0) {
  return {op, mem, flags, a, b};
}
Inst swr(SReg r, uint32_t v) { return inst(Opcode::SWr, v, static_cast<uint16_t>(r)); }
Inst stream(uint32_t matrix, uint16_t tile) { return inst(Opcode::MRd, matrix, tile, MemSpace::None, isa::kMRdStream); }

/// The tiny target (N = 16) with pair 0 = its own formats (fp32 when asked)
/// and pair 1 = mxfp4 weights x mxfp8 inputs.
artifact::Artifact baseArtifact(bool fp32) {
  artifact::Artifact a;
  a.target = tinyTarget(fp32);
  a.formats = {{a.target.weightFormat, a.target.inputFormat},
               {NumberFormat::mx(Element::E2M1, 16), NumberFormat::mx(Element::E4M3, 16)}};
  a.dramElements = 600;
  addDramInit(a, kX, randomVector(kCols, 7, 4.0f));
  return a;
}

/// x (DRAM kX) -> IVRF 0; then ROWS = kRowTiles, COLS = kColTiles.
std::vector<Inst> loadX() {
  return {swr(SReg::Cols, kColTiles), inst(Opcode::VRd, kX, 0, MemSpace::Dram), inst(Opcode::VWr, 0, 0, MemSpace::Ivrf),
          inst(Opcode::EndChain), swr(SReg::Rows, kRowTiles)};
}
/// y = tiles [tile, tile + 6) x IVRF 0, written to DRAM `out`.
std::vector<Inst> matVec(uint32_t tile, uint32_t out) {
  return {inst(Opcode::VRd, 0, 0, MemSpace::Ivrf), inst(Opcode::MvMul, tile), inst(Opcode::VWr, out, 0, MemSpace::Dram),
          inst(Opcode::EndChain)};
}
void append(std::vector<Inst> &p, const std::vector<Inst> &more) { p.insert(p.end(), more.begin(), more.end()); }

std::vector<float> run(const artifact::Artifact &a, uint64_t addr, size_t n, int runs = 1) {
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
  auto s = sim::Simulator::create(a, err);
  EXPECT_TRUE(s) << err;
  std::vector<float> out(n, -1.0f);
  if (!s)
    return out;
  for (int r = 0; r < runs; ++r) {
    s->reset();
    EXPECT_TRUE(s->run(err)) << err;
  }
  EXPECT_TRUE(s->readDram(addr, out.data(), n, err)) << err;
  return out;
}

void expectSameBits(const std::vector<float> &x, const std::vector<float> &y, const char *what) {
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(std::memcmp(&x[i], &y[i], sizeof(float)), 0)
        << what << " element " << i << ": " << x[i] << " vs " << y[i];
}

/// The run-time error of `a` (which validate() need not see: Simulator::create
/// does not require it).
std::string runError(const artifact::Artifact &a) {
  std::string err;
  auto s = sim::Simulator::create(a, err);
  EXPECT_TRUE(s) << err;
  if (!s)
    return err;
  EXPECT_FALSE(s->run(err));
  return err;
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST(SimStreamTest, StreamedMatrixMultipliesExactlyLikeThePinnedOne) {
  struct Case {
    const char *what;
    bool fp32;
    uint32_t pair;
  } cases[] = {{"fp32", true, 0}, {"target block format", false, 0}, {"mxfp4 pair 1", false, 1}};
  for (const Case &c : cases) {
    std::vector<float> w = randomVector(kRows * kCols, 11, 1.0f);
    for (size_t i = 0; i < w.size(); i += 5)
      w[i] *= 200.0f; // block exponents matter
    // The pinned reference: matrix at tile 4.
    artifact::Artifact pinned = baseArtifact(c.fp32);
    addMatrix(pinned, 4, w, kRows, kCols, c.pair);
    std::vector<Inst> p = loadX();
    p.push_back(swr(SReg::MFmt, c.pair));
    append(p, matVec(4, 100));
    setProgram(pinned, p);

    // Streamed into scratch tiles 9.. while MFMT is still 0 (the copy ignores
    // it: the tiles take the matrix's own pair, which mv_mul then checks).
    artifact::Artifact streamed = baseArtifact(c.fp32);
    addMatrix(streamed, 0, w, kRows, kCols, c.pair, true);
    p = loadX();
    p.push_back(stream(0, 9));
    p.push_back(swr(SReg::MFmt, c.pair));
    append(p, matVec(9, 100));
    setProgram(streamed, p);
    if (c.fp32)
      EXPECT_EQ(streamed.matrices[0].size, 4u * kRows * kCols) << c.what;
    else // packed: smaller than fp32
      EXPECT_LT(streamed.matrices[0].size, 4u * kRows * kCols) << c.what;

    const std::vector<float> ref = run(pinned, 100, kRows);
    expectSameBits(run(streamed, 100, kRows), ref, c.what);
    expectSameBits(run(streamed, 100, kRows, 3), ref, c.what); // every run streams again

    // The scratch tiles hold exactly what the pinned tiles hold.
    std::string err;
    auto sp = sim::Simulator::create(pinned, err);
    auto ss = sim::Simulator::create(streamed, err);
    ASSERT_TRUE(sp && ss) << err;
    for (uint32_t t = 0; t < kRowTiles * kColTiles; ++t)
      EXPECT_EQ(ss->mrfTile(9 + t), std::vector<float>(N * N, 0.0f)) << "not loaded at session start";
    ASSERT_TRUE(ss->run(err)) << err;
    for (uint32_t t = 0; t < kRowTiles * kColTiles; ++t)
      expectSameBits(ss->mrfTile(9 + t), sp->mrfTile(4 + t), c.what);
    EXPECT_EQ(ss->counters().matrixMoves, 1u);
    EXPECT_EQ(ss->counters().mrfTilesWritten, uint64_t{kRowTiles} * kColTiles);
  }
}

TEST(SimStreamTest, TwoMatricesThroughTheSameScratchTiles) {
  const std::vector<float> w1 = randomVector(kRows * kCols, 21, 1.0f), w2 = randomVector(kRows * kCols, 22, 3.0f);
  // Reference: both pinned, at tiles 0 and 6.
  artifact::Artifact pinned = baseArtifact(false);
  addMatrix(pinned, 0, w1, kRows, kCols, 0);
  addMatrix(pinned, 6, w2, kRows, kCols, 0);
  std::vector<Inst> p = loadX();
  append(p, matVec(0, 100));
  append(p, matVec(6, 200));
  setProgram(pinned, p);

  // Both streamed, one after the other, into tiles 1..6 (pinned w1 at 10 is
  // there only to show that pinned and streamed entries mix).
  artifact::Artifact streamed = baseArtifact(false);
  addMatrix(streamed, 10, w1, kRows, kCols, 0);
  addMatrix(streamed, 0, w1, kRows, kCols, 0, true);
  addMatrix(streamed, 0, w2, kRows, kCols, 0, true);
  p = loadX();
  p.push_back(stream(1, 1));
  append(p, matVec(1, 100));
  p.push_back(stream(2, 1));
  append(p, matVec(1, 200));
  append(p, matVec(10, 300));
  setProgram(streamed, p);

  const std::vector<float> y1 = run(pinned, 100, kRows), y2 = run(pinned, 200, kRows);
  expectSameBits(run(streamed, 100, kRows), y1, "first matrix");
  expectSameBits(run(streamed, 200, kRows), y2, "second matrix");
  expectSameBits(run(streamed, 300, kRows), y1, "pinned copy");
  // The two products differ, so the second stream really replaced the tiles.
  EXPECT_NE(y1, y2);
}

TEST(SimStreamTest, RunTimeErrorsNameTheInstruction) {
  artifact::Artifact a = baseArtifact(false);
  addMatrix(a, 0, randomVector(kRows * kCols, 31, 1.0f), kRows, kCols, 0);       // pinned: tiles 0..5
  addMatrix(a, 0, randomVector(kRows * kCols, 32, 1.0f), kRows, kCols, 0, true); // streamed
  struct Case {
    Inst inst;
    const char *expect;
  } cases[] = {
      {stream(2, 6), "instruction 0 (m_rd stream #2, tile 6): streams matrix 2 but the artifact has 2 matrices"},
      {stream(0, 6), "instruction 0 (m_rd stream #0, tile 6): streams matrix 0 but it is pinned"},
      {stream(1, 254), "instruction 0 (m_rd stream #1, tile 254): writes MRF tiles [254, 260) but the MRF has 256"},
      {stream(1, 5), "instruction 0 (m_rd stream #1, tile 5): overwrites MRF tiles of a constant matrix (tiles 0..5)"},
      {inst(Opcode::MRd, 1, 6, MemSpace::None, isa::kMRdStream | isa::kMRdTranspose), "stream and transpose"},
  };
  for (const Case &c : cases) {
    artifact::Artifact bad = a;
    setProgram(bad, {c.inst});
    std::string err = runError(bad);
    EXPECT_TRUE(contains(err, c.expect)) << err;
  }
  // The same program with a good m_rd stream runs.
  setProgram(a, {stream(1, 6)});
  std::string err;
  auto s = sim::Simulator::create(a, err);
  ASSERT_TRUE(s) << err;
  EXPECT_TRUE(s->run(err)) << err;
}
