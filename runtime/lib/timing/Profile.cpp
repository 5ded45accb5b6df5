//===- Profile.cpp - Accumulating a run's schedule per unit and per node --===//
#include "softnpu/timing/Profile.h"

#include <algorithm>

namespace softnpu::timing {

std::string trackName(unsigned track) { return track == 0 ? "host" : unitName(track - 1); }

std::string boundOf(const std::vector<std::string> &tracks, const std::vector<uint64_t> &busy, uint64_t span) {
  size_t best = tracks.size();
  for (size_t k = 0; k < tracks.size() && k < busy.size(); ++k)
    if (best == tracks.size() || busy[k] > busy[best])
      best = k;
  if (best == tracks.size() || span == 0 || 2 * busy[best] < span)
    return "latency";
  if (best == 0)
    return "control"; // track 0: the control processor's decoding ("host")
  const std::string &t = tracks[best];
  return t.rfind("MFU", 0) == 0 ? "MFU" : t;
}

double Profile::effectiveTops() const {
  const double seconds = latencyUs() * 1e-6;
  return seconds > 0 ? 2.0 * static_cast<double>(macs) / seconds / 1e12 : 0;
}

double Profile::mvuUtilisation() const {
  const double peak = static_cast<double>(peakMacsPerCycle) * static_cast<double>(cycles);
  return peak > 0 ? static_cast<double>(macs) / peak : 0;
}

Profiler::Profiler(const target::Target &t, std::vector<std::string> nodeNames)
    : sched_(t), nodeNames_(std::move(nodeNames)) {
  reset();
}

void Profiler::reset() {
  const target::Target &t = sched_.target();
  sched_.reset();
  profile_ = Profile{};
  profile_.target = t.name;
  profile_.clockMHz = t.clockMHz;
  profile_.peakMacsPerCycle = uint64_t{t.tileEngines} * t.nativeDim * t.lanes;
  for (unsigned k = 0; k < 1 + numUnits(t); ++k)
    profile_.tracks.push_back(trackName(k));
  profile_.busy.assign(profile_.tracks.size(), 0);
  slotOfNode_.assign(nodeNames_.size() + 1, kNoNode);
}

uint32_t Profiler::nodeSlot(uint32_t node) {
  const size_t tag = node < nodeNames_.size() ? node : nodeNames_.size();
  if (slotOfNode_[tag] == kNoNode) {
    slotOfNode_[tag] = static_cast<uint32_t>(profile_.nodes.size());
    NodeProfile n;
    n.name = tag < nodeNames_.size() ? nodeNames_[tag] : "(no node)";
    n.busy.assign(profile_.tracks.size(), 0);
    profile_.nodes.push_back(std::move(n));
  }
  return slotOfNode_[tag];
}

void Profiler::add(const Work &w, uint32_t node) {
  const uint64_t before = sched_.makespan();
  const ItemTiming it = sched_.add(w);
  const uint32_t slot = nodeSlot(node);
  NodeProfile &n = profile_.nodes[slot];
  if (n.items == 0)
    n.first = it.issue.begin;
  ++n.items;
  n.last = std::max({n.last, it.finish, it.issue.end});
  n.cycles += sched_.makespan() - before;
  n.macs += it.cost.macs;
  n.dramBytes += it.cost.dramBytes;
  profile_.macs += it.cost.macs;
  profile_.dramBytes += it.cost.dramBytes;
  profile_.cycles = sched_.makespan();
  switch (w.kind) {
  case WorkKind::Chain:
    ++profile_.chains;
    break;
  case WorkKind::MatrixMove:
    ++profile_.matrixMoves;
    break;
  case WorkKind::ScalarWrite:
    ++profile_.scalarWrites;
    break;
  }
  auto record = [&](unsigned track, const Interval &iv) {
    if (iv.empty())
      return;
    profile_.busy[track] += iv.end - iv.begin;
    n.busy[track] += iv.end - iv.begin;
    profile_.events.push_back({slot, track, iv.begin, iv.end});
  };
  record(0, it.issue);
  for (unsigned u = 0; u + 1 < profile_.tracks.size(); ++u)
    record(1 + u, it.units[u]);
}

} // namespace softnpu::timing
