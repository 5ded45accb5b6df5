//===- WindowTest.cpp - The window flag of v_rd and its geometry ----------===//
//
// Encoding, decoding, disassembly and chain planning of windowed reads, and
// isa::Window (tap offsets, register checks) against examples worked out by
// hand from docs/isa.md "Window reads".
//
//===----------------------------------------------------------------------===//
#include "softnpu/isa/Window.h"
#include "common/TestArtifacts.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

using namespace softnpu::isa;
using softnpu::testing::makeInst;

namespace {

uint64_t word(uint8_t op, unsigned mem, unsigned flags, uint32_t a) {
  return uint64_t(op) | (uint64_t(mem) << 8) | (uint64_t(flags) << 12) | (uint64_t(a) << 16);
}

/// The error of decoding `w` (and a test failure when it decodes).
std::string decodeError(uint64_t w) {
  std::string err;
  EXPECT_FALSE(decode(w, &err).has_value()) << std::hex << w;
  return err;
}

/// The offsets forEachTap reports for pixel p, in call order, checking the
/// tap numbers count up from 0.
std::vector<int64_t> tapOffsets(const Window &w, uint64_t p) {
  std::vector<int64_t> out;
  w.forEachTap(p, [&](uint64_t tap, int64_t offset) {
    EXPECT_EQ(tap, out.size());
    out.push_back(offset);
  });
  return out;
}

/// IN 4 x 5 x 3, WIN_C 2, K 2 x 3, stride (2, 1), dilation (1, 2), pad top 1
/// and left 2, 4 output columns.
Window example() {
  // inH, inW, inC, winC, kH, kW, strideH, strideW, dilH, dilW, padT, padL, outW
  return Window{4, 5, 3, 2, 2, 3, 2, 1, 1, 2, 1, 2, 4};
}

} // namespace

TEST(IsaWindow, RegistersFollowTheOlderOnesWithNeutralResets) {
  // Appended after WR_STEP (10), so older encodings keep their meaning.
  // UP_H / UP_W (transposed convolutions) came after OUT_W, the same way.
  const SReg regs[] = {SReg::InH,  SReg::InW,     SReg::InC,     SReg::WinC, SReg::KH,
                       SReg::KW,   SReg::StrideH, SReg::StrideW, SReg::DilH, SReg::DilW,
                       SReg::PadT, SReg::PadL,    SReg::OutW,    SReg::UpH,  SReg::UpW};
  const char *names[] = {"IN_H",  "IN_W",  "IN_C",  "WIN_C", "K_H",   "K_W",  "STRIDE_H", "STRIDE_W",
                         "DIL_H", "DIL_W", "PAD_T", "PAD_L", "OUT_W", "UP_H", "UP_W"};
  for (unsigned k = 0; k < 15; ++k) {
    EXPECT_EQ(static_cast<unsigned>(regs[k]), 11 + k) << names[k];
    EXPECT_STREQ(sregName(regs[k]), names[k]);
    EXPECT_EQ(sregReset(regs[k]), regs[k] == SReg::PadT || regs[k] == SReg::PadL ? 0u : 1u) << names[k];
  }
  // OP_STEP (an iter point-wise operand's step), RD_PITCH (rows of a DRAM
  // read) and PIX_BASE (the first pixel of a windowed read) came last, all
  // reset 0: reads and pixels as before.
  EXPECT_EQ(static_cast<unsigned>(SReg::OpStep), 26u);
  EXPECT_EQ(static_cast<unsigned>(SReg::RdPitch), 27u);
  EXPECT_EQ(static_cast<unsigned>(SReg::PixBase), 28u);
  for (SReg r : {SReg::OpStep, SReg::RdPitch, SReg::PixBase})
    EXPECT_EQ(sregReset(r), 0u) << sregName(r);
  EXPECT_EQ(kNumSRegs, 29u);
  // The reset registers describe a valid window: one element at a.
  const Window reset = Window::fromRegisters([](SReg r) { return sregReset(r); });
  EXPECT_FALSE(reset.check(0, 16, 1).has_value());
  EXPECT_EQ(tapOffsets(reset, 0), (std::vector<int64_t>{0}));
}

TEST(IsaWindow, FromRegistersReadsEachRegister) {
  std::array<uint32_t, kNumSRegs> regs{};
  for (unsigned r = 0; r < kNumSRegs; ++r)
    regs[r] = 100 + r;
  const Window w = Window::fromRegisters([&](SReg r) { return regs[static_cast<unsigned>(r)]; });
  const uint32_t got[] = {w.inH,  w.inW,  w.inC,  w.winC, w.kH,   w.kW,  w.strideH, w.strideW,
                          w.dilH, w.dilW, w.padT, w.padL, w.outW, w.upH, w.upW};
  for (unsigned k = 0; k < 15; ++k)
    EXPECT_EQ(got[k], 111 + k) << k;
}

