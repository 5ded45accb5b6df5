//===- Presets.h - Lookup of built-in targets (private to softnpu_target) -===//
#ifndef SOFTNPU_LIB_TARGET_PRESETS_H
#define SOFTNPU_LIB_TARGET_PRESETS_H

#include "softnpu/target/Target.h"

#include <optional>
#include <string>

namespace softnpu::target {

/// The preset called `name`, or nullopt when there is none.
std::optional<Target> findPreset(const std::string &name);

} // namespace softnpu::target

#endif // SOFTNPU_LIB_TARGET_PRESETS_H
