//===- SectionDeflate.cpp - zlib-compressed artifact sections -------------===//
#include "SectionDeflate.h"

#include <zlib.h>

#include <limits>

namespace softnpu::artifact {

namespace {

constexpr size_t kSizeField = 8;
/// DEFLATE expands at most 1032:1 (a stored length-258 match per 2 bits);
/// with the zlib header and trailer, this bound is safe.
constexpr uint64_t kMaxRatio = 1032;

} // namespace

std::vector<uint8_t> deflateSection(const std::vector<uint8_t> &bytes) {
  if (bytes.size() > std::numeric_limits<uLong>::max())
    return {};
  uLongf bound = compressBound(static_cast<uLong>(bytes.size()));
  std::vector<uint8_t> out(kSizeField + bound);
  if (compress2(out.data() + kSizeField, &bound, bytes.data(), static_cast<uLong>(bytes.size()), Z_BEST_COMPRESSION) !=
      Z_OK)
    return {};
  out.resize(kSizeField + bound);
  if (out.size() >= bytes.size())
    return {};
  const uint64_t size = bytes.size();
  for (size_t i = 0; i < kSizeField; ++i)
    out[i] = static_cast<uint8_t>(size >> (8 * i));
  return out;
}

bool inflateSection(const uint8_t *data, size_t size, std::vector<uint8_t> &out, std::string &error) {
  if (size < kSizeField) {
    error = "is compressed but holds only " + std::to_string(size) + " bytes";
    return false;
  }
  uint64_t inflated = 0;
  for (size_t i = 0; i < kSizeField; ++i)
    inflated |= static_cast<uint64_t>(data[i]) << (8 * i);
  const uint64_t stream = size - kSizeField;
  if (inflated / kMaxRatio > stream || inflated > std::numeric_limits<uLong>::max()) {
    error =
        "is corrupted (" + std::to_string(stream) + " compressed bytes cannot hold " + std::to_string(inflated) + ")";
    return false;
  }
  out.resize(inflated ? inflated : 1); // zlib wants a buffer even for nothing
  uLongf got = static_cast<uLongf>(inflated);
  uLong used = static_cast<uLong>(stream);
  const int rc = uncompress2(out.data(), &got, data + kSizeField, &used);
  out.resize(inflated);
  if (rc != Z_OK || got != inflated || used != stream) {
    error = "is corrupted (its compressed data does not inflate to the " + std::to_string(inflated) +
            " bytes it announces)";
    out.clear();
    return false;
  }
  return true;
}

} // namespace softnpu::artifact
