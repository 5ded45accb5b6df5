//===- IsaTest.cpp - Tests of the ISA encoder, decoder and chain planner --===//
//
// Expected values come from the documented bit layout (Isa.h) and the
// documented placement rule (add/sub/min/max -> multiply -> activation per MFU,
// greedy), worked out by hand; never from the code under test.
//
//===----------------------------------------------------------------------===//
#include "softnpu/isa/Isa.h"
#include "common/TestArtifacts.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace softnpu::isa;
using softnpu::testing::makeInst;
using softnpu::testing::scalarWrite;

namespace {

/// The layout documented in Isa.h, written out independently of encode().
uint64_t documentedWord(uint8_t op, unsigned mem, unsigned flags, uint32_t a, uint16_t b) {
  return uint64_t(op) | (uint64_t(mem) << 8) | (uint64_t(flags) << 12) | (uint64_t(a) << 16) | (uint64_t(b) << 48);
}

} // namespace

//===----------------------------------------------------------------------===//
// Table and names
//===----------------------------------------------------------------------===//

TEST(IsaTable, LookupsAgreeWithTable) {
  ASSERT_FALSE(instTable().empty());
  for (const InstInfo &info : instTable()) {
    EXPECT_EQ(lookup(static_cast<uint8_t>(info.opcode)), &info) << info.mnemonic;
    EXPECT_EQ(lookup(std::string_view(info.mnemonic)), &info) << info.mnemonic;
  }
  EXPECT_EQ(lookup(uint8_t(0x00)), nullptr);
  EXPECT_EQ(lookup(std::string_view("no_such_op")), nullptr);
}

TEST(IsaTable, OpcodesAndMnemonicsAreUnique) {
  const auto &t = instTable();
  for (size_t i = 0; i < t.size(); ++i)
    for (size_t j = i + 1; j < t.size(); ++j) {
      EXPECT_NE(t[i].opcode, t[j].opcode) << t[i].mnemonic << " vs " << t[j].mnemonic;
      EXPECT_NE(std::string(t[i].mnemonic), std::string(t[j].mnemonic));
    }
}

TEST(IsaTable, MemSpaceAndRegisterNamesRoundTrip) {
  for (unsigned m = 0; m < kNumMemSpaces; ++m) {
    auto back = memSpaceFromName(memSpaceName(static_cast<MemSpace>(m)));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(static_cast<unsigned>(*back), m);
  }
  EXPECT_FALSE(memSpaceFromName("SRAM").has_value());
  for (unsigned r = 0; r < kNumSRegs; ++r) {
    auto back = sregFromName(sregName(static_cast<SReg>(r)));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(static_cast<unsigned>(*back), r);
  }
  EXPECT_FALSE(sregFromName("PC").has_value());
  EXPECT_EQ(sregReset(SReg::Rows), 1u);
  EXPECT_EQ(sregReset(SReg::RdStride), 1u);
  EXPECT_EQ(sregReset(SReg::WrLen), 0u);
}

//===----------------------------------------------------------------------===//
// Encoding and decoding
//===----------------------------------------------------------------------===//

