//===- Checksum.cpp - CRC-32 (IEEE polynomial) of artifact sections -------===//
//
// zlib's crc32 (same polynomial, initial value and final inversion as the
// format's, docs/artifact-format.md), which processes several bytes per step
// where a byte-at-a-time table loop was a fifth of loading a large artifact.
//
//===----------------------------------------------------------------------===//
#include "Checksum.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace softnpu::artifact {

uint32_t crc32Update(uint32_t crc, const uint8_t *data, size_t n) {
  uLong c = crc;
  // zlib takes uInt lengths: feed very large buffers in pieces.
  while (n > 0) {
    const size_t piece = std::min<size_t>(n, std::numeric_limits<uInt>::max());
    c = ::crc32(c, data, static_cast<uInt>(piece));
    data += piece;
    n -= piece;
  }
  return static_cast<uint32_t>(c);
}

} // namespace softnpu::artifact