TEST(IsaWindow, DecodeAcceptsWindowOnDramReadsOnly) {
  for (unsigned flags : {unsigned{kVWindow}, unsigned{kVWindow | kVIter}}) {
    std::string err;
    auto in = decode(word(0x01, 1 /*DRAM*/, flags, 64), &err);
    ASSERT_TRUE(in.has_value()) << err;
    EXPECT_EQ(in->flags, flags);
    EXPECT_EQ(encode(*in), word(0x01, 1, flags, 64));
    for (unsigned mem : {2u /*IVRF*/, 3u /*ASVRF*/, 4u /*MULVRF*/}) {
      const std::string e = decodeError(word(0x01, mem, flags, 64));
      EXPECT_NE(e.find("v_rd: the window flag reads DRAM only"), std::string::npos) << e;
      EXPECT_NE(e.find(memSpaceName(static_cast<MemSpace>(mem))), std::string::npos) << e;
    }
    // Not a v_wr flag, whatever the memory.
    for (unsigned mem : {1u, 2u, 3u, 4u}) {
      const std::string e = decodeError(word(0x03, mem, flags, 64));
      EXPECT_NE(e.find("window and pool, are v_rd's"), std::string::npos) << e;
    }
  }
}

TEST(IsaWindow, PoolFlagsNeedTheWindow) {
  for (unsigned pool : {unsigned{kVPoolMax}, unsigned{kVPoolSum}, unsigned{kVPoolMean}}) {
    const std::optional<Inst> ok = decode(word(0x01, 1, kVWindow | kVIter | pool, 64));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->flags, kVWindow | kVIter | pool);
    std::string e = decodeError(word(0x01, 1, kVIter | pool, 64));
    EXPECT_NE(e.find("the pool flags need the window flag"), std::string::npos) << e;
    e = decodeError(word(0x03, 1, pool, 64));
    EXPECT_NE(e.find("are v_rd's"), std::string::npos) << e;
  }
}

TEST(IsaWindow, Disassembly) {
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, kVWindow | kVIter)), "v_rd DRAM, 0, window, iter");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 64, 0, kVWindow)), "v_rd DRAM, 64, window");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 8, 0, kVWindow | kVPoolMax | kVIter)),
            "v_rd DRAM, 8, window, pool max, iter");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 8, 0, kVWindow | kVPoolSum)),
            "v_rd DRAM, 8, window, pool sum");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 8, 0, kVWindow | kVPoolMean | kVIter)),
            "v_rd DRAM, 8, window, pool mean, iter");
}

TEST(IsaWindow, IterSelectsThePixelNotAStep) {
  EXPECT_TRUE(stepsAddress(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, kVIter)));
  EXPECT_TRUE(stepsAddress(makeInst(Opcode::VWr, MemSpace::Ivrf, 0, 0, kVIter)));
  EXPECT_FALSE(stepsAddress(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, kVWindow | kVIter)));
  EXPECT_FALSE(stepsAddress(makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, kVWindow)));
  EXPECT_FALSE(stepsAddress(makeInst(Opcode::VRd, MemSpace::Dram, 0)));
}

TEST(IsaWindow, AWindowMayFeedMvMulDirectly) {
  const std::vector<Inst> p = {
      makeInst(Opcode::Loop, MemSpace::None, 6),                      // 0
      makeInst(Opcode::VRd, MemSpace::Dram, 0, 0, kVWindow | kVIter), // 1
      makeInst(Opcode::MvMul, MemSpace::None, 0),                     // 2
      makeInst(Opcode::VRelu),                                        // 3
      makeInst(Opcode::VWr, MemSpace::Dram, 100, 0, kVIter),          // 4
      makeInst(Opcode::EndChain),                                     // 5
      makeInst(Opcode::EndLoop),                                      // 6
  };
  ProgramPlan plan;
  std::string err;
  ASSERT_TRUE(planProgram(p, 1, plan, err)) << err;
  ASSERT_EQ(plan.chains.size(), 1u);
  EXPECT_TRUE(plan.chains[0].hasMatVec);
  // The iter flag still needs a loop.
  const std::vector<Inst> q(p.begin() + 1, p.end() - 1);
  EXPECT_FALSE(planProgram(q, 1, plan, err));
  EXPECT_NE(err.find("the iter flag needs an enclosing loop"), std::string::npos) << err;
}

TEST(IsaWindow, TapOffsetsOfTheExample) {
  const Window w = example();
  // Pixel 5: output (1, 1); ih = 2 + kh - 1 = 1, 2; iw = 1 + 2 kw - 2 = -1, 1, 3.
  EXPECT_EQ(tapOffsets(w, 5), (std::vector<int64_t>{-1, (5 + 1) * 3, (5 + 3) * 3, -1, (10 + 1) * 3, (10 + 3) * 3}));
  // Pixel 0: output (0, 0); ih = -1, 0; iw = -2, 0, 2.
  EXPECT_EQ(tapOffsets(w, 0), (std::vector<int64_t>{-1, -1, -1, -1, 0, 2 * 3}));
  // Pixel 7: output (1, 3); iw = 1, 3, 5 (past IN_W = 5).
  EXPECT_EQ(tapOffsets(w, 7), (std::vector<int64_t>{18, 24, -1, 33, 39, -1}));
  // Pixel 12: output (3, 0); ih = 5, 6: below the map, every tap is padding.
  EXPECT_EQ(tapOffsets(w, 12), (std::vector<int64_t>(6, -1)));
  EXPECT_EQ(w.elements(), 12u);
  EXPECT_EQ(w.span(), (4u * 5u - 1u) * 3u + 2u);
}

