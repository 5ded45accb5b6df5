//===- ChainLoopTest.cpp - The one-chain loop fast path vs the ordinary one -===//
//
// Simulator::run takes a `loop` whose body is one chain in one go when no
// observer is set (runtime/lib/sim/ChainLoop.cpp) and the ordinary
// instruction-by-instruction path when one is. Each test runs one program
// twice, on two simulators, one with a chain observer (the ordinary path)
// and one without (the fast path), and expects the same: run result and
// error text, every DRAM element and VRF vector bit for bit, and the
// counters. Covered: convolutions in MSFP with bias, activations, NaN and Inf
// inputs, several tile rows and columns; layout changes (strided reads,
// no mv_mul); VRF reads and writes; writes that later iterations read; and
// the fall-back cases, where an iteration's address is out of range or
// negative, which must fail with the same message and the same partial state.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

/// tinyTarget with N = 64: a window of several blocks in one tile column.
target::Target wideTarget() {
  target::Target t = tinyTarget();
  t.nativeDim = 64;
  return t;
}

constexpr unsigned N = kTinyDim;

struct Outcome {
  bool ok = false;
  std::string error;
  std::vector<float> dram;
  std::vector<float> vrfs; ///< every vector of the IVRF and of each MFU's ASVRF and MULVRF
  sim::Counters counters;
};

Outcome runOnce(const artifact::Artifact &a, bool observed, int runs) {
  Outcome o;
  auto s = makeSim(a);
  if (!s)
    return o;
  uint64_t events = 0;
  if (observed)
    s->setChainObserver([&](const sim::ChainEvent &) { ++events; });
  for (int r = 0; r < runs; ++r) {
    s->reset();
    o.error.clear();
    o.ok = s->run(o.error);
  }
  o.dram = readDram(*s, 0, s->dramElements());
  const target::Target &t = s->target();
  auto addVrf = [&](MemSpace mem, unsigned mfu, uint32_t depth) {
    for (uint32_t v = 0; v < depth; ++v) {
      const float *p = s->vrfVector(mem, mfu, v);
      o.vrfs.insert(o.vrfs.end(), p, p + t.nativeDim);
    }
  };
  addVrf(MemSpace::Ivrf, 0, t.ivrfDepth);
  for (unsigned m = 0; m < t.numMfus; ++m) {
    addVrf(MemSpace::AsVrf, m, t.asvrfDepth);
    addVrf(MemSpace::MulVrf, m, t.mulvrfDepth);
  }
  o.counters = s->counters();
  if (observed)
    EXPECT_EQ(events, o.counters.chains);
  return o;
}

void expectSameBits(const std::vector<float> &a, const std::vector<float> &b, const char *what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  size_t bad = 0;
  for (size_t i = 0; i < a.size() && bad < 5; ++i)
    if (!sameBits(a[i], b[i])) {
      ADD_FAILURE() << what << " element " << i << ": " << a[i] << " (ordinary) vs " << b[i] << " (fast)";
      ++bad;
    }
}

/// Runs `a` both ways (twice in a row, so reset() is covered) and expects
/// the same; returns the fast path's outcome.
Outcome expectSame(const artifact::Artifact &a) {
  const Outcome slow = runOnce(a, true, 2), fast = runOnce(a, false, 2);
  EXPECT_EQ(slow.ok, fast.ok);
  EXPECT_EQ(slow.error, fast.error);
  expectSameBits(slow.dram, fast.dram, "DRAM");
  expectSameBits(slow.vrfs, fast.vrfs, "VRF");
  EXPECT_EQ(slow.counters.runs, fast.counters.runs);
  EXPECT_EQ(slow.counters.instructions, fast.counters.instructions);
  EXPECT_EQ(slow.counters.chains, fast.counters.chains);
  EXPECT_EQ(slow.counters.mvMulTileOps, fast.counters.mvMulTileOps);
  EXPECT_EQ(slow.counters.macs, fast.counters.macs);
  EXPECT_EQ(slow.counters.pointwiseOps, fast.counters.pointwiseOps);
  return fast;
}

void setWindow(Program &p, uint32_t inH, uint32_t inW, uint32_t inC, uint32_t winC, uint32_t k, uint32_t stride,
               uint32_t pad, uint32_t outW) {
  p.swr(SReg::InH, inH);
  p.swr(SReg::InW, inW);
  p.swr(SReg::InC, inC);
  p.swr(SReg::WinC, winC);
  p.swr(SReg::KH, k);
  p.swr(SReg::KW, k);
  p.swr(SReg::StrideH, stride);
  p.swr(SReg::StrideW, stride);
  p.swr(SReg::PadT, pad);
  p.swr(SReg::PadL, pad);
  p.swr(SReg::OutW, outW);
}

constexpr uint64_t kAfterBias = ~uint64_t{0};

