//===- ProfileOutput.h - npu-run --profile, --report=json, --trace --------===//
//
// Prints a run's cycle profile (softnpu/timing) as a table or JSON on stdout
// and writes the Chrome trace file (docs/reports.md "Profile and trace").
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPURUN_PROFILEOUTPUT_H
#define SOFTNPU_TOOLS_NPURUN_PROFILEOUTPUT_H

#include "softnpu/timing/Profile.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace softnpu::tools {

struct ProfileOptions {
  bool print = false;    ///< --profile
  bool json = false;     ///< --report=json
  std::string tracePath; ///< --trace=FILE.json ("" = none)
  bool wanted() const { return print || !tracePath.empty(); }
};

/// Parses the value of --report: "json" or "text". Returns false with a
/// message otherwise.
bool parseReportFormat(const std::string &value, bool &json, std::string &error);

/// Prints the profile (table or JSON) when asked and writes the trace file.
/// `runs` is the number of --batch runs (the profile is of one of them).
bool emitProfile(std::FILE *out, const timing::Profile &p, const ProfileOptions &o, const std::string &model,
                 int64_t runs, std::string &error);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPURUN_PROFILEOUTPUT_H