TEST(IsaEncoding, EveryInstructionRoundTripsWithExtremeFields) {
  const std::vector<uint32_t> as = {0u, 1u, 12345u, 0x7FFFFFFFu, 0xFFFFFFFFu};
  const std::vector<uint16_t> bs = {0, 1, 0x1234, 0xFFFF};
  size_t checked = 0;
  for (const InstInfo &info : instTable()) {
    std::vector<MemSpace> mems;
    if (info.fields & F_MEM) {
      for (unsigned m = 0; m < kNumMemSpaces; ++m)
        if (info.memories & memBit(static_cast<MemSpace>(m)))
          mems.push_back(static_cast<MemSpace>(m));
      ASSERT_FALSE(mems.empty()) << info.mnemonic << " has a mem field but no memory allowed";
    } else {
      mems.push_back(MemSpace::None);
    }
    std::vector<uint32_t> aVals = (info.fields & F_A) ? as : std::vector<uint32_t>{0};
    std::vector<uint16_t> bVals;
    if (info.opcode == Opcode::SWr) {
      for (unsigned r = 0; r < kNumSRegs; ++r)
        bVals.push_back(static_cast<uint16_t>(r));
    } else {
      bVals = (info.fields & F_B) ? bs : std::vector<uint16_t>{0};
    }
    // m_rd defines transpose and stream (not both together), v_rd, v_wr and
    // the point-wise ops with an operand the iter bit, v_rd also window (of
    // DRAM only); every other value is rejected (below).
    std::vector<uint8_t> flagVals = {0};
    if (info.fields & F_FLAGS) {
      if (info.opcode == Opcode::MRd)
        flagVals = {0, kMRdTranspose, kMRdStream};
      else if (info.opcode == Opcode::VRd)
        flagVals = {0, kVIter, kVWindow, kVWindow | kVIter, kVWindow | kVPoolMax, kVWindow | kVIter | kVPoolSum};
      else if (info.opcode == Opcode::VWr || info.kind == Kind::MfuAddSub || info.kind == Kind::MfuMul)
        flagVals = {0, kVIter};
      else
        FAIL() << info.mnemonic << " has flags; list its defined values here";
    }

    for (MemSpace m : mems)
      for (uint32_t a : aVals)
        for (uint16_t b : bVals)
          for (uint8_t f : flagVals) {
            if ((f & kVWindow) && m != MemSpace::Dram)
              continue;
            Inst in = makeInst(info.opcode, m, a, b, f);
            uint64_t w = encode(in);
            EXPECT_EQ(w, documentedWord(static_cast<uint8_t>(info.opcode), static_cast<unsigned>(m), f, a, b))
                << info.mnemonic;
            std::string err;
            auto out = decode(w, &err);
            ASSERT_TRUE(out.has_value()) << info.mnemonic << ": " << err;
            EXPECT_EQ(*out, in) << info.mnemonic << " a=" << a << " b=" << b;
            ++checked;
          }
  }
  EXPECT_GT(checked, instTable().size());
}

TEST(IsaDecoding, RejectsUnknownOpcodes) {
  for (unsigned op = 0; op < 256; ++op) {
    if (lookup(static_cast<uint8_t>(op)))
      continue;
    std::string err;
    EXPECT_FALSE(decode(documentedWord(static_cast<uint8_t>(op), 0, 0, 0, 0), &err).has_value()) << op;
    EXPECT_NE(err.find("unknown opcode"), std::string::npos) << err;
  }
  // The null error pointer is allowed.
  EXPECT_FALSE(decode(0).has_value());
}

TEST(IsaDecoding, RejectsDisallowedMemorySpaces) {
  for (const InstInfo &info : instTable()) {
    if (!(info.fields & F_MEM))
      continue;
    for (unsigned m = 0; m < 16; ++m) {
      bool allowed = m < kNumMemSpaces && (info.memories & memBit(static_cast<MemSpace>(m)));
      std::string err;
      auto r = decode(documentedWord(static_cast<uint8_t>(info.opcode), m, 0, 7, 0), &err);
      EXPECT_EQ(r.has_value(), allowed) << info.mnemonic << " mem " << m << ": " << err;
    }
  }
  // Concretely: neither v_rd nor v_wr may name the MRF or no memory at all.
  std::string err;
  EXPECT_FALSE(decode(documentedWord(0x01, 5, 0, 0, 0), &err).has_value());
  EXPECT_NE(err.find("v_rd"), std::string::npos) << err;
  EXPECT_FALSE(decode(documentedWord(0x03, 0, 0, 0, 0), &err).has_value());
}

