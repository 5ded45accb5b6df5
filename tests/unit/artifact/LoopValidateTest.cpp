//===- LoopValidateTest.cpp - The loader's static checks of loops ---------===//
//
// validate() walks loop bodies as the machine runs them: iter addresses are
// checked at the first and last iteration, registers a body changes apply
// from the second iteration on, a zero-count body is never run, and the
// loop structure comes from planProgram. MAT_PITCH shapes m_rd's MRF range.
// Expected addresses are worked out by hand from the programs below.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

/// An artifact for the tiny target (fp32) with `dram` elements and `p`.
artifact::Artifact withProgram(const Program &p, uint64_t dram) {
  artifact::Artifact a = emptyArtifact(tinyTarget(true), dram);
  setProgram(a, p.insts);
  return a;
}

std::string validateError(const artifact::Artifact &a) {
  std::string err;
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_TRUE(has(err, "artifact program: instruction ")) << err;
  return err;
}

void expectValid(const artifact::Artifact &a) {
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
}

/// `loop count { v_rd DRAM, rdBase, iter; v_wr DRAM, wrBase, iter }` with
/// RD_LEN = WR_LEN = 3 and the given steps.
Program rowLoop(uint32_t count, uint32_t rdBase, int32_t rdStep, uint32_t wrBase, int32_t wrStep) {
  Program p;
  p.swr(SReg::RdLen, 3);
  p.swr(SReg::WrLen, 3);
  p.swrSigned(SReg::RdStep, rdStep);
  p.swrSigned(SReg::WrStep, wrStep);
  p.loop(count);
  p.vrdIter(MemSpace::Dram, rdBase); // 5
  p.vwrIter(MemSpace::Dram, wrBase); // 6
  p.end();
  p.endLoop();
  return p;
}

} // namespace

TEST(ArtifactLoops, ValidLoopsRoundTrip) {
  // Rows 0..4 of 3 elements read forwards, written backwards: DRAM [0, 30).
  artifact::Artifact a = withProgram(rowLoop(5, 0, 3, 27, -3), 30);
  expectValid(a);
  std::string err;
  auto back = artifact::deserialize(artifact::serialize(a), err);
  ASSERT_TRUE(back.has_value()) << err;
  EXPECT_EQ(back->program, a.program);
}

TEST(ArtifactLoops, IterAddressesAreCheckedAtTheLastIteration) {
  // Iteration 4 reads elements 12..14 of 14 (only the last is out of range).
  std::string e = validateError(withProgram(rowLoop(5, 0, 3, 0, 0), 14));
  EXPECT_TRUE(has(e, "instruction 5 (v_rd DRAM, 0, iter)")) << e;
  EXPECT_TRUE(has(e, "reads DRAM element 14")) << e;
  EXPECT_TRUE(has(e, "in loop iteration 4")) << e;
  expectValid(withProgram(rowLoop(5, 0, 3, 0, 0), 15));
  // The write of iteration 4 at 20 + 4 x 3 = 32: elements 32..34 of 34.
  e = validateError(withProgram(rowLoop(5, 0, 0, 20, 3), 34));
  EXPECT_TRUE(has(e, "instruction 6 (v_wr DRAM, 20, iter)")) << e;
  EXPECT_TRUE(has(e, "writes DRAM elements 32 + 3")) << e;
  // VRF write: vectors 250 + 2i, iteration 3 reaches 256 of 256.
  Program p;
  p.swr(SReg::WrStep, 2);
  p.loop(4);
  p.vrd(MemSpace::Dram, 0);
  p.vwrIter(MemSpace::Ivrf, 250);
  p.end();
  p.endLoop();
  e = validateError(withProgram(p, 16));
  EXPECT_TRUE(has(e, "instruction 3 (v_wr IVRF, 250, iter)")) << e;
  EXPECT_TRUE(has(e, "IVRF vectors 256 + 1")) << e;
  EXPECT_TRUE(has(e, "in loop iteration 3")) << e;
}

