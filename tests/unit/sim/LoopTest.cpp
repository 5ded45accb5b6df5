//===- LoopTest.cpp - loop / end_loop and iter addressing in the simulator ===//
//
// Hand-built programs with loops on the "tiny" target at fp32 (N = 16, the
// MFU rounding is the identity), checked against values computed here from
// docs/execution-model.md "Loops": effective address a + i * step with i the
// innermost loop's iteration, a zero-count loop skipping its body, nested
// loops, and out-of-range iter addresses stopping the run with an error.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = kTinyDim;
constexpr uint32_t kRows = 5, kRowLen = 3; // x: 5 rows of 3 elements at DRAM 0
constexpr uint32_t kBiasAt = 50, kYAt = 100;

/// x at DRAM 0, bias (N values) at kBiasAt, moved to ASVRF[0] vector 0; then
/// `loop kRows { v_rd DRAM, rdBase, iter; vv_add 0; v_wr DRAM, wrBase, iter }`
/// with RD_LEN = WR_LEN = kRowLen and the given steps.
artifact::Artifact rowLoopArtifact(const std::vector<float> &x, const std::vector<float> &bias, uint32_t rdBase,
                                   int32_t rdStep, uint32_t wrBase, int32_t wrStep, uint32_t count = kRows) {
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 200);
  addDramInit(a, 0, x);
  addDramInit(a, kBiasAt, bias);
  Program p;
  p.load(kBiasAt, MemSpace::AsVrf, 0, 0); // COLS = 1, whole vector
  p.swr(SReg::RdLen, kRowLen);
  p.swr(SReg::WrLen, kRowLen);
  p.swrSigned(SReg::RdStep, rdStep);
  p.swrSigned(SReg::WrStep, wrStep);
  p.loop(count);
  p.vrdIter(MemSpace::Dram, rdBase);
  p.op(Opcode::VvAdd, 0);
  p.vwrIter(MemSpace::Dram, wrBase);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  return a;
}

} // namespace

TEST(SimLoopTest, LoopAddsTheBiasToEveryRow) {
  const std::vector<float> x = randomVector(kRows * kRowLen, 21), bias = randomVector(N, 22);
  auto s = makeSim(rowLoopArtifact(x, bias, 0, kRowLen, kYAt, kRowLen));
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  const std::vector<float> y = readDram(*s, kYAt, kRows * kRowLen + 5);
  for (uint32_t i = 0; i < kRows; ++i)
    for (uint32_t j = 0; j < kRowLen; ++j)
      EXPECT_EQ(y[i * kRowLen + j], x[i * kRowLen + j] + bias[j]) << "row " << i << " element " << j;
  for (uint32_t k = kRows * kRowLen; k < y.size(); ++k)
    EXPECT_EQ(y[k], 0.0f) << "past the last row: " << k;
  // Dynamic counts: load chain (3) + 4 s_wr + loop + 5 x (chain of 4 + end_loop).
  EXPECT_EQ(s->counters().instructions, 3u + 4u + 1u + kRows * 5u);
  EXPECT_EQ(s->counters().chains, 1u + kRows);
  EXPECT_EQ(s->counters().pointwiseOps, kRows);
}

