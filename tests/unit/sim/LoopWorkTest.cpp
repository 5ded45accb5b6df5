//===- LoopWorkTest.cpp - Work events of loops, iter accesses, pitched m_rd =//
//
// The WorkObserver sees instructions in execution order (a loop body once
// per iteration); loop / end_loop are control-processor work like s_wr; the
// ranges of iter-flagged v_rd / v_wr are the effective addresses of each
// iteration and a pitched m_rd writes one MRF range per tile row. Expected
// events are worked out by hand from the program below.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"
#include "softnpu/timing/Work.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;
using timing::Memory;
using timing::WorkKind;

namespace {

struct Seen {
  size_t begin, end;
  timing::Work work;
};

void expectRange(const timing::Range &r, Memory mem, uint64_t begin, uint64_t end) {
  EXPECT_EQ(r.mem, mem);
  EXPECT_EQ(r.begin, begin);
  EXPECT_EQ(r.end, end);
}

} // namespace

TEST(SimLoopWorkTest, EventsFollowExecutionWithEffectiveRanges) {
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 100);
  Program p;
  p.swr(SReg::Cols, 1);           // 0
  p.swrSigned(SReg::RdStep, -16); // 1
  p.swr(SReg::WrStep, 2);         // 2
  p.loop(3);                      // 3
  p.vrdIter(MemSpace::Dram, 32);  // 4: DRAM 32, 16, 0
  p.vwrIter(MemSpace::Ivrf, 10);  // 5: IVRF 10, 12, 14
  p.end();                        // 6
  p.endLoop();                    // 7
  p.swr(SReg::MatH, 4);           // 8
  p.swr(SReg::MatW, 4);           // 9
  p.swr(SReg::Rows, 2);           // 10
  p.swr(SReg::MatPitch, 5);       // 11
  p.mrd(0, 20);                   // 12: tiles 20 and 25
  p.swr(SReg::MatPitch, 0);       // 13
  p.mrd(0, 40);                   // 14: tiles 40, 41
  setProgram(a, p.insts);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::vector<Seen> seen;
  s->setWorkObserver([&](const sim::WorkEvent &e) { seen.push_back({e.begin, e.end, *e.work}); });
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;

  std::vector<size_t> begins, ends;
  for (const Seen &e : seen) {
    begins.push_back(e.begin);
    ends.push_back(e.end);
  }
  EXPECT_EQ(begins, (std::vector<size_t>{0, 1, 2, 3, 4, 7, 4, 7, 4, 7, 8, 9, 10, 11, 12, 13, 14}));
  EXPECT_EQ(ends, (std::vector<size_t>{1, 2, 3, 4, 7, 8, 7, 8, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
  ASSERT_EQ(seen.size(), 17u);

  // loop and end_loop: the control processor only, like s_wr.
  for (size_t k : {3u, 5u, 7u, 9u}) {
    SCOPED_TRACE("event " + std::to_string(k));
    EXPECT_EQ(seen[k].work.kind, WorkKind::ScalarWrite);
    EXPECT_TRUE(seen[k].work.reads.empty());
    EXPECT_TRUE(seen[k].work.writes.empty());
    EXPECT_EQ(seen[k].work.dramRead + seen[k].work.dramWritten, 0u);
  }
  // The chain in iterations 0, 1, 2.
  const uint64_t dramAt[] = {32, 16, 0}, ivrfAt[] = {10, 12, 14};
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    const timing::Work &w = seen[4 + 2 * i].work;
    EXPECT_EQ(w.kind, WorkKind::Chain);
    EXPECT_EQ(w.dramRead, 16u);
    ASSERT_EQ(w.reads.size(), 1u);
    expectRange(w.reads[0], Memory::Dram, dramAt[i], dramAt[i] + 16);
    ASSERT_EQ(w.writes.size(), 1u);
    expectRange(w.writes[0], Memory::Ivrf, ivrfAt[i], ivrfAt[i] + 1);
  }
  // m_rd with pitch 5: two separate tile rows; with pitch 0 (= COLS) one run.
  const timing::Work &pitched = seen[14].work;
  EXPECT_EQ(pitched.kind, WorkKind::MatrixMove);
  ASSERT_EQ(pitched.writes.size(), 2u);
  expectRange(pitched.writes[0], Memory::Mrf, 20, 21);
  expectRange(pitched.writes[1], Memory::Mrf, 25, 26);
  ASSERT_EQ(pitched.reads.size(), 1u);
  expectRange(pitched.reads[0], Memory::Dram, 0, 16);
  const timing::Work &dense = seen[16].work;
  ASSERT_EQ(dense.writes.size(), 1u);
  expectRange(dense.writes[0], Memory::Mrf, 40, 42);
  // The counters agree: every dynamic instruction once.
  EXPECT_EQ(s->counters().instructions, 3u + 1u + 3u * 4u + 7u);
}
