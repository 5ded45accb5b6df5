//===- Isa.cpp - Table-driven encode/decode/disassemble/verify ------------===//
#include "softnpu/isa/Isa.h"

#include <array>
#include <sstream>

namespace softnpu::isa {

const std::vector<InstInfo> &instTable() {
  static const std::vector<InstInfo> table = {
#define INST(E, MN, OP, KIND, FIELDS, MEMS, DOC) {Opcode::E, MN, Kind::KIND, FIELDS, MEMS, DOC},
#include "softnpu/isa/Isa.def"
  };
  return table;
}

const InstInfo *lookup(uint8_t opcode) {
  static const std::array<const InstInfo *, 256> byOpcode = [] {
    std::array<const InstInfo *, 256> t{};
    for (const InstInfo &i : instTable())
      t[static_cast<uint8_t>(i.opcode)] = &i;
    return t;
  }();
  return byOpcode[opcode];
}

const InstInfo *lookup(std::string_view mnemonic) {
  for (const InstInfo &i : instTable())
    if (mnemonic == i.mnemonic)
      return &i;
  return nullptr;
}

static const char *const kMemNames[kNumMemSpaces] = {
#define MEM(E, NAME, CODE) NAME,
#include "softnpu/isa/MemSpaces.def"
};

const char *memSpaceName(MemSpace m) {
  unsigned i = static_cast<unsigned>(m);
  return i < kNumMemSpaces ? kMemNames[i] : "?";
}

std::optional<MemSpace> memSpaceFromName(std::string_view name) {
  for (unsigned i = 0; i < kNumMemSpaces; ++i)
    if (name == kMemNames[i])
      return static_cast<MemSpace>(i);
  return std::nullopt;
}

namespace {
struct SRegInfo {
  const char *name;
  uint32_t reset;
  const char *summary;
};
const SRegInfo kSRegs[] = {
#define SREG(E, NAME, RESET, DOC) {NAME, RESET, DOC},
#include "softnpu/isa/ScalarRegs.def"
};
} // namespace

const char *sregName(SReg r) { return kSRegs[static_cast<unsigned>(r)].name; }
uint32_t sregReset(SReg r) { return kSRegs[static_cast<unsigned>(r)].reset; }
const char *sregSummary(SReg r) { return kSRegs[static_cast<unsigned>(r)].summary; }
std::optional<SReg> sregFromName(std::string_view name) {
  for (unsigned i = 0; i < kNumSRegs; ++i)
    if (name == kSRegs[i].name)
      return static_cast<SReg>(i);
  return std::nullopt;
}

uint64_t DramRead::lastOffset() const {
  if (len == 0)
    return 0;
  auto mulSat = [](uint64_t a, uint64_t b) { return b && a > UINT64_MAX / b ? UINT64_MAX : a * b; };
  const uint64_t inRow = mulSat(len - 1, stride), across = mulSat(rows - 1, pitch);
  return across > UINT64_MAX - inRow ? UINT64_MAX : across + inRow;
}

std::optional<DramRead> dramReadOf(uint64_t cols, uint64_t n, uint64_t rdLen, uint64_t stride, uint64_t pitch,
                                   std::string &why) {
  DramRead r;
  r.len = rdLen ? rdLen : cols * n;
  r.stride = stride;
  r.pitch = pitch;
  if (r.len > cols * n) {
    why = "RD_LEN " + std::to_string(r.len) + " exceeds COLS x N = " + std::to_string(cols * n);
    return std::nullopt;
  }
  if (pitch == 0 || r.len == 0)
    return r;
  r.vectorsPerRow = (r.len + n - 1) / n;
  if (cols % r.vectorsPerRow) {
    why = "COLS " + std::to_string(cols) + " is not a whole number of rows of " + std::to_string(r.vectorsPerRow) +
          " vectors (RD_LEN " + std::to_string(r.len) + ", RD_PITCH " + std::to_string(pitch) + ")";
    return std::nullopt;
  }
  r.rows = cols / r.vectorsPerRow;
  return r;
}

uint64_t encode(const Inst &inst) {
  return static_cast<uint64_t>(static_cast<uint8_t>(inst.op)) |
         (static_cast<uint64_t>(static_cast<uint8_t>(inst.mem) & 0xF) << 8) |
         (static_cast<uint64_t>(inst.flags & 0xF) << 12) | (static_cast<uint64_t>(inst.a) << 16) |
         (static_cast<uint64_t>(inst.b) << 48);
}

std::optional<Inst> decode(uint64_t word, std::string *error) {
  auto fail = [&](const std::string &msg) -> std::optional<Inst> {
    if (error)
      *error = msg;
    return std::nullopt;
  };
  const InstInfo *info = lookup(static_cast<uint8_t>(word & 0xFF));
  if (!info) {
    std::ostringstream os;
    os << "unknown opcode 0x" << std::hex << (word & 0xFF);
    return fail(os.str());
  }
  Inst inst;
  inst.op = info->opcode;
  inst.mem = static_cast<MemSpace>((word >> 8) & 0xF);
  inst.flags = static_cast<uint8_t>((word >> 12) & 0xF);
  inst.a = static_cast<uint32_t>((word >> 16) & 0xFFFFFFFFu);
  inst.b = static_cast<uint16_t>(word >> 48);
  std::string mn = info->mnemonic;
  if (info->fields & F_MEM) {
    if (static_cast<unsigned>(inst.mem) >= kNumMemSpaces || !(info->memories & memBit(inst.mem)))
      return fail(mn + ": memory space " + std::to_string(static_cast<unsigned>(inst.mem)) + " is not allowed");
  } else if (inst.mem != MemSpace::None) {
    return fail(mn + ": unused mem field is not zero");
  }
  if (!(info->fields & F_FLAGS) && inst.flags)
    return fail(mn + ": unused flags field is not zero");
  if (!(info->fields & F_A) && inst.a)
    return fail(mn + ": unused field a is not zero");
  if (!(info->fields & F_B) && inst.b)
    return fail(mn + ": unused field b is not zero");
  if (inst.op == Opcode::MRd && (inst.flags & ~kMRdFlagsMask))
    return fail(mn + ": undefined flag bits in flags " + std::to_string(inst.flags) +
                " (defined: bit 0 transpose, bit 1 stream)");
  if (inst.op == Opcode::VRd && (inst.flags & ~kVRdFlagsMask))
    return fail(mn + ": undefined flag bits in flags " + std::to_string(inst.flags) +
                " (defined: bit 0 iter, bit 1 window, bits 2-3 pool: 1 max, 2 sum, 3 mean)");
  if (inst.op == Opcode::VWr && (inst.flags & ~kVWrFlagsMask))
    return fail(mn + ": undefined flag bits in flags " + std::to_string(inst.flags) +
                " (defined: bit 0 iter; bits 1 to 3, window and pool, are v_rd's)");
  if ((info->kind == Kind::MfuAddSub || info->kind == Kind::MfuMul) && (inst.flags & ~kMfuFlagsMask))
    return fail(mn + ": undefined flag bits in flags " + std::to_string(inst.flags) + " (defined: bit 0 iter)");
  if (inst.op == Opcode::VRd && (inst.flags & kVPoolMask) && !(inst.flags & kVWindow))
    return fail(mn + ": the pool flags need the window flag");
  if (inst.op == Opcode::VRd && (inst.flags & kVWindow) && inst.mem != MemSpace::Dram)
    return fail(mn + ": the window flag reads DRAM only, not " + memSpaceName(inst.mem));
  if (inst.op == Opcode::MRd && (inst.flags & kMRdStream) && (inst.flags & kMRdTranspose))
    return fail(mn + ": stream and transpose cannot be combined");
  if (inst.op == Opcode::SWr && inst.b >= kNumSRegs)
    return fail("s_wr: unknown scalar register " + std::to_string(inst.b));
  return inst;
}

std::string disassemble(const Inst &inst) {
  const InstInfo *info = lookup(static_cast<uint8_t>(inst.op));
  if (!info)
    return "<invalid>";
  std::ostringstream os;
  os << info->mnemonic;
  if (inst.op == Opcode::SWr) {
    os << ' ' << (inst.b < kNumSRegs ? sregName(static_cast<SReg>(inst.b)) : "?") << ", ";
    // The step registers hold two's-complement values: show them signed.
    if (inst.b < kNumSRegs && isStepRegister(static_cast<SReg>(inst.b)))
      os << static_cast<int32_t>(inst.a);
    else
      os << inst.a;
    return os.str();
  }
  if (inst.op == Opcode::MRd && (inst.flags & kMRdStream)) {
    os << " stream #" << inst.a << ", tile " << inst.b;
    if (inst.flags & kMRdTranspose)
      os << ", transpose"; // not decodable; shown rather than hidden
    return os.str();
  }
  const char *sep = " ";
  if (info->fields & F_MEM) {
    os << sep << memSpaceName(inst.mem);
    sep = ", ";
  }
  if (info->fields & F_A) {
    os << sep << inst.a;
    sep = ", ";
  }
  if (info->fields & F_B) {
    bool mfuIndex = inst.op == Opcode::VRd || inst.op == Opcode::VWr;
    if (!mfuIndex || inst.mem == MemSpace::AsVrf || inst.mem == MemSpace::MulVrf || inst.b)
      os << sep << (inst.op == Opcode::MRd ? "tile " : mfuIndex ? "mfu " : "") << inst.b;
  }
  if ((info->fields & F_FLAGS) && inst.op == Opcode::MRd && (inst.flags & kMRdTranspose))
    os << ", transpose";
  if (inst.op == Opcode::VRd && (inst.flags & kVWindow))
    os << ", window";
  if (inst.op == Opcode::VRd && (inst.flags & kVPoolMask))
    os << ((inst.flags & kVPoolMask) == kVPoolMean ? ", pool mean"
           : (inst.flags & kVPoolMax)              ? ", pool max"
                                                   : ", pool sum");
  if ((inst.op == Opcode::VRd || inst.op == Opcode::VWr || info->kind == Kind::MfuAddSub ||
       info->kind == Kind::MfuMul) &&
      (inst.flags & kVIter))
    os << ", iter";
  return os.str();
}

namespace {
unsigned stageOf(Kind k) {
  switch (k) {
  case Kind::MfuAddSub:
    return 0;
  case Kind::MfuMul:
    return 1;
  default:
    return 2;
  }
}
bool isMfuOp(Kind k) { return k == Kind::MfuAddSub || k == Kind::MfuMul || k == Kind::MfuAct; }
} // namespace

MfuConfig MfuConfig::all(unsigned count) {
  MfuConfig c;
  c.count = count;
  for (const InstInfo *i : mfuInstructions())
    c.implements[static_cast<uint8_t>(i->opcode)] = true;
  return c;
}

std::vector<const InstInfo *> mfuInstructions() {
  std::vector<const InstInfo *> out;
  for (const InstInfo &i : instTable())
    if (isMfuOp(i.kind))
      out.push_back(&i);
  return out;
}

bool planProgram(const std::vector<Inst> &program, unsigned numMfus, ProgramPlan &plan, std::string &error) {
  return planProgram(program, MfuConfig::all(numMfus), plan, error);
}

bool planProgram(const std::vector<Inst> &program, const MfuConfig &mfus, ProgramPlan &plan, std::string &error) {
  const unsigned numMfus = mfus.count;
  plan.chains.clear();
  plan.loopEnd.assign(program.size(), ProgramPlan::kNoLoopEnd);
  auto fail = [&](size_t i, const std::string &msg) {
    error = "instruction " + std::to_string(i) + " (" + disassemble(program[i]) + "): " + msg;
    return false;
  };
  std::vector<size_t> openLoops; // indices of the loops enclosing i
  auto iterOutsideLoop = [&](size_t k) {
    return openLoops.empty() && (program[k].flags & kVIter) && program[k].op != Opcode::MRd;
  };
  size_t i = 0;
  while (i < program.size()) {
    const InstInfo *info = lookup(static_cast<uint8_t>(program[i].op));
    if (!info)
      return fail(i, "unknown opcode");
    if (info->kind == Kind::Standalone) {
      if (program[i].op == Opcode::Loop) {
        openLoops.push_back(i);
      } else if (program[i].op == Opcode::EndLoop) {
        if (openLoops.empty())
          return fail(i, "end_loop without a matching loop");
        plan.loopEnd[openLoops.back()] = i;
        openLoops.pop_back();
      }
      ++i;
      continue;
    }
    if (info->kind != Kind::ChainStart)
      return fail(i, "a chain must start with v_rd");
    if (iterOutsideLoop(i))
      return fail(i, "the iter flag needs an enclosing loop");
    ChainPlan chain;
    chain.begin = i;
    chain.mfuOfOp.push_back(0);
    MemSpace readMem = program[i].mem;
    ++i;
    int mfu = -1;      // MFU of the previous point-wise op
    int lastStage = 3; // forces the first op onto MFU 0
    bool sawWrite = false;
    for (;; ++i) {
      if (i >= program.size())
        return fail(chain.begin, "chain has no end_chain");
      const InstInfo *ci = lookup(static_cast<uint8_t>(program[i].op));
      if (!ci)
        return fail(i, "unknown opcode");
      unsigned slot = 0;
      if (ci->kind == Kind::MatVec) {
        if (i != chain.begin + 1)
          return fail(i, "mv_mul must directly follow the chain's v_rd");
        // The window unit feeds the matrix unit directly: a gathered window
        // is used once, so staging it in the IVRF would cost a chain per pixel.
        if (readMem != MemSpace::Ivrf && !(program[chain.begin].flags & kVWindow))
          return fail(i, "an mv_mul chain must read its vector from the IVRF or gather a DRAM window");
        chain.hasMatVec = true;
      } else if (isMfuOp(ci->kind)) {
        if (sawWrite)
          return fail(i, "point-wise op after v_wr");
        if (iterOutsideLoop(i))
          return fail(i, "the iter flag needs an enclosing loop");
        if (!mfus.implements[static_cast<uint8_t>(ci->opcode)])
          return fail(i, "the target's multifunction units do not implement " + std::string(ci->mnemonic));
        unsigned stage = stageOf(ci->kind);
        if (static_cast<int>(stage) <= lastStage) {
          ++mfu;
          if (mfu >= static_cast<int>(numMfus))
            return fail(i, "chain needs more than the target's " + std::to_string(numMfus) + " multifunction units");
        }
        lastStage = static_cast<int>(stage);
        slot = static_cast<unsigned>(mfu);
      } else if (ci->kind == Kind::ChainWrite) {
        sawWrite = true;
        if (iterOutsideLoop(i))
          return fail(i, "the iter flag needs an enclosing loop");
        if ((program[i].mem == MemSpace::AsVrf || program[i].mem == MemSpace::MulVrf) && program[i].b >= numMfus)
          return fail(i, "MFU index out of range");
      } else if (ci->kind == Kind::ChainEnd) {
        if (!sawWrite)
          return fail(i, "chain ends without a v_wr");
        chain.mfuOfOp.push_back(0);
        ++i;
        break;
      } else {
        return fail(i, "not allowed inside a chain");
      }
      chain.mfuOfOp.push_back(slot);
    }
    if ((readMem == MemSpace::AsVrf || readMem == MemSpace::MulVrf) && program[chain.begin].b >= numMfus)
      return fail(chain.begin, "MFU index out of range");
    chain.end = i;
    chain.mfusUsed = static_cast<unsigned>(mfu + 1);
    plan.chains.push_back(std::move(chain));
  }
  if (!openLoops.empty())
    return fail(openLoops.back(), "loop without a matching end_loop");
  return true;
}

} // namespace softnpu::isa
