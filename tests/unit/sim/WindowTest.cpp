//===- WindowTest.cpp - Convolutions through windowed v_rd ----------------===//
//
// Hand-built programs on the "tiny" target at fp32 (N = 16) that run a
// convolution as `loop OH*OW { v_rd DRAM, x, window, iter; mv_mul; v_wr DRAM,
// y, iter }` (docs/isa.md "Window reads"), checked against a direct
// convolution computed here in double from the ONNX definition (NCHW
// weights, NHWC feature map). Every input and weight is a multiple of 1/4 of
// magnitude <= 2, so every product and sum is exact in fp32 and the results
// must match bit for bit. Also the raw gather (the window written out
// unchanged, zero-filled to COLS x N lanes) and the run-time errors.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/sim/Simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = kTinyDim;

struct Conv {
  const char *name;
  uint32_t inH, inW, inC, outC, kH, kW;
  uint32_t strideH, strideW, dilH, dilW;
  uint32_t padT, padL, padB, padR;
  uint32_t groups = 1;
  bool relu = false;

  uint32_t outH() const { return (inH + padT + padB - dilH * (kH - 1) - 1) / strideH + 1; }
  uint32_t outW() const { return (inW + padL + padR - dilW * (kW - 1) - 1) / strideW + 1; }
  uint32_t groupIn() const { return inC / groups; }
  uint32_t groupOut() const { return outC / groups; }
  uint32_t pixels() const { return outH() * outW(); }
};

/// n multiples of 1/4 in [-2, 2].
std::vector<float> quarters(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> k(-8, 8);
  std::vector<float> v(n);
  for (float &x : v)
    x = static_cast<float>(k(gen)) / 4.0f;
  return v;
}

/// The convolution by its definition: y[oh][ow][o] (NHWC) from x[h][w][c]
/// (NHWC) and weights w[o][c][kh][kw] (ONNX OIHW, c within o's group).
std::vector<double> referenceConv(const Conv &c, const std::vector<float> &x, const std::vector<float> &w) {
  std::vector<double> y(static_cast<size_t>(c.pixels()) * c.outC, 0.0);
  for (uint32_t oh = 0; oh < c.outH(); ++oh)
    for (uint32_t ow = 0; ow < c.outW(); ++ow)
      for (uint32_t o = 0; o < c.outC; ++o) {
        const uint32_t g = o / c.groupOut();
        double sum = 0.0;
        for (uint32_t ci = 0; ci < c.groupIn(); ++ci)
          for (uint32_t kh = 0; kh < c.kH; ++kh)
            for (uint32_t kw = 0; kw < c.kW; ++kw) {
              const int64_t ih = int64_t(oh) * c.strideH + int64_t(kh) * c.dilH - c.padT;
              const int64_t iw = int64_t(ow) * c.strideW + int64_t(kw) * c.dilW - c.padL;
              if (ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW)
                continue;
              const double xv = x[(size_t(ih) * c.inW + size_t(iw)) * c.inC + g * c.groupIn() + ci];
              const double wv = w[((size_t(o) * c.groupIn() + ci) * c.kH + kh) * c.kW + kw];
              sum += xv * wv;
            }
        y[(size_t(oh) * c.outW() + ow) * c.outC + o] = c.relu && sum < 0 ? 0.0 : sum;
      }
  return y;
}

/// Sets the window registers of conv `c` (the padding at bottom and right
/// needs none: taps past the map read zeros).
void setWindow(Program &p, const Conv &c) {
  p.swr(SReg::InH, c.inH);
  p.swr(SReg::InW, c.inW);
  p.swr(SReg::InC, c.inC);
  p.swr(SReg::WinC, c.groupIn());
  p.swr(SReg::KH, c.kH);
  p.swr(SReg::KW, c.kW);
  p.swr(SReg::StrideH, c.strideH);
  p.swr(SReg::StrideW, c.strideW);
  p.swr(SReg::DilH, c.dilH);
  p.swr(SReg::DilW, c.dilW);
  p.swr(SReg::PadT, c.padT);
  p.swr(SReg::PadL, c.padL);
  p.swr(SReg::OutW, c.outW());
}

