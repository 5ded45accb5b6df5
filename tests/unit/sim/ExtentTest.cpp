//===- ExtentTest.cpp - Tiles stored at their real extent compute as whole ===//
//
// Format 2 artifacts store a matrix only at its real extent and the MRF keeps
// only that part of each tile (the rest is zero). A 20 x 21 matrix on the
// "tiny" target (N = 16, a 2 x 2 tile grid whose tiles hold 16x16, 16x5,
// 4x16 and 4x5 real elements) must give, bit for bit, what the same matrix
// zero-padded to 32 x 32 and stored whole gives (the version 1 layout): all
// 32 output lanes and the MRF contents, for every kind of weight format,
// pinned, streamed (m_rd stream) and moved from DRAM (m_rd), with finite
// inputs and with NaN / Inf in the padded and the real columns (which make
// the padded zeros count: 0 x Inf is NaN).
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace softnpu;
using namespace softnpu::testing;
using numerics::Element;
using numerics::NumberFormat;

namespace {

constexpr size_t kRows = 20, kCols = 21, kPadded = 32, kY = 100, kW = 200;

enum class Kind { Pinned, Streamed, Moved };

/// y (DRAM kY, 32 lanes) = the 2 x 2 tile grid times x (DRAM 0, 32
/// elements). The matrix is rows x cols `w`: pinned at tile 0, streamed into
/// tile 4, or (Moved) an fp32 DRAM tensor at kW moved by m_rd into tile 8.
/// With `parts` (pinned or streamed), w's columns are in those column parts.
artifact::Artifact extentArtifact(const artifact::FormatPair &f, const std::vector<float> &w, size_t rows, size_t cols,
                                  const std::vector<float> &x, Kind kind, const std::vector<uint32_t> &parts = {}) {
  artifact::Artifact a;
  a.target = tinyTarget();
  a.target.weightFormat = f.weight;
  a.target.inputFormat = f.input;
  a.formats = {f};
  a.dramElements = kW + rows * cols;
  addDramInit(a, 0, x);
  Program p;
  uint32_t tile = 0;
  if (kind == Kind::Pinned) {
    if (parts.empty())
      addMatrix(a, 0, w, rows, cols);
    else
      addPartedMatrix(a, 0, w, rows, parts);
  } else if (kind == Kind::Streamed) {
    if (parts.empty())
      addMatrix(a, 0, w, rows, cols, 0, /*streamed=*/true);
    else
      addPartedMatrix(a, 0, w, rows, parts, 0, /*streamed=*/true);
    p.insts.push_back(makeInst(Opcode::MRd, MemSpace::None, 0, 4, isa::kMRdStream));
    tile = 4;
  } else {
    addDramInit(a, kW, w);
    p.swr(SReg::MatH, static_cast<uint32_t>(rows));
    p.swr(SReg::MatW, static_cast<uint32_t>(cols));
    p.swr(SReg::Rows, 2);
    p.swr(SReg::Cols, 2);
    p.mrd(kW, 8);
    tile = 8;
  }
  p.swr(SReg::Cols, 2);
  p.vrd(MemSpace::Dram, 0);
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  p.swr(SReg::Rows, 2);
  p.matVec(0, tile, kY);
  setProgram(a, p.insts);
  return a;
}

struct Result {
  std::vector<float> y;
  std::vector<std::vector<float>> tiles;
};

Result run(const artifact::Artifact &a, uint32_t firstTile) {
  Result r;
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
  auto s = makeSim(a);
  if (!s)
    return r;
  EXPECT_TRUE(s->run(err)) << err;
  r.y = readDram(*s, kY, kPadded);
  for (uint32_t t = 0; t < 4; ++t)
    r.tiles.push_back(s->mrfTile(firstTile + t));
  return r;
}

void expectSameBits(const std::vector<float> &a, const std::vector<float> &b, const std::string &what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_TRUE(sameBits(a[i], b[i])) << what << " element " << i << ": " << a[i] << " vs " << b[i];
}

} // namespace

