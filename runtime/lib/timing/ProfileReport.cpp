//===- ProfileReport.cpp - Text table, JSON and Chrome trace of a profile -===//
#include "softnpu/timing/ProfileReport.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace softnpu::timing {

namespace {

using ojson = nlohmann::ordered_json;

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string format(const char *fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string dump(const ojson &j, int indent) { return j.dump(indent, ' ', false, ojson::error_handler_t::replace); }

} // namespace

std::string profileText(const Profile &p, const std::string &title) {
  std::string out = title + "\n";
  char line[512];
  std::snprintf(line, sizeof line,
                "  target %s at %g MHz\n"
                "  total cycles     %llu\n"
                "  latency          %.3f us\n"
                "  effective TOPS   %.6g\n"
                "  MVU utilisation  %.2f %% (%llu MACs; peak %llu MACs per cycle)\n"
                "  DRAM traffic     %llu bytes\n"
                "  work             %llu chains, %llu m_rd, %llu s_wr\n",
                p.target.c_str(), p.clockMHz, static_cast<unsigned long long>(p.cycles), p.latencyUs(),
                p.effectiveTops(), 100.0 * p.mvuUtilisation(), static_cast<unsigned long long>(p.macs),
                static_cast<unsigned long long>(p.peakMacsPerCycle), static_cast<unsigned long long>(p.dramBytes),
                static_cast<unsigned long long>(p.chains), static_cast<unsigned long long>(p.matrixMoves),
                static_cast<unsigned long long>(p.scalarWrites));
  out += line;
  std::snprintf(line, sizeof line,
                "  network queues   %llu requests, %llu cycles (%.3f us) for the graph inputs and outputs\n",
                static_cast<unsigned long long>(p.networkPieces), static_cast<unsigned long long>(p.networkCycles),
                p.networkUs());
  out += line;
  if (p.hostUs > 0 || p.transfers > 0) {
    std::snprintf(line, sizeof line,
                  "  time split       NPU %.3f us + network %.3f us + host %.3f us + transfers %.3f us (%llu) = %.3f "
                  "us (modelled; the host kernels took %.3f us on this machine)\n",
                  p.latencyUs(), p.networkUs(), p.hostUs, p.transferUs, static_cast<unsigned long long>(p.transfers),
                  p.totalUs(), p.hostWallUs);
    out += line;
  }
  out += "  busy            ";
  for (size_t k = 0; k < p.tracks.size(); ++k)
    out += " " + p.tracks[k] + " " + format("%.1f%%", percent(p.busy[k], p.busySpan()));
  out += "\n";

  size_t nameWidth = 4;
  for (const NodeProfile &n : p.nodes)
    nameWidth = std::max(nameWidth, n.name.size());
  nameWidth = std::min<size_t>(nameWidth, 48);
  std::snprintf(line, sizeof line, "  %-*s %12s %7s %14s %12s", static_cast<int>(nameWidth), "node", "cycles", "share",
                "MACs", "DRAM bytes");
  out += line;
  for (const std::string &t : p.tracks) {
    std::snprintf(line, sizeof line, " %6s", t.c_str());
    out += line;
  }
  out += "  bound\n";
  for (const NodeProfile &n : p.nodes) {
    if (n.items == 0)
      continue; // a host segment's node: in the trace's host cpu track, not in the NPU's cycles
    std::snprintf(line, sizeof line, "  %-*s %12llu %6.1f%% %14llu %12llu", static_cast<int>(nameWidth), n.name.c_str(),
                  static_cast<unsigned long long>(n.cycles), percent(n.cycles, p.cycles),
                  static_cast<unsigned long long>(n.macs), static_cast<unsigned long long>(n.dramBytes));
    out += line;
    for (uint64_t b : n.busy) {
      std::snprintf(line, sizeof line, " %5.1f%%", percent(b, n.span()));
      out += line;
    }
    out += "  " + boundOf(p.tracks, n.busy, n.span()) + "\n";
  }
  out += "  (cycles: what each node adds to the end-to-end time; busy %: of the node's span, first issue to "
         "last write; bound: the unit busy at least half the span, host = control, else latency)\n";
  return out;
}

std::string profileJson(const Profile &p) {
  ojson j;
  j["target"] = p.target;
  j["clock_mhz"] = p.clockMHz;
  j["cycles"] = p.cycles;
  j["latency_us"] = p.latencyUs();
  j["host_us"] = p.hostUs;
  j["host_wall_us"] = p.hostWallUs;
  j["transfer_us"] = p.transferUs;
  j["transfers"] = p.transfers;
  j["network_requests"] = p.networkPieces;
  j["network_cycles"] = p.networkCycles;
  j["network_us"] = p.networkUs();
  j["total_us"] = p.totalUs();
  j["effective_tops"] = p.effectiveTops();
  j["mvu_utilisation"] = p.mvuUtilisation();
  j["peak_macs_per_cycle"] = p.peakMacsPerCycle;
  j["macs"] = p.macs;
  j["dram_bytes"] = p.dramBytes;
  j["chains"] = p.chains;
  j["matrix_moves"] = p.matrixMoves;
  j["scalar_writes"] = p.scalarWrites;
  ojson units = ojson::array();
  for (size_t k = 0; k < p.tracks.size(); ++k)
    units.push_back(
        {{"name", p.tracks[k]}, {"busy_cycles", p.busy[k]}, {"busy_percent", percent(p.busy[k], p.busySpan())}});
  j["units"] = units;
  ojson nodes = ojson::array();
  for (const NodeProfile &n : p.nodes) {
    ojson node;
    node["name"] = n.name;
    node["cycles"] = n.cycles;
    node["share"] = p.cycles ? static_cast<double>(n.cycles) / static_cast<double>(p.cycles) : 0.0;
    node["macs"] = n.macs;
    node["dram_bytes"] = n.dramBytes;
    node["items"] = n.items;
    node["first_cycle"] = n.first;
    node["last_cycle"] = n.last;
    ojson busy = ojson::object();
    for (size_t k = 0; k < p.tracks.size(); ++k)
      busy[p.tracks[k]] = percent(n.busy[k], n.span());
    node["busy_percent"] = busy;
    node["bound"] = boundOf(p.tracks, n.busy, n.span());
    nodes.push_back(node);
  }
  j["nodes"] = nodes;
  return dump(j, 2) + "\n";
}

std::string chromeTrace(const Profile &p) {
  const double usPerCycle = p.clockMHz > 0 ? 1.0 / p.clockMHz : 0.0;
  ojson events = ojson::array();
  events.push_back(
      {{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"tid", 0}, {"args", {{"name", "softnpu " + p.target}}}});
  for (size_t k = 0; k < p.tracks.size(); ++k) {
    events.push_back(
        {{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", k + 1}, {"args", {{"name", p.tracks[k]}}}});
    events.push_back(
        {{"name", "thread_sort_index"}, {"ph", "M"}, {"pid", 1}, {"tid", k + 1}, {"args", {{"sort_index", k}}}});
  }
  for (const Profile::Event &e : p.events) {
    ojson ev;
    ev["name"] = p.nodes[e.node].name;
    ev["cat"] = p.tracks[e.track];
    ev["ph"] = "X";
    ev["ts"] = static_cast<double>(e.begin) * usPerCycle;
    ev["dur"] = static_cast<double>(e.end - e.begin) * usPerCycle;
    ev["pid"] = 1;
    ev["tid"] = e.track + 1;
    ev["args"] = {{"begin_cycle", e.begin}, {"cycles", e.end - e.begin}};
    events.push_back(ev);
  }
  ojson j;
  j["traceEvents"] = events;
  j["displayTimeUnit"] = "ns";
  j["otherData"] = {{"target", p.target}, {"clock_mhz", p.clockMHz}, {"total_cycles", p.cycles}};
  return dump(j, -1) + "\n";
}

} // namespace softnpu::timing
