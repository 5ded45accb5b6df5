//===- Checksum.h - CRC-32 of artifact bytes (private) --------------------===//
//
// CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320, initial value
// and final xor 0xFFFFFFFF), the same as zlib's crc32(). Check value:
// crc32("123456789") == 0xCBF43926.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_ARTIFACT_CHECKSUM_H
#define SOFTNPU_LIB_ARTIFACT_CHECKSUM_H

#include <cstddef>
#include <cstdint>

namespace softnpu::artifact {

/// Continues a CRC-32 over `n` more bytes; start with crc = 0.
uint32_t crc32Update(uint32_t crc, const uint8_t *data, size_t n);

} // namespace softnpu::artifact

#endif