TEST(IsaDecoding, RejectsNonZeroUnusedFields) {
  for (const InstInfo &info : instTable()) {
    uint8_t op = static_cast<uint8_t>(info.opcode);
    unsigned validMem = 0;
    if (info.fields & F_MEM)
      for (unsigned m = 0; m < kNumMemSpaces; ++m)
        if (info.memories & memBit(static_cast<MemSpace>(m))) {
          validMem = m;
          break;
        }
    ASSERT_TRUE(decode(documentedWord(op, validMem, 0, 0, 0)).has_value()) << info.mnemonic;
    if (!(info.fields & F_MEM))
      EXPECT_FALSE(decode(documentedWord(op, 1, 0, 0, 0)).has_value()) << info.mnemonic;
    if (!(info.fields & F_FLAGS))
      EXPECT_FALSE(decode(documentedWord(op, validMem, 8, 0, 0)).has_value()) << info.mnemonic;
    if (!(info.fields & F_A)) {
      EXPECT_FALSE(decode(documentedWord(op, validMem, 0, 1, 0)).has_value()) << info.mnemonic;
      EXPECT_FALSE(decode(documentedWord(op, validMem, 0, 0x80000000u, 0)).has_value()) << info.mnemonic;
    }
    if (!(info.fields & F_B))
      EXPECT_FALSE(decode(documentedWord(op, validMem, 0, 0, 0x8000)).has_value()) << info.mnemonic;
  }
  std::string err;
  EXPECT_FALSE(decode(documentedWord(0x20 /*v_relu*/, 0, 0, 3, 0), &err).has_value());
  EXPECT_NE(err.find("v_relu"), std::string::npos) << err;
}

TEST(IsaDecoding, MRdFlagsAreTransposeOrStream) {
  EXPECT_EQ(kMRdTranspose, 1u); // bit 0, docs/isa.md
  EXPECT_EQ(kMRdStream, 2u);    // bit 1
  std::string err;
  auto stream = decode(documentedWord(0x30, 0, 2, 3, 12), &err);
  ASSERT_TRUE(stream.has_value()) << err;
  EXPECT_EQ(stream->flags, kMRdStream);
  EXPECT_EQ(stream->a, 3u);
  EXPECT_EQ(stream->b, 12u);
  // Bits 2 and 3 are undefined, alone or with a defined bit.
  for (unsigned f = 4; f < 16; ++f) {
    err.clear();
    EXPECT_FALSE(decode(documentedWord(0x30, 0, f, 3, 12), &err).has_value()) << f;
    EXPECT_NE(err.find("undefined flag"), std::string::npos) << f << ": " << err;
  }
  // Stream of a packed matrix cannot be transposed.
  err.clear();
  EXPECT_FALSE(decode(documentedWord(0x30, 0, 3, 3, 12), &err).has_value());
  EXPECT_NE(err.find("stream and transpose"), std::string::npos) << err;
}

TEST(IsaDecoding, VRdVWrFlagsAreIterAndWindow) {
  EXPECT_EQ(kVIter, 1u);   // bit 0, docs/isa.md
  EXPECT_EQ(kVWindow, 2u); // bit 1, v_rd only
  for (uint8_t op : {uint8_t{0x01} /*v_rd*/, uint8_t{0x03} /*v_wr*/}) {
    std::string err;
    auto iter = decode(documentedWord(op, 1 /*DRAM*/, 1, 128, 0), &err);
    ASSERT_TRUE(iter.has_value()) << err;
    EXPECT_EQ(iter->flags, kVIter);
    EXPECT_EQ(iter->a, 128u);
    // Bits 2-3: v_rd's pool flags, which need the window bit (the window
    // cases: WindowTest.cpp); undefined for v_wr, alone or with bit 0.
    for (unsigned f = 4; f < 16; ++f) {
      if (op == 0x01 && (f & kVWindow))
        continue;
      err.clear();
      EXPECT_FALSE(decode(documentedWord(op, 1, f, 128, 0), &err).has_value()) << f;
      EXPECT_NE(err.find(op == 0x01 ? "need the window flag" : "undefined flag"), std::string::npos)
          << f << ": " << err;
    }
  }
}