TEST(SimExtentTest, RealExtentComputesExactlyAsWholeTiles) {
  const std::vector<artifact::FormatPair> pairs = {
      {NumberFormat::bfp(6, 16), NumberFormat::bfp(6, 16)}, // msfp15: the compact kernel
      {NumberFormat::bfp(12, 8), NumberFormat::bfp(10, 8)}, // wide MSFP: dotLeading
      {NumberFormat::bfp(3, 5), NumberFormat::bfp(3, 5)},   // blocks 5, 5, 5, 1: short last blocks
      {NumberFormat::mx(Element::E2M1), NumberFormat::mx(Element::E4M3)},
      {NumberFormat::mx(Element::Int8, 8), NumberFormat::mx(Element::Int8, 8)},
      {NumberFormat::fp32(), NumberFormat::fp32()}};
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // (position, value) spoiling the input: none, in the padded columns 21..31, in a real one.
  const std::vector<std::pair<size_t, float>> spoilers = {{0, 0.0f}, {25, nan}, {30, inf}, {3, -inf}};
  unsigned seed = 40;
  size_t nanLanes = 0;
  for (const artifact::FormatPair &f : pairs) {
    const std::vector<float> w = randomVector(kRows * kCols, ++seed, 2.0f);
    std::vector<float> padded(kPadded * kPadded, 0.0f);
    for (size_t i = 0; i < kRows; ++i)
      std::copy_n(&w[i * kCols], kCols, &padded[i * kPadded]);
    for (const auto &[at, value] : spoilers) {
      std::vector<float> x = randomVector(kPadded, ++seed);
      for (size_t j = kCols; j < kPadded; ++j)
        x[j] = 0.5f; // whatever lies in the padded lanes multiplies zeros
      if (at)
        x[at] = value;
      const std::string what = f.weight.name() + " x " + f.input.name() + " x[" + std::to_string(at) + "]";
      const Result whole = run(extentArtifact(f, padded, kPadded, kPadded, x, Kind::Pinned), 0);
      for (float v : whole.y)
        nanLanes += std::isnan(v);
      const Result pinned = run(extentArtifact(f, w, kRows, kCols, x, Kind::Pinned), 0);
      const Result streamed = run(extentArtifact(f, w, kRows, kCols, x, Kind::Streamed), 4);
      const Result moved = run(extentArtifact(f, w, kRows, kCols, x, Kind::Moved), 8);
      const Result movedWhole = run(extentArtifact(f, padded, kPadded, kPadded, x, Kind::Moved), 8);
      expectSameBits(pinned.y, whole.y, what + " pinned");
      expectSameBits(streamed.y, whole.y, what + " streamed");
      expectSameBits(moved.y, movedWhole.y, what + " m_rd");
      for (size_t t = 0; t < 4; ++t) {
        expectSameBits(pinned.tiles[t], whole.tiles[t], what + " pinned tile " + std::to_string(t));
        expectSameBits(streamed.tiles[t], whole.tiles[t], what + " streamed tile " + std::to_string(t));
        expectSameBits(moved.tiles[t], movedWhole.tiles[t], what + " m_rd tile " + std::to_string(t));
      }
    }
  }
  // The spoiled inputs reached the padded lanes (NaN in all 32 lanes of a tile row).
  EXPECT_GT(nanLanes, pairs.size() * 3 * 16);
}

TEST(SimExtentTest, ASmallMatrixOnAWideTargetLoadsOnlyItsRealRows) {
  // A 16 x 16 msfp15 matrix on brainwave-s10 (N = 400): 16 rows of 15
  // bytes in the artifact, where its whole tile would take 400 x 375.
  std::string err;
  std::optional<target::Target> t = target::Target::load("brainwave-s10", err);
  ASSERT_TRUE(t) << err;
  artifact::Artifact a = emptyArtifact(*t, 1000);
  const unsigned n = t->nativeDim;
  ASSERT_EQ(n, 400u);
  // addMatrix packs for the tiny target's N; build this one by the document.
  const std::vector<float> w = randomVector(16 * 16, 3);
  artifact::MatrixEntry m;
  m.rowTiles = m.colTiles = 1;
  m.rows = m.cols = 16;
  m.format = t->weightFormat;
  const size_t rowBytes = numerics::packedRowBytes(m.format, 16);
  ASSERT_EQ(rowBytes, 15u);
  a.weightImage.resize(16 * rowBytes);
  for (size_t i = 0; i < 16; ++i)
    numerics::packRow(&w[i * 16], 16, m.format, t->rounding, a.weightImage.data() + i * rowBytes);
  m.size = a.weightImage.size();
  a.matrices.push_back(m);
  std::vector<float> x = randomVector(n, 4);
  addDramInit(a, 0, x);
  Program p;
  p.swr(SReg::Cols, 1);
  p.vrd(MemSpace::Dram, 0);
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  p.swr(SReg::Rows, 1);
  p.matVec(0, 0, 500);
  setProgram(a, p.insts);
  ASSERT_TRUE(artifact::validate(a, err)) << err;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->run(err)) << err;
  const std::vector<float> y = readDram(*s, 500, n);
  // Row i is the documented dot of the quantized row with x's first 16
  // elements (x's other lanes meet zeros); lanes 16.. are +0.
  for (size_t i = 0; i < n; ++i) {
    float expected = 0.0f;
    if (i < 16) {
      const numerics::BfpVector wq = numerics::quantize(&w[i * 16], 16, m.format, t->rounding);
      const numerics::BfpVector xq = numerics::quantize(x.data(), 16, t->inputFormat, t->rounding);
      expected = numerics::dot(wq, xq, 0.0f);
    }
    ASSERT_TRUE(sameBits(y[i], expected)) << "lane " << i << ": " << y[i] << " vs " << expected;
  }
}