void windowRead(Program &p, uint32_t a) {
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, a, 0, isa::kVWindow | isa::kVIter));
}

/// Runs conv `c` on the simulator: per group, the Cout/G x (K_H K_W Cin/G)
/// weight matrix (columns in (kh, kw, c) order) pinned in the MRF, and one
/// loop over the output pixels whose window reads the group's channels.
/// Returns y (NHWC).
std::vector<float> runConv(const Conv &c, const std::vector<float> &x, const std::vector<float> &w) {
  const uint32_t cg = c.groupIn(), og = c.groupOut(), k = c.kH * c.kW * cg;
  const uint32_t rows = (og + N - 1) / N, cols = (k + N - 1) / N;
  const uint32_t yAt = static_cast<uint32_t>(x.size());
  artifact::Artifact a = emptyArtifact(tinyTarget(true), yAt + uint64_t{c.pixels()} * c.outC);
  addDramInit(a, 0, x);
  Program p;
  setWindow(p, c);
  p.swr(SReg::Rows, rows);
  p.swr(SReg::Cols, cols);
  p.swr(SReg::WrLen, og);
  p.swr(SReg::WrStep, c.outC);
  for (uint32_t g = 0; g < c.groups; ++g) {
    std::vector<float> m(size_t(og) * k);
    for (uint32_t o = 0; o < og; ++o)
      for (uint32_t kh = 0; kh < c.kH; ++kh)
        for (uint32_t kw = 0; kw < c.kW; ++kw)
          for (uint32_t ci = 0; ci < cg; ++ci)
            m[size_t(o) * k + (kh * c.kW + kw) * cg + ci] = w[((size_t(g * og + o) * cg + ci) * c.kH + kh) * c.kW + kw];
    const uint32_t tile = g * rows * cols;
    addMatrix(a, tile, m, og, k);
    p.loop(c.pixels());
    windowRead(p, g * cg);
    p.op(Opcode::MvMul, tile);
    if (c.relu)
      p.op(Opcode::VRelu);
    p.vwrIter(MemSpace::Dram, yAt + g * og);
    p.end();
    p.endLoop();
  }
  setProgram(a, p.insts);
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err; // the loader's static checks agree
  auto s = makeSim(a);
  if (!s)
    return {};
  EXPECT_TRUE(s->run(err)) << err;
  return readDram(*s, yAt, size_t(c.pixels()) * c.outC);
}

void expectConv(const Conv &c, unsigned seed) {
  SCOPED_TRACE(c.name);
  const std::vector<float> x = quarters(size_t(c.inH) * c.inW * c.inC, seed);
  const std::vector<float> w = quarters(size_t(c.outC) * c.groupIn() * c.kH * c.kW, seed + 1);
  const std::vector<double> ref = referenceConv(c, x, w);
  const std::vector<float> y = runConv(c, x, w);
  ASSERT_EQ(y.size(), ref.size());
  for (size_t i = 0; i < y.size(); ++i)
    EXPECT_EQ(y[i], static_cast<float>(ref[i]))
        << "pixel " << i / c.outC << " (of " << c.outH() << " x " << c.outW() << ") channel " << i % c.outC;
}

} // namespace

//                                    inH inW inC outC kH kW  sH sW dH dW  pT pL pB pR
TEST(SimWindowTest, Stride2AsymmetricPadding) { expectConv({"stride 2", 7, 8, 3, 4, 3, 3, 2, 2, 1, 1, 1, 0, 2, 1}, 1); }

TEST(SimWindowTest, Dilation2) { expectConv({"dilation 2", 9, 9, 2, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2}, 3); }

TEST(SimWindowTest, HeightAndWidthDiffer) {
  // Every parameter differs between the two axes: a swapped pair shows.
  expectConv({"mixed", 6, 7, 3, 18, 2, 3, 1, 2, 2, 1, 0, 1, 1, 0}, 5); // 18 outputs: two tile rows
}

