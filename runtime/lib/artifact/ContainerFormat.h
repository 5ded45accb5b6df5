//===- ContainerFormat.h - Byte layout of .npu files (private) ------------===//
//
// Constants of the container layout and little-endian byte cursors shared by
// the writer and the reader. docs/artifact-format.md is the specification;
// keep the two in step.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_ARTIFACT_CONTAINERFORMAT_H
#define SOFTNPU_LIB_ARTIFACT_CONTAINERFORMAT_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace softnpu::artifact::container {

constexpr char kMagic[8] = {'S', 'N', 'P', 'U', 'A', 'R', 'T', '\0'};

// Header field offsets (all little endian).
constexpr size_t kOffMagic = 0;         // 8 bytes
constexpr size_t kOffVersionMajor = 8;  // u16
constexpr size_t kOffVersionMinor = 10; // u16
constexpr size_t kOffHeaderSize = 12;   // u32
constexpr size_t kOffFileSize = 16;     // u64
constexpr size_t kOffSectionCount = 24; // u32
constexpr size_t kOffChecksum = 28;     // u32
constexpr size_t kOffFlags = 32;        // u32, 0 so far
constexpr size_t kOffReserved = 36;     // u32, 0 so far
constexpr size_t kHeaderSize = 40;      // header size written by this version
/// The oldest major version readers accept: version 1 files (every matrix
/// stored as whole tiles) load as version 2 matrices whose real extent is
/// their whole tile grid.
constexpr uint16_t kOldestMajor = 1;

constexpr size_t kSectionEntrySize = 24; // kind u32, flags u32, offset u64, size u64
constexpr uint32_t kSectionRequired = 1; // section flag: readers that do not know the kind must refuse
constexpr uint32_t kSectionDeflate = 2;  // section flag (2.0): u64 size, then a zlib stream of the contents
/// Sections the writer compresses (when at least this large and it helps):
/// the tables that grow with the model, not the program or the weights.
constexpr size_t kDeflateMinBytes = 4096;
constexpr size_t kSectionAlign = 8;

enum SectionKind : uint32_t {
  kTarget = 1,
  kIoSig = 2,
  kProgram = 3,
  kDebug = 4,
  kMatrices = 5,
  kDram = 6,
  kWeights = 7,
  kProducer = 8,
  kFormats = 9,
  kTensors = 10,
  kMatrixParts = 11, // 2.1: column parts of the matrices that have them
  kNpuSegment = 12,  // 3.0: a whole format-2 artifact (one NPU segment); one per segment
  kHostSegment = 13, // 3.0: tensor names and an ONNX ModelProto; one per segment
  kIoLayout = 14,    // 2.2: the DRAM axis permutation of the inputs and outputs that have one
};
inline bool isKnownSection(uint32_t kind) { return kind >= kTarget && kind <= kIoLayout; }
/// Kinds a file may hold several of (in run order).
inline bool isSegmentSection(uint32_t kind) { return kind == kNpuSegment || kind == kHostSegment; }
/// The format of artifacts with segments (Artifact::segments).
constexpr uint16_t kSegmentedMajor = 3;
constexpr uint16_t kSegmentedMinor = 0;
inline const char *sectionName(uint32_t kind) {
  switch (kind) {
  case kTarget:
    return "TARGET";
  case kIoSig:
    return "IOSIG";
  case kProgram:
    return "PROGRAM";
  case kDebug:
    return "DEBUG";
  case kMatrices:
    return "MATRICES";
  case kDram:
    return "DRAM";
  case kWeights:
    return "WEIGHTS";
  case kProducer:
    return "PRODUCER";
  case kFormats:
    return "FORMATS";
  case kTensors:
    return "TENSORS";
  case kMatrixParts:
    return "MATRIX_PARTS";
  case kNpuSegment:
    return "NPU_SEGMENT";
  case kHostSegment:
    return "HOST_SEGMENT";
  case kIoLayout:
    return "IO_LAYOUT";
  }
  return "unknown";
}

