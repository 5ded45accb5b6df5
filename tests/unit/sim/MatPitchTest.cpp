//===- MatPitchTest.cpp - m_rd with MAT_PITCH: matrices side by side ------===//
//
// docs/execution-model.md "Matrix moves": tile (tr, tc) of m_rd's grid goes
// to MRF tile b + tr * MAT_PITCH + tc (MAT_PITCH 0 = COLS). Two m_rd with a
// common pitch build one tile grid [A B], which a single mv_mul multiplies;
// the expected tiles and products are computed here (fp32 target, so tiles
// hold the matrices exactly and products match a double reference closely).
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = kTinyDim;
// A: 32 x 16 (2 x 1 tiles), B: 32 x 21 (2 x 2 tiles, the second tile column
// padded); side by side a 2 x 3 grid from tile 10, pitch 3.
constexpr uint32_t kH = 2 * N, kWa = N, kWb = N + 5;
constexpr uint32_t kAAt = 0, kBAt = 600, kXAt = 1400, kYAt = 1500, kGrid = 10, kPitch = 3;

/// Element (r, c) of the 2 x 3 tile grid [A B] (zero in B's padding).
float gridValue(const std::vector<float> &a, const std::vector<float> &b, uint32_t r, uint32_t c) {
  if (c < kWa)
    return a[r * kWa + c];
  c -= kWa;
  return c < kWb ? b[r * kWb + c] : 0.0f;
}

} // namespace

TEST(SimMatPitchTest, TwoMatricesSideBySideInOneGrid) {
  const std::vector<float> a = randomVector(kH * kWa, 31), b = randomVector(kH * kWb, 32);
  const std::vector<float> x = randomVector(3 * N, 33);
  artifact::Artifact art = emptyArtifact(tinyTarget(true), 2000);
  addDramInit(art, kAAt, a);
  addDramInit(art, kBAt, b);
  addDramInit(art, kXAt, x);
  Program p;
  p.swr(SReg::MatH, kH);
  p.swr(SReg::MatW, kWa);
  p.swr(SReg::Rows, 2);
  p.swr(SReg::Cols, 1);
  p.swr(SReg::MatPitch, kPitch);
  p.mrd(kAAt, kGrid); // tiles 10, 13
  p.swr(SReg::MatW, kWb);
  p.swr(SReg::Cols, 2);
  p.mrd(kBAt, kGrid + 1); // tiles 11, 12, 14, 15
  p.swr(SReg::MatPitch, 0);
  p.swr(SReg::Cols, 3);
  p.load(kXAt, MemSpace::Ivrf, 0);
  p.matVec(0, kGrid, kYAt);
  setProgram(art, p.insts);
  auto s = makeSim(art);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  EXPECT_EQ(s->counters().mrfTilesWritten, 6u);

  // Every tile of the grid holds its part of [A B].
  for (uint32_t tr = 0; tr < 2; ++tr)
    for (uint32_t tc = 0; tc < 3; ++tc) {
      const std::vector<float> tile = s->mrfTile(kGrid + tr * kPitch + tc);
      ASSERT_EQ(tile.size(), N * N);
      for (uint32_t i = 0; i < N; ++i)
        for (uint32_t j = 0; j < N; ++j)
          ASSERT_EQ(tile[i * N + j], gridValue(a, b, tr * N + i, tc * N + j))
              << "tile (" << tr << "," << tc << ") element (" << i << "," << j << ")";
    }
  for (uint32_t untouched : {kGrid - 1, kGrid + 2 * kPitch})
    for (float v : s->mrfTile(untouched))
      EXPECT_EQ(v, 0.0f) << "tile " << untouched;

  // y = A x[0:16] + B x[16:37].
  const std::vector<float> y = readDram(*s, kYAt, kH);
  for (uint32_t r = 0; r < kH; ++r) {
    double ref = 0, mag = 0;
    for (uint32_t c = 0; c < 3 * N; ++c) {
      const double term = static_cast<double>(gridValue(a, b, r, c)) * x[c];
      ref += term;
      mag += std::fabs(term);
    }
    EXPECT_NEAR(y[r], ref, 1e-6 * mag + 1e-7) << "row " << r;
  }
}

TEST(SimMatPitchTest, PitchErrors) {
  {
    SCOPED_TRACE("pitch below COLS");
    Program p;
    p.swr(SReg::MatH, 4);
    p.swr(SReg::MatW, 20);
    p.swr(SReg::Cols, 2);
    p.swr(SReg::MatPitch, 1);
    p.mrd(0, 0);
    expectRunError(p, {"instruction 4 (m_rd 0, tile 0)", "MAT_PITCH 1 is less than COLS 2"});
  }
  {
    SCOPED_TRACE("last tile past the MRF");
    Program p;
    p.swr(SReg::MatH, 20);
    p.swr(SReg::MatW, 4);
    p.swr(SReg::Rows, 2);
    p.swr(SReg::MatPitch, 200);
    p.mrd(0, 56); // tiles 56 and 256 of 256
    expectRunError(p, {"instruction 4 (m_rd 0, tile 56)", "[56, 257)", "256 tiles"});
  }
}
