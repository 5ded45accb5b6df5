//===- FileBytes.h - Reading and patching artifact file bytes in tests ----===//
//
// The unit tests that corrupt or hand-edit .npu files share these: little-
// endian fields, and a bitwise CRC-32 (IEEE) of the file with its checksum
// field (bytes 28..31) read as zero, independent of the library's
// table-driven one.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TESTS_UNIT_COMMON_FILEBYTES_H
#define SOFTNPU_TESTS_UNIT_COMMON_FILEBYTES_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace softnpu::testing {

inline uint64_t getLE(const std::vector<uint8_t> &b, size_t off, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i)
    v |= uint64_t(b[off + i]) << (8 * i);
  return v;
}

inline void putLE(std::vector<uint8_t> &b, size_t off, unsigned n, uint64_t v) {
  for (unsigned i = 0; i < n; ++i)
    b[off + i] = uint8_t(v >> (8 * i));
}

/// The file's CRC-32 with its checksum field read as zero.
inline uint32_t referenceCrc(const std::vector<uint8_t> &b) {
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < b.size(); ++i) {
    c ^= (i >= 28 && i < 32) ? 0 : b[i];
    for (int k = 0; k < 8; ++k)
      c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
  }
  return ~c;
}

/// Stores the file's CRC-32 in its checksum field (after editing it).
inline void rechecksum(std::vector<uint8_t> &b) { putLE(b, 28, 4, referenceCrc(b)); }

} // namespace softnpu::testing

#endif
