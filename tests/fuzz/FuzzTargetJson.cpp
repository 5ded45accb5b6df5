//===- FuzzTargetJson.cpp - libFuzzer: target descriptions from JSON ------===//
//
// Bytes -> Target::fromJson. A target that parses must validate, print back
// to JSON that parses to the same target (hash and text), and fit the
// limits of softnpu/Limits.h.
//
//===----------------------------------------------------------------------===//
#include "softnpu/Limits.h"
#include "softnpu/target/Target.h"

#include <cstddef>
#include <cstdint>

#include "FuzzReport.h"

using softnpu::target::Target;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  std::optional<Target> t = Target::fromJson(std::string(reinterpret_cast<const char *>(data), size), "fuzz", error);
  if (!t) {
    if (error.empty())
      reportAndTrap("a refusal must say why", error);
    return 0;
  }
  if (t->validate() || t->nativeDim > softnpu::limits::kMaxNativeDim || t->ivrfDepth > softnpu::limits::kMaxVrfDepth)
    reportAndTrap("a parsed target must validate within the limits", t->toJson());
  std::optional<Target> back = Target::fromJson(t->toJson(), "fuzz", error);
  if (!back || back->toJson() != t->toJson() || back->hash() != t->hash())
    reportAndTrap("a target must round-trip through JSON", t->toJson() + " / " + error);
  return 0;
}