/// A k x k convolution of an inH x inW x inC map at DRAM 0 into `outC`
/// channels (ROWS x COLS tiles as needed), bias from ASVRF 0, then `act`
/// (none when EndChain), written channels-innermost at `yAt` (default: after the bias); `pixels`
/// iterations. `x` is the map (random when empty), read upsampled by `up`
/// (UP_H = UP_W; a transposed convolution). With `residualPart`, the chain
/// adds a residual row per pixel after the bias (an iter vv_add on MFU 1),
/// the rows staged `residualPart` pixels at a time into ASVRF 0 of MFU 1 and
/// each part's loop starting at PIX_BASE = its first pixel; the rows sit in
/// DRAM after y. `w` is the outC x (k x k x inC) matrix (random when
/// empty). `clip`, when not empty, is a vv_min operand after `act` (rows x
/// N lanes, ASVRF 2 of MFU 1): Relu6 as convolutions end with it.
artifact::Artifact convArtifact(const target::Target &t, uint32_t inH, uint32_t inW, uint32_t inC, uint32_t outC,
                                uint32_t k, uint32_t stride, uint32_t pad, Opcode act, std::vector<float> x = {},
                                uint64_t yAt = kAfterBias, uint32_t pixels = 0, uint32_t up = 1,
                                uint32_t residualPart = 0, uint32_t dil = 1, std::vector<float> w = {},
                                std::vector<float> clip = {}, uint32_t wrStep = 0) {
  const uint32_t N = t.nativeDim; // tiny's, or a wider variant's
  if (!wrStep)                    // elements from one pixel's output to the next: outC, or fewer when the rows overlap
    wrStep = outC;
  const uint32_t upH = (inH - 1) * up + 1, upW = (inW - 1) * up + 1, reach = dil * (k - 1) + 1;
  const uint32_t outH = (upH + 2 * pad - reach) / stride + 1, outW = (upW + 2 * pad - reach) / stride + 1;
  const uint32_t kk = k * k * inC, rows = (outC + N - 1) / N, cols = (kk + N - 1) / N;
  if (x.empty())
    x = randomVector(size_t(inH) * inW * inC, 21, 3.0f);
  const uint64_t biasAt = x.size();
  if (yAt == kAfterBias)
    yAt = biasAt + rows * N;
  if (!pixels)
    pixels = outH * outW;
  const uint64_t residualAt = std::max(yAt + uint64_t{pixels} * outC, biasAt + rows * N);
  const uint64_t clipAt = residualAt + (residualPart ? uint64_t{pixels} * outC : 0);
  artifact::Artifact a = emptyArtifact(t, clipAt + clip.size() + 8);
  addDramInit(a, 0, x);
  addDramInit(a, biasAt, randomVector(rows * N, 22));
  if (w.empty())
    w = randomVector(size_t(outC) * kk, 23);
  addMatrix(a, 0, w, outC, kk);
  Program p;
  p.swr(SReg::Cols, rows);
  p.swr(SReg::RdLen, rows * N);
  p.load(static_cast<uint32_t>(biasAt), MemSpace::AsVrf, 0); // the bias, on MFU 0
  if (!clip.empty()) {
    addDramInit(a, clipAt, clip);
    p.load(static_cast<uint32_t>(clipAt), MemSpace::AsVrf, 2, 1);
  }
  p.swr(SReg::RdLen, 0);
  setWindow(p, inH, inW, inC, inC, k, stride, pad, outW);
  if (dil != 1) {
    p.swr(SReg::DilH, dil);
    p.swr(SReg::DilW, dil);
  }
  if (up != 1) {
    p.swr(SReg::UpH, up);
    p.swr(SReg::UpW, up);
  }
  p.swr(SReg::Rows, rows);
  p.swr(SReg::Cols, cols);
  p.swr(SReg::WrLen, outC);
  p.swr(SReg::WrStep, wrStep);
  auto convLoop = [&](uint32_t count, uint32_t firstPixel) {
    p.loop(count);
    p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, isa::kVWindow | isa::kVIter));
    p.op(Opcode::MvMul, 0);
    p.op(Opcode::VvAdd, 0);
    if (residualPart)
      p.insts.push_back(makeInst(Opcode::VvAdd, MemSpace::None, 0, 0, isa::kVIter));
    if (act != Opcode::EndChain)
      p.op(act);
    if (!clip.empty())
      p.op(Opcode::VvMin, 2);
    p.vwrIter(MemSpace::Dram, static_cast<uint32_t>(yAt + uint64_t{firstPixel} * wrStep));
    p.end();
    p.endLoop();
  };
  if (!residualPart) {
    convLoop(pixels, 0);
    setProgram(a, p.insts);
    return a;
  }
  addDramInit(a, residualAt, randomVector(size_t(pixels) * outC, 24, 2.0f));
  p.swr(SReg::OpStep, rows);
  for (uint32_t first = 0; first < pixels; first += residualPart) {
    const uint32_t count = std::min(residualPart, pixels - first);
    // The part's rows: outC elements each, to `rows` vectors of MFU 1's ASVRF.
    p.swr(SReg::Cols, rows);
    p.swr(SReg::RdLen, outC);
    p.swr(SReg::RdStep, outC);
    p.swr(SReg::WrStep, rows);
    p.loop(count);
    p.vrdIter(MemSpace::Dram, static_cast<uint32_t>(residualAt + uint64_t{first} * outC));
    p.vwrIter(MemSpace::AsVrf, 0, 1);
    p.end();
    p.endLoop();
    p.swr(SReg::Cols, cols);
    p.swr(SReg::RdLen, 0);
    p.swr(SReg::WrStep, wrStep);
    p.swr(SReg::PixBase, first);
    convLoop(count, first);
  }
  setProgram(a, p.insts);
  return a;
}

} // namespace