TEST(SimLoopTest, NegativeStepsWalkBackwards) {
  const std::vector<float> x = randomVector(kRows * kRowLen, 23), bias = randomVector(N, 24);
  const uint32_t lastRow = (kRows - 1) * kRowLen; // 12
  {
    SCOPED_TRACE("read backwards: y_i = x_{4-i} + bias");
    auto s = makeSim(rowLoopArtifact(x, bias, lastRow, -static_cast<int32_t>(kRowLen), kYAt, kRowLen));
    ASSERT_TRUE(s);
    std::string err;
    ASSERT_TRUE(s->run(err)) << err;
    const std::vector<float> y = readDram(*s, kYAt, kRows * kRowLen);
    for (uint32_t i = 0; i < kRows; ++i)
      for (uint32_t j = 0; j < kRowLen; ++j)
        EXPECT_EQ(y[i * kRowLen + j], x[(kRows - 1 - i) * kRowLen + j] + bias[j]) << i << "," << j;
  }
  {
    SCOPED_TRACE("write backwards from the last row");
    auto s = makeSim(rowLoopArtifact(x, bias, 0, kRowLen, kYAt + lastRow, -static_cast<int32_t>(kRowLen)));
    ASSERT_TRUE(s);
    std::string err;
    ASSERT_TRUE(s->run(err)) << err;
    const std::vector<float> y = readDram(*s, kYAt, kRows * kRowLen);
    for (uint32_t i = 0; i < kRows; ++i)
      for (uint32_t j = 0; j < kRowLen; ++j)
        EXPECT_EQ(y[(kRows - 1 - i) * kRowLen + j], x[i * kRowLen + j] + bias[j]) << i << "," << j;
  }
}

TEST(SimLoopTest, ZeroCountSkipsTheBody) {
  const std::vector<float> x = randomVector(kRows * kRowLen, 25), bias = randomVector(N, 26);
  artifact::Artifact a = rowLoopArtifact(x, bias, 0, kRowLen, kYAt, kRowLen, /*count=*/0);
  // After the loop: copy x's first row to DRAM 150, so we see execution resume.
  Program tail;
  tail.load(0, MemSpace::Dram, 150);
  a.program.insert(a.program.end(), tail.insts.begin(), tail.insts.end());
  a.instNode.assign(a.program.size(), artifact::kNoNode);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  for (float v : readDram(*s, kYAt, kRows * kRowLen))
    EXPECT_EQ(v, 0.0f);
  const std::vector<float> copied = readDram(*s, 150, kRowLen);
  for (uint32_t j = 0; j < kRowLen; ++j)
    EXPECT_EQ(copied[j], x[j]);
  // load (3) + 4 s_wr + loop + the tail chain (3): neither the body nor end_loop ran.
  EXPECT_EQ(s->counters().instructions, 3u + 4u + 1u + 3u);
  EXPECT_EQ(s->counters().chains, 2u);
}

TEST(SimLoopTest, NestedLoopsUseTheInnermostIteration) {
  // acc (ASVRF[0] vector 0) += x[i_in] for i_in = 0..3, in each of 3 outer
  // iterations; after the inner loop y[i_out] = acc (lane 0).
  constexpr uint32_t kOuter = 3, kInner = 4;
  const std::vector<float> x = randomVector(kInner, 27, 10.0f);
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 200);
  addDramInit(a, 0, x);
  Program p;
  p.swr(SReg::RdLen, 1);
  p.swr(SReg::WrLen, 1);
  p.swr(SReg::RdStep, 1);
  p.swr(SReg::WrStep, 1);
  p.loop(kOuter);
  p.loop(kInner);
  p.vrdIter(MemSpace::Dram, 0); // x[i_in] in lane 0
  p.op(Opcode::VvAdd, 0);
  p.vwr(MemSpace::AsVrf, 0, 0);
  p.end();
  p.endLoop();
  p.vrd(MemSpace::AsVrf, 0, 0);
  p.vwrIter(MemSpace::Dram, kYAt); // y[i_out]
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  const std::vector<float> y = readDram(*s, kYAt, kOuter + 1);
  float acc = 0.0f;
  for (uint32_t o = 0; o < kOuter; ++o) {
    for (uint32_t i = 0; i < kInner; ++i)
      acc = acc + x[i];
    EXPECT_EQ(y[o], acc) << "outer iteration " << o;
  }
  EXPECT_EQ(y[kOuter], 0.0f);
  // 4 s_wr + outer loop + 3 x (inner loop + 4 x (chain 4 + end_loop) + chain 3 + end_loop).
  EXPECT_EQ(s->counters().instructions, 4u + 1u + kOuter * (1u + kInner * 5u + 3u + 1u));
  EXPECT_EQ(s->counters().chains, kOuter * (kInner + 1u));
  // A second run starts from a fresh loop stack and gives the same result.
  s->reset();
  ASSERT_TRUE(s->run(err)) << err;
  EXPECT_EQ(readDram(*s, kYAt, kOuter), std::vector<float>(y.begin(), y.begin() + kOuter));
}