TEST(ArtifactLoops, NegativeIterAddressesAreRefused) {
  // Backwards from element 6 by 3: iteration 3 would start at -3.
  std::string e = validateError(withProgram(rowLoop(4, 6, -3, 0, 0), 20));
  EXPECT_TRUE(has(e, "instruction 5")) << e;
  EXPECT_TRUE(has(e, "6 + 3 x -3 (RD_STEP) = -3 is negative")) << e;
  expectValid(withProgram(rowLoop(3, 6, -3, 0, 0), 20));
  // The extremes: exact arithmetic, no overflow.
  e = validateError(withProgram(rowLoop(0xFFFFFFFFu, 0, 0, 0, INT32_MAX), 20));
  EXPECT_TRUE(has(e, "writes DRAM elements 2147483647 + 3")) << e;
  EXPECT_TRUE(has(e, "in loop iteration 1")) << e;
  e = validateError(withProgram(rowLoop(0xFFFFFFFFu, 5, INT32_MIN, 0, 0), 20));
  EXPECT_TRUE(has(e, "5 + 1 x -2147483648 (RD_STEP) = -2147483643 is negative")) << e;
}

TEST(ArtifactLoops, ZeroCountBodiesAreNotChecked) {
  // The body would read far past DRAM, but never runs.
  expectValid(withProgram(rowLoop(0, 1000, 3, 0, 0), 20));
  // Its s_wr do not run either: COLS stays 1 for the chain after it.
  Program p;
  p.loop(0);
  p.swr(SReg::Cols, 9);
  p.endLoop();
  p.load(0, MemSpace::Ivrf, 0);
  expectValid(withProgram(p, 16));
}

TEST(ArtifactLoops, RegistersABodyChangesApplyFromTheSecondIteration) {
  // Iteration 0 reads one vector at 10 (elements 10..25); the body then sets
  // COLS 2, so iteration 1 reads 10..41.
  Program p;
  p.loop(2);
  p.vrd(MemSpace::Dram, 10); // 1
  p.vwr(MemSpace::Ivrf, 0);
  p.end();
  p.swr(SReg::Cols, 2);
  p.endLoop();
  std::string e = validateError(withProgram(p, 40));
  EXPECT_TRUE(has(e, "instruction 1 (v_rd DRAM, 10)")) << e;
  EXPECT_TRUE(has(e, "reads DRAM element 41")) << e;
  p.insts[0].a = 1; // one iteration: the wider read never happens
  expectValid(withProgram(p, 40));

  // And the other way round: iteration 0 reads 32 elements from 0, later
  // iterations 16 from 16i. The last (i = 2) reads 32..47, within 50, though
  // 32 elements from 32 would not fit: checked with the registers it runs with.
  Program q;
  q.swr(SReg::Cols, 2);
  q.swr(SReg::RdStep, 16);
  q.loop(3);
  q.vrdIter(MemSpace::Dram, 0);
  q.vwr(MemSpace::Ivrf, 0);
  q.end();
  q.swr(SReg::RdLen, 16);
  q.endLoop();
  expectValid(withProgram(q, 50));
  e = validateError(withProgram(q, 47));
  EXPECT_TRUE(has(e, "reads DRAM element 47")) << e;
  EXPECT_TRUE(has(e, "in loop iteration 2")) << e;
}

TEST(ArtifactLoops, UnbalancedLoopsComeFromPlanProgram) {
  Program p;
  p.swr(SReg::Cols, 1);
  p.endLoop();
  std::string e = validateError(withProgram(p, 16));
  EXPECT_TRUE(has(e, "instruction 1 (end_loop)")) << e;
  EXPECT_TRUE(has(e, "without a matching loop")) << e;
  Program q;
  q.loop(3);
  q.swr(SReg::Cols, 1);
  e = validateError(withProgram(q, 16));
  EXPECT_TRUE(has(e, "instruction 0 (loop 3)")) << e;
  EXPECT_TRUE(has(e, "without a matching end_loop")) << e;
  Program r;
  r.vrdIter(MemSpace::Dram, 0);
  r.vwr(MemSpace::Ivrf, 0);
  r.end();
  e = validateError(withProgram(r, 16));
  EXPECT_TRUE(has(e, "instruction 0 (v_rd DRAM, 0, iter)")) << e;
}

TEST(ArtifactLoops, DeepNestsAreRefusedNotWalkedForEver) {
  // 30 nested loops of 2 whose bodies change a register: 2^30 walks.
  Program p;
  for (int k = 0; k < 30; ++k)
    p.loop(2);
  p.swr(SReg::Cols, 1);
  for (int k = 0; k < 30; ++k) {
    p.endLoop();
    p.swr(SReg::Cols, 2);
  }
  std::string e = validateError(withProgram(p, 16));
  EXPECT_TRUE(has(e, "nest too deeply")) << e;
}