TEST(SimChainLoopTest, ConvolutionsMatchTheOrdinaryPath) {
  const target::Target msfp = tinyTarget(), fp32 = tinyTarget(true);
  // One tile; two tile columns (a 3 x 3 x 3 window is 27 elements); two tile rows.
  expectSame(convArtifact(msfp, 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu));
  expectSame(convArtifact(msfp, 7, 6, 3, 5, 3, 2, 1, Opcode::VSigm));
  expectSame(convArtifact(msfp, 5, 5, 2, 20, 2, 1, 0, Opcode::EndChain));
  expectSame(convArtifact(fp32, 6, 5, 3, 20, 3, 1, 1, Opcode::VTanh));
  // A bf16 MFU: the MFU rounding happens lane by lane on the stored lanes.
  target::Target bf16 = msfp;
  bf16.mfuFormat = numerics::NumberFormat::bf16();
  expectSame(convArtifact(bf16, 6, 5, 3, 9, 3, 1, 1, Opcode::VSigm));
  // One input channel (a 9-lane window, Fashion-MNIST's first layer); a
  // dilated kernel, whose taps are not contiguous, with padding wider than
  // one tap; a kernel as wide as the padded map (no window inside the map).
  expectSame(convArtifact(msfp, 9, 8, 1, 6, 3, 1, 1, Opcode::VRelu));
  expectSame(convArtifact(msfp, 9, 7, 2, 5, 3, 1, 2, Opcode::VRelu, {}, kAfterBias, 0, 1, 0, 2));
  expectSame(convArtifact(msfp, 8, 9, 1, 4, 3, 2, 3, Opcode::EndChain, {}, kAfterBias, 0, 1, 0, 3));
  expectSame(convArtifact(msfp, 3, 3, 2, 4, 5, 1, 1, Opcode::VRelu));
  // 552 pixels of a 9-lane window: several full batches and a partial one.
  expectSame(convArtifact(msfp, 24, 23, 1, 6, 3, 1, 1, Opcode::VRelu));
}

TEST(SimChainLoopTest, UpsampledWindowsMatchTheOrdinaryPath) {
  // A stride-2 and a stride-3 transposed convolution's reads: the inserted
  // zeros leave no pixel's window wholly inside the map (no interior copy).
  const target::Target msfp = tinyTarget();
  expectSame(convArtifact(msfp, 4, 3, 2, 5, 3, 1, 2, Opcode::VRelu, {}, kAfterBias, 0, 2));
  expectSame(convArtifact(msfp, 3, 3, 3, 7, 2, 1, 1, Opcode::EndChain, {}, kAfterBias, 0, 3));
}

TEST(SimChainLoopTest, ResidualPartsAddTheirRowsToTheWholeLoopsPixels) {
  // A convolution in parts (PIX_BASE) whose chain adds a staged residual row
  // per pixel (vv_add iter, OP_STEP): the fast path matches the ordinary one,
  // and every pixel's result is the whole loop's result (no residual, one
  // loop from pixel 0) plus its row, added in fp32 as the MFU adds.
  for (const target::Target &t : {tinyTarget(), tinyTarget(true)})
    for (auto [outC, part] : {std::pair{7u, 8u}, std::pair{20u, 7u}, std::pair{7u, 30u}}) {
      const Outcome whole = expectSame(convArtifact(t, 6, 5, 2, outC, 3, 1, 1, Opcode::EndChain));
      const artifact::Artifact parted =
          convArtifact(t, 6, 5, 2, outC, 3, 1, 1, Opcode::EndChain, {}, kAfterBias, 0, 1, part);
      const Outcome o = expectSame(parted);
      ASSERT_TRUE(whole.ok && o.ok) << whole.error << o.error;
      const uint32_t rows = (outC + N - 1) / N, pixels = 6 * 5;
      const uint64_t yAt = 6 * 5 * 2 + rows * N, residualAt = yAt + uint64_t{pixels} * outC;
      const std::vector<float> residual = randomVector(size_t(pixels) * outC, 24, 2.0f);
      for (uint64_t e = 0; e < uint64_t{pixels} * outC; ++e)
        ASSERT_TRUE(sameBits(o.dram[yAt + e], whole.dram[yAt + e] + residual[e]))
            << "element " << e << ": " << o.dram[yAt + e] << " vs " << whole.dram[yAt + e] << " + " << residual[e];
      ASSERT_TRUE(sameBits(o.dram[residualAt], residual[0]));
    }
}

TEST(SimChainLoopTest, NanAndInfInputsMatch) {
  std::vector<float> x = randomVector(6 * 5 * 2, 31, 2.0f);
  x[7] = std::numeric_limits<float>::quiet_NaN();
  x[20] = std::numeric_limits<float>::infinity();
  x[41] = -std::numeric_limits<float>::infinity();
  expectSame(convArtifact(tinyTarget(), 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu, x));
  expectSame(convArtifact(tinyTarget(true), 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu, x));
}

TEST(SimChainLoopTest, NanInputsWithResultsNarrowerThanN) {
  // N = 64 and 7 output channels: the fast path packs the batch's results at
  // 16 lanes, and an input holding NaN or Inf takes the general path, which
  // writes whole N-lane vectors, through a scratch vector.
  const target::Target wide = wideTarget();
  std::vector<float> x = randomVector(6 * 5, 33, 2.0f); // one channel: one tile at either N
  x[9] = std::numeric_limits<float>::quiet_NaN();
  x[22] = -std::numeric_limits<float>::infinity();
  expectSame(convArtifact(wide, 6, 5, 1, 7, 3, 1, 1, Opcode::VRelu, x));
}

