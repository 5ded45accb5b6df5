//===- SweepReport.h - npu-sweep's table and JSON report -------------------===//
//
// One row per target of the sweep: its cost (Measure.h) or the one-line
// reason it could not be compiled or run. Formats: docs/reports.md "npu-sweep".
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPUSWEEP_SWEEPREPORT_H
#define SOFTNPU_TOOLS_NPUSWEEP_SWEEPREPORT_H

#include "Measure.h"

#include <string>
#include <vector>

namespace softnpu::tools {

struct SweepRow {
  std::string target;     ///< as given on the command line (preset name or JSON file)
  std::string targetName; ///< Target::name ("" when the target did not load)
  std::string error;      ///< non-empty: why this target has no measurement
  Measurement m;
  bool ok() const { return error.empty(); }
};

struct SweepInfo {
  std::string model;
  std::string precision; ///< "" = each target's own formats
  std::string inputs;    ///< how the inputs were made, e.g. "random, seed 0" or "files"
};

/// Aligned text table, one line per row; failed rows read "error: ...".
std::string sweepTable(const SweepInfo &info, const std::vector<SweepRow> &rows);

/// One JSON object: {"model", "precision", "inputs", "targets": [...]}.
std::string sweepJson(const SweepInfo &info, const std::vector<SweepRow> &rows);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPUSWEEP_SWEEPREPORT_H