TEST(IsaDecoding, PointWiseOpFlagsAreIter) {
  // vv_add .. vv_min: bit 0 steps the operand address by OP_STEP (shown
  // ", iter"); bits 1-3 are undefined. Activations have no flags.
  for (const InstInfo &info : instTable()) {
    if (info.kind != Kind::MfuAddSub && info.kind != Kind::MfuMul)
      continue;
    const uint8_t op = static_cast<uint8_t>(info.opcode);
    std::string err;
    auto iter = decode(documentedWord(op, 0, 1, 6, 0), &err);
    ASSERT_TRUE(iter.has_value()) << info.mnemonic << ": " << err;
    EXPECT_EQ(iter->flags, kVIter);
    EXPECT_EQ(disassemble(*iter), std::string(info.mnemonic) + " 6, iter");
    for (unsigned f = 2; f < 16; ++f) {
      err.clear();
      EXPECT_FALSE(decode(documentedWord(op, 0, f, 6, 0), &err).has_value()) << info.mnemonic << " " << f;
      EXPECT_NE(err.find("undefined flag"), std::string::npos) << err;
    }
  }
  EXPECT_FALSE(decode(documentedWord(0x20 /*v_relu*/, 0, 1, 0, 0)).has_value());
  EXPECT_EQ(disassemble(scalarWrite(SReg::OpStep, static_cast<uint32_t>(-3))), "s_wr OP_STEP, -3");
}

TEST(IsaDecoding, LoopInstructions) {
  std::string err;
  auto loop = decode(documentedWord(0x32, 0, 0, 25, 0), &err);
  ASSERT_TRUE(loop.has_value()) << err;
  EXPECT_EQ(loop->op, Opcode::Loop);
  EXPECT_EQ(loop->a, 25u);
  auto endLoop = decode(documentedWord(0x33, 0, 0, 0, 0), &err);
  ASSERT_TRUE(endLoop.has_value()) << err;
  EXPECT_EQ(endLoop->op, Opcode::EndLoop);
  // loop has only a; end_loop has no field at all.
  EXPECT_FALSE(decode(documentedWord(0x32, 0, 0, 25, 1)).has_value());
  EXPECT_FALSE(decode(documentedWord(0x32, 0, 1, 25, 0)).has_value());
  EXPECT_FALSE(decode(documentedWord(0x33, 0, 0, 1, 0)).has_value());
  // The new registers come after MFMT, so older encodings keep their meaning.
  EXPECT_EQ(static_cast<unsigned>(SReg::MFmt), 7u);
  EXPECT_EQ(static_cast<unsigned>(SReg::MatPitch), 8u);
  EXPECT_EQ(static_cast<unsigned>(SReg::RdStep), 9u);
  EXPECT_EQ(static_cast<unsigned>(SReg::WrStep), 10u);
  EXPECT_EQ(sregReset(SReg::MatPitch), 0u);
  EXPECT_EQ(sregReset(SReg::RdStep), 0u);
}

TEST(IsaDecoding, RejectsUnknownScalarRegister) {
  std::string err;
  EXPECT_FALSE(decode(documentedWord(0x31, 0, 0, 5, kNumSRegs), &err).has_value());
  EXPECT_NE(err.find("scalar register"), std::string::npos) << err;
  EXPECT_TRUE(decode(documentedWord(0x31, 0, 0, 5, kNumSRegs - 1)).has_value());
}

//===----------------------------------------------------------------------===//
// Disassembly
//===----------------------------------------------------------------------===//