TEST(IsaWindow, CoordinatesNeverOverflow) {
  const uint32_t big = 0xFFFFFFFFu;
  EXPECT_EQ(Window::coordinate(big, big, big, big, big, big), -1);
  EXPECT_EQ(Window::coordinate(big, big, 0, 1, 0, 1), -1);
  EXPECT_EQ(Window::coordinate(0, 1, big, big, big, 1), -1);
  // 2 x 3 + 1 x 2 - pad: row 0 with pad 8; row 1, past a map of 1 row, with pad 7.
  EXPECT_EQ(Window::coordinate(2, 3, 1, 2, 8, 1), 0);
  EXPECT_EQ(Window::coordinate(2, 3, 1, 2, 7, 1), -1);
  EXPECT_EQ(Window::coordinate(2, 3, 1, 2, 7, 2), 1);
  // The last row of the largest map, and one past it.
  EXPECT_EQ(Window::coordinate(big, 1, 0, 1, 1, big), int64_t{big} - 1);
  EXPECT_EQ(Window::coordinate(big, 1, 1, 1, 1, big), -1);
  EXPECT_EQ(Window::coordinate(0, 1, 0, 1, 1, 5), -1); // the padding row -1
  EXPECT_EQ(Window::coordinate(0, 1, 1, 1, 1, 5), 0);
  // Upsampled by 2 (a stride-2 transposed convolution): 5 rows read as 9,
  // row i at 2i, the odd positions zeros; pad 2 puts output row 0 at -2.
  EXPECT_EQ(Window::coordinate(0, 1, 2, 1, 2, 5, 2), 0);
  EXPECT_EQ(Window::coordinate(1, 1, 2, 1, 2, 5, 2), -1);             // position 1: an inserted zero
  EXPECT_EQ(Window::coordinate(4, 1, 2, 1, 2, 5, 2), 2);              // position 4: row 2
  EXPECT_EQ(Window::coordinate(10, 1, 0, 1, 2, 5, 2), 4);             // position 8: the last row
  EXPECT_EQ(Window::coordinate(10, 1, 1, 1, 2, 5, 2), -1);            // position 9: past it
  EXPECT_EQ(Window::coordinate(big, big, big, big, 0, big, big), -1); // no overflow
}

TEST(IsaWindow, ChecksNameTheRegister) {
  const Window ok = example();
  EXPECT_FALSE(ok.check(0, 16, ok.span()).has_value());
  const std::pair<uint32_t Window::*, const char *> positive[] = {
      {&Window::inH, "IN_H"},         {&Window::inW, "IN_W"},         {&Window::inC, "IN_C"},
      {&Window::winC, "WIN_C"},       {&Window::kH, "K_H"},           {&Window::kW, "K_W"},
      {&Window::strideH, "STRIDE_H"}, {&Window::strideW, "STRIDE_W"}, {&Window::dilH, "DIL_H"},
      {&Window::dilW, "DIL_W"},       {&Window::outW, "OUT_W"}};
  for (const auto &[field, name] : positive) {
    Window w = ok;
    w.*field = 0;
    auto why = w.check(0, 1000, 1000);
    ASSERT_TRUE(why.has_value()) << name;
    EXPECT_EQ(*why, std::string("window: ") + name + " is 0");
  }
  Window zeroPads = ok;
  zeroPads.padT = zeroPads.padL = 0;
  EXPECT_FALSE(zeroPads.check(0, 16, 1000).has_value());

  Window wide = ok;
  wide.winC = 4;
  EXPECT_EQ(wide.check(0, 1000, 1000).value_or(""), "window: WIN_C 4 exceeds IN_C 3");
  EXPECT_EQ(ok.check(0, 11, 1000).value_or(""), "window: K_H x K_W x WIN_C = 2 x 3 x 2 elements exceed COLS x N = 11");
  // The map spans (4 x 5 - 1) x 3 + 2 = 59 elements: from 41 it reaches 99.
  EXPECT_FALSE(ok.check(41, 16, 100).has_value());
  EXPECT_EQ(ok.check(42, 16, 100).value_or(""),
            "window: the 4 x 5 x 3 feature map at DRAM 42 (WIN_C 2) reaches element 100, DRAM has 100 elements");
  Window huge = ok;
  huge.inH = huge.inW = huge.inC = 0xFFFFFFFFu;
  huge.winC = 1;
  auto why = huge.check(0, 16, 100);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("reaches element 2^64 or beyond"), std::string::npos) << *why;
}
