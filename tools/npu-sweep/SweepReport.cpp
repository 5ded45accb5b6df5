//===- SweepReport.cpp - npu-sweep's table and JSON report -----------------===//
#include "SweepReport.h"

#include "tools/common/OneLine.h"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace softnpu::tools {

namespace {

std::string format(const char *fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string ratio(const Usage &u) { return std::to_string(u.used) + "/" + std::to_string(u.capacity); }

std::vector<std::string> cells(const SweepRow &r) {
  const Measurement &m = r.m;
  const Footprint &f = m.footprint;
  return {r.target,
          m.weightFormat,
          std::to_string(m.profile.cycles),
          format("%.3f", m.profile.latencyUs()),
          format("%.4g", m.profile.effectiveTops()),
          format("%.2f%%", 100.0 * m.profile.mvuUtilisation()),
          std::to_string(f.mrfPinned) + "+" + std::to_string(f.mrfScratch) + "/" + std::to_string(f.mrfCapacity),
          ratio(f.ivrf),
          ratio(f.asvrf),
          ratio(f.mulvrf),
          std::to_string(m.weightBytes)};
}

nlohmann::ordered_json usageJson(const Usage &u) { return {{"used", u.used}, {"capacity", u.capacity}}; }

} // namespace

std::string sweepTable(const SweepInfo &info, const std::vector<SweepRow> &rows) {
  const std::vector<std::string> head = {"target",     "format",      "cycles",      "latency us",
                                         "eff TOPS",   "MVU util",    "MRF tiles",   "IVRF peak",
                                         "ASVRF peak", "MULVRF peak", "weight bytes"};
  std::vector<size_t> width(head.size());
  for (size_t c = 0; c < head.size(); ++c)
    width[c] = head[c].size();
  std::vector<std::vector<std::string>> table;
  for (const SweepRow &r : rows) {
    // Error rows are one long cell: they do not widen the columns.
    table.push_back(r.ok() ? cells(r) : std::vector<std::string>{});
    for (size_t c = 0; c < table.back().size(); ++c)
      width[c] = std::max(width[c], table.back()[c].size());
  }
  auto line = [&](const std::vector<std::string> &row) {
    std::string s = "  ";
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      // Names left-aligned, numbers right-aligned.
      s += c < 2 ? row[c] + pad : pad + row[c];
      if (c + 1 < row.size())
        s += "  ";
    }
    return s + "\n";
  };
  std::string out = "sweep of " + info.model +
                    " (precision: " + (info.precision.empty() ? "each target's own" : info.precision) +
                    "; inputs: " + info.inputs + "; one run each)\n";
  out += line(head);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].ok())
      out += line(table[i]);
    else
      out += "  " + rows[i].target + std::string(width[0] - std::min(width[0], rows[i].target.size()), ' ') +
             "  error: " + tools::oneLine(rows[i].error) + "\n";
  }
  out += "MRF tiles: pinned + scratch / capacity; VRF peak: highest native vector used + 1 / depth "
         "(ASVRF, MULVRF: largest over the MFUs)\n";
  return out;
}

std::string sweepJson(const SweepInfo &info, const std::vector<SweepRow> &rows) {
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const SweepRow &r : rows) {
    nlohmann::ordered_json j = {{"target", r.target}, {"ok", r.ok()}};
    if (!r.targetName.empty())
      j["name"] = r.targetName;
    if (!r.ok()) {
      j["error"] = r.error;
      targets.push_back(j);
      continue;
    }
    const Measurement &m = r.m;
    const Footprint &f = m.footprint;
    j["weight_format"] = m.weightFormat;
    j["input_format"] = m.inputFormat;
    j["cycles"] = m.profile.cycles;
    j["clock_mhz"] = m.profile.clockMHz;
    j["latency_us"] = m.profile.latencyUs();
    j["effective_tops"] = m.profile.effectiveTops();
    j["mvu_utilisation"] = m.profile.mvuUtilisation();
    j["macs"] = m.profile.macs;
    j["dram_bytes"] = m.profile.dramBytes;
    j["mrf_tiles"] = {{"pinned", f.mrfPinned}, {"scratch", f.mrfScratch}, {"capacity", f.mrfCapacity}};
    j["vrf_peak"] = {{"ivrf", usageJson(f.ivrf)}, {"asvrf", usageJson(f.asvrf)}, {"mulvrf", usageJson(f.mulvrf)}};
    j["weight_bytes"] = m.weightBytes;
    j["instructions"] = m.instructions;
    targets.push_back(j);
  }
  nlohmann::ordered_json root = {
      {"model", info.model},
      {"precision", info.precision.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(info.precision)},
      {"inputs", info.inputs},
      {"targets", targets}};
  return root.dump(2) + "\n";
}

} // namespace softnpu::tools
