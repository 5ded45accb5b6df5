//===- SimState.h - Internal state of the simulator (not installed) -------===//
//
// The machine state behind sim::Simulator and the pieces that act on it:
// the matrix register file with its matrix-vector product (MatrixUnit.cpp),
// the multifunction units' point-wise ops (Mfu.cpp), chain execution
// (Chain.cpp) and the program loop (Simulator.cpp). Helpers return false and
// set `what` to a message without location; the program loop prefixes the
// instruction index and disassembly.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_SIMSTATE_H
#define SOFTNPU_LIB_SIM_SIMSTATE_H

#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"

#include <array>
#include <string>
#include <vector>

namespace softnpu::sim::detail {

/// The MRF: `numTiles` N x N tiles in the target's weight format. Tiles never
/// written read as zero (stored lazily, so a large MRF costs nothing until used).
///
/// Arithmetic mode, from the target's formats:
///  * both BFP (same block size, N a multiple of it): a tile is one BfpVector
///    of N*N elements whose row r starts at element r*N (rows are block
///    aligned, so this equals quantizing each row as its own vector); mv_mul
///    uses numerics::dot.
///  * input fp32: tiles are kept as fp32 values (already rounded to the weight
///    format when that is BFP); mv_mul uses numerics::dotFp32.
class MatrixRegisterFile {
public:
  /// Returns false with a reason when the formats cannot be executed.
  bool init(const target::Target &t, std::string &what);

  uint32_t numTiles() const { return numTiles_; }
  unsigned nativeDim() const { return n_; }

  /// Stores N*N row-major values, each row quantized with the weight format.
  void storeTile(uint32_t tile, const float *values);
  /// Stores a tile from the weight image: N rows, each packed with
  /// numerics::packRow in the weight format (rowBytes bytes per row).
  void storePackedTile(uint32_t tile, const uint8_t *packed, size_t rowBytes);
  /// The tile's values, dequantized (N*N floats).
  void readTile(uint32_t tile, float *out) const;

  /// y (rows*N floats) = tile grid [first, first + rows*cols) times x
  /// (cols*N floats), in the documented order. Caller checks the range.
  void matVec(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y);

private:
  bool bfpDot_ = false;
  unsigned n_ = 0;
  uint32_t numTiles_ = 0;
  numerics::NumberFormat weightFormat_, inputFormat_;
  numerics::Rounding rounding_ = numerics::Rounding::NearestEven;
  std::vector<numerics::BfpVector> bfpTiles_; ///< bfpDot_: empty vector = zero tile
  std::vector<std::vector<float>> fpTiles_;   ///< !bfpDot_: empty vector = zero tile
  numerics::BfpVector zeroBfpTile_;
  std::vector<float> zeroFpTile_;
  std::vector<float> acc_; ///< scratch: one accumulator per output lane
};

struct State {
  target::Target target;
  std::vector<isa::Inst> program;
  std::vector<uint32_t> instNode;
  std::vector<std::string> nodeNames;
  isa::ProgramPlan plan;
  std::vector<int64_t> chainAt; ///< per instruction: index of the chain starting there, or -1

  unsigned n = 0;               ///< native dimension
  std::vector<float> dram;      ///< working DRAM
  std::vector<float> dramImage; ///< DRAM at the start of a run (zeros + initialisers)
  std::vector<float> ivrf;      ///< ivrfDepth * n
  std::vector<float> asvrf;     ///< numMfus * asvrfDepth * n
  std::vector<float> mulvrf;    ///< numMfus * mulvrfDepth * n
  std::array<uint32_t, isa::kNumSRegs> regs{};
  MatrixRegisterFile mrf;

  std::vector<float> cur, next; ///< the chain's current vectors, and scratch
  std::vector<float> tileScratch; ///< N*N, for m_rd
  uint64_t maxLanes = 0;        ///< bound on a chain's width, in lanes

  Counters counters;
  ChainObserver observer;

  uint32_t reg(isa::SReg r) const { return regs[static_cast<unsigned>(r)]; }
  /// Base of a VRF's storage and its depth in vectors; nullptr for DRAM/none.
  float *vrf(isa::MemSpace mem, unsigned mfu, uint32_t &depth);
  /// Grows cur/next to hold `lanes` lanes (no-op when large enough).
  void ensureLanes(uint64_t lanes);
};

/// Executes chain `index` of the plan. On error sets `failedAt` to the
/// offending instruction and `what` to the reason.
bool executeChain(State &s, size_t index, size_t &failedAt, std::string &what);
/// Executes one standalone instruction (m_rd, s_wr).
bool executeStandalone(State &s, const isa::Inst &inst, std::string &what);
/// Applies one point-wise op to `w` vectors in place; `operand` is the second
/// operand (w*N floats) or nullptr for activations.
void applyPointwise(isa::Opcode op, float *x, const float *operand, size_t lanes);

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_SIMSTATE_H
