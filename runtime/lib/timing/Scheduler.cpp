//===- Scheduler.cpp - In-order dispatch, unit contention, scoreboard -----===//
//
// docs/timing-model.md "Between chains". Start times are non-decreasing
// (in-order dispatch), so scoreboard entries that complete before the latest
// start can never delay a later item and are dropped.
//
//===----------------------------------------------------------------------===//
#include "softnpu/timing/Scheduler.h"

#include <algorithm>

namespace softnpu::timing {

Scheduler::Scheduler(const target::Target &t) : target_(t) { reset(); }

void Scheduler::reset() {
  hostFree_ = 0;
  makespan_ = 0;
  unitFree_.fill(0);
  boards_.assign(3 + 2 * kMaxMfus, {});
}

std::vector<Scheduler::Access> &Scheduler::board(const Range &r) {
  const unsigned mfu = std::min<unsigned>(r.mfu, kMaxMfus - 1);
  switch (r.mem) {
  case Memory::Dram:
    return boards_[0];
  case Memory::Ivrf:
    return boards_[1];
  case Memory::Mrf:
    return boards_[2];
  case Memory::Asvrf:
    return boards_[3 + mfu];
  case Memory::Mulvrf:
    break;
  }
  return boards_[3 + kMaxMfus + mfu];
}

void Scheduler::prune(uint64_t now) {
  for (std::vector<Access> &b : boards_)
    b.erase(std::remove_if(b.begin(), b.end(), [now](const Access &a) { return a.time <= now; }), b.end());
}

ItemTiming Scheduler::add(const Work &w) {
  ItemTiming it;
  it.cost = costOf(target_, w);
  const ChainCost &c = it.cost;
  it.issue = {hostFree_, hostFree_ + c.issue};
  uint64_t start = it.issue.end;
  // Structural: each unit must have finished the previous chain's data by the
  // time this chain's data reaches it.
  for (unsigned u = 0; u < kMaxUnits; ++u)
    if (c.units[u].used && unitFree_[u] > c.units[u].offset)
      start = std::max(start, unitFree_[u] - c.units[u].offset);
  // Data: read after write (wait for the writer to finish, by the time the
  // read happens: at the start, or for a point-wise operand when the chain's
  // data reaches its MFU); write after read or write (finish no earlier than
  // the earlier access).
  for (const Range &r : w.reads) {
    const unsigned unit = mfuUnit(std::min<unsigned>(r.mfu, kMaxMfus - 1));
    const uint64_t at = r.atStage && c.units[unit].used ? c.units[unit].offset : 0;
    for (const Access &a : board(r))
      if (a.write && a.begin < r.end && r.begin < a.end && a.time > at)
        start = std::max(start, a.time - at);
  }
  for (const Range &r : w.writes)
    for (const Access &a : board(r))
      if (a.begin < r.end && r.begin < a.end && a.time > c.duration)
        start = std::max(start, a.time - c.duration);

  it.start = start;
  it.finish = start + c.duration;
  for (unsigned u = 0; u < kMaxUnits; ++u)
    if (c.units[u].used) {
      it.units[u] = {start + c.units[u].offset, start + c.units[u].offset + c.units[u].busy};
      unitFree_[u] = it.units[u].end;
    }
  prune(start);
  for (const Range &r : w.reads)
    if (r.end > r.begin)
      board(r).push_back({r.begin, r.end, it.finish, false});
  for (const Range &r : w.writes)
    if (r.end > r.begin)
      board(r).push_back({r.begin, r.end, it.finish, true});
  // In-order control: the next item is decoded once this one is dispatched
  // (an s_wr completes when decoded).
  hostFree_ = w.kind == WorkKind::ScalarWrite ? it.issue.end : start;
  if (w.kind == WorkKind::ScalarWrite)
    it.start = it.finish = it.issue.end;
  makespan_ = std::max({makespan_, it.finish, it.issue.end});
  return it;
}

} // namespace softnpu::timing