TEST(SimWindowTest, GroupedAndDepthwise) {
  // WIN_C < IN_C: each group's window starts at its first channel.
  expectConv({"2 groups", 5, 5, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2}, 7);
  expectConv({"depthwise", 5, 6, 3, 3, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 3}, 9);
}

TEST(SimWindowTest, OneDimensional) {
  // IN_H = 1, K_H = 1; with a ReLU epilogue on the MFU.
  Conv c{"1-D", 1, 10, 2, 3, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1};
  c.relu = true;
  expectConv(c, 11);
}

TEST(SimWindowTest, GatherIsKhKwCOrderZeroFilled) {
  // The window written out unchanged: pixel p's K_H x K_W x WIN_C elements,
  // then zeros to COLS x N lanes. IN 3 x 4 x 3, WIN_C 2 from channel 1, K 2 x 2,
  // pad 1: pixel 0 = output (0, 0) has only its tap (1, 1) inside the map.
  const Conv c{"gather", 3, 4, 3, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0};
  const std::vector<float> x = quarters(3 * 4 * 3, 13);
  const uint32_t lanes = 2 * N, yAt = 64;
  artifact::Artifact a = emptyArtifact(tinyTarget(true), yAt + c.pixels() * lanes);
  addDramInit(a, 0, x);
  Program p;
  setWindow(p, c);
  p.swr(SReg::WinC, 2);
  p.swr(SReg::Cols, 2);
  p.swr(SReg::WrStep, lanes);
  p.loop(c.pixels());
  windowRead(p, 1);
  p.vwrIter(MemSpace::Dram, yAt);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  auto s = makeSim(a);
  ASSERT_TRUE(s);
  std::string err;
  ASSERT_TRUE(s->run(err)) << err;
  const std::vector<float> y = readDram(*s, yAt, c.pixels() * lanes);
  for (uint32_t px = 0; px < c.pixels(); ++px) {
    const int64_t oh = px / c.outW(), ow = px % c.outW();
    std::vector<float> expected(lanes, 0.0f);
    for (int64_t kh = 0; kh < 2; ++kh)
      for (int64_t kw = 0; kw < 2; ++kw)
        for (int64_t ch = 0; ch < 2; ++ch) {
          const int64_t ih = oh + kh - 1, iw = ow + kw - 1;
          if (ih >= 0 && ih < 3 && iw >= 0 && iw < 4)
            expected[(kh * 2 + kw) * 2 + ch] = x[(ih * 4 + iw) * 3 + 1 + ch];
        }
    for (uint32_t j = 0; j < lanes; ++j)
      EXPECT_EQ(y[px * lanes + j], expected[j]) << "pixel " << px << " lane " << j;
  }
}

TEST(SimWindowTest, IterPicksThePixelAndNeverStepsTheAddress) {
  // A 3 x 1 x 1 map read by a 1 x 1 kernel: pixel p is element p. RD_STEP
  // 50 would move a stepped address out of DRAM.
  for (bool iter : {true, false}) {
    SCOPED_TRACE(iter ? "window, iter" : "window");
    Program p;
    p.swr(SReg::InH, 3);
    p.swr(SReg::RdStep, 50);
    p.swr(SReg::WrLen, 1);
    p.swr(SReg::WrStep, 1);
    p.loop(3);
    p.insts.push_back(
        makeInst(Opcode::VRd, MemSpace::Dram, 4, 0, static_cast<uint8_t>(isa::kVWindow | (iter ? isa::kVIter : 0))));
    p.vwrIter(MemSpace::Dram, 20);
    p.end();
    p.endLoop();
    artifact::Artifact a = emptyArtifact(tinyTarget(true), 40);
    addDramInit(a, 4, {1.5f, 2.5f, 3.5f});
    setProgram(a, p.insts);
    auto s = makeSim(a);
    ASSERT_TRUE(s);
    std::string err;
    ASSERT_TRUE(s->run(err)) << err;
    const std::vector<float> expected = iter ? std::vector<float>{1.5f, 2.5f, 3.5f} : std::vector<float>(3, 1.5f);
    EXPECT_EQ(readDram(*s, 20, 3), expected);
  }
}

