//===- VrfCopyTest.cpp - Chains that copy DRAM rows into a VRF -------------===//
//
// A chain of only v_rd DRAM and v_wr to a VRF (how a convolution stages its
// residual) writes each row's elements straight into the VRF and clears only
// the lanes after them that may hold something (Chain.cpp's copyRowsToVrf).
// Whatever it skips must still read as docs/execution-model.md defines the
// chain: each vector is its row's elements then zeros, whatever the vector
// held before (a whole vector, a longer row), and reset() leaves every vector
// zero. Expectations come from the DRAM contents and that definition.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace softnpu;
using namespace softnpu::testing;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

constexpr unsigned N = kTinyDim;

/// What a vector must hold: elements [from, from + len) of x, then zeros.
std::vector<float> rowThenZeros(const std::vector<float> &x, size_t from, size_t len) {
  std::vector<float> v(N, 0.0f);
  std::copy(x.begin() + static_cast<std::ptrdiff_t>(from), x.begin() + static_cast<std::ptrdiff_t>(from + len),
            v.begin());
  return v;
}

void expectVector(const sim::Simulator &s, uint32_t index, const std::vector<float> &want) {
  const float *got = s.vrfVector(MemSpace::AsVrf, 0, index);
  ASSERT_NE(got, nullptr);
  for (unsigned l = 0; l < N; ++l)
    EXPECT_TRUE(sameBits(got[l], want[l]))
        << "vector " << index << " lane " << l << ": " << got[l] << " not " << want[l];
}

} // namespace

TEST(VrfCopyTest, CopiedRowsReadAsRowsThenZerosAndResetClearsThem) {
  std::vector<float> x = randomVector(200, 61, 4.0f);
  std::replace(x.begin(), x.end(), 0.0f, 1.0f); // every element non-zero: a stale lane shows
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 200);
  addDramInit(a, 0, x);
  Program p;
  // Vector 3 whole, through an MFU op (the general path): Relu of x[150, 166).
  p.swr(SReg::Cols, 1);
  p.vrd(MemSpace::Dram, 150);
  p.op(Opcode::VRelu);
  p.vwr(MemSpace::AsVrf, 3);
  p.end();
  // Vectors 0 and 1 whole: x[0, 32).
  p.swr(SReg::Cols, 2);
  p.swr(SReg::RdLen, 32);
  p.load(0, MemSpace::AsVrf, 0);
  // Rows of 7, 9 apart, over vectors 0 .. 2: 0 and 1 lose their lanes 7 on.
  p.swr(SReg::Cols, 3);
  p.swr(SReg::RdLen, 7);
  p.swr(SReg::RdPitch, 9);
  p.load(40, MemSpace::AsVrf, 0);
  // One row of 3 into vector 1 (which held 7) and one of 2 into vector 3
  // (which held a whole vector from the general path).
  p.swr(SReg::Cols, 1);
  p.swr(SReg::RdLen, 3);
  p.swr(SReg::RdPitch, 0);
  p.load(80, MemSpace::AsVrf, 1);
  p.swr(SReg::RdLen, 2);
  p.load(90, MemSpace::AsVrf, 3);
  // Rows of 21, 25 apart, two vectors each: vectors 4 .. 7.
  p.swr(SReg::Cols, 4);
  p.swr(SReg::RdLen, 21);
  p.swr(SReg::RdPitch, 25);
  p.load(100, MemSpace::AsVrf, 4);
  a.program = p.insts;
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "first run" : "run after a reset");
    std::string err;
    ASSERT_TRUE(s->run(err)) << err;
    expectVector(*s, 0, rowThenZeros(x, 40, 7));
    expectVector(*s, 1, rowThenZeros(x, 80, 3));
    expectVector(*s, 2, rowThenZeros(x, 58, 7));
    expectVector(*s, 3, rowThenZeros(x, 90, 2));
    expectVector(*s, 4, rowThenZeros(x, 100, 16));
    expectVector(*s, 5, rowThenZeros(x, 116, 5));
    expectVector(*s, 6, rowThenZeros(x, 125, 16));
    expectVector(*s, 7, rowThenZeros(x, 141, 5));
    EXPECT_EQ(s->counters().chains, 6u * (run + 1));
    s->reset();
    for (uint32_t v = 0; v < 8; ++v)
      expectVector(*s, v, std::vector<float>(N, 0.0f));
  }
}
