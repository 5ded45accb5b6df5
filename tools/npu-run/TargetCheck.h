//===- TargetCheck.h - npu-run --target: refuse an artifact built for another target ===//
//
// The artifact stores the target it was compiled for; `npu-run --target
// NAME|FILE` names the NPU the user means to run on. They must be the same
// description (Target::hash of the canonical JSON), except that a build with
// `npu-compile --precision` stores the target with that precision applied
// (Target::withPrecision), which is accepted for the same hardware.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPURUN_TARGETCHECK_H
#define SOFTNPU_TOOLS_NPURUN_TARGETCHECK_H

#include "softnpu/artifact/Artifact.h"
#include "softnpu/target/Target.h"

#include <string>

namespace softnpu::tools {

/// True when `a` was compiled for `expected` (`spec` is how the user named it,
/// a preset name or a JSON file). Otherwise `error` is one line naming both
/// targets and their hashes and the npu-compile command that fixes it.
bool checkTarget(const artifact::Artifact &a, const std::string &modelPath, const target::Target &expected,
                 const std::string &spec, std::string &error);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPURUN_TARGETCHECK_H
