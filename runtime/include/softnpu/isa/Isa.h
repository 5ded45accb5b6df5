//===- Isa.h - Soft NPU instruction set: encoding, decoding, chains -------===//
//
// Everything here is generated from Isa.def and ScalarRegs.def. The encoding
// is one 64-bit little-endian word per instruction:
//
//   bits  0..7   opcode
//   bits  8..11  mem     (memory space, see MemSpace)
//   bits 12..15  flags
//   bits 16..47  a       (32-bit unsigned: address or value)
//   bits 48..63  b       (16-bit unsigned: MFU index, MRF tile or register)
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ISA_ISA_H
#define SOFTNPU_ISA_ISA_H

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::isa {

enum class Opcode : uint8_t {
#define INST(E, MN, OP, KIND, FIELDS, MEMS, DOC) E = OP,
#include "softnpu/isa/Isa.def"
};

enum class MemSpace : uint8_t {
#define MEM(E, NAME, CODE) E = CODE,
#include "softnpu/isa/MemSpaces.def"
};
constexpr unsigned kNumMemSpaces = 0
#define MEM(E, NAME, CODE) +1
#include "softnpu/isa/MemSpaces.def"
    ;

enum class SReg : uint8_t {
#define SREG(E, NAME, RESET, DOC) E,
#include "softnpu/isa/ScalarRegs.def"
};
constexpr unsigned kNumSRegs = 0
#define SREG(E, NAME, RESET, DOC) +1
#include "softnpu/isa/ScalarRegs.def"
    ;

/// Where an instruction may stand in a chain.
enum class Kind : uint8_t { ChainStart, MatVec, MfuAddSub, MfuMul, MfuAct, ChainWrite, ChainEnd, Standalone };

enum Field : unsigned { F_MEM = 1, F_A = 2, F_B = 4, F_FLAGS = 8 };
enum MemBit : unsigned { M_DRAM = 1u << 1, M_IVRF = 1u << 2, M_ASVRF = 1u << 3, M_MULVRF = 1u << 4, M_MRF = 1u << 5 };
constexpr unsigned memBit(MemSpace m) { return 1u << static_cast<unsigned>(m); }

/// m_rd flags.
/// TRANSPOSE: store the transpose of the DRAM matrix.
constexpr uint8_t kMRdTranspose = 1;
/// STREAM: copy the packed tiles of streamed constant matrix `a` (an index into
/// the artifact's matrices, MatrixEntry::streamed) into MRF tiles from `b`;
/// MAT_H/MAT_W/ROWS/COLS/MFMT are not used and TRANSPOSE must be clear.
constexpr uint8_t kMRdStream = 2;
/// The m_rd flag bits that are defined; decode rejects the others.
constexpr uint8_t kMRdFlagsMask = kMRdTranspose | kMRdStream;

/// v_rd / v_wr flags.
/// ITER: the address is a + i * step, with i the iteration (0-based) of the
/// innermost enclosing loop and step the signed RD_STEP (v_rd) or WR_STEP
/// (v_wr) register, in elements for DRAM and native vectors for a VRF.
constexpr uint8_t kVIter = 1;
/// WINDOW (v_rd of DRAM only): gather the receptive field of one output pixel
/// of a convolution from the feature map at `a` (isa/Window.h, docs/isa.md
/// "Window reads"). The pixel is PIX_BASE, plus with ITER the innermost
/// loop's iteration i (`a` stays the map's base: it is not stepped).
constexpr uint8_t kVWindow = 2;
/// POOL MAX / POOL SUM / POOL MEAN (with WINDOW only; the two bits are one
/// field, both set = mean): instead of laying the K_H x K_W taps side by
/// side, combine them lane by lane into WIN_C lanes: the largest (as vv_max,
/// from -inf; padding taps are skipped), the fp32 sum in tap order (from +0;
/// padding taps add nothing), or that sum divided (fp32) by the number of
/// taps inside the map (an average that leaves padding out of its count). A
/// pooling layer's reduction, done where the window is gathered (docs/isa.md
/// "Window reads").
constexpr uint8_t kVPoolMax = 4;
constexpr uint8_t kVPoolSum = 8;
constexpr uint8_t kVPoolMask = kVPoolMax | kVPoolSum;
constexpr uint8_t kVPoolMean = kVPoolMask;
/// The flag bits each defines; decode rejects the others.
constexpr uint8_t kVRdFlagsMask = kVIter | kVWindow | kVPoolMax | kVPoolSum;
constexpr uint8_t kVWrFlagsMask = kVIter;

/// One row of the instruction table.
struct InstInfo {
  Opcode opcode;
  const char *mnemonic;
  Kind kind;
  unsigned fields;   ///< Field bits
  unsigned memories; ///< MemBit bits
  const char *summary;
};

/// A decoded instruction.
struct Inst {
  Opcode op = Opcode::EndChain;
  MemSpace mem = MemSpace::None;
  uint8_t flags = 0;
  uint32_t a = 0;
  uint16_t b = 0;

  bool operator==(const Inst &o) const {
    return op == o.op && mem == o.mem && flags == o.flags && a == o.a && b == o.b;
  }
};

/// Point-wise op flags (vv_add, vv_mul, ...; activations have none).
/// ITER (kVIter): the second operand's address is a + i * OP_STEP, with i the
/// iteration of the innermost enclosing loop, in native vectors of the VRF:
/// a loop over output pixels adds a different row (a residual) to each.
constexpr uint8_t kMfuFlagsMask = kVIter;

/// True when v_rd / v_wr / a point-wise op `inst` steps its address by
/// RD_STEP / WR_STEP / OP_STEP in a loop: the iter flag, unless the read
/// gathers a window (whose iter flag selects the pixel instead).
constexpr bool stepsAddress(const Inst &inst) { return (inst.flags & kVIter) && !(inst.flags & kVWindow); }
/// The elements a DRAM v_rd of `cols` vectors of `n` lanes reads: rows of
/// `len` elements (RD_LEN, 0 = cols x n), `stride` apart within a row
/// (RD_STRIDE), each zero-padded to `vectorsPerRow` = ceil(len / n) whole
/// vectors; one row when RD_PITCH is 0, else cols / vectorsPerRow rows
/// `pitch` (RD_PITCH) elements apart.
struct DramRead {
  uint64_t len = 0, stride = 1, pitch = 0, rows = 1, vectorsPerRow = 1;
  /// Offset from the address of the last element read (len > 0), saturating.
  uint64_t lastOffset() const;
  /// Elements read (a broadcast, stride 0, reads one per row).
  uint64_t elements() const { return len == 0 ? 0 : rows * (stride == 0 ? 1 : len); }
};
/// The read the registers describe, or nullopt and `why` when they do not
/// describe one (RD_LEN above cols x n; with RD_PITCH, COLS not a whole
/// number of rows).
std::optional<DramRead> dramReadOf(uint64_t cols, uint64_t n, uint64_t rdLen, uint64_t stride, uint64_t pitch,
                                   std::string &why);

/// Whether `r` holds a signed step (two's complement): RD_STEP, WR_STEP, OP_STEP.
constexpr bool isStepRegister(SReg r) { return r == SReg::RdStep || r == SReg::WrStep || r == SReg::OpStep; }
/// The register holding the step of `op`'s iter address.
constexpr SReg stepRegister(Opcode op) {
  return op == Opcode::VRd ? SReg::RdStep : op == Opcode::VWr ? SReg::WrStep : SReg::OpStep;
}

/// The whole table, in Isa.def order.
const std::vector<InstInfo> &instTable();
/// Table row for an opcode; nullptr when the byte is not an opcode.
const InstInfo *lookup(uint8_t opcode);
const InstInfo *lookup(std::string_view mnemonic);

const char *memSpaceName(MemSpace m);
std::optional<MemSpace> memSpaceFromName(std::string_view name);
const char *sregName(SReg r);
std::optional<SReg> sregFromName(std::string_view name);
uint32_t sregReset(SReg r);
const char *sregSummary(SReg r);

uint64_t encode(const Inst &inst);
/// Decodes one word. Returns nullopt and sets `error` when the word is not a
/// valid instruction (unknown opcode, memory space not allowed, unused field
/// not zero, undefined flag bits of m_rd / v_rd / v_wr / point-wise ops, window on a v_rd of
/// another memory than DRAM).
std::optional<Inst> decode(uint64_t word, std::string *error = nullptr);

/// Assembly text, e.g. "v_rd DRAM, 128", "v_wr IVRF, 4, iter",
/// "v_rd DRAM, 0, window, iter", "loop 25",
/// "s_wr COLS, 2" or "s_wr RD_STEP, -6" (RD_STEP / WR_STEP shown signed).
std::string disassemble(const Inst &inst);

/// Where each point-wise op of a chain runs. Every MFU has three stages in
/// this fixed order: add/sub/min/max (reads its AsVrf), multiply (reads its
/// MulVrf), activation. Ops are placed greedily: an op goes to the current
/// MFU if its stage comes after the last stage used there, else to the next
/// MFU. The compiler (to place operands in the right local VRF) and the
/// simulator (to read them) both call this.
struct ChainPlan {
  size_t begin = 0, end = 0; ///< [begin, end) indices of the chain in the program
  bool hasMatVec = false;
  std::vector<unsigned> mfuOfOp; ///< parallel to the chain's instructions; MFU index for point-wise ops
  unsigned mfusUsed = 0;
};

/// Splits a program into chains and standalone instructions and checks the
/// chain grammar: v_rd [mv_mul] (point-wise op)* v_wr+ end_chain, with at most
/// `numMfus` MFUs and the memory rules (an mv_mul chain reads the IVRF or
/// gathers a DRAM window), and
/// the loop structure: every `loop` has a matching `end_loop` (they nest like
/// brackets) and the iter flag (kVIter) of v_rd / v_wr is only used inside a
/// loop. On error returns false and sets `error` to a message naming the
/// instruction index.
struct ProgramPlan {
  /// One entry per chain, in program order; standalone instructions are not in
  /// any chain.
  std::vector<ChainPlan> chains;
  /// Parallel to the program: for a `loop` at index i, loopEnd[i] is the
  /// index of its matching `end_loop` (the body is [i + 1, loopEnd[i])); for
  /// every other instruction kNoLoopEnd. A loop's body never splits a chain.
  std::vector<size_t> loopEnd;
  static constexpr size_t kNoLoopEnd = static_cast<size_t>(-1);
};
bool planProgram(const std::vector<Inst> &program, unsigned numMfus, ProgramPlan &plan, std::string &error);

/// The multifunction units of a machine: how many, and which point-wise
/// instructions they implement (every MFU the same set).
struct MfuConfig {
  unsigned count = 0;
  std::array<bool, 256> implements{}; ///< by opcode
  /// `count` MFUs implementing every point-wise instruction of the table.
  static MfuConfig all(unsigned count);
};
/// As above, and a point-wise instruction the MFUs do not implement is an
/// error naming it.
bool planProgram(const std::vector<Inst> &program, const MfuConfig &mfus, ProgramPlan &plan, std::string &error);
/// The point-wise (multifunction-unit) instructions of the table, in order.
std::vector<const InstInfo *> mfuInstructions();

} // namespace softnpu::isa

#endif // SOFTNPU_ISA_ISA_H