TEST(ArtifactMatPitch, StaticChecks) {
  // 4 x 4 matrix into a 2 x 1 tile grid from tile 20 with pitch 5: tiles 20, 25.
  auto pitched = [](uint32_t pitch, uint16_t tile, uint32_t cols = 1) {
    Program p;
    p.swr(SReg::MatH, 4);
    p.swr(SReg::MatW, 4);
    p.swr(SReg::Rows, 2);
    p.swr(SReg::Cols, cols);
    p.swr(SReg::MatPitch, pitch);
    p.mrd(0, tile); // 5
    return withProgram(p, 16);
  };
  expectValid(pitched(5, 20));
  // A pinned matrix in the gap (tile 21) is untouched; one at tile 25 is not.
  artifact::Artifact a = pitched(5, 20);
  addMatrix(a, 21, std::vector<float>(16, 1.0f), 4, 4);
  expectValid(a);
  a = pitched(5, 20);
  addMatrix(a, 25, std::vector<float>(16, 1.0f), 4, 4);
  std::string e = validateError(a);
  EXPECT_TRUE(has(e, "instruction 5 (m_rd 0, tile 20)")) << e;
  EXPECT_TRUE(has(e, "constant matrix (tiles 25..25)")) << e;
  // The last tile touched decides the range: 56 + 200 = 256 of 256.
  e = validateError(pitched(200, 56));
  EXPECT_TRUE(has(e, "uses MRF tiles 56 + 201")) << e;
  expectValid(pitched(200, 55));
  // Pitch below COLS would overlap tile rows.
  e = validateError(pitched(1, 20, 2));
  EXPECT_TRUE(has(e, "MAT_PITCH 1 is less than COLS 2")) << e;
  // Pitch 0 means COLS: tiles 254, 255.
  expectValid(pitched(0, 254));
  e = validateError(pitched(0, 255));
  EXPECT_TRUE(has(e, "uses MRF tiles 255 + 2")) << e;
}

TEST(ArtifactLoops, IterOperandsAndPitchedReadsAreChecked) {
  // vv_add ASVRF[a + i x OP_STEP]: a loop of 4 over a 256-vector ASVRF from
  // vector 250 by 2 reaches 256 at iteration 3; backwards from 4 by -2 would
  // read -2 at iteration 3.
  auto addLoop = [](uint32_t a, int32_t step) {
    Program p;
    p.swrSigned(SReg::OpStep, step);
    p.loop(4);
    p.vrd(MemSpace::Dram, 0);
    p.insts.push_back(makeInst(Opcode::VvAdd, MemSpace::None, a, 0, isa::kVIter));
    p.vwr(MemSpace::Dram, 16);
    p.end();
    p.endLoop();
    return p;
  };
  std::string e = validateError(withProgram(addLoop(250, 2), 32));
  EXPECT_TRUE(has(e, "instruction 3 (vv_add 250, iter)")) << e;
  EXPECT_TRUE(has(e, "ASVRF vectors 256 + 1")) << e;
  EXPECT_TRUE(has(e, "in loop iteration 3")) << e;
  e = validateError(withProgram(addLoop(4, -2), 32));
  EXPECT_TRUE(has(e, "4 + 3 x -2 (OP_STEP) = -2 is negative")) << e;
  expectValid(withProgram(addLoop(6, -2), 32));
  // RD_PITCH: 3 rows of 5 elements 10 apart from element 4 end at element 28;
  // COLS must be a whole number of rows.
  auto pitched = [](uint32_t cols) {
    Program p;
    p.swr(SReg::Cols, cols);
    p.swr(SReg::RdLen, 5);
    p.swr(SReg::RdPitch, 10);
    p.vrd(MemSpace::Dram, 4);
    p.vwr(MemSpace::Ivrf, 0);
    p.end();
    return p;
  };
  expectValid(withProgram(pitched(3), 29));
  e = validateError(withProgram(pitched(3), 28));
  EXPECT_TRUE(has(e, "reads DRAM element 28")) << e;
  Program wide = pitched(3);
  wide.insts[1] = scalarWrite(SReg::RdLen, 20); // 2 vectors a row: 3 is not a whole number of rows
  e = validateError(withProgram(wide, 100));
  EXPECT_TRUE(has(e, "COLS 3 is not a whole number of rows of 2 vectors")) << e;
}
