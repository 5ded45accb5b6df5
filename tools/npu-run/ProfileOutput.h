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

/// The host's wall-clock time for the runs of a --batch: how fast the
/// simulator went, not the modeled hardware. Only the run loop: reading the
/// artifact and writing outputs are not in it.
struct BatchWallTime {
  int64_t runs = 1;
  unsigned threads = 1;
  double seconds = 0;
  double runsPerSecond() const { return seconds > 0 ? static_cast<double>(runs) / seconds : 0; }
};

/// Prints the profile (table or JSON) when asked and writes the trace file.
/// The profile is of one run; a --batch of several adds `batch` (text: one
/// line; JSON: a "batch" object with runs, threads, wall_s, runs_per_s).
bool emitProfile(std::FILE *out, const timing::Profile &p, const ProfileOptions &o, const std::string &model,
                 const BatchWallTime &batch, std::string &error);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPURUN_PROFILEOUTPUT_H