TEST(SimChainLoopTest, MapsOfWholeBlocksMatchTheOrdinaryPath) {
  // IN_C a multiple of the block size (16): the fast path quantizes the
  // map's blocks once and assembles each window from them, when the windows
  // read them often enough (3 x 3 and 2 x 2 kernels below; a 1 x 1 kernel at
  // stride 2 quantizes the windows). N = 16 (a tap per native vector) and
  // N = 64 (one tile column of a 2 x 2 x 16 window, whose inputs are packed;
  // several for 3 x 3), padding, stride 2, parts starting at PIX_BASE > 0.
  const target::Target tiny = tinyTarget();
  const target::Target wide = wideTarget();
  for (const target::Target &t : {tiny, wide}) {
    expectSame(convArtifact(t, 6, 5, 16, 7, 3, 1, 1, Opcode::VRelu));
    expectSame(convArtifact(t, 7, 6, 32, 20, 3, 2, 1, Opcode::EndChain));
    expectSame(convArtifact(t, 5, 6, 16, 9, 2, 1, 0, Opcode::VSigm));
    expectSame(convArtifact(t, 6, 6, 16, 5, 1, 2, 0, Opcode::EndChain));
    expectSame(convArtifact(t, 6, 5, 16, 7, 3, 1, 1, Opcode::EndChain, {}, kAfterBias, 0, 1, 7));
  }
}

TEST(SimChainLoopTest, WindowsReadStraightFromThePaddedMap) {
  // One tile column and IN_C not a multiple of the block size: the fast
  // path reads each window's blocks straight from a zero-padded copy of the
  // map (WindowRuns). N = 64 takes windows up to 64 lanes: 2, 3 and 5
  // channels, kernels 1 to 5, strides 1 and 2, padding 0 to 3 (wider than
  // the kernel's reach on one side), dilation 2, parts starting at
  // PIX_BASE > 0, and NaN and Inf in the map (those windows are gathered as
  // floats for the general path).
  const target::Target wide = wideTarget();
  expectSame(convArtifact(wide, 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu));
  expectSame(convArtifact(wide, 7, 9, 3, 12, 3, 2, 1, Opcode::EndChain));
  expectSame(convArtifact(wide, 5, 6, 5, 9, 2, 1, 0, Opcode::VRelu));
  expectSame(convArtifact(wide, 6, 6, 3, 5, 1, 2, 0, Opcode::EndChain));
  expectSame(convArtifact(wide, 8, 7, 2, 6, 5, 1, 2, Opcode::VRelu));
  expectSame(convArtifact(wide, 9, 7, 2, 5, 3, 1, 3, Opcode::VRelu, {}, kAfterBias, 0, 1, 0, 2));
  expectSame(convArtifact(wide, 6, 5, 3, 7, 3, 1, 1, Opcode::EndChain, {}, kAfterBias, 0, 1, 7));
  std::vector<float> x = randomVector(7 * 6 * 3, 37, 2.0f);
  x[4] = std::numeric_limits<float>::quiet_NaN();
  x[3 * 20 + 1] = std::numeric_limits<float>::infinity();
  expectSame(convArtifact(wide, 7, 6, 3, 7, 3, 1, 1, Opcode::VRelu, x));
}

namespace {

/// A k x k depthwise convolution of an inH x inW x C map (C a multiple of
/// 16) at DRAM 0, stride and padding as given, bias, then `act`
/// (convArtifact): its matrix is C x (k x k x C) with row c holding a weight
/// at tap t's channel c only (some of them zero), the block-diagonal form
/// the compiler gives it; the weights times `wScale`.
artifact::Artifact depthwiseArtifact(const target::Target &t, uint32_t inH, uint32_t inW, uint32_t c, uint32_t k,
                                     uint32_t stride, uint32_t pad, Opcode act, std::vector<float> x = {},
                                     float wScale = 1.0f, uint32_t dil = 1) {
  const uint32_t kk = k * k * c;
  const std::vector<float> taps = randomVector(size_t{c} * k * k, 83, 2.0f);
  std::vector<float> w(size_t{c} * kk, 0.0f);
  for (uint32_t ch = 0; ch < c; ++ch)
    for (uint32_t tap = 0; tap < k * k; ++tap)
      w[size_t{ch} * kk + size_t{tap} * c + ch] = (ch + tap) % 7 == 4 ? 0.0f : wScale * taps[size_t{ch} * k * k + tap];
  return convArtifact(t, inH, inW, c, c, k, stride, pad, act, std::move(x), kAfterBias, 0, 1, 0, dil, std::move(w));
}

} // namespace

TEST(SimChainLoopTest, DepthwiseConvolutionsMatchTheOrdinaryPath) {
  // Depthwise convolutions of 16 and 32 channels: the fast path multiplies
  // the map's blocks, quantized once, by the block-diagonal matrix without
  // assembling each window (numerics::matVecDepthwiseGathered), over
  // several tile columns (N = 16 and 64), stride 1 and 2, with and without
  // padding; NaN and Inf in the map send the batches reading them the
  // general way.
  const target::Target wide = wideTarget();
  for (const target::Target &t : {tinyTarget(), wide}) {
    expectSame(depthwiseArtifact(t, 7, 6, 16, 3, 1, 1, Opcode::VRelu));
    expectSame(depthwiseArtifact(t, 8, 9, 32, 3, 2, 1, Opcode::EndChain));
    expectSame(depthwiseArtifact(t, 6, 6, 32, 3, 1, 0, Opcode::VRelu));
    std::vector<float> x = randomVector(7 * 6 * 16, 84, 2.0f);
    x[16 * 9 + 2] = std::numeric_limits<float>::quiet_NaN();
    x[16 * 30 + 11] = -std::numeric_limits<float>::infinity();
    expectSame(depthwiseArtifact(t, 7, 6, 16, 3, 1, 1, Opcode::VRelu, x));
    // A map near 2^100 and weights near 2^40: the map's float values and
    // the weights' are in range, but their products overflow; the kernels
    // refuse them and the map is quantized in full for the general way.
    std::vector<float> huge = randomVector(7 * 6 * 16, 85, 2.0f);
    for (float &v : huge)
      v = std::ldexp(v, 100);
    expectSame(depthwiseArtifact(t, 7, 6, 16, 3, 1, 1, Opcode::VRelu, huge, std::ldexp(1.0f, 40)));
    // Weights near 2^30: every exponent in range, but products past 2^128,
    // which the hardware rounds to Inf before adding: not the fused
    // multiply-adds of the float kernels.
    expectSame(depthwiseArtifact(t, 7, 6, 16, 3, 1, 1, Opcode::VRelu, huge, std::ldexp(1.0f, 30)));
  }
}

