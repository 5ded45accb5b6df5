//===- LoopPlanTest.cpp - planProgram's loop structure and iter checks ----===//
//
// Loops nest like brackets; ProgramPlan::loopEnd pairs each `loop` with its
// `end_loop` (expected indices worked out by hand from the programs below),
// and the iter flag of v_rd / v_wr needs an enclosing loop.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/isa/Isa.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace softnpu::isa;
using softnpu::testing::makeInst;
using softnpu::testing::scalarWrite;

namespace {

constexpr size_t kNone = ProgramPlan::kNoLoopEnd;

Inst loop(uint32_t count) { return makeInst(Opcode::Loop, MemSpace::None, count); }
Inst endLoop() { return makeInst(Opcode::EndLoop); }
Inst vrd(MemSpace m, uint32_t a, uint8_t flags = 0) { return makeInst(Opcode::VRd, m, a, 0, flags); }
Inst vwr(MemSpace m, uint32_t a, uint8_t flags = 0) { return makeInst(Opcode::VWr, m, a, 0, flags); }
Inst endChain() { return makeInst(Opcode::EndChain); }

std::string planError(const std::vector<Inst> &p) {
  ProgramPlan plan;
  std::string err;
  EXPECT_FALSE(planProgram(p, 2, plan, err));
  EXPECT_FALSE(err.empty());
  return err;
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST(IsaLoopPlan, NestedLoopsPairUpLikeBrackets) {
  std::vector<Inst> p = {
      scalarWrite(SReg::RdStep, 4),    // 0
      loop(3),                         // 1 -> 12
      loop(2),                         // 2 -> 6
      vrd(MemSpace::Dram, 0, kVIter),  // 3
      vwr(MemSpace::Ivrf, 0),          // 4
      endChain(),                      // 5
      endLoop(),                       // 6
      loop(0),                         // 7 -> 8 (empty body)
      endLoop(),                       // 8
      vrd(MemSpace::Ivrf, 0),          // 9
      vwr(MemSpace::Dram, 40, kVIter), // 10
      endChain(),                      // 11
      endLoop(),                       // 12
      loop(1),                         // 13 -> 14
      endLoop(),                       // 14
  };
  ProgramPlan plan;
  std::string err;
  ASSERT_TRUE(planProgram(p, 2, plan, err)) << err;
  ASSERT_EQ(plan.loopEnd.size(), p.size());
  std::vector<size_t> expected(p.size(), kNone);
  expected[1] = 12;
  expected[2] = 6;
  expected[7] = 8;
  expected[13] = 14;
  EXPECT_EQ(plan.loopEnd, expected);
  // Chains inside loop bodies are planned as usual.
  ASSERT_EQ(plan.chains.size(), 2u);
  EXPECT_EQ(plan.chains[0].begin, 3u);
  EXPECT_EQ(plan.chains[0].end, 6u);
  EXPECT_EQ(plan.chains[1].begin, 9u);
  EXPECT_EQ(plan.chains[1].end, 12u);
}

TEST(IsaLoopPlan, ProgramsWithoutLoopsHaveNoPairs) {
  std::vector<Inst> p = {vrd(MemSpace::Dram, 0), vwr(MemSpace::Dram, 8), endChain()};
  ProgramPlan plan;
  plan.loopEnd = {1, 2, 3, 4, 5}; // stale content is replaced
  std::string err;
  ASSERT_TRUE(planProgram(p, 2, plan, err)) << err;
  EXPECT_EQ(plan.loopEnd, std::vector<size_t>(3, kNone));
}

TEST(IsaLoopPlanRejects, EndLoopWithoutLoop) {
  std::string e = planError({scalarWrite(SReg::Cols, 1), endLoop()});
  EXPECT_TRUE(has(e, "instruction 1 (end_loop)")) << e;
  EXPECT_TRUE(has(e, "without a matching loop")) << e;
  // One end_loop too many after a balanced pair.
  e = planError({loop(2), endLoop(), endLoop()});
  EXPECT_TRUE(has(e, "instruction 2")) << e;
}

TEST(IsaLoopPlanRejects, LoopWithoutEndLoop) {
  std::string e = planError({loop(4), scalarWrite(SReg::Cols, 1)});
  EXPECT_TRUE(has(e, "instruction 0 (loop 4)")) << e;
  EXPECT_TRUE(has(e, "without a matching end_loop")) << e;
  // The outer loop of two is the unclosed one.
  e = planError({loop(2), loop(3), endLoop()});
  EXPECT_TRUE(has(e, "instruction 0 (loop 2)")) << e;
  // The inner one.
  e = planError({loop(2), endLoop(), loop(3), loop(5), endLoop()});
  EXPECT_TRUE(has(e, "instruction 2 (loop 3)")) << e;
}

TEST(IsaLoopPlanRejects, LoopInstructionsInsideAChain) {
  std::string e = planError({loop(2), vrd(MemSpace::Dram, 0), endLoop(), vwr(MemSpace::Dram, 0), endChain()});
  EXPECT_TRUE(has(e, "instruction 2")) << e;
  e = planError({vrd(MemSpace::Dram, 0), loop(2), vwr(MemSpace::Dram, 0), endChain(), endLoop()});
  EXPECT_TRUE(has(e, "instruction 1")) << e;
}

TEST(IsaLoopPlanRejects, IterFlagOutsideEveryLoop) {
  std::string e = planError({vrd(MemSpace::Dram, 0, kVIter), vwr(MemSpace::Dram, 8), endChain()});
  EXPECT_TRUE(has(e, "instruction 0 (v_rd DRAM, 0, iter)")) << e;
  EXPECT_TRUE(has(e, "loop")) << e;
  e = planError({vrd(MemSpace::Dram, 0), vwr(MemSpace::Ivrf, 0), vwr(MemSpace::Dram, 8, kVIter), endChain()});
  EXPECT_TRUE(has(e, "instruction 2")) << e;
  // After a closed loop the flag is outside again.
  e = planError({loop(2), endLoop(), vrd(MemSpace::Dram, 0, kVIter), vwr(MemSpace::Dram, 8), endChain()});
  EXPECT_TRUE(has(e, "instruction 2")) << e;
  // A point-wise op's iter flag too.
  e = planError({vrd(MemSpace::Dram, 0), makeInst(Opcode::VvAdd, MemSpace::None, 0, 0, kVIter), vwr(MemSpace::Dram, 8),
                 endChain()});
  EXPECT_TRUE(has(e, "instruction 1 (vv_add 0, iter)")) << e;
  // Inside, it is fine.
  ProgramPlan plan;
  std::string err;
  EXPECT_TRUE(planProgram(
      {loop(2), vrd(MemSpace::Dram, 0, kVIter), vwr(MemSpace::Dram, 8, kVIter), endChain(), endLoop()}, 2, plan, err))
      << err;
}
