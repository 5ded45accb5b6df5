//===- SchedulerTest.cpp - Chains on a timeline: waits and overlaps -------===//
//
// Hand-computed schedules on the "tiny" target (numbers as in
// CostModelTest.cpp: a 1 x 1 mv_mul chain IVRF -> IVRF has issue 4, MVU
// offset 1, MVU busy 4, duration 32).
//
//===----------------------------------------------------------------------===//
#include "softnpu/timing/Scheduler.h"
#include "common/TestArtifacts.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::timing;
using softnpu::testing::matVecWork;
using softnpu::testing::tinyTarget;

namespace {

/// 1 x 1 mv_mul chain reading IVRF vector `in` and MRF tile `tile`, writing
/// IVRF vector `out`.
Work tileChain(uint64_t in, uint64_t out, uint64_t tile = 0, uint32_t rows = 1, uint32_t cols = 1) {
  Work w = matVecWork(rows, cols);
  w.reads.push_back({Memory::Ivrf, 0, in, in + cols});
  w.reads.push_back({Memory::Mrf, 0, tile, tile + uint64_t{rows} * cols});
  w.writes.push_back({Memory::Ivrf, 0, out, out + rows});
  return w;
}

Work matrixMove(uint64_t dramAddr, uint64_t elements, uint64_t tile, uint32_t tiles) {
  Work w;
  w.kind = WorkKind::MatrixMove;
  w.rows = tiles;
  w.cols = 1;
  w.dramRead = elements;
  w.reads.push_back({Memory::Dram, 0, dramAddr, dramAddr + elements});
  w.writes.push_back({Memory::Mrf, 0, tile, tile + tiles});
  return w;
}

TEST(SchedulerTest, FirstChainStartsAfterIssue) {
  Scheduler s(tinyTarget());
  const ItemTiming a = s.add(tileChain(0, 4));
  EXPECT_EQ(a.issue.begin, 0u);
  EXPECT_EQ(a.issue.end, 4u);
  EXPECT_EQ(a.start, 4u);
  EXPECT_EQ(a.finish, 36u);
  EXPECT_EQ(a.units[unitIndex(Unit::Mvu)].begin, 5u);
  EXPECT_EQ(a.units[unitIndex(Unit::Mvu)].end, 9u);
  EXPECT_EQ(s.makespan(), 36u);
}

TEST(SchedulerTest, ReaderWaitsForTheWriterOfItsIvrfRange) {
  Scheduler s(tinyTarget());
  const ItemTiming a = s.add(tileChain(0, 4));
  const ItemTiming b = s.add(tileChain(4, 8)); // reads what a wrote
  EXPECT_EQ(b.issue.begin, 4u);                // decoded once a is dispatched
  EXPECT_EQ(b.start, a.finish);                // 36
  EXPECT_EQ(b.finish, 68u);
  EXPECT_EQ(s.makespan(), 68u);
}

TEST(SchedulerTest, IndependentChainsShareTheMvuPipeline) {
  Scheduler s(tinyTarget());
  s.add(tileChain(0, 4));
  // Reads vector 1: no dependency. Decoded at 4..8; the MVU is free at 9 and
  // this chain's data reaches it 1 cycle after its start: start 8.
  const ItemTiming b = s.add(tileChain(1, 5));
  EXPECT_EQ(b.start, 8u);
  EXPECT_EQ(b.finish, 40u);
  EXPECT_EQ(s.makespan(), 40u); // not 36 + 36: the two chains overlap
}

TEST(SchedulerTest, MvuContentionDelaysTheSecondBigChain) {
  Scheduler s(tinyTarget());
  // 3 x 3 tiles: MVU busy 20 from cycle 5 to 25.
  const ItemTiming a = s.add(tileChain(0, 10, 0, 3, 3));
  EXPECT_EQ(a.units[unitIndex(Unit::Mvu)].end, 25u);
  const ItemTiming b = s.add(tileChain(3, 20, 9, 3, 3));
  EXPECT_EQ(b.start, 24u); // MVU free at 25, offset 1
  EXPECT_EQ(b.units[unitIndex(Unit::Mvu)].begin, 25u);
}

TEST(SchedulerTest, IndependentChainsOnDifferentUnitsOverlap) {
  Scheduler s(tinyTarget());
  // m_rd of 64 x 64 elements into tiles 10..25: DRAM busy 1024 cycles.
  const ItemTiming m = s.add(matrixMove(0, 64 * 64, 10, 16));
  EXPECT_EQ(m.start, 4u);
  EXPECT_EQ(m.finish, 1053u);
  // A chain on tile 0 does not touch what the m_rd writes: it runs on the
  // MVU while DRAM streams (start 8, finish 40).
  const ItemTiming c = s.add(tileChain(0, 4, 0));
  EXPECT_EQ(c.start, 8u);
  EXPECT_EQ(c.finish, 40u);
  EXPECT_EQ(s.makespan(), 1053u);
}

TEST(SchedulerTest, MvMulWaitsForTheMatrixMoveOfItsTiles) {
  Scheduler s(tinyTarget());
  const ItemTiming m = s.add(matrixMove(0, 64 * 64, 10, 16));
  const ItemTiming c = s.add(tileChain(0, 4, 10)); // reads tile 10
  EXPECT_EQ(c.start, m.finish);
  EXPECT_EQ(c.finish, 1053u + 32u);
}

TEST(SchedulerTest, WriterFinishesAfterEarlierReaderOfItsRange) {
  Scheduler s(tinyTarget());
  // A long chain reads tiles 0..8; an m_rd then overwrites tile 0 (write
  // after read): the m_rd may not finish before the chain does.
  const ItemTiming a = s.add(tileChain(0, 10, 0, 3, 3)); // finish 4 + 28 + 20 = 52
  EXPECT_EQ(a.finish, 52u);
  const ItemTiming m = s.add(matrixMove(500, 16, 0, 1)); // duration 20 + 5 + 4 = 29
  EXPECT_EQ(m.cost.duration, 29u);
  EXPECT_EQ(m.start, 52u - 29u); // 23 > issue end 8
  EXPECT_EQ(m.finish, a.finish);
}

/// A 1 x 1 chain whose one point-wise op, a multiply on MFU 1, reads
/// MULVRF[1] vector 0.
Work chainMultiplyingBy(uint64_t in, uint64_t out, bool atStage) {
  Work w = tileChain(in, out);
  w.mfuStages[1] = 1;
  w.reads.push_back({Memory::Mulvrf, 1, 0, 1, atStage});
  return w;
}

TEST(SchedulerTest, PointwiseOperandIsNeededWhenTheDataReachesItsMfu) {
  // The operand is written by a chain finishing at 36. Read at the start, it
  // holds the reader until then; read by MFU 1 as the data passes (offset
  // rf_read 1 + MVU latency 22 = 23 on tiny), the reader may start 23
  // cycles earlier.
  Work writer = tileChain(0, 4);
  writer.writes.push_back({Memory::Mulvrf, 1, 0, 1});
  Scheduler early(tinyTarget());
  const ItemTiming a = early.add(writer);
  EXPECT_EQ(a.finish, 36u);
  const ItemTiming b = early.add(chainMultiplyingBy(1, 5, /*atStage=*/true));
  EXPECT_EQ(b.cost.units[mfuUnit(1)].offset, 23u);
  EXPECT_EQ(b.start, 36u - 23u);

  Scheduler late(tinyTarget());
  late.add(writer);
  EXPECT_EQ(late.add(chainMultiplyingBy(1, 5, /*atStage=*/false)).start, 36u);
}

TEST(SchedulerTest, ScalarWritesOnlyOccupyTheControlProcessor) {
  Scheduler s(tinyTarget());
  Work w;
  w.kind = WorkKind::ScalarWrite;
  const ItemTiming a = s.add(w);
  const ItemTiming b = s.add(w);
  EXPECT_EQ(a.issue.end, 1u);
  EXPECT_EQ(b.issue.begin, 1u);
  EXPECT_EQ(b.finish, 2u);
  const ItemTiming c = s.add(tileChain(0, 4));
  EXPECT_EQ(c.start, 6u); // 2 + chain issue 4
  s.reset();
  EXPECT_EQ(s.makespan(), 0u);
}

} // namespace
