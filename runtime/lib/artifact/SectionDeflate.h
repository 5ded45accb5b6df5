//===- SectionDeflate.h - zlib-compressed artifact sections (private) -----===//
//
// A section written with the DEFLATE flag (docs/artifact-format.md) holds a
// u64 uncompressed size, then a zlib stream (RFC 1950) of exactly that many
// bytes. The writer compresses the large table sections (debug map, matrix
// table, tensor records, DRAM initialisers), never the weight image or the
// program; the reader inflates before parsing.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_ARTIFACT_SECTIONDEFLATE_H
#define SOFTNPU_LIB_ARTIFACT_SECTIONDEFLATE_H

#include <cstdint>
#include <string>
#include <vector>

namespace softnpu::artifact {

/// The DEFLATE form of `bytes` (u64 size, then the zlib stream), or empty
/// when compressing fails or would not make the section smaller.
std::vector<uint8_t> deflateSection(const std::vector<uint8_t> &bytes);
/// Inflates a DEFLATE section of `size` bytes at `data` into `out`. Refuses,
/// with a one-line reason, a size field that no zlib stream of this length
/// can reach (so a corrupted size cannot trigger a huge allocation), a
/// corrupted stream and a stream that does not end exactly at the size.
bool inflateSection(const uint8_t *data, size_t size, std::vector<uint8_t> &out, std::string &error);

} // namespace softnpu::artifact

#endif // SOFTNPU_LIB_ARTIFACT_SECTIONDEFLATE_H
