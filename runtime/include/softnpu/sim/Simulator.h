//===- Simulator.h - Bit-accurate functional simulator of the soft NPU ----===//
//
// Executes an artifact's instruction stream exactly as docs/execution-model.md
// describes, for the artifact's target: DRAM, IVRF, per-MFU ASVRF/MULVRF, the
// MRF (each tile in the weight format of the artifact format pair it was
// written with, selected by the MFMT register) and the scalar registers.
// Matrix arithmetic and all rounding (block formats, MFU format) go through
// numerics/Bfp.h only, so results are bit-exact with what the compiler's
// packing assumes.
//
// Use:
//   auto sim = Simulator::create(artifact, error);   // pins MRF, loads DRAM inits
//   sim->reset();                                    // start of a run
//   sim->writeDram(addr, data, n, error);            // inputs
//   sim->run(error);
//   sim->readDram(addr, out, n, error);              // outputs
//
// The simulator has no notion of time: it counts work (Counters) and can call
// observers after every chain (ChainEvent) and after every chain or
// standalone instruction (WorkEvent, what the timing model in
// softnpu/timing consumes; docs/timing-model.md).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_SIM_SIMULATOR_H
#define SOFTNPU_SIM_SIMULATOR_H

#include "softnpu/artifact/Artifact.h"
#include "softnpu/isa/Isa.h"
#include "softnpu/timing/Work.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace softnpu::sim {

namespace detail {
struct State;
} // namespace detail

/// Work done since the last resetCounters() (not cleared by reset()).
struct Counters {
  uint64_t runs = 0;
  uint64_t instructions = 0; ///< instructions executed (chain members included; a loop body once per iteration)
  uint64_t chains = 0;
  uint64_t mvMulTileOps = 0; ///< N x N tile times N-vector products
  uint64_t macs = 0;         ///< multiply-accumulates in the matrix unit
  uint64_t pointwiseOps = 0; ///< point-wise instructions executed
  uint64_t matrixMoves = 0;  ///< m_rd instructions executed
  uint64_t mrfTilesWritten = 0;
};

/// What one executed chain did: the input of a future timing model.
struct ChainEvent {
  size_t chainIndex = 0;     ///< index into the program plan's chains
  size_t begin = 0, end = 0; ///< [begin, end) instruction indices
  uint32_t rows = 0, cols = 0;
  bool hasMatVec = false;
  unsigned mfusUsed = 0;
  uint64_t tileOps = 0, macs = 0;
};
using ChainObserver = std::function<void(const ChainEvent &)>;

/// What one executed chain or standalone instruction (m_rd, s_wr, loop,
/// end_loop) asked of the hardware, in execution order (a loop body once per
/// iteration): the timing model's input. `work` is valid only during the call.
struct WorkEvent {
  size_t begin = 0, end = 0; ///< [begin, end) instruction indices of the executed group
  const timing::Work *work = nullptr;
};
using WorkObserver = std::function<void(const WorkEvent &)>;

class Simulator {
public:
  /// Checks the artifact against its target (program grammar, format table,
  /// weight-image ranges), allocates the memories, pins the constant matrices
  /// in the MRF (streamed ones are kept packed for m_rd stream) and records
  /// the DRAM initialisers. Returns nullptr and sets
  /// `error` to one line on failure.
  static std::unique_ptr<Simulator> create(const artifact::Artifact &a, std::string &error);
  ~Simulator();
  Simulator(const Simulator &) = delete;
  Simulator &operator=(const Simulator &) = delete;

  /// Start of a run: VRFs and scalar registers to their reset values, DRAM to
  /// zero except the initialisers. MRF contents persist.
  void reset();
  /// Executes the whole program. On a run-time error stops and sets `error`
  /// to "instruction I (disassembly): what".
  bool run(std::string &error);

  bool writeDram(uint64_t addr, const float *data, size_t n, std::string &error);
  bool readDram(uint64_t addr, float *out, size_t n, std::string &error) const;
  uint64_t dramElements() const;

  // --- Inspection (tests, debugging tools). ---
  /// One native vector (N floats) of a VRF; nullptr when out of range.
  const float *vrfVector(isa::MemSpace mem, unsigned mfu, uint32_t index) const;
  /// The values MRF tile `tile` holds (N x N row-major, dequantized); empty
  /// when out of range.
  std::vector<float> mrfTile(uint32_t tile) const;
  uint32_t sreg(isa::SReg r) const;
  const isa::ProgramPlan &plan() const;
  const target::Target &target() const;

  const Counters &counters() const;
  void resetCounters();
  /// Called after each executed chain (nullptr to remove).
  void setChainObserver(ChainObserver observer);
  /// Called after each executed chain and standalone instruction (nullptr to
  /// remove). Without an observer nothing is described (no cost per chain).
  void setWorkObserver(WorkObserver observer);

private:
  Simulator();
  std::unique_ptr<detail::State> s_;
};

} // namespace softnpu::sim

#endif // SOFTNPU_SIM_SIMULATOR_H
