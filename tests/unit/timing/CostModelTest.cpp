//===- CostModelTest.cpp - Per-chain formulas on hand-computed cases ------===//
//
// Every expected number below is worked out by hand from the formulas of
// docs/timing-model.md for the "tiny" target: N = 16, T = 2, L = 4 (4 cycles
// per native vector), 100 MHz, DRAM 1.6 GB/s = 16 bytes per cycle, DRAM
// latency 20, default latencies (MVU latency 8 + 2 + 2*1 + 4 + 1 + 5 = 22).
//
//===----------------------------------------------------------------------===//
#include "softnpu/timing/CostModel.h"
#include "common/TestArtifacts.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::timing;
using softnpu::testing::matVecWork;
using softnpu::testing::tinyTarget;

namespace {

/// An mv_mul chain IVRF -> MVU -> [MFU0 with `stages` ops] -> IVRF or DRAM.
Work matVec(uint32_t rows, uint32_t cols, uint8_t stages = 0, bool toDram = false) {
  Work w = matVecWork(rows, cols);
  w.mfuStages[0] = stages;
  w.reads.push_back({Memory::Ivrf, 0, 0, cols});
  w.reads.push_back({Memory::Mrf, 0, 0, uint64_t{rows} * cols});
  if (toDram) {
    w.dramWritten = uint64_t{rows} * 16;
    w.writes.push_back({Memory::Dram, 0, 1000, 1000 + uint64_t{rows} * 16});
  } else {
    w.writes.push_back({Memory::Ivrf, 0, 100, 100 + uint64_t{rows}});
  }
  return w;
}

TEST(CostModelTest, TargetDerivedConstants) {
  const target::Target t = tinyTarget();
  EXPECT_EQ(cyclesPerVector(t), 4u); // 16 / 4
  EXPECT_EQ(mvuLatency(t), 22u);     // 8 + 2 + 2*1 + 4 + 1 + 5
  EXPECT_EQ(dramCycles(t, 16), 1u);  // 16 bytes per cycle
  EXPECT_EQ(dramCycles(t, 17), 2u);
  EXPECT_EQ(dramCycles(t, 0), 0u);
  EXPECT_EQ(numUnits(t), 4u); // DRAM, MVU, MFU0, MFU1
  EXPECT_EQ(unitName(mfuUnit(1)), "MFU1");
}

TEST(CostModelTest, SingleTile) {
  const ChainCost c = costOf(tinyTarget(), matVec(1, 1));
  // MVU: ceil(1 / 2) tile rounds x 4 cycles.
  EXPECT_EQ(c.units[unitIndex(Unit::Mvu)].busy, 4u);
  EXPECT_EQ(c.units[unitIndex(Unit::Mvu)].offset, 1u); // rf_read
  EXPECT_FALSE(c.units[unitIndex(Unit::Dram)].used);
  EXPECT_EQ(c.latency, 28u); // rf_read 1 + MVU 22 + write_back 5
  EXPECT_EQ(c.stream, 4u);
  EXPECT_EQ(c.duration, 32u);
  EXPECT_EQ(c.issue, 4u);
  EXPECT_EQ(c.macs, 256u); // one 16 x 16 tile
  EXPECT_EQ(estimateChain(tinyTarget(), matVec(1, 1)), 36u);
}

TEST(CostModelTest, MultiTileMoreTilesThanEngines) {
  // 3 x 3 = 9 tiles on 2 tile engines: 5 rounds of 4 cycles. Bias add and
  // relu on MFU0 (2 stages), 3 output vectors to DRAM (48 elements).
  const ChainCost c = costOf(tinyTarget(), matVec(3, 3, 2, true));
  EXPECT_EQ(c.units[unitIndex(Unit::Mvu)].busy, 20u);
  const UnitUse &mfu0 = c.units[mfuUnit(0)];
  EXPECT_TRUE(mfu0.used);
  EXPECT_EQ(mfu0.busy, 12u);   // 3 vectors x 4 cycles
  EXPECT_EQ(mfu0.offset, 23u); // rf_read 1 + MVU 22
  EXPECT_FALSE(c.units[mfuUnit(1)].used);
  EXPECT_EQ(c.units[unitIndex(Unit::Dram)].busy, 12u);   // 48 x 4 bytes / 16
  EXPECT_EQ(c.units[unitIndex(Unit::Dram)].offset, 29u); // write-only: at write-back, 1 + 22 + 6
  EXPECT_EQ(c.latency, 34u);                             // 1 + 22 + 2 x 3 + 5
  EXPECT_EQ(c.stream, 20u);                              // the MVU is the slowest unit
  EXPECT_EQ(c.duration, 54u);
  EXPECT_EQ(c.macs, 9u * 256u);
  EXPECT_EQ(c.dramBytes, 192u);
}

TEST(CostModelTest, MfuOnlyChain) {
  // DRAM (2 vectors) -> v_sigm on MFU0 -> vv_mul on MFU1 -> DRAM.
  Work w;
  w.cols = 2;
  w.vectorsIn = 2;
  w.vectors = 2;
  w.sourceDram = true;
  w.mfuStages[0] = 1;
  w.mfuStages[1] = 1;
  w.dramRead = 32;
  w.dramWritten = 32;
  const ChainCost c = costOf(tinyTarget(), w);
  EXPECT_FALSE(c.units[unitIndex(Unit::Mvu)].used);
  EXPECT_EQ(c.units[mfuUnit(0)].offset, 20u);           // DRAM latency
  EXPECT_EQ(c.units[mfuUnit(1)].offset, 23u);           // + one MFU stage
  EXPECT_EQ(c.units[mfuUnit(0)].busy, 8u);              // 2 vectors x 4 cycles
  EXPECT_EQ(c.units[unitIndex(Unit::Dram)].offset, 0u); // reads and writes: from the start
  EXPECT_EQ(c.units[unitIndex(Unit::Dram)].busy, 16u);  // 64 elements x 4 bytes / 16
  EXPECT_EQ(c.latency, 31u);                            // 20 + 3 + 3 + 5
  EXPECT_EQ(c.stream, 16u);                             // DRAM-bound
  EXPECT_EQ(c.duration, 47u);
  EXPECT_EQ(c.macs, 0u);
}

TEST(CostModelTest, DramBoundMatrixMove) {
  // m_rd of a 64 x 64 matrix into 4 x 4 tiles: 16384 bytes at 16 per cycle.
  Work w;
  w.kind = WorkKind::MatrixMove;
  w.rows = 4;
  w.cols = 4;
  w.dramRead = 64 * 64;
  const ChainCost c = costOf(tinyTarget(), w);
  EXPECT_EQ(c.units[unitIndex(Unit::Dram)].busy, 1024u);
  EXPECT_EQ(c.latency, 25u); // DRAM latency 20 + write_back 5
  EXPECT_EQ(c.duration, 1049u);
  EXPECT_EQ(estimateChain(tinyTarget(), w), 1053u);

  // brainwave-s10: 64 GB/s at 250 MHz = 256 bytes per cycle; a 400 x 400
  // fp32 matrix is 640000 bytes = 2500 cycles.
  std::string err;
  std::optional<target::Target> bw = target::Target::load("brainwave-s10", err);
  ASSERT_TRUE(bw) << err;
  w.rows = w.cols = 1;
  w.dramRead = 400 * 400;
  EXPECT_EQ(costOf(*bw, w).units[unitIndex(Unit::Dram)].busy, 2500u);
}

TEST(CostModelTest, ScalarWriteCostsOnlyIssue) {
  Work w;
  w.kind = WorkKind::ScalarWrite;
  const ChainCost c = costOf(tinyTarget(), w);
  EXPECT_EQ(c.issue, 1u);
  EXPECT_EQ(c.duration, 0u);
  for (const UnitUse &u : c.units)
    EXPECT_FALSE(u.used);
}

TEST(CostModelTest, LatenciesComeFromTheTarget) {
  target::Target t = tinyTarget();
  t.latencies.mfuStage = 10;
  t.latencies.writeBack = 0;
  t.latencies.chainIssue = 7;
  // 1 + 22 + 2 x 10 + 0 = 43, stream 20.
  const ChainCost c = costOf(t, matVec(3, 3, 2, true));
  EXPECT_EQ(c.latency, 43u);
  EXPECT_EQ(c.issue, 7u);
  EXPECT_EQ(estimateChain(t, matVec(3, 3, 2, true)), 7u + 43u + 20u);
}

} // namespace
