//===- Target.h - Target descriptions of the soft NPU ---------------------===//
//
// Everything about the NPU is a parameter, because an FPGA is reprogrammable.
// A target is a preset (by name) or a JSON file with the same fields
// (docs/targets.md). The compiler reads it to tile and quantize; the artifact
// stores it; the simulator runs against it.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TARGET_TARGET_H
#define SOFTNPU_TARGET_TARGET_H

#include "softnpu/isa/Isa.h"
#include "softnpu/numerics/Format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::target {

/// Pipeline latencies and issue costs of the timing model, in cycles
/// (docs/timing-model.md). Defaults are the modeled latencies published with
/// intel/fpga-npu; JSON key of each field in brackets.
struct Latencies {
  unsigned multiplier = 2;    ///< [multiplier] one lane multiplier
  unsigned adder = 1;         ///< [adder] one adder of a dot-product engine's tree
  unsigned rfRead = 1;        ///< [rf_read] register-file (VRF) read
  unsigned rfWrite = 1;       ///< [rf_write] register-file (VRF) write
  unsigned mrfToDpe = 8;      ///< [mrf_to_dpe] MRF to the dot-product engines
  unsigned vrfToDpe = 8;      ///< [vrf_to_dpe] IVRF to the dot-product engines
  unsigned mvuAccumulate = 4; ///< [mvu_accumulate] accumulation over tile columns
  unsigned reduction = 5;     ///< [reduction] reduction tree: ceil(log2 T) + this
  unsigned mfuStage = 3;      ///< [mfu_stage] each MFU stage (add/sub/min/max, multiply, activation)
  unsigned writeBack = 5;     ///< [write_back] result write-back (VRF, DRAM or MRF)
  unsigned chainIssue = 4;    ///< [chain_issue] control processor: decode and dispatch a chain or m_rd
  unsigned scalarIssue = 1;   ///< [scalar_issue] control processor: one s_wr
  bool operator==(const Latencies &o) const;
};

struct Target {
  std::string name;
  // Matrix-vector unit.
  unsigned nativeDim = 0;   ///< N: vector piece length, tiles are N x N
  unsigned tileEngines = 0; ///< T
  unsigned lanes = 0;       ///< L: multipliers per dot-product engine
  // Multifunction units.
  unsigned numMfus = 0;
  // Memories, in native vectors (VRFs) or N x N tiles (MRF); DRAM in bytes.
  unsigned ivrfDepth = 0;
  unsigned asvrfDepth = 0;  ///< per MFU
  unsigned mulvrfDepth = 0; ///< per MFU
  unsigned mrfTiles = 0;
  uint64_t dramBytes = 0;
  double clockMHz = 0;
  // Number formats.
  numerics::NumberFormat weightFormat; ///< matrices in the MRF
  numerics::NumberFormat inputFormat;  ///< vectors entering the matrix unit
  numerics::NumberFormat mfuFormat;    ///< values in the multifunction units (fp32, bf16, fp16)
  /// Point-wise instructions every MFU implements (ISA mnemonics, table
  /// order); a chain using another one is rejected. Default: all of them.
  std::vector<std::string> mfuOperations = allMfuOperations();
  numerics::Rounding rounding = numerics::Rounding::NearestEven;
  // Timing model (optional in JSON; docs/targets.md gives the defaults).
  double dramBandwidthGBps = 16.0;  ///< DRAM bandwidth, GB/s (10^9 bytes per second)
  unsigned dramLatencyCycles = 100; ///< cycles from a DRAM request to its first data
  /// Where constant matrices live: pinned in the MRF when they fit (the rest
  /// streamed), or always streamed from DRAM into MRF scratch tiles (CNN-style
  /// configurations with a small MRF per layer).
  enum class WeightResidency { Pin, Stream } weightResidency = WeightResidency::Pin;
  /// Native vectors the network input and output queues hold: a graph input
  /// or output arrives or leaves through them in one request, so each must fit.
  unsigned networkQueueDepth = 512;
  Latencies latencies;
  // The host the NPU sits in, for placement decisions (docs/partitioning.md;
  // optional in JSON, docs/targets.md gives the defaults).
  double hostGflops = 20.0;       ///< host throughput on host segments, 10^9 flop/s (a MAC is 2)
  double hostLinkGBps = 8.0;      ///< host <-> NPU transfer bandwidth, GB/s (10^9 bytes per second)
  double hostLinkLatencyUs = 2.0; ///< fixed cost of one host <-> NPU transfer, microseconds

  /// The MFU count and operation set, as the ISA's chain planner takes them.
  isa::MfuConfig mfuConfig() const;
  /// Every point-wise instruction of the ISA table.
  static std::vector<std::string> allMfuOperations();

  /// Checks every field; on error returns a message naming the field.
  std::optional<std::string> validate() const;
  /// Canonical JSON text (stable field order): stored in artifacts, hashed.
  /// `compact`: the same fields on one line (the IR's #fpga.target).
  std::string toJson(bool compact = false) const;
  /// 64-bit FNV-1a of toJson().
  uint64_t hash() const;

  /// Parses JSON text. `origin` names the source in errors.
  static std::optional<Target> fromJson(const std::string &text, const std::string &origin, std::string &error);
  /// A preset name, or else a path to a JSON file.
  static std::optional<Target> load(const std::string &nameOrPath, std::string &error);
  /// The built-in preset `name`, if there is one (never reads a file).
  static std::optional<Target> preset(const std::string &name);
  /// The preset this target is, unmodified, if any.
  std::optional<std::string> presetName() const;
  /// Same description: same canonical JSON.
  bool operator==(const Target &o) const { return toJson() == o.toJson(); }
  bool operator!=(const Target &o) const { return !(*this == o); }
  /// With precision overridden for weights and inputs; fp32 also makes the
  /// multifunction units fp32 (the debugging pass-through).
  Target withPrecision(const numerics::NumberFormat &fmt) const;
};

/// Names of the built-in presets.
std::vector<std::string> presetNames();
const char *defaultTargetName();

} // namespace softnpu::target

#endif // SOFTNPU_TARGET_TARGET_H
