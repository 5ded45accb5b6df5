//===- WindowValidateTest.cpp - The loader's checks of windowed v_rd ------===//
//
// A windowed v_rd is bounded by its feature map (docs/isa.md "Window
// reads"): validate() refuses a map reaching past DRAM, window registers at
// 0, WIN_C above IN_C and windows wider than COLS x N, with the simulator's
// messages, for every iteration a loop walk stands for; the window flag and
// the window registers survive the file round trip, and a window on another
// memory than DRAM does not decode. Sizes are worked out by hand.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

/// A 5 x 5 x IN_C map at DRAM `a` (WIN_C winC, K kH x 1, 5 output columns)
/// read by `loop 2 { v_rd DRAM, a, window, iter; v_wr DRAM, 0, iter }`, the
/// read at instruction 7; `after` is appended to the loop body.
Program windowLoop(uint32_t a, uint32_t inC = 4, uint32_t winC = 1, uint32_t kH = 1,
                   const std::vector<Inst> &after = {}) {
  Program p;
  p.swr(SReg::InH, 5);     // 0
  p.swr(SReg::InW, 5);     // 1
  p.swr(SReg::InC, inC);   // 2
  p.swr(SReg::WinC, winC); // 3
  p.swr(SReg::KH, kH);     // 4
  p.swr(SReg::OutW, 5);    // 5
  p.loop(2);               // 6
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, a, 0, isa::kVWindow | isa::kVIter));
  p.vwrIter(MemSpace::Dram, 0);
  p.end();
  p.insts.insert(p.insts.end(), after.begin(), after.end());
  p.endLoop();
  return p;
}

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

} // namespace

TEST(ArtifactWindow, ValidWindowsRoundTrip) {
  // The map spans (5 x 5 - 1) x 4 + 1 = 97 elements: at 9 it ends at 106.
  Program p = windowLoop(9);
  p.insts.insert(p.insts.begin(), scalarWrite(SReg::RdStep, 0x80000000u)); // never steps a window
  const artifact::Artifact a = withProgram(p, 106);
  std::string err;
  ASSERT_TRUE(artifact::validate(a, err)) << err;
  auto back = artifact::deserialize(artifact::serialize(a), err);
  ASSERT_TRUE(back.has_value()) << err;
  EXPECT_EQ(back->program, a.program);
  EXPECT_EQ(back->program[8].flags, isa::kVWindow | isa::kVIter);
}

TEST(ArtifactWindow, MapPastDramIsRefused) {
  const std::string e = validateError(withProgram(windowLoop(9), 105));
  EXPECT_TRUE(has(e, "instruction 7 (v_rd DRAM, 9, window, iter)")) << e;
  EXPECT_TRUE(has(e, "window: the 5 x 5 x 4 feature map at DRAM 9 (WIN_C 1) reaches element 105, DRAM has 105 "
                     "elements"))
      << e;
}

TEST(ArtifactWindow, RegistersAreChecked) {
  EXPECT_TRUE(has(validateError(withProgram(windowLoop(0, 4, 1, 0), 200)), "window: K_H is 0"));
  EXPECT_TRUE(has(validateError(withProgram(windowLoop(0, 4, 5), 200)), "window: WIN_C 5 exceeds IN_C 4"));
  // 5 x 1 x 4 = 20 elements, COLS x N = 16.
  EXPECT_TRUE(has(validateError(withProgram(windowLoop(0, 4, 4, 5), 200)),
                  "window: K_H x K_W x WIN_C = 5 x 1 x 4 elements exceed COLS x N = 16"));
}

TEST(ArtifactWindow, RegistersSetInTheBodyApplyFromTheSecondIteration) {
  // Iteration 1 reads a 5 x 5 x 8 map: (25 - 1) x 8 + 1 = 193 elements.
  const Program p = windowLoop(0, 4, 1, 1, {scalarWrite(SReg::InC, 8)});
  const std::string e = validateError(withProgram(p, 192));
  EXPECT_TRUE(has(e, "instruction 7")) << e;
  EXPECT_TRUE(has(e, "5 x 5 x 8 feature map at DRAM 0 (WIN_C 1) reaches element 192")) << e;
  std::string err;
  EXPECT_TRUE(artifact::validate(withProgram(p, 193), err)) << err;
}

TEST(ArtifactWindow, WindowOnAVrfDoesNotDecode) {
  artifact::Artifact a = withProgram(windowLoop(0), 200);
  a.program[7].mem = MemSpace::Ivrf;
  std::string err;
  EXPECT_FALSE(artifact::deserialize(artifact::serialize(a), err).has_value());
  EXPECT_TRUE(has(err, "instruction 7: v_rd: the window flag reads DRAM only, not IVRF")) << err;
}

namespace {

TEST(ArtifactWindow, PooledTapsAreTheWork) {
  // A pooled read combines K_H x K_W taps (padding included: the simulator
  // visits them all) into one vector: its work is the taps, not COLS x N.
  // fuzz_artifact found a 16-million-row kernel that took a minute per run.
  Program p = windowLoop(0, 4, 1, 1u << 24);
  p.insts[7].flags |= isa::kVPoolSum;
  std::string err;
  artifact::RunCost cost;
  ASSERT_TRUE(artifact::validate(withProgram(p, 200), err, &cost)) << err;
  EXPECT_GE(cost.elements, 2u * (1u << 24)); // two reads of 2^24 taps x WIN_C 1
  // 2^20 x 2^20 taps per read, two reads: past the 2^40 work limit.
  Program q = windowLoop(0, 4, 1, 1u << 20);
  q.insts.insert(q.insts.begin(), scalarWrite(SReg::KW, 1u << 20));
  q.insts[8].flags |= isa::kVPoolMax;
  const std::string e = validateError(withProgram(q, 200));
  EXPECT_TRUE(has(e, "moves or multiplies more than 1099511627776 elements per run")) << e;
}

} // namespace
