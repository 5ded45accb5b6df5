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

#include "softnpu/numerics/Format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::target {

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
  numerics::Rounding rounding = numerics::Rounding::NearestEven;

  /// Checks every field; on error returns a message naming the field.
  std::optional<std::string> validate() const;
  /// Canonical JSON text (stable field order): stored in artifacts, hashed.
  std::string toJson() const;
  /// 64-bit FNV-1a of toJson().
  uint64_t hash() const;

  /// Parses JSON text. `origin` names the source in errors.
  static std::optional<Target> fromJson(const std::string &text, const std::string &origin,
                                        std::string &error);
  /// A preset name, or else a path to a JSON file.
  static std::optional<Target> load(const std::string &nameOrPath, std::string &error);
  /// With precision overridden ("fp32" or a BFP name) for weights and inputs.
  Target withPrecision(const numerics::NumberFormat &fmt) const;
};

/// Names of the built-in presets.
std::vector<std::string> presetNames();
const char *defaultTargetName();

} // namespace softnpu::target

#endif // SOFTNPU_TARGET_TARGET_H