TEST(SimWindowTest, ErrorsNameTheInstruction) {
  auto program = [](uint32_t inH, uint32_t inC, uint32_t winC, uint32_t kH, uint32_t a) {
    Program p;
    p.swr(SReg::InH, inH);
    p.swr(SReg::InW, 5);
    p.swr(SReg::InC, inC);
    p.swr(SReg::WinC, winC);
    p.swr(SReg::KH, kH);
    p.swr(SReg::OutW, 5);
    p.loop(2);
    windowRead(p, a);
    p.vwrIter(MemSpace::Dram, 0);
    p.end();
    p.endLoop();
    return p;
  };
  // DRAM has 100 elements; a 5 x 5 x 4 map at 10 reaches 10 + 24 x 4 + 1 - 1 = 106.
  expectRunError(program(5, 4, 1, 1, 10),
                 {"instruction 7 (v_rd DRAM, 10, window, iter) of node 'fc1'",
                  "window: the 5 x 5 x 4 feature map at DRAM 10 (WIN_C 1) reaches element 106, DRAM has 100 elements"});
  expectRunError(program(5, 4, 1, 0, 0), {"instruction 7", "window: K_H is 0"});
  expectRunError(program(5, 4, 5, 1, 0), {"instruction 7", "window: WIN_C 5 exceeds IN_C 4"});
  expectRunError(program(5, 4, 4, 5, 0), {"instruction 7", "5 x 1 x 4 elements exceed COLS x N = 16"});
}

namespace {

/// Runs `loop pixels { v_rd DRAM, 0, window, iter, pool; v_wr DRAM, y, iter }`
/// over x (NHWC) with the window of `c` (WIN_C = IN_C) and returns y (NHWC).
std::vector<float> runPool(const Conv &c, const std::vector<float> &x, uint8_t pool) {
  const uint32_t yAt = static_cast<uint32_t>(x.size());
  artifact::Artifact a = emptyArtifact(tinyTarget(true), yAt + uint64_t{c.pixels()} * c.inC);
  addDramInit(a, 0, x);
  Program p;
  setWindow(p, c);
  p.swr(SReg::Cols, (c.inC + N - 1) / N);
  p.swr(SReg::WrLen, c.inC);
  p.swr(SReg::WrStep, c.inC);
  p.loop(c.pixels());
  p.insts.push_back(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, isa::kVWindow | isa::kVIter | pool));
  p.vwrIter(MemSpace::Dram, yAt);
  p.end();
  p.endLoop();
  setProgram(a, p.insts);
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
  auto s = makeSim(a);
  if (!s)
    return {};
  EXPECT_TRUE(s->run(err)) << err;
  return readDram(*s, yAt, size_t(c.pixels()) * c.inC);
}

} // namespace