TEST(SimChainLoopTest, CommonEpiloguesMatchTheOrdinaryPath) {
  // The chains convolutions end with, which the row epilogue runs with ops
  // fixed at compile time: bias; bias, Relu; bias, Relu, Min (Relu6); bias
  // and a residual, with and without Relu. NaN in the map, in the clip
  // vector and values past the clip: Min keeps a NaN of either side; a clip
  // vector free of NaN with a -0 against the +0 Relu gives; rows that overlap
  // (a write step shorter than the rows: the later row's lanes win). Rows
  // of 7 lanes (a masked register), 20 (one whole and a masked one), 32
  // (two whole) and 150 (several tile rows).
  const target::Target wide = wideTarget();
  for (uint32_t outC : {7u, 20u, 32u, 150u}) {
    std::vector<float> x = randomVector(6 * 5 * 3, 88, 2.0f);
    x[7] = std::numeric_limits<float>::quiet_NaN();
    const uint32_t rows = (outC + wide.nativeDim - 1) / wide.nativeDim;
    std::vector<float> clip(size_t{rows} * wide.nativeDim, 1.5f);
    clip[3] = std::numeric_limits<float>::quiet_NaN();
    clip[5] = -0.25f;
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::EndChain, x));
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::VRelu, x));
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::VRelu, x, kAfterBias, 0, 1, 0, 1, {}, clip));
    clip[3] = -0.0f;
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::VRelu, x, kAfterBias, 0, 1, 0, 1, {}, clip));
    if (outC > 16)
      expectSame(
          convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::VRelu, x, kAfterBias, 0, 1, 0, 1, {}, clip, outC - 5));
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::EndChain, x, kAfterBias, 0, 1, 7));
    expectSame(convArtifact(wide, 6, 5, 3, outC, 3, 1, 1, Opcode::VRelu, x, kAfterBias, 0, 1, 7));
  }
}

TEST(SimChainLoopTest, LargeDepthwiseMapsAreRoundedAheadOfTheWindows) {
  // Maps of more blocks than the loop rounds ahead in one step (1024): the
  // float values come in several steps, each a few rows ahead of the
  // windows. Blocks that cannot be rounded so in a late row (a NaN, or
  // values whose products with the weights overflow) turn the rest of the
  // loop to the map quantized in full, from that batch on.
  const target::Target wide = wideTarget();
  for (const target::Target &t : {tinyTarget(), wide}) {
    expectSame(depthwiseArtifact(t, 36, 37, 16, 3, 1, 1, Opcode::VRelu));
    expectSame(depthwiseArtifact(t, 27, 26, 32, 3, 2, 1, Opcode::EndChain));
    // Shapes without a dense kernel: interior pixels from their bases one by
    // one or four at a time (5 x 5; 3 x 3 at dilation 2).
    expectSame(depthwiseArtifact(t, 30, 29, 16, 5, 1, 2, Opcode::VRelu));
    expectSame(depthwiseArtifact(t, 30, 31, 16, 3, 1, 2, Opcode::VRelu, {}, 1.0f, 2));
    std::vector<float> x = randomVector(36 * 37 * 16, 86, 2.0f);
    x[16 * (30 * 37 + 5) + 3] = std::numeric_limits<float>::quiet_NaN();
    expectSame(depthwiseArtifact(t, 36, 37, 16, 3, 1, 1, Opcode::VRelu, x));
    std::vector<float> late = randomVector(36 * 37 * 16, 87, 2.0f);
    for (size_t i = 16 * 32 * 37; i < late.size(); ++i)
      late[i] = std::ldexp(late[i], 100);
    expectSame(depthwiseArtifact(t, 36, 37, 16, 3, 1, 1, Opcode::VRelu, late, std::ldexp(1.0f, 30)));
  }
}

TEST(SimChainLoopTest, NanAndInfInMapsOfWholeBlocks) {
  // A NaN or Inf in a quantized map block sends every window reading it to
  // the general path, gathered as floats; the other windows stay compact.
  const target::Target wide = wideTarget();
  for (const target::Target &t : {tinyTarget(), wide}) {
    std::vector<float> x = randomVector(6 * 5 * 16, 35, 2.0f);
    x[3] = std::numeric_limits<float>::quiet_NaN();
    x[16 * 14 + 5] = std::numeric_limits<float>::infinity();
    x[16 * 29 + 15] = -std::numeric_limits<float>::infinity();
    expectSame(convArtifact(t, 6, 5, 16, 7, 3, 1, 1, Opcode::VRelu, x));
    expectSame(convArtifact(t, 6, 5, 16, 7, 2, 1, 0, Opcode::EndChain, x));
  }
}

