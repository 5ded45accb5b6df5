//===- Profile.h - Cycle profile of one run, per unit and per ONNX node ---===//
//
// A Profiler schedules each executed work item (Scheduler.h) and tags it with
// the ONNX node it came from (the artifact's debug map); the resulting
// Profile holds the totals, per-unit busy cycles, a per-node table and the
// busy intervals for a trace. ProfileReport.h prints it (text, JSON, Chrome
// trace). Definitions: docs/timing-model.md "Profiles".
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_PROFILE_H
#define SOFTNPU_TIMING_PROFILE_H

#include "softnpu/timing/Scheduler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace softnpu::timing {

/// Tag of work that belongs to no ONNX node.
constexpr uint32_t kNoNode = 0xFFFFFFFFu;

/// Tracks of a profile: the control processor first, then the units.
/// Track 0 = "host" (control processor), track 1 + u = unitName(u).
std::string trackName(unsigned track);

/// What limits a node (docs/timing-model.md "bound"): "control", "DRAM",
/// "MVU" or "MFU" when that unit is busy at least half of the node's span
/// (the busiest one), else "latency". `tracks` names the node's busy entries.
std::string boundOf(const std::vector<std::string> &tracks, const std::vector<uint64_t> &busy, uint64_t span);

struct NodeProfile {
  std::string name;
  uint64_t cycles = 0; ///< end-to-end cycles this node's items added (sums to Profile::cycles)
  uint64_t first = 0;  ///< earliest issue of its items
  uint64_t last = 0;   ///< latest finish of its items
  uint64_t macs = 0;
  uint64_t dramBytes = 0;
  uint64_t items = 0;         ///< chains and standalone instructions
  std::vector<uint64_t> busy; ///< per track: busy cycles
  uint64_t span() const { return last - first; }
};

struct Profile {
  std::string target;
  double clockMHz = 0;
  uint64_t peakMacsPerCycle = 0; ///< T x N x L
  uint64_t cycles = 0;
  uint64_t macs = 0;
  uint64_t dramBytes = 0;
  uint64_t chains = 0, matrixMoves = 0, scalarWrites = 0;
  std::vector<std::string> tracks; ///< trackName(0 .. numUnits)
  std::vector<uint64_t> busy;      ///< per track: busy cycles
  std::vector<NodeProfile> nodes;  ///< in order of first appearance

  struct Event {
    uint32_t node = 0; ///< index into nodes
    unsigned track = 0;
    uint64_t begin = 0, end = 0; ///< cycles
  };
  std::vector<Event> events; ///< every busy interval, in schedule order
  /// Models with host segments (artifact format 3): the host segments'
  /// modelled time (timing/HostCost.h at the target's host_gflops, the same
  /// for every run), their kernels' wall time on this machine (varies, and
  /// includes oneDNN's first-call set-up), and the modelled host <-> NPU
  /// transfers (host_link_latency_us + bytes / host_link_gbps each).
  /// `cycles` and the rest cover the NPU segments, one after the other.
  double hostUs = 0;
  double hostWallUs = 0;
  /// Graph inputs and outputs through the network queues (CostModel.h
  /// networkTransfer), outside `cycles`: requests and their cycles.
  uint64_t networkPieces = 0, networkCycles = 0;
  double transferUs = 0;
  uint64_t transfers = 0;
  /// With host segments: the timeline's length in cycles (NPU segments,
  /// transfers and host nodes one after another); 0 otherwise.
  uint64_t timelineCycles = 0;

  double latencyUs() const { return clockMHz > 0 ? static_cast<double>(cycles) / clockMHz : 0; }
  double networkUs() const { return clockMHz > 0 ? static_cast<double>(networkCycles) / clockMHz : 0; }
  /// Everything a run takes: NPU, network queues, host and transfers.
  double totalUs() const { return latencyUs() + networkUs() + hostUs + transferUs; }
  /// What a track's busy cycles are a share of: the whole timeline.
  uint64_t busySpan() const { return timelineCycles > cycles ? timelineCycles : cycles; }
  /// 2 * MACs per second of latency, in 10^12.
  double effectiveTops() const;
  /// MACs / (T x N x L x cycles).
  double mvuUtilisation() const;
};

class Profiler {
public:
  /// `nodeNames` names the node tags passed to add().
  Profiler(const target::Target &t, std::vector<std::string> nodeNames);
  /// Schedules the next item of the run; `node` indexes nodeNames or is kNoNode.
  void add(const Work &w, uint32_t node);
  const Profile &profile() const { return profile_; }
  /// Empty profile and timeline (start of another run).
  void reset();

private:
  uint32_t nodeSlot(uint32_t node);
  Scheduler sched_;
  std::vector<std::string> nodeNames_;
  std::vector<uint32_t> slotOfNode_; ///< per tag (last = kNoNode): index into profile_.nodes or kNoNode
  Profile profile_;
};

} // namespace softnpu::timing

#endif // SOFTNPU_TIMING_PROFILE_H