TEST(IsaDisassembly, Text) {
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 128)), "v_rd DRAM, 128");
  EXPECT_EQ(disassemble(scalarWrite(SReg::Cols, 2)), "s_wr COLS, 2");
  EXPECT_EQ(disassemble(scalarWrite(SReg::RdStride, 0)), "s_wr RD_STRIDE, 0");
  EXPECT_EQ(disassemble(makeInst(Opcode::MvMul, MemSpace::None, 7)), "mv_mul 7");
  EXPECT_EQ(disassemble(makeInst(Opcode::VvAdd, MemSpace::None, 3)), "vv_add 3");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRelu)), "v_relu");
  EXPECT_EQ(disassemble(makeInst(Opcode::EndChain)), "end_chain");
  EXPECT_EQ(disassemble(makeInst(Opcode::VWr, MemSpace::AsVrf, 4, 1)), "v_wr ASVRF, 4, mfu 1");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Ivrf, 0)), "v_rd IVRF, 0");
  EXPECT_EQ(disassemble(makeInst(Opcode::MRd, MemSpace::None, 100, 3)), "m_rd 100, tile 3");
  EXPECT_EQ(disassemble(makeInst(Opcode::MRd, MemSpace::None, 100, 3, kMRdTranspose)), "m_rd 100, tile 3, transpose");
  EXPECT_EQ(disassemble(makeInst(Opcode::MRd, MemSpace::None, 3, 12, kMRdStream)), "m_rd stream #3, tile 12");
}

TEST(IsaDisassembly, LoopsIterAndSignedSteps) {
  EXPECT_EQ(disassemble(makeInst(Opcode::Loop, MemSpace::None, 25)), "loop 25");
  EXPECT_EQ(disassemble(makeInst(Opcode::Loop, MemSpace::None, 0)), "loop 0");
  EXPECT_EQ(disassemble(makeInst(Opcode::EndLoop)), "end_loop");
  EXPECT_EQ(disassemble(makeInst(Opcode::VRd, MemSpace::Dram, 128, 0, kVIter)), "v_rd DRAM, 128, iter");
  EXPECT_EQ(disassemble(makeInst(Opcode::VWr, MemSpace::Ivrf, 2, 0, kVIter)), "v_wr IVRF, 2, iter");
  EXPECT_EQ(disassemble(makeInst(Opcode::VWr, MemSpace::AsVrf, 4, 1, kVIter)), "v_wr ASVRF, 4, mfu 1, iter");
  // The step registers are two's complement; the others stay unsigned.
  EXPECT_EQ(disassemble(scalarWrite(SReg::RdStep, static_cast<uint32_t>(-6))), "s_wr RD_STEP, -6");
  EXPECT_EQ(disassemble(scalarWrite(SReg::WrStep, 0x80000000u)), "s_wr WR_STEP, -2147483648");
  EXPECT_EQ(disassemble(scalarWrite(SReg::WrStep, 7)), "s_wr WR_STEP, 7");
  EXPECT_EQ(disassemble(scalarWrite(SReg::MatPitch, 0xFFFFFFFFu)), "s_wr MAT_PITCH, 4294967295");
}

TEST(IsaDisassembly, EveryMnemonicAppears) {
  for (const InstInfo &info : instTable()) {
    std::string text = disassemble(makeInst(info.opcode, (info.fields & F_MEM) ? MemSpace::Dram : MemSpace::None));
    EXPECT_EQ(text.rfind(info.mnemonic, 0), 0u) << text;
  }
}

//===----------------------------------------------------------------------===//
// Chain planning
//===----------------------------------------------------------------------===//

