//===- WindowWorkTest.cpp - Work events and DRAM cost of windowed reads ---===//
//
// A windowed v_rd reads from DRAM only the taps inside the feature map:
// in-map taps x WIN_C elements (4 bytes each), over the range from its first
// to its last in-map tap (docs/timing-model.md). Expected values are worked
// out by hand for a 4 x 4 x 2 map at DRAM 8 read by a 3 x 3 kernel with
// padding 1 on the "tiny" target (16 bytes of DRAM per cycle).
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"
#include "softnpu/timing/CostModel.h"
#include "softnpu/timing/Work.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

TEST(SimWindowWorkTest, PaddingTapsReadNoDram) {
  const target::Target t = tinyTarget(true);
  artifact::Artifact a = emptyArtifact(t, 400);
  Program p;
  p.swr(SReg::InH, 4);
  p.swr(SReg::InW, 4);
  p.swr(SReg::InC, 2);
  p.swr(SReg::WinC, 2);
  p.swr(SReg::KH, 3);
  p.swr(SReg::KW, 3);
  p.swr(SReg::PadT, 1);
  p.swr(SReg::PadL, 1);
  p.swr(SReg::OutW, 4);
  p.swr(SReg::Cols, 2);
  p.swr(SReg::WrLen, 18);
  p.swr(SReg::WrStep, 18);
  p.loop(16);
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, 8, 0, isa::kVWindow | isa::kVIter));
  p.vwrIter(MemSpace::Dram, 100);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::vector<timing::Work> chains;
  s->setWorkObserver([&](const sim::WorkEvent &e) {
    if (e.work->kind == timing::WorkKind::Chain)
      chains.push_back(*e.work);
  });
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  ASSERT_EQ(chains.size(), 16u);

  struct Expected {
    uint32_t pixel;
    uint64_t elements, begin, end; // DRAM elements read, range [begin, end)
  };
  const Expected cases[] = {
      // (0, 0): taps (1, 1) (1, 2) (2, 1) (2, 2) at map pixels (0, 0) .. (1, 1).
      {0, 4 * 2, 8 + 0, 8 + (1 * 4 + 1) * 2 + 2},
      // (1, 1): all 9 taps, map pixels (0, 0) .. (2, 2).
      {5, 9 * 2, 8 + 0, 8 + (2 * 4 + 2) * 2 + 2},
      // (3, 3): map pixels (2, 2) .. (3, 3), the others below or right of it.
      {15, 4 * 2, 8 + (2 * 4 + 2) * 2, 8 + (3 * 4 + 3) * 2 + 2},
      // (0, 1): kernel row 0 above the map, 2 rows x 3 columns inside.
      {1, 6 * 2, 8 + 0, 8 + (1 * 4 + 2) * 2 + 2},
  };
  for (const Expected &e : cases) {
    SCOPED_TRACE("pixel " + std::to_string(e.pixel));
    const timing::Work &w = chains[e.pixel];
    EXPECT_TRUE(w.sourceDram);
    EXPECT_EQ(w.dramRead, e.elements);
    EXPECT_EQ(w.dramWritten, 18u);
    ASSERT_EQ(w.reads.size(), 1u);
    EXPECT_EQ(w.reads[0].mem, timing::Memory::Dram);
    EXPECT_EQ(w.reads[0].begin, e.begin);
    EXPECT_EQ(w.reads[0].end, e.end);
    // 4 bytes per element read or written; 16 bytes per cycle on tiny.
    const timing::ChainCost c = timing::costOf(t, w);
    EXPECT_EQ(c.dramBytes, 4 * (e.elements + 18));
    EXPECT_EQ(c.units[timing::unitIndex(timing::Unit::Dram)].busy, (4 * (e.elements + 18) + 15) / 16);
  }
}
