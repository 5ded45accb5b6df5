//===- StreamMoveTest.cpp - DRAM cost of m_rd stream (packed weights) -----===//
//
// An `m_rd stream` reads its matrix's packed bytes from DRAM (Work::
// dramReadBytes), so its DRAM time follows the weight format; a plain m_rd
// reads fp32 (4 bytes per element). Numbers by hand for the "tiny" target
// (N = 16, DRAM 16 bytes per cycle, DRAM latency 20, write_back 5):
//   a 2 x 3 tile grid has 6 x 16 = 96 rows of 16 elements;
//   msfp15 (k = 16, 7-bit codes): 1 + ceil(16 x 7 / 8) = 15 bytes per row
//     -> 1440 bytes -> 90 cycles;
//   mxfp4 (k = 16, 4-bit codes): 1 + 8 = 9 bytes per row -> 864 bytes -> 54;
//   fp32: 64 bytes per row -> 6144 bytes -> 384 cycles (what m_rd of the
//     same 32 x 48 matrix from fp32 DRAM costs).
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"
#include "softnpu/timing/CostModel.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::testing;
using numerics::Element;
using numerics::NumberFormat;
using timing::Memory;
using timing::Unit;
using timing::Work;
using timing::WorkKind;

namespace {

constexpr unsigned N = 16;

/// tiny with one streamed 2 x 3 tile matrix in pair `pair` (0: msfp15,
/// 1: mxfp4 x mxfp8, 2: fp32 x fp32; zeros: values do not matter here) and
/// the program `m_rd stream #0, tile 9`; then MAT_H = 32, MAT_W = 48 and a
/// plain `m_rd 0, tile 20` of the same-sized matrix from fp32 DRAM.
artifact::Artifact streamArtifact(uint32_t pair) {
  artifact::Artifact a;
  a.target = tinyTarget();
  a.formats = {{a.target.weightFormat, a.target.inputFormat},
               {NumberFormat::mx(Element::E2M1, 16), NumberFormat::mx(Element::E4M3, 16)},
               {NumberFormat::fp32(), NumberFormat::fp32()}};
  a.dramElements = 32 * 48;
  artifact::MatrixEntry m;
  m.rowTiles = 2;
  m.colTiles = 3;
  m.rows = 2 * N; // the whole grid: the bytes moved are the same stored or padded
  m.cols = 3 * N;
  m.formatIndex = pair;
  m.format = a.formats[pair].weight;
  m.streamed = true;
  m.size = 6 * N * numerics::packedRowBytes(m.format, N);
  a.matrices.push_back(m);
  a.weightImage.assign(m.size, 0);
  setProgram(a, {makeInst(Opcode::MRd, MemSpace::None, 0, 9, isa::kMRdStream), scalarWrite(SReg::MatH, 32),
                 scalarWrite(SReg::MatW, 48), scalarWrite(SReg::Rows, 2), scalarWrite(SReg::Cols, 3),
                 makeInst(Opcode::MRd, MemSpace::None, 0, 20)});
  return a;
}

/// The Work of every standalone instruction the simulator describes.
std::vector<Work> describe(const artifact::Artifact &a) {
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
  auto sim = sim::Simulator::create(a, err);
  EXPECT_TRUE(sim) << err;
  std::vector<Work> works;
  if (!sim)
    return works;
  sim->setWorkObserver([&](const sim::WorkEvent &e) { works.push_back(*e.work); });
  EXPECT_TRUE(sim->run(err)) << err;
  return works;
}

} // namespace

TEST(StreamMoveTest, PackedBytesAddToDramTraffic) {
  Work w;
  w.kind = WorkKind::MatrixMove;
  w.rows = 2;
  w.cols = 3;
  w.dramReadBytes = 1000; // ceil(1000 / 16) = 63 cycles
  timing::ChainCost c = timing::costOf(tinyTarget(), w);
  EXPECT_EQ(c.dramBytes, 1000u);
  EXPECT_EQ(c.units[timing::unitIndex(Unit::Dram)].busy, 63u);
  EXPECT_EQ(c.latency, 25u);
  EXPECT_EQ(c.duration, 88u);
  // Both kinds of traffic: 10 fp32 elements (40 bytes) + 1000 bytes = 65 cycles.
  w.dramRead = 10;
  c = timing::costOf(tinyTarget(), w);
  EXPECT_EQ(c.dramBytes, 1040u);
  EXPECT_EQ(c.units[timing::unitIndex(Unit::Dram)].busy, 65u);
  // clear() resets it.
  w.clear();
  EXPECT_EQ(w.dramReadBytes, 0u);
}

TEST(StreamMoveTest, StreamReadsThePackedSizeFromDram) {
  const struct {
    uint32_t pair;
    uint64_t bytes, cycles;
  } cases[] = {{0, 1440, 90}, {1, 864, 54}, {2, 6144, 384}};
  for (const auto &c : cases) {
    const artifact::Artifact a = streamArtifact(c.pair);
    ASSERT_EQ(a.matrices[0].size, c.bytes) << "pair " << c.pair; // the hand numbers above
    const std::vector<Work> works = describe(a);
    ASSERT_EQ(works.size(), 6u);
    const Work &s = works[0];
    EXPECT_EQ(s.kind, WorkKind::MatrixMove);
    EXPECT_EQ(s.rows, 2u);
    EXPECT_EQ(s.cols, 3u);
    EXPECT_EQ(s.dramRead, 0u); // no fp32 elements: packed bytes instead
    EXPECT_EQ(s.dramReadBytes, c.bytes);
    EXPECT_TRUE(s.reads.empty()); // constants: nothing for the scoreboard to order
    ASSERT_EQ(s.writes.size(), 1u);
    EXPECT_EQ(s.writes[0].mem, Memory::Mrf);
    EXPECT_EQ(s.writes[0].begin, 9u);
    EXPECT_EQ(s.writes[0].end, 15u);
    const timing::ChainCost cost = timing::costOf(a.target, s);
    EXPECT_EQ(cost.dramBytes, c.bytes);
    EXPECT_EQ(cost.units[timing::unitIndex(Unit::Dram)].busy, c.cycles);

    // The plain m_rd of a 32 x 48 fp32 DRAM matrix: 4 bytes per element.
    const Work &plain = works[5];
    EXPECT_EQ(plain.dramRead, 32u * 48u);
    EXPECT_EQ(plain.dramReadBytes, 0u);
    EXPECT_EQ(timing::costOf(a.target, plain).dramBytes, 6144u);
    EXPECT_EQ(timing::costOf(a.target, plain).units[timing::unitIndex(Unit::Dram)].busy, 384u);
  }
}

TEST(StreamMoveTest, ASmallMatrixIsChargedItsWholeTiles) {
  // The artifact stores a 17 x 33 msfp15 matrix at its real extent: 17 rows
  // of 2 x 15 + (1 + ceil(7/8)) = 32 bytes = 544 bytes. The NPU's DRAM holds
  // it as its 2 x 3 grid of whole tiles, and that is what m_rd stream moves:
  // 1440 bytes, 90 cycles, as for the full 32 x 48 matrix above.
  artifact::Artifact a = streamArtifact(0);
  artifact::MatrixEntry &m = a.matrices[0];
  m.rows = 17;
  m.cols = 33;
  m.size = 544;
  a.weightImage.assign(m.size, 0);
  const std::vector<Work> works = describe(a);
  ASSERT_EQ(works.size(), 6u);
  EXPECT_EQ(works[0].dramReadBytes, 1440u);
  EXPECT_EQ(timing::costOf(a.target, works[0]).units[timing::unitIndex(Unit::Dram)].busy, 90u);
}