TEST(SimWindowTest, PooledReadsCombineTapsChannelByChannel) {
  // 20 channels (two native vectors), 3 x 3 kernel, stride 2, dilation 1,
  // padding on every side: border pixels have padding taps, which max skips,
  // the sum leaves out and the mean does not count (4, 6 or 9 taps). Quarters:
  // every sum is exact in fp32, so the mean is that sum divided once.
  const Conv c{"pool", 5, 6, 20, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1};
  const std::vector<float> x = quarters(size_t(c.inH) * c.inW * c.inC, 17);
  const std::vector<float> mx = runPool(c, x, isa::kVPoolMax), sum = runPool(c, x, isa::kVPoolSum);
  const std::vector<float> mean = runPool(c, x, isa::kVPoolMean);
  ASSERT_EQ(mx.size(), size_t(c.pixels()) * c.inC);
  ASSERT_EQ(sum.size(), mx.size());
  ASSERT_EQ(mean.size(), mx.size());
  for (uint32_t oh = 0; oh < c.outH(); ++oh)
    for (uint32_t ow = 0; ow < c.outW(); ++ow)
      for (uint32_t ch = 0; ch < c.inC; ++ch) {
        float m = -std::numeric_limits<float>::infinity();
        double s = 0.0;
        int inside = 0;
        for (uint32_t kh = 0; kh < c.kH; ++kh)
          for (uint32_t kw = 0; kw < c.kW; ++kw) {
            const int64_t ih = int64_t(oh) * c.strideH + kh - c.padT, iw = int64_t(ow) * c.strideW + kw - c.padL;
            if (ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW)
              continue;
            const float v = x[(size_t(ih) * c.inW + size_t(iw)) * c.inC + ch];
            m = std::max(m, v);
            s += v;
            ++inside;
          }
        const size_t at = (size_t(oh) * c.outW() + ow) * c.inC + ch;
        EXPECT_EQ(mx[at], m) << "max, pixel (" << oh << ", " << ow << ") channel " << ch;
        EXPECT_EQ(sum[at], static_cast<float>(s)) << "sum, pixel (" << oh << ", " << ow << ") channel " << ch;
        EXPECT_EQ(mean[at], static_cast<float>(s) / static_cast<float>(inside))
            << "mean, pixel (" << oh << ", " << ow << ") channel " << ch;
      }
}

TEST(SimWindowTest, PooledMaxOfAWindowWithANaNIsNaN) {
  // As ONNX's MaxPool: a NaN tap makes its window's max NaN (channel 3 of
  // input pixel (2, 2) lies in the window of output pixel (1, 1) only);
  // the other channels and windows are untouched.
  const Conv c{"pool", 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1};
  std::vector<float> x = quarters(size_t(c.inH) * c.inW * c.inC, 23);
  const std::vector<float> clean = runPool(c, x, isa::kVPoolMax);
  x[(2 * c.inW + 2) * c.inC + 3] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> mx = runPool(c, x, isa::kVPoolMax);
  ASSERT_EQ(mx.size(), clean.size());
  for (uint32_t oh = 0; oh < c.outH(); ++oh)
    for (uint32_t ow = 0; ow < c.outW(); ++ow)
      for (uint32_t ch = 0; ch < c.inC; ++ch) {
        const size_t at = (size_t(oh) * c.outW() + ow) * c.inC + ch;
        // Output (oh, ow) covers input rows 2 oh - 1 .. 2 oh + 1.
        const bool covers = ch == 3 && oh * 2 + 1 >= 2 && oh * 2 <= 3 && ow * 2 + 1 >= 2 && ow * 2 <= 3;
        if (covers)
          EXPECT_TRUE(std::isnan(mx[at])) << "pixel (" << oh << ", " << ow << ")";
        else
          EXPECT_EQ(mx[at], clean[at]) << "pixel (" << oh << ", " << ow << ") channel " << ch;
      }
}

TEST(SimWindowTest, PooledReadNeedsOnlyWinCLanes) {
  // K_H x K_W x WIN_C = 4 x 4 x 12 would not fit COLS x N = 16 lanes; the
  // pooled WIN_C = 12 does (a global pool over a 4 x 4 map).
  const Conv c{"global", 4, 4, 12, 12, 4, 4, 1, 1, 1, 1, 0, 0, 0, 0};
  const std::vector<float> x = quarters(size_t(4) * 4 * 12, 19);
  const std::vector<float> y = runPool(c, x, isa::kVPoolMax);
  ASSERT_EQ(y.size(), 12u);
  for (uint32_t ch = 0; ch < 12; ++ch) {
    float m = -std::numeric_limits<float>::infinity();
    for (uint32_t i = 0; i < 16; ++i)
      m = std::max(m, x[i * 12 + ch]);
    EXPECT_EQ(y[ch], m) << "channel " << ch;
  }
}