TEST(SimExtentTest, ColumnPartsComputeExactlyAsThePaddedGrid) {
  // A recurrent gate's [ W | R ] (format 2.1): W (20 x 5) from tile column
  // 0, R (20 x 7) from tile column 1, a 2 x 2 grid whose artifact holds only
  // the 20 x 12 real elements. Loaded (pinned or streamed), the MRF must hold
  // exactly the zero-padded grid [ W 0 | R 0 ] that the version 2.0 layout
  // stored (the padding rebuilt as zeros), and the product must be bit for
  // bit that grid's, with finite inputs and with NaN / Inf in the gap.
  const uint32_t wCols = 5, rCols = 7, cols = wCols + rCols;
  const std::vector<artifact::FormatPair> pairs = {{NumberFormat::bfp(6, 16), NumberFormat::bfp(6, 16)},
                                                   {NumberFormat::bfp(3, 5), NumberFormat::bfp(3, 5)},
                                                   {NumberFormat::mx(Element::E2M1), NumberFormat::mx(Element::E4M3)},
                                                   {NumberFormat::fp32(), NumberFormat::fp32()}};
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // (position, value) spoiling the input: none, in W's gap, in R's gap.
  const std::vector<std::pair<size_t, float>> spoilers = {{0, 0.0f}, {9, nan}, {28, inf}};
  unsigned seed = 70;
  for (const artifact::FormatPair &f : pairs) {
    const std::vector<float> w = randomVector(kRows * cols, ++seed, 2.0f);
    std::vector<float> padded(kRows * kPadded, 0.0f); // [ W 0 | R 0 ], 20 x 32
    for (size_t i = 0; i < kRows; ++i) {
      std::copy_n(&w[i * cols], wCols, &padded[i * kPadded]);
      std::copy_n(&w[i * cols + wCols], rCols, &padded[i * kPadded + 16]);
    }
    for (const auto &[at, value] : spoilers) {
      std::vector<float> x = randomVector(kPadded, ++seed);
      if (at)
        x[at] = value;
      const std::string what = f.weight.name() + " x[" + std::to_string(at) + "]";
      const artifact::Artifact wholeArtifact = extentArtifact(f, padded, kRows, kPadded, x, Kind::Pinned);
      const Result whole = run(wholeArtifact, 0);
      for (Kind kind : {Kind::Pinned, Kind::Streamed}) {
        const std::string how = what + (kind == Kind::Streamed ? " streamed" : " pinned");
        const artifact::Artifact a = extentArtifact(f, w, kRows, cols, x, kind, {wCols, rCols});
        // Only the real columns are stored: 5 and 7 of each row, not 16 + 7.
        EXPECT_EQ(a.matrices[0].size,
                  kRows * (numerics::packedRowBytes(f.weight, wCols) + numerics::packedRowBytes(f.weight, rCols)))
            << how;
        EXPECT_LT(a.matrices[0].size, wholeArtifact.matrices[0].size) << how;
        const Result parts = run(a, kind == Kind::Streamed ? 4 : 0);
        expectSameBits(parts.y, whole.y, how);
        for (size_t t = 0; t < 4; ++t)
          expectSameBits(parts.tiles[t], whole.tiles[t], how + " tile " + std::to_string(t));
        // The gaps: columns 5..15 of tile 0 and 7..15 of tile 1, and the
        // rows past 20 of tiles 2 and 3, read back as +0.
        for (size_t i = 0; i < 16; ++i)
          for (size_t j = 0; j < 16; ++j) {
            if (j >= wCols)
              ASSERT_TRUE(sameBits(parts.tiles[0][i * 16 + j], 0.0f)) << how;
            if (j >= rCols)
              ASSERT_TRUE(sameBits(parts.tiles[1][i * 16 + j], 0.0f)) << how;
            if (i >= kRows - 16)
              ASSERT_TRUE(sameBits(parts.tiles[2][i * 16 + j], 0.0f)) << how;
          }
      }
    }
  }
}