TEST(IsaPlan, MatVecChainWithBiasAndRelu) {
  std::vector<Inst> p = {
      scalarWrite(SReg::Rows, 2),                  // 0
      scalarWrite(SReg::Cols, 3),                  // 1
      makeInst(Opcode::VRd, MemSpace::Ivrf, 0),    // 2
      makeInst(Opcode::MvMul, MemSpace::None, 0),  // 3
      makeInst(Opcode::VvAdd, MemSpace::None, 5),  // 4
      makeInst(Opcode::VRelu),                     // 5
      makeInst(Opcode::VWr, MemSpace::Dram, 100),  // 6
      makeInst(Opcode::EndChain),                  // 7
      makeInst(Opcode::MRd, MemSpace::None, 0, 4), // 8
  };
  ProgramPlan plan;
  std::string err;
  ASSERT_TRUE(planProgram(p, 2, plan, err)) << err;
  ASSERT_EQ(plan.chains.size(), 1u);
  const ChainPlan &c = plan.chains[0];
  EXPECT_EQ(c.begin, 2u);
  EXPECT_EQ(c.end, 8u);
  EXPECT_TRUE(c.hasMatVec);
  EXPECT_EQ(c.mfusUsed, 1u);
  ASSERT_EQ(c.mfuOfOp.size(), c.end - c.begin);
  EXPECT_EQ(c.mfuOfOp[2], 0u); // vv_add
  EXPECT_EQ(c.mfuOfOp[3], 0u); // v_relu
}

TEST(IsaPlan, MfuOnlyChainAndSeveralWrites) {
  std::vector<Inst> p = {
      makeInst(Opcode::VRd, MemSpace::Dram, 10),     // 0
      makeInst(Opcode::VvMul, MemSpace::None, 1),    // 1
      makeInst(Opcode::VSigm),                       // 2
      makeInst(Opcode::VWr, MemSpace::Ivrf, 0),      // 3
      makeInst(Opcode::EndChain),                    // 4
      makeInst(Opcode::VRd, MemSpace::AsVrf, 2, 1),  // 5
      makeInst(Opcode::VTanh),                       // 6
      makeInst(Opcode::VWr, MemSpace::Dram, 40),     // 7
      makeInst(Opcode::VWr, MemSpace::Ivrf, 8),      // 8
      makeInst(Opcode::VWr, MemSpace::MulVrf, 0, 1), // 9
      makeInst(Opcode::EndChain),                    // 10
      makeInst(Opcode::VRd, MemSpace::Ivrf, 0),      // 11: no point-wise op at all
      makeInst(Opcode::VWr, MemSpace::Dram, 0),      // 12
      makeInst(Opcode::EndChain),                    // 13
  };
  ProgramPlan plan;
  std::string err;
  ASSERT_TRUE(planProgram(p, 2, plan, err)) << err;
  ASSERT_EQ(plan.chains.size(), 3u);
  EXPECT_FALSE(plan.chains[0].hasMatVec);
  EXPECT_EQ(plan.chains[0].begin, 0u);
  EXPECT_EQ(plan.chains[0].end, 5u);
  EXPECT_EQ(plan.chains[0].mfusUsed, 1u);
  EXPECT_EQ(plan.chains[1].begin, 5u);
  EXPECT_EQ(plan.chains[1].end, 11u);
  EXPECT_EQ(plan.chains[1].mfusUsed, 1u);
  EXPECT_EQ(plan.chains[2].mfusUsed, 0u);
  EXPECT_EQ(plan.chains[2].end, 14u);
}

TEST(IsaPlan, EmptyAndStandaloneOnlyPrograms) {
  ProgramPlan plan;
  std::string err;
  EXPECT_TRUE(planProgram({}, 2, plan, err)) << err;
  EXPECT_TRUE(plan.chains.empty());
  EXPECT_TRUE(planProgram({scalarWrite(SReg::MatH, 4), makeInst(Opcode::MRd, MemSpace::None, 0, 0, 1)}, 2, plan, err))
      << err;
  EXPECT_TRUE(plan.chains.empty());
}

