//===- Measure.h - npu-sweep: what one compiled artifact costs on its target ===//
//
// Runs an artifact once on the simulator through api::Session with a cycle
// profile (docs/timing-model.md) and reads its memory footprint: MRF tiles
// pinned by the artifact's constant matrices and tiles written at run time by
// m_rd (scratch), and the high-water mark of each vector register file
// (highest native-vector index read or written + 1, over the whole run; for
// ASVRF/MULVRF the largest over the MFUs). The footprint comes from a second
// simulator run that only records the register-file ranges of every executed
// chain and instruction (sim::WorkObserver); nothing depends on the values.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPUSWEEP_MEASURE_H
#define SOFTNPU_TOOLS_NPUSWEEP_MEASURE_H

#include "softnpu/api/Session.h"
#include "softnpu/timing/Profile.h"

#include <cstdint>
#include <map>
#include <string>

namespace softnpu::tools {

/// Used / capacity of one memory, in its unit (MRF tiles, VRF native vectors).
struct Usage {
  uint64_t used = 0, capacity = 0;
};

struct Footprint {
  uint64_t mrfPinned = 0;  ///< tiles of Artifact::matrices
  uint64_t mrfScratch = 0; ///< other tiles written by m_rd during the run
  uint64_t mrfCapacity = 0;
  Usage ivrf, asvrf, mulvrf; ///< high-water marks
};

/// Everything npu-sweep reports for one target.
struct Measurement {
  timing::Profile profile;
  Footprint footprint;
  uint64_t weightBytes = 0;
  uint64_t instructions = 0;
  std::string weightFormat, inputFormat;
};

/// The memory footprint of one run of `a` (inputs left zero).
bool measureFootprint(const artifact::Artifact &a, Footprint &out, std::string &error);

/// Runs `a` once on `inputs` (exact signature shapes) with a profile, then
/// measures its footprint.
bool measure(const artifact::Artifact &a, const std::map<std::string, api::Tensor> &inputs, Measurement &out,
             std::string &error);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPUSWEEP_MEASURE_H