constexpr size_t kMatrixEntrySize = 64;   // version 2: with the real extent (rows, cols)
constexpr size_t kMatrixEntrySizeV1 = 56; // version 1: tile grid only (whole tiles stored)
constexpr size_t kDramInitSize = 24;
constexpr size_t kMatrixPartsMinSize = 12;  // matrix u32, part count u32, then count x u32 (at least 1)
constexpr size_t kFormatSize = 16;          // kind u32, mantissa bits u32, block size u32, element u32
constexpr size_t kFormatPairSize = 32;      // weight format, input format
constexpr size_t kTensorRecordMinSize = 16; // node u32, rank u32, DRAM address u64, then rank i64

// Format descriptor kinds and element codes (docs/artifact-format.md).
constexpr uint32_t kFormatFp32 = 0;
constexpr uint32_t kFormatBlock = 1;
constexpr uint32_t kFormatBf16 = 2;
constexpr uint32_t kFormatFp16 = 3;
constexpr uint32_t kNumElementCodes = 7; // numerics::Element in declaration order: SignMagnitude = 0 .. Int8 = 6

/// Appends little-endian values.
class ByteWriter {
public:
  std::vector<uint8_t> bytes;
  void u8(uint8_t v) { bytes.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i64(int64_t v) { le(static_cast<uint64_t>(v), 8); }
  void raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    bytes.insert(bytes.end(), b, b + n);
  }
  /// u32 length, then the bytes (no terminator).
  void str(const std::string &s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void alignTo(size_t a) {
    while (bytes.size() % a)
      bytes.push_back(0);
  }

private:
  void le(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
      bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
};

inline uint64_t loadLE(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

/// Reads little-endian values from [data, data + size) of one section. Every
/// read is bounds checked; after the first failure all reads fail and
/// `error()` says what ran out.
class ByteReader {
public:
  ByteReader(const uint8_t *data, size_t size, std::string what) : data_(data), size_(size), what_(std::move(what)) {}

  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }
  size_t remaining() const { return size_ - pos_; }
  bool atEnd() const { return pos_ == size_; }

  bool u16(uint16_t &v) { return le(v, 2); }
  bool u32(uint32_t &v) { return le(v, 4); }
  bool u64(uint64_t &v) { return le(v, 8); }
  bool i64(int64_t &v) {
    uint64_t u;
    if (!le(u, 8))
      return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  bool u8(uint8_t &v) { return le(v, 1); }
  bool str(std::string &s, const char *field) {
    uint32_t n;
    if (!u32(n))
      return false;
    if (n > remaining())
      return fail(std::string(field) + " length " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                  " bytes left");
    s.assign(reinterpret_cast<const char *>(data_ + pos_), n);
    pos_ += n;
    return true;
  }
  template <typename Bytes> bool raw(Bytes &out, size_t n) {
    if (!need(n))
      return false;
    out.assign(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return true;
  }
  /// Checks that `count` items of at least `minBytes` each can still follow,
  /// so a corrupted count cannot trigger a huge allocation.
  bool countFits(uint64_t count, size_t minBytes, const char *field) {
    if (minBytes && count > remaining() / minBytes)
      return fail(std::string(field) + " count " + std::to_string(count) + " does not fit in the " +
                  std::to_string(remaining()) + " bytes left");
    return ok();
  }
  bool fail(const std::string &msg) {
    if (error_.empty())
      error_ = what_ + ": " + msg;
    return false;
  }

private:
  template <typename T> bool le(T &v, unsigned n) {
    if (!need(n))
      return false;
    v = static_cast<T>(loadLE(data_ + pos_, n));
    pos_ += n;
    return true;
  }
  bool need(size_t n) {
    if (!ok())
      return false;
    if (n > remaining())
      return fail("truncated (needs " + std::to_string(n) + " more bytes, " + std::to_string(remaining()) + " left)");
    return true;
  }

  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
  std::string what_;
  std::string error_;
};

} // namespace softnpu::artifact::container

#endif