TEST(IsaPlan, MfuPlacementFollowsStageOrder) {
  // add, mul, act fill MFU 0; the next add starts MFU 1; max (an add-stage op)
  // after tanh starts MFU 2; a multiply then joins MFU 2.
  std::vector<Inst> p = {
      makeInst(Opcode::VRd, MemSpace::Ivrf, 0), // 0
      makeInst(Opcode::MvMul),                  // 1
      makeInst(Opcode::VvAdd),                  // 2 -> 0
      makeInst(Opcode::VvMul),                  // 3 -> 0
      makeInst(Opcode::VRelu),                  // 4 -> 0
      makeInst(Opcode::VvASubB),                // 5 -> 1
      makeInst(Opcode::VTanh),                  // 6 -> 1 (skips the multiply stage)
      makeInst(Opcode::VvMax),                  // 7 -> 2
      makeInst(Opcode::VvMul),                  // 8 -> 2
      makeInst(Opcode::VWr, MemSpace::Dram, 0), // 9
      makeInst(Opcode::EndChain),               // 10
  };
  ProgramPlan plan;
  std::string err;
  ASSERT_TRUE(planProgram(p, 3, plan, err)) << err;
  ASSERT_EQ(plan.chains.size(), 1u);
  const auto &m = plan.chains[0].mfuOfOp;
  ASSERT_EQ(m.size(), p.size());
  std::vector<unsigned> expected = {0, 0, 0, 0, 0, 1, 1, 2, 2, 0, 0};
  for (size_t i = 2; i <= 8; ++i)
    EXPECT_EQ(m[i], expected[i]) << "instruction " << i;
  EXPECT_EQ(plan.chains[0].mfusUsed, 3u);

  // Going backwards in stage order always moves to the next MFU.
  std::vector<Inst> q = {
      makeInst(Opcode::VRd, MemSpace::Dram, 0), // 0
      makeInst(Opcode::VvMul),                  // 1 -> 0
      makeInst(Opcode::VvBSubA),                // 2 -> 1
      makeInst(Opcode::VPass),                  // 3 -> 1
      makeInst(Opcode::VSigm),                  // 4 -> 2
      makeInst(Opcode::VWr, MemSpace::Dram, 0), // 5
      makeInst(Opcode::EndChain),               // 6
  };
  ASSERT_TRUE(planProgram(q, 3, plan, err)) << err;
  EXPECT_EQ(plan.chains[0].mfuOfOp[1], 0u);
  EXPECT_EQ(plan.chains[0].mfuOfOp[2], 1u);
  EXPECT_EQ(plan.chains[0].mfuOfOp[3], 1u);
  EXPECT_EQ(plan.chains[0].mfuOfOp[4], 2u);
  EXPECT_EQ(plan.chains[0].mfusUsed, 3u);
  // The same chain does not fit two MFUs.
  EXPECT_FALSE(planProgram(q, 2, plan, err));
  EXPECT_NE(err.find("instruction 4"), std::string::npos) << err;
}

namespace {
/// Plans `p` on `mfus` MFUs, expecting failure; returns the error.
std::string planError(const std::vector<Inst> &p, unsigned mfus = 2) {
  ProgramPlan plan;
  std::string err;
  EXPECT_FALSE(planProgram(p, mfus, plan, err));
  EXPECT_FALSE(err.empty());
  return err;
}
} // namespace

TEST(IsaPlanRejects, ChainWithoutEndChain) {
  std::string e = planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VWr, MemSpace::Dram, 4)});
  EXPECT_NE(e.find("end_chain"), std::string::npos) << e;
  EXPECT_NE(e.find("instruction 0"), std::string::npos) << e;
}

TEST(IsaPlanRejects, ChainWithoutWrite) {
  std::string e =
      planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VRelu), makeInst(Opcode::EndChain)});
  EXPECT_NE(e.find("instruction 2"), std::string::npos) << e;
}

