//===- HugePages.h - Big buffers backed by transparent huge pages -*- C++ -*-===//
//
// Fresh memory is mapped one 4 KiB page per page fault unless the kernel is
// asked for transparent huge pages (the "madvise" THP mode, Debian's
// default). On some hosts, VMs with shadow paging among them, such a fault
// costs more than filling the page: 210 MB filled page by page took 580 ms
// on the CI machine, and 18 ms with huge pages. Every buffer of tens of
// megabytes that is filled once (weights, weight images, batched inputs)
// asks for them.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HUGEPAGES_H
#define SOFTNPU_HUGEPAGES_H

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace softnpu {

/// Asks for huge pages over the whole 2 MiB pages inside [p, p + bytes).
/// Advice only: failure, or a kernel without THP, leaves ordinary pages.
inline void adviseHugePages(const void *p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{1} << 21;
  const auto begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin)
    ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
}

/// Reserves room for `count` elements in `v`, on huge pages when the new
/// storage spans any, before it is filled.
template <typename T, typename Alloc> void reserveOnHugePages(std::vector<T, Alloc> &v, size_t count) {
  if (count <= v.capacity())
    return;
  v.reserve(count);
  adviseHugePages(v.data(), v.capacity() * sizeof(T));
}

} // namespace softnpu

#endif // SOFTNPU_HUGEPAGES_H
