//===- DramPlan.cpp - First-fit DRAM allocation with release --------------===//
#include "compiler/transforms/lowering/DramPlan.h"

#include <algorithm>

namespace softnpu::lowering {

int64_t DramPlan::allocate(int64_t count) {
  const uint64_t when = allocations_++;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < count)
      continue;
    const int64_t addr = it->first, left = it->second - count;
    free_.erase(it);
    if (left > 0)
      free_[addr + count] = left;
    reused_.push_back({addr, count, when});
    return addr;
  }
  // Grow; a free range at the very end is extended rather than skipped.
  if (!free_.empty()) {
    auto last = std::prev(free_.end());
    if (last->first + last->second == next_) {
      const int64_t addr = last->first;
      free_.erase(last);
      reused_.push_back({addr, next_ - addr, when});
      next_ = addr + count;
      return addr;
    }
  }
  const int64_t addr = next_;
  next_ += count;
  return addr;
}

int64_t DramPlan::allocateFresh(int64_t count) {
  ++allocations_;
  const int64_t addr = next_;
  next_ += count;
  return addr;
}

void DramPlan::release(int64_t addr, int64_t count) {
  if (!reuse_ || count <= 0)
    return;
  auto [it, inserted] = free_.emplace(addr, count);
  if (!inserted)
    return; // released twice: keep the first
  // Merge with the following and the preceding free ranges.
  auto next = std::next(it);
  if (next != free_.end() && it->first + it->second == next->first) {
    it->second += next->second;
    free_.erase(next);
  }
  if (it != free_.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second == it->first) {
      prev->second += it->second;
      free_.erase(it);
    }
  }
}

bool DramPlan::intact(int64_t addr, int64_t count, uint64_t since) const {
  return std::none_of(reused_.begin(), reused_.end(), [&](const Reuse &r) {
    return r.when >= since && r.addr < addr + count && addr < r.addr + r.count;
  });
}

} // namespace softnpu::lowering