TEST(SimChainLoopTest, OutputOverTheMapIsReadByLaterPixels) {
  // y written over the feature map itself (yAt 0): pixel p's output lands
  // where later windows read, so the order of the iterations shows.
  const Outcome o = expectSame(convArtifact(tinyTarget(), 6, 6, 3, 3, 3, 1, 1, Opcode::EndChain, {}, 0));
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(SimChainLoopTest, LayoutChangesAndVrfs) {
  // A transpose (strided reads of RD_LEN elements, no mv_mul) with a multiply
  // by MULVRF 0 of MFU 0 on the way, a copy forward whose write is the next
  // iteration's read, and a loop reading the IVRF, multiplying and writing the
  // ASVRF of MFU 1 with a step.
  const std::vector<float> x = randomVector(12 * 5, 41, 4.0f);
  artifact::Artifact a = emptyArtifact(tinyTarget(), 400);
  addDramInit(a, 0, x);
  addMatrix(a, 0, randomVector(N * N, 42), N, N);
  Program p;
  p.load(0, MemSpace::MulVrf, 0); // MFU 0's MULVRF 0: x[0, N)
  p.swr(SReg::RdLen, 12);
  p.swr(SReg::RdStride, 5);
  p.swr(SReg::RdStep, 1);
  p.swr(SReg::WrLen, 12);
  p.swr(SReg::WrStep, 12);
  p.loop(5);
  p.vrdIter(MemSpace::Dram, 0);
  p.op(Opcode::VvMul, 0);
  p.vwrIter(MemSpace::Dram, 100);
  p.end();
  p.endLoop();
  p.swr(SReg::RdLen, 3);
  p.swr(SReg::RdStride, 1);
  p.swr(SReg::RdStep, 2);
  p.swr(SReg::WrLen, 3);
  p.swr(SReg::WrStep, 2);
  p.loop(20);
  p.vrdIter(MemSpace::Dram, 160); // reads what the previous iteration wrote at 162
  p.vwrIter(MemSpace::Dram, 162);
  p.end();
  p.endLoop();
  p.swr(SReg::RdLen, 0);
  p.swr(SReg::WrLen, 0);
  p.swr(SReg::RdStep, 1);
  p.swr(SReg::WrStep, 2);
  p.load(100, MemSpace::Ivrf, 0);
  p.load(116, MemSpace::Ivrf, 1);
  p.load(132, MemSpace::Ivrf, 2);
  p.swr(SReg::Rows, 1);
  p.loop(3);
  p.vrdIter(MemSpace::Ivrf, 0);
  p.op(Opcode::MvMul, 0);
  p.op(Opcode::VTanh);
  p.vwrIter(MemSpace::AsVrf, 4, 1);
  p.vwrIter(MemSpace::Dram, 250);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  const Outcome o = expectSame(a);
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(SimChainLoopTest, NestedAndEmptyLoops) {
  Program p;
  p.swr(SReg::RdStep, 1);
  p.swr(SReg::WrStep, 1);
  p.swr(SReg::RdLen, 1);
  p.swr(SReg::WrLen, 1);
  p.loop(3); // the outer loop's body is not one chain; the inner one's is
  p.loop(4);
  p.vrdIter(MemSpace::Dram, 0);
  p.op(Opcode::VRelu);
  p.vwrIter(MemSpace::Dram, 40);
  p.end();
  p.endLoop();
  p.loop(0);
  p.vrdIter(MemSpace::Dram, 0);
  p.vwrIter(MemSpace::Dram, 60);
  p.end();
  p.endLoop();
  p.endLoop();
  artifact::Artifact a = emptyArtifact(tinyTarget(), 100);
  addDramInit(a, 0, randomVector(8, 51));
  setProgram(a, p.insts);
  const Outcome o = expectSame(a);
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(SimChainLoopTest, FailingIterationsFallBackWithTheSameError) {
  // The last pixels' writes leave DRAM: the run must stop at the first such
  // iteration, having written the ones before, as the ordinary path does.
  artifact::Artifact over = convArtifact(tinyTarget(), 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu);
  over.dramElements -= 20;
  Outcome o = expectSame(over);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("DRAM write of elements"), std::string::npos) << o.error;

  // More pixels than the map has (the window reads zeros past it), still in DRAM.
  o = expectSame(convArtifact(tinyTarget(), 4, 4, 2, 5, 3, 1, 1, Opcode::EndChain, {}, kAfterBias, 40));
  EXPECT_TRUE(o.ok) << o.error;

  // A negative step walks the read address below 0 at iteration 3.
  Program p;
  p.swrSigned(SReg::RdStep, -4);
  p.swr(SReg::WrStep, 16);
  p.loop(5);
  p.vrdIter(MemSpace::Dram, 10);
  p.vwrIter(MemSpace::Dram, 20);
  p.end();
  p.endLoop();
  artifact::Artifact neg = emptyArtifact(tinyTarget(), 200);
  addDramInit(neg, 0, randomVector(40, 61));
  setProgram(neg, p.insts);
  o = expectSame(neg);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("is negative"), std::string::npos) << o.error;

  // A strided read reaching past DRAM (the largest stride: no wrap-around).
  Program st;
  st.swr(SReg::RdLen, 3);
  st.swr(SReg::RdStride, 0xFFFFFFFFu);
  st.swr(SReg::WrLen, 3);
  st.loop(2);
  st.vrdIter(MemSpace::Dram, 1);
  st.vwrIter(MemSpace::Dram, 20);
  st.end();
  st.endLoop();
  artifact::Artifact strided = emptyArtifact(tinyTarget(), 64);
  setProgram(strided, st.insts);
  o = expectSame(strided);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("DRAM read reaches"), std::string::npos) << o.error;

  // A VRF write stepping past the ASVRF, and a window map past DRAM.
  Program v;
  v.swr(SReg::WrStep, 100);
  v.loop(4);
  v.vrdIter(MemSpace::Dram, 0);
  v.vwrIter(MemSpace::AsVrf, 0, 1);
  v.end();
  v.endLoop();
  artifact::Artifact vrf = emptyArtifact(tinyTarget(), 64);
  setProgram(vrf, v.insts);
  o = expectSame(vrf);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("out of range"), std::string::npos) << o.error;

  artifact::Artifact map = convArtifact(tinyTarget(), 6, 5, 2, 7, 3, 1, 1, Opcode::VRelu);
  for (isa::Inst &inst : map.program)
    if (inst.flags & isa::kVWindow)
      inst.a = static_cast<uint32_t>(map.dramElements - 50); // the 60-element map no longer fits
  o = expectSame(map);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("window"), std::string::npos) << o.error;
}