TEST(SimLoopTest, IterAddressesOutOfRangeAreErrors) {
  {
    SCOPED_TRACE("DRAM read past the end in iteration 3");
    Program p;
    p.swr(SReg::RdStep, 30);
    p.loop(5);
    p.vrdIter(MemSpace::Dram, 0); // i = 3: elements 90..105 of 100
    p.vwr(MemSpace::Ivrf, 0);
    p.end();
    p.endLoop();
    expectRunError(p, {"instruction 2 (v_rd DRAM, 0, iter)", "node 'fc1'", "element 105"});
  }
  {
    SCOPED_TRACE("negative DRAM read");
    Program p;
    p.swrSigned(SReg::RdStep, -1);
    p.loop(2);
    p.vrdIter(MemSpace::Dram, 0); // i = 1: element -1
    p.vwr(MemSpace::Ivrf, 0);
    p.end();
    p.endLoop();
    expectRunError(p, {"instruction 2 (v_rd DRAM, 0, iter)", "0 + 1 x -1", "= -1", "negative"});
  }
  {
    SCOPED_TRACE("VRF write past the depth");
    Program p;
    p.swr(SReg::WrStep, 4);
    p.loop(3);
    p.vrd(MemSpace::Dram, 0);
    p.vwrIter(MemSpace::Ivrf, 250); // i = 2: vector 258 of 256
    p.end();
    p.endLoop();
    expectRunError(p, {"instruction 3 (v_wr IVRF, 250, iter)", "vectors [258, 259) of IVRF"});
  }
  {
    SCOPED_TRACE("negative DRAM write");
    Program p;
    p.swrSigned(SReg::WrStep, -20);
    p.loop(4);
    p.vrd(MemSpace::Dram, 0);
    p.vwrIter(MemSpace::Dram, 30); // i = 2: element -10
    p.end();
    p.endLoop();
    expectRunError(p, {"instruction 3 (v_wr DRAM, 30, iter)", "WR_STEP", "= -10"});
  }
  {
    SCOPED_TRACE("extreme fields: no overflow, no crash");
    Program p;
    p.swr(SReg::RdStep, 0x7FFFFFFFu);
    p.loop(0xFFFFFFFFu);
    p.vrdIter(MemSpace::Dram, 0xFFFFFFFFu); // i = 0 is already far past DRAM
    p.vwr(MemSpace::Ivrf, 0);
    p.end();
    p.endLoop();
    expectRunError(p, {"instruction 2", "4294967295"});
    Program q;
    q.swrSigned(SReg::WrStep, INT32_MIN);
    q.loop(0xFFFFFFFFu);
    q.vrd(MemSpace::Dram, 0);
    q.vwrIter(MemSpace::AsVrf, 0, 1); // i = 1: vector -2^31
    q.end();
    q.endLoop();
    expectRunError(q, {"instruction 3", "-2147483648", "negative"});
  }
}

TEST(SimLoopTest, FailedRunDoesNotLeaveLoopsBehind) {
  // Iteration 3 of 4 writes past DRAM; the next run must fail the same way
  // (a leftover loop frame would shift the iterations).
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 100);
  Program p;
  p.swr(SReg::WrStep, 25);
  p.loop(4);
  p.vrd(MemSpace::Dram, 0);
  p.vwrIter(MemSpace::Dram, 20); // i = 3: [95, 111)
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string first, second;
  EXPECT_FALSE(s->run(first));
  EXPECT_NE(first.find("[95, 111)"), std::string::npos) << first;
  s->reset();
  EXPECT_FALSE(s->run(second));
  EXPECT_EQ(first, second);
}
