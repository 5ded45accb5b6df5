//===- ProfileReport.h - Profile as a table, JSON, or a Chrome trace ------===//
//
// The three forms npu-run prints (docs/reports.md "Profile and trace"):
// a text table for people, JSON for machines, and Chrome trace-event JSON
// (one track per unit, events named after ONNX nodes) for Perfetto or
// chrome://tracing.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_PROFILEREPORT_H
#define SOFTNPU_TIMING_PROFILEREPORT_H

#include "softnpu/timing/Profile.h"

#include <string>

namespace softnpu::timing {

/// Totals, per-unit busy and the per-node table; `title` heads it.
std::string profileText(const Profile &p, const std::string &title);
/// The same numbers as one JSON object (two-space indented, trailing newline).
std::string profileJson(const Profile &p);
/// {"traceEvents": [...], "displayTimeUnit": "ns"}: thread_name metadata per
/// track (pid 1, tid = track + 1) and one "X" event per busy interval, ts and
/// dur in microseconds at the target clock, name = the ONNX node.
std::string chromeTrace(const Profile &p);

} // namespace softnpu::timing

#endif // SOFTNPU_TIMING_PROFILEREPORT_H