namespace {

/// A k x k pooled read (max, or sum times MULVRF 0 as an average) of an
/// inH x inW x inC map at DRAM 0 with padding `pad`, written channels
/// innermost after the map and the scale vector.
/// A `pixels`-iteration loop of window reads with no mv_mul (`pool`: the
/// read's pool field, 0 for a plain gather), optionally multiplied by MULVRF
/// 0 of MFU 0, each storing the pixel's inC channels at yAt + pixel x inC.
/// The window registers are set by the caller.
void windowReadLoop(Program &p, uint32_t inC, uint32_t pixels, uint8_t pool, bool scale, uint64_t yAt) {
  p.swr(SReg::WrLen, inC);
  p.swr(SReg::WrStep, inC);
  p.loop(pixels);
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, isa::kVWindow | isa::kVIter | pool));
  if (scale)
    p.op(Opcode::VvMul, 0);
  p.vwrIter(MemSpace::Dram, static_cast<uint32_t>(yAt));
  p.end();
  p.endLoop();
}

artifact::Artifact poolArtifact(uint32_t inH, uint32_t inW, uint32_t inC, uint32_t k, uint32_t stride, uint32_t pad,
                                uint8_t pool, std::vector<float> x) {
  const uint32_t outH = (inH + 2 * pad - k) / stride + 1, outW = (inW + 2 * pad - k) / stride + 1;
  const uint32_t cols = (inC + N - 1) / N;
  const uint64_t scaleAt = x.size(), yAt = scaleAt + cols * N;
  artifact::Artifact a = emptyArtifact(tinyTarget(), yAt + uint64_t{outH} * outW * inC);
  addDramInit(a, 0, x);
  addDramInit(a, scaleAt, std::vector<float>(cols * N, 1.0f / static_cast<float>(k * k)));
  Program p;
  p.swr(SReg::Cols, cols);
  p.swr(SReg::RdLen, cols * N);
  p.load(static_cast<uint32_t>(scaleAt), MemSpace::MulVrf, 0);
  p.swr(SReg::RdLen, 0);
  setWindow(p, inH, inW, inC, inC, k, stride, pad, outW);
  windowReadLoop(p, inC, outH * outW, pool, pool == isa::kVPoolSum, yAt);
  setProgram(a, p.insts);
  return a;
}

} // namespace

namespace {

/// A `pixels`-iteration loop of k x k window reads (stride 1, padding 1) of
/// an inH x inW x inC map at DRAM 0 with OUT_W = outW and no mv_mul, each
/// storing only its first inC lanes (one pixel's channels) after the map.
artifact::Artifact windowCopyArtifact(uint32_t inH, uint32_t inW, uint32_t inC, uint32_t k, uint32_t outW,
                                      uint32_t pixels, uint32_t seed) {
  const std::vector<float> x = randomVector(size_t{inH} * inW * inC, seed, 2.0f);
  const uint64_t yAt = x.size();
  artifact::Artifact a = emptyArtifact(tinyTarget(), yAt + uint64_t{pixels} * inC);
  addDramInit(a, 0, x);
  Program p;
  p.swr(SReg::Cols, (k * k * inC + N - 1) / N); // room for the whole window
  setWindow(p, inH, inW, inC, inC, k, 1, 1, outW);
  windowReadLoop(p, inC, pixels, 0, false, yAt);
  setProgram(a, p.insts);
  return a;
}

} // namespace

