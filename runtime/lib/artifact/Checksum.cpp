//===- Checksum.cpp - Table-driven CRC-32 (IEEE polynomial) ---------------===//
#include "Checksum.h"

#include <array>

namespace softnpu::artifact {

namespace {
std::array<uint32_t, 256> makeTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
} // namespace

uint32_t crc32Update(uint32_t crc, const uint8_t *data, size_t n) {
  static const std::array<uint32_t, 256> table = makeTable();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

} // namespace softnpu::artifact