TEST(IsaPlanRejects, MvMulNotDirectlyAfterVRd) {
  std::string e = planError({makeInst(Opcode::VRd, MemSpace::Ivrf, 0), makeInst(Opcode::VvAdd), makeInst(Opcode::MvMul),
                             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  EXPECT_NE(e.find("instruction 2"), std::string::npos) << e;
  EXPECT_NE(e.find("mv_mul"), std::string::npos) << e;
  // Two mv_mul in one chain.
  planError({makeInst(Opcode::VRd, MemSpace::Ivrf, 0), makeInst(Opcode::MvMul), makeInst(Opcode::MvMul),
             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  // mv_mul outside any chain.
  planError({makeInst(Opcode::MvMul)});
}

// A window read may feed mv_mul (WindowTest.cpp); a plain DRAM read may not.
TEST(IsaPlanRejects, MvMulChainReadingDram) {
  for (MemSpace m : {MemSpace::Dram, MemSpace::AsVrf, MemSpace::MulVrf}) {
    std::string e = planError({makeInst(Opcode::VRd, m, 0), makeInst(Opcode::MvMul),
                               makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
    EXPECT_NE(e.find("IVRF"), std::string::npos) << e;
  }
}

TEST(IsaPlanRejects, TooManyMfus) {
  std::vector<Inst> p = {makeInst(Opcode::VRd, MemSpace::Dram, 0),
                         makeInst(Opcode::VvAdd),
                         makeInst(Opcode::VvMul),
                         makeInst(Opcode::VRelu), // MFU 0
                         makeInst(Opcode::VvAdd),
                         makeInst(Opcode::VvMul),
                         makeInst(Opcode::VRelu), // MFU 1
                         makeInst(Opcode::VvAdd), // MFU 2
                         makeInst(Opcode::VWr, MemSpace::Dram, 0),
                         makeInst(Opcode::EndChain)};
  std::string e = planError(p, 2);
  EXPECT_NE(e.find("instruction 7"), std::string::npos) << e;
  ProgramPlan plan;
  EXPECT_TRUE(planProgram(p, 3, plan, e)) << e;
  // A target with no MFU cannot run any point-wise op.
  planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VRelu),
             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)},
            0);
}

TEST(IsaPlanRejects, PointWiseOpAfterWrite) {
  std::string e =
      planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VWr, MemSpace::Dram, 0),
                 makeInst(Opcode::VRelu), makeInst(Opcode::VWr, MemSpace::Dram, 8), makeInst(Opcode::EndChain)});
  EXPECT_NE(e.find("instruction 2"), std::string::npos) << e;
}

TEST(IsaPlanRejects, StandaloneOrChainStartInsideChain) {
  std::string e = planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), scalarWrite(SReg::Cols, 1),
                             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  EXPECT_NE(e.find("instruction 1"), std::string::npos) << e;
  planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::MRd, MemSpace::None, 0, 0),
             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VRd, MemSpace::Dram, 0),
             makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
}

TEST(IsaPlanRejects, ChainNotStartingWithVRd) {
  planError({makeInst(Opcode::VRelu), makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  planError({makeInst(Opcode::VWr, MemSpace::Dram, 0), makeInst(Opcode::EndChain)});
  planError({makeInst(Opcode::EndChain)});
}

TEST(IsaPlanRejects, MfuIndexOutOfRange) {
  planError({makeInst(Opcode::VRd, MemSpace::AsVrf, 0, 2), makeInst(Opcode::VWr, MemSpace::Dram, 0),
             makeInst(Opcode::EndChain)},
            2);
  planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VWr, MemSpace::MulVrf, 0, 2),
             makeInst(Opcode::EndChain)},
            2);
}

TEST(IsaPlanRejects, InvalidOpcodeValueDoesNotCrash) {
  Inst bogus;
  bogus.op = static_cast<Opcode>(0x77);
  planError({bogus});
  planError({makeInst(Opcode::VRd, MemSpace::Dram, 0), bogus, makeInst(Opcode::VWr, MemSpace::Dram, 0),
             makeInst(Opcode::EndChain)});
}