TEST(SimChainLoopTest, WindowReadsStoringFewerLanesThanTheyGather) {
  // A window read with no mv_mul whose v_wr stores fewer lanes (WR_LEN = the
  // 3 channels of a pixel) than the window gathers (3 x 3 x 3 = 27), with
  // padding (edge windows): the loop's inputs must have room for all 27.
  // (A fuzzed artifact found the fast path writing past them.)
  const Outcome o = expectSame(windowCopyArtifact(6, 5, 3, 3, 5, 6 * 5, 61));
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(SimChainLoopTest, AHugeOutputWidthCostsNoMemory) {
  // OUT_W is a register an artifact may set to anything: 2^31 output columns
  // make the loop's 40 pixels one output row, most of whose windows fall
  // outside the map. The fast path must not table every column (a fuzzed
  // artifact made it allocate 16 GB).
  const Outcome o = expectSame(windowCopyArtifact(4, 5, 2, 3, 1u << 31, 40, 62));
  EXPECT_TRUE(o.ok) << o.error;
}

TEST(SimChainLoopTest, PooledReadsMatchTheOrdinaryPath) {
  // 20 channels (two native vectors, and a 4-lane remainder for the vector
  // code of the interior windows), padding on every side; NaN and Inf in the
  // map for the max's fmax and the sum's propagation; -0 and +0 in the same
  // channel of neighbouring pixels (fmax keeps the first of equal values).
  std::vector<float> x = randomVector(7 * 6 * 20, 51, 3.0f);
  x[33] = std::numeric_limits<float>::quiet_NaN();
  x[101] = -std::numeric_limits<float>::infinity();
  for (size_t pixel : {size_t{15}, size_t{16}, size_t{21}, size_t{22}})
    for (size_t c = 0; c < 20; ++c)
      x[pixel * 20 + c] = (pixel + c) % 2 ? -0.0f : 0.0f;
  for (uint8_t pool : {isa::kVPoolMax, isa::kVPoolSum, isa::kVPoolMean}) {
    const Outcome o = expectSame(poolArtifact(7, 6, 20, 3, 2, 1, pool, x));
    EXPECT_TRUE(o.ok) << o.error;
  }
}

namespace {

/// A loop over `rows` rows of 7 lanes (DRAM 0, RD_STEP 7) through the chain
/// `ops` (each {opcode, MFU-local VRF vector, iter}), storing `stored` lanes
/// per row `wrStep` apart at DRAM 512. Rows and the operand vectors (vector
/// 0 of each MFU's ASVRF and MULVRF; ASVRF vectors 1 .. rows of MFU 0 for
/// iter operands, OP_STEP 1) hold NaN, signed zeros and infinities.
struct ChainOp {
  Opcode op;
  uint32_t a = 0;
  bool iter = false;
};
artifact::Artifact rowOpsArtifact(const std::vector<ChainOp> &ops, uint32_t rows, uint32_t stored, uint32_t wrStep) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<float> specials = {nan, -0.0f, 0.0f, inf, -inf, 1.5f, -2.25f, -0.0f, 0.0f, 0.75f, -1e-30f};
  std::vector<float> x = randomVector(size_t{rows} * 7, 71, 3.0f);
  for (size_t i = 0; i < x.size(); i += 3)
    x[i] = specials[(i / 3) % specials.size()];
  artifact::Artifact a = emptyArtifact(tinyTarget(), 512 + size_t{rows} * wrStep + 16);
  addDramInit(a, 0, x);
  // Operand vectors at 128 + 16 v: v = 0 .. 3 the MFUs' vector 0, then the iter rows.
  std::vector<float> operands = randomVector(size_t{4 + rows} * N, 72, 2.0f);
  for (size_t i = 0; i < operands.size(); i += 2)
    operands[i] = specials[(i / 2 + 1) % specials.size()];
  addDramInit(a, 128, operands);
  Program p;
  p.load(128, MemSpace::AsVrf, 0, 0);
  p.load(128 + N, MemSpace::MulVrf, 0, 0);
  p.load(128 + 2 * N, MemSpace::AsVrf, 0, 1);
  p.load(128 + 3 * N, MemSpace::MulVrf, 0, 1);
  for (uint32_t r = 0; r < rows; ++r)
    p.load(128 + (4 + r) * N, MemSpace::AsVrf, 1 + r, 0);
  p.swr(SReg::RdLen, 7);
  p.swr(SReg::RdStep, 7);
  p.swr(SReg::WrLen, stored);
  p.swr(SReg::WrStep, wrStep);
  p.swr(SReg::OpStep, 1);
  p.loop(rows);
  p.vrdIter(MemSpace::Dram, 0);
  for (const ChainOp &op : ops)
    p.insts.push_back(makeInst(op.op, MemSpace::None, op.a, 0, op.iter ? isa::kVIter : 0));
  p.vwrIter(MemSpace::Dram, 512);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  return a;
}

} // namespace

TEST(SimChainLoopTest, PointwiseOpsOnShortRowsMatchTheOrdinaryPath) {
  // Rows of 7 lanes take the fast path's one-register epilogue (every op,
  // then the store): each element-wise op against the ordinary path's, on
  // NaN, signed zeros (max and min of -0 and +0 keep the first) and
  // infinities, with operands per iteration, rows stored whole, in part, and
  // with gaps between them.
  const std::vector<std::vector<ChainOp>> chains = {
      {{Opcode::VvMax}, {Opcode::VvMul}, {Opcode::VRelu}, {Opcode::VvMin}, {Opcode::VvPrelu}},
      {{Opcode::VvASubB}, {Opcode::VvPrelu}, {Opcode::VvBSubA}, {Opcode::VvMul}, {Opcode::VRelu}},
      {{Opcode::VvAdd, 1, true}, {Opcode::VRelu}, {Opcode::VvMax}},
      {{Opcode::VvMin, 2, true}, {Opcode::VvMax}},
  };
  for (const auto &ops : chains)
    for (auto [stored, wrStep] : {std::pair{7u, 7u}, std::pair{5u, 5u}, std::pair{7u, 9u}}) {
      ASSERT_LE(128 + (4 + 9) * N, 512u);
      const Outcome o = expectSame(rowOpsArtifact(ops, 9, stored, wrStep));
      EXPECT_TRUE(o.ok) << o.error;
    }
}
