//===- DramResetTest.cpp - Every run reads DRAM as reset leaves it ----------===//
//
// reset() does not clear the DRAM a run wrote; the next run restores what it
// reads before reading it (State::dramStale). Whatever is skipped, a run must
// read DRAM as docs/execution-model.md defines it: zeros and the
// initialisers, plus what this run wrote. The program here reads a region
// before writing it, through every kind of DRAM read (a chain's v_rd, a
// window read alone and in a loop, m_rd, a copy into a VRF, the host's
// readDram), then overwrites the region; every run must see the image.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::testing;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

constexpr unsigned N = kTinyDim;
// The region every run reads before it overwrites it: each kind of read
// first reaches a part of its own (a read restores only what it reaches).
// Its first 112 elements are initialised, the rest are zeros in the image.
constexpr uint32_t kRegion = 100, kRegionSize = 224, kInitialised = 112;
constexpr uint32_t kChainRead = kRegion;      // 16 elements
constexpr uint32_t kWindowMap = kRegion + 16; // a 2 x 2 x 16 map, one window read alone
constexpr uint32_t kLoopMap = kRegion + 80;   // another, read by a loop
constexpr uint32_t kMatrix = kRegion + 144;   // a 4 x 16 matrix (m_rd)
constexpr uint32_t kCopied = kRegion + 208;   // 16 elements copied into a VRF
constexpr uint32_t kX = 400;                  // kRegionSize values written over the region
constexpr uint32_t kOut = 700;                // the reads' results
constexpr uint32_t kDram = 900;

void windowRegisters(Program &p) { // a 2 x 2 map of 16 channels, 1 x 1 taps
  p.swr(SReg::InH, 2);
  p.swr(SReg::InW, 2);
  p.swr(SReg::InC, N);
  p.swr(SReg::WinC, N);
  p.swr(SReg::KH, 1);
  p.swr(SReg::KW, 1);
  p.swr(SReg::StrideH, 1);
  p.swr(SReg::StrideW, 1);
  p.swr(SReg::OutW, 2);
}

std::vector<float> part(const std::vector<float> &v, size_t from, size_t n) {
  return std::vector<float>(v.begin() + static_cast<std::ptrdiff_t>(from),
                            v.begin() + static_cast<std::ptrdiff_t>(from + n));
}

} // namespace

TEST(DramResetTest, EveryRunReadsTheImageWhereItHasNotWrittenYet) {
  const std::vector<float> x = randomVector(kRegionSize, 71, 2.0f), y = randomVector(kInitialised, 72, 2.0f);
  artifact::Artifact a = emptyArtifact(tinyTarget(true), kDram);
  addDramInit(a, kX, x);
  addDramInit(a, kRegion, y);
  std::vector<float> image(kRegionSize, 0.0f); // the region as every run must first read it
  std::copy(y.begin(), y.end(), image.begin());
  const auto at = [&](uint32_t addr, size_t n) { return part(image, addr - kRegion, n); };

  Program p;
  // A chain's v_rd to out[0, 16).
  p.swr(SReg::Cols, 1);
  p.swr(SReg::RdLen, N);
  p.vrd(MemSpace::Dram, kChainRead);
  p.vwr(MemSpace::Dram, kOut);
  p.end();
  // A window read alone (pixel 1) to out[16, 32).
  p.swr(SReg::RdLen, 0);
  windowRegisters(p);
  p.swr(SReg::PixBase, 1);
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, kWindowMap, 0, isa::kVWindow));
  p.vwr(MemSpace::Dram, kOut + 16);
  p.end();
  // A loop of four window reads (the whole map) to out[32, 96).
  p.swr(SReg::PixBase, 0);
  p.swr(SReg::WrLen, N);
  p.swr(SReg::WrStep, N);
  p.loop(4);
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, kLoopMap, 0, isa::kVWindow | isa::kVIter));
  p.vwrIter(MemSpace::Dram, kOut + 32);
  p.end();
  p.endLoop();
  p.swr(SReg::WrLen, 0);
  p.swr(SReg::WrStep, 0);
  // m_rd of a 4 x 16 matrix, times x[0, 16), to out[96, 100).
  p.swr(SReg::MatH, 4);
  p.swr(SReg::MatW, N);
  p.swr(SReg::Rows, 1);
  p.swr(SReg::Cols, 1);
  p.mrd(kMatrix, 0);
  p.swr(SReg::RdLen, N);
  p.load(kX, MemSpace::Ivrf, 0);
  p.vrd(MemSpace::Ivrf, 0);
  p.op(Opcode::MvMul, 0);
  p.vwr(MemSpace::Dram, kOut + 96);
  p.end();
  // A copy into ASVRF vector 0.
  p.load(kCopied, MemSpace::AsVrf, 0);
  // Then the whole region overwritten with x.
  p.swr(SReg::Cols, kRegionSize / N);
  p.swr(SReg::RdLen, kRegionSize);
  p.load(kX, MemSpace::Dram, kRegion);
  a.program = p.insts;

  auto s = makeSim(a);
  ASSERT_TRUE(s);
  for (int run = 0; run < 3; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    std::string err;
    ASSERT_TRUE(s->run(err)) << err;
    const std::vector<float> out = readDram(*s, kOut, 100);
    EXPECT_EQ(part(out, 0, 16), at(kChainRead, 16));
    EXPECT_EQ(part(out, 16, 16), at(kWindowMap + 16, 16));
    EXPECT_EQ(part(out, 32, 64), at(kLoopMap, 64));
    const std::vector<float> m = at(kMatrix, 4 * N);
    for (unsigned r = 0; r < 4; ++r) {
      double dot = 0, mag = 0;
      for (unsigned j = 0; j < N; ++j) {
        dot += double{m[r * N + j]} * x[j];
        mag += std::abs(double{m[r * N + j]} * x[j]);
      }
      EXPECT_NEAR(out[96 + r], dot, 1e-6 * mag) << "row " << r;
    }
    const float *v = s->vrfVector(MemSpace::AsVrf, 0, 0);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(std::vector<float>(v, v + N), at(kCopied, 16));
    EXPECT_EQ(readDram(*s, kRegion, kRegionSize), x); // what the run wrote last
    s->reset();
  }
  EXPECT_EQ(readDram(*s, kRegion, kRegionSize), image); // the host's read after a reset
}
