//===- Work.h - What one chain or standalone instruction asks of the NPU --===//
//
// The input of the timing model (docs/timing-model.md): a description of one
// executed chain, m_rd or s_wr in hardware terms (tile grid, vectors, MFU
// stages, DRAM traffic, register-file ranges read and written). The
// simulator fills it for every instruction group it executes; the compiler
// can fill it from its own plan. No dependency on the simulator.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_WORK_H
#define SOFTNPU_TIMING_WORK_H

#include <array>
#include <cstdint>
#include <vector>

namespace softnpu::timing {

/// Most multifunction units a target may have (Target validation: 1..8).
constexpr unsigned kMaxMfus = 8;

enum class WorkKind : uint8_t {
  Chain,       ///< v_rd [mv_mul] (point-wise op)* v_wr+ end_chain
  MatrixMove,  ///< m_rd: DRAM matrix -> MRF tiles (m_rd stream: packed constant matrix -> MRF tiles)
  ScalarWrite, ///< s_wr: control processor only
};

/// The memories the dependency scoreboard tracks.
enum class Memory : uint8_t { Dram, Ivrf, Asvrf, Mulvrf, Mrf };

/// [begin, end) of one memory: DRAM in elements, VRFs in native vectors, the
/// MRF in tiles. `mfu` selects the ASVRF/MULVRF (0 otherwise). `atStage`
/// marks the second operand of a point-wise op: MFU `mfu` reads it as the
/// chain's data passes through it, not when the chain starts.
struct Range {
  Memory mem = Memory::Dram;
  uint16_t mfu = 0;
  uint64_t begin = 0, end = 0;
  bool atStage = false;
};

struct Work {
  WorkKind kind = WorkKind::Chain;
  /// Tile grid: of the mv_mul (chains) or of the m_rd (matrix moves).
  uint32_t rows = 0, cols = 0;
  bool matVec = false;     ///< the chain has an mv_mul
  uint32_t vectorsIn = 0;  ///< native vectors the chain reads (COLS)
  uint32_t vectors = 0;    ///< native vectors through the MFUs and written (ROWS after mv_mul, else COLS)
  bool sourceDram = false; ///< the chain's v_rd reads DRAM (else a VRF)
  std::array<uint8_t, kMaxMfus> mfuStages{}; ///< point-wise ops placed on each MFU (0 = MFU unused)
  uint64_t dramRead = 0;                     ///< fp32 elements read from DRAM
  uint64_t dramWritten = 0;                  ///< fp32 elements written to DRAM
  uint64_t dramReadBytes = 0; ///< bytes read from DRAM besides dramRead (packed weights of an m_rd stream)
  std::vector<Range> reads;   ///< everything read (v_rd source, MFU operands, MRF tiles of mv_mul, m_rd source)
  std::vector<Range> writes;  ///< everything written (v_wr targets, MRF tiles of m_rd)

  /// Back to an empty chain, keeping the vectors' capacity.
  void clear() {
    kind = WorkKind::Chain;
    rows = cols = vectorsIn = vectors = 0;
    matVec = sourceDram = false;
    mfuStages.fill(0);
    dramRead = dramWritten = dramReadBytes = 0;
    reads.clear();
    writes.clear();
  }
};

} // namespace softnpu::timing

#endif // SOFTNPU_TIMING_WORK_H
