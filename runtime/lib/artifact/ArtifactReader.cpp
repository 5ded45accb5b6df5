//===- ArtifactReader.cpp - Parse and check .npu bytes --------------------===//
//
// Container level checks (magic, version, sizes, checksum, section table),
// then each section is parsed with bounds-checked cursors, then validate()
// (ArtifactValidate.cpp) checks the meaning. Nothing is used before it is
// checked; every failure is one line.
//
//===----------------------------------------------------------------------===//
#include "softnpu/artifact/ArtifactIO.h"

#include "softnpu/HugePages.h"

#include "Checksum.h"
#include "ContainerFormat.h"
#include "SectionDeflate.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

namespace softnpu::artifact {

using namespace container;

namespace {

struct SectionRef {
  uint32_t kind;
  uint32_t flags;
  uint64_t offset, size;
};

std::string versionText(unsigned major, unsigned minor) { return std::to_string(major) + "." + std::to_string(minor); }

/// The major versions this runtime reads, e.g. "1.x and 2.x".
std::string supportedText() {
  std::string text;
  for (unsigned v = kOldestMajor; v <= kSegmentedMajor; ++v)
    text += (text.empty() ? "" : v == kSegmentedMajor ? " and " : ", ") + std::to_string(v) + ".x";
  return text;
}

/// The bytes of a whole file: a vector's (deserialize) or the buffer
/// readFile fills.
struct FileBytes {
  const uint8_t *begin;
  size_t length;
  const uint8_t *data() const { return begin; }
  size_t size() const { return length; }
};

/// Checks the header and the section table; fills `sections` (known kinds
/// only), `segments` (format 3: the segment sections in table order) and the
/// file's major version.
bool readContainer(FileBytes bytes, std::map<uint32_t, SectionRef> &sections, std::vector<SectionRef> &segments,
                   unsigned &major, std::string &error) {
  const uint8_t *p = bytes.data();
  const size_t n = bytes.size();
  if (n == 0) {
    error = "not a softnpu artifact (empty file)";
    return false;
  }
  if (std::memcmp(p, kMagic, std::min(n, sizeof(kMagic))) != 0) {
    error = "not a softnpu artifact (bad magic)";
    return false;
  }
  if (n < kOffHeaderSize) {
    error = "artifact is truncated (" + std::to_string(n) + " bytes)";
    return false;
  }
  major = static_cast<unsigned>(loadLE(p + kOffVersionMajor, 2));
  unsigned minor = static_cast<unsigned>(loadLE(p + kOffVersionMinor, 2));
  if (major > kSegmentedMajor) {
    error = "artifact format version " + versionText(major, minor) + " is newer than this runtime supports (" +
            supportedText() + ")";
    return false;
  }
  if (major < kOldestMajor) {
    error = "artifact format version " + versionText(major, minor) + " is older than this runtime supports (" +
            supportedText() + ")";
    return false;
  }
  if (n < kHeaderSize) {
    error = "artifact is truncated (" + std::to_string(n) + " bytes; the header alone is " +
            std::to_string(kHeaderSize) + ")";
    return false;
  }
  uint64_t headerSize = loadLE(p + kOffHeaderSize, 4);
  uint64_t fileSize = loadLE(p + kOffFileSize, 8);
  if (fileSize > n) {
    error = "artifact is truncated (" + std::to_string(n) + " of " + std::to_string(fileSize) + " bytes)";
    return false;
  }
  if (fileSize < n) {
    error = "artifact has " + std::to_string(n - fileSize) + " unexpected bytes after its end";
    return false;
  }
  // The checksum covers the whole file with its own four bytes read as zero.
  const uint8_t zeros[4] = {0, 0, 0, 0};
  uint32_t crc = crc32Update(0, p, kOffChecksum);
  crc = crc32Update(crc, zeros, 4);
  crc = crc32Update(crc, p + kOffChecksum + 4, n - kOffChecksum - 4);
  if (crc != static_cast<uint32_t>(loadLE(p + kOffChecksum, 4))) {
    error = "artifact is corrupted (checksum mismatch)";
    return false;
  }
  if (headerSize < kHeaderSize || headerSize > n) {
    error = "artifact header size " + std::to_string(headerSize) + " is invalid";
    return false;
  }
  if (uint64_t flags = loadLE(p + kOffFlags, 4)) {
    error = "artifact uses header flags " + std::to_string(flags) + " that this runtime does not support";
    return false;
  }
  uint64_t count = loadLE(p + kOffSectionCount, 4);
  uint64_t tableEnd = headerSize + count * kSectionEntrySize;
  if (tableEnd > n) {
    error = "artifact section table (" + std::to_string(count) + " entries) runs past the end of the file";
    return false;
  }

  std::vector<SectionRef> all;
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t *e = p + headerSize + i * kSectionEntrySize;
    SectionRef s{static_cast<uint32_t>(loadLE(e, 4)), static_cast<uint32_t>(loadLE(e + 4, 4)), loadLE(e + 8, 8),
                 loadLE(e + 16, 8)};
    std::string what = std::string("section ") + std::to_string(i) + " (" + sectionName(s.kind) + ")";
    if (s.offset < tableEnd || s.offset > n || s.size > n - s.offset) {
      error = "artifact " + what + " (offset " + std::to_string(s.offset) + ", size " + std::to_string(s.size) +
              ") lies outside the file's data bytes " + std::to_string(tableEnd) + ".." + std::to_string(n);
      return false;
    }
    all.push_back(s);
    if (!isKnownSection(s.kind)) {
      if (s.flags & kSectionRequired) {
        error = "artifact needs section kind " + std::to_string(s.kind) +
                ", which this runtime does not support (format " + versionText(major, minor) + ")";
        return false;
      }
      continue; // optional and unknown: skipped (forward compatibility)
    }
    if (isSegmentSection(s.kind)) {
      if (major < kSegmentedMajor) {
        error = std::string("artifact format ") + versionText(major, minor) + " cannot hold a " + sectionName(s.kind) +
                " section";
        return false;
      }
      segments.push_back(s);
      continue;
    }
    if (!sections.emplace(s.kind, s).second) {
      error = std::string("artifact has two ") + sectionName(s.kind) + " sections";
      return false;
    }
  }
  std::sort(all.begin(), all.end(), [](const SectionRef &a, const SectionRef &b) { return a.offset < b.offset; });
  for (size_t i = 1; i < all.size(); ++i)
    if (all[i - 1].offset + all[i - 1].size > all[i].offset) {
      error = std::string("artifact sections ") + sectionName(all[i - 1].kind) + " and " + sectionName(all[i].kind) +
              " overlap";
      return false;
    }
  const std::vector<uint32_t> mandatory = major >= kSegmentedMajor
                                              ? std::vector<uint32_t>{kTarget, kIoSig}
                                              : std::vector<uint32_t>{kTarget, kIoSig, kProgram, kDram, kFormats};
  for (uint32_t kind : mandatory)
    if (!sections.count(kind)) {
      error = std::string("artifact has no ") + sectionName(kind) + " section";
      return false;
    }
  if (major >= kSegmentedMajor) {
    for (uint32_t kind : {kProgram, kDebug, kMatrices, kDram, kWeights, kFormats, kTensors, kMatrixParts, kIoLayout})
      if (sections.count(kind)) {
        error = std::string("artifact format ") + versionText(major, minor) +
                " keeps its programs in segments, not in a " + sectionName(kind) + " section";
        return false;
      }
    if (segments.empty()) {
      error = "artifact format " + versionText(major, minor) + " has no segments";
      return false;
    }
  }
  return true;
}

bool readTarget(ByteReader &r, Artifact &a) {
  uint64_t hash;
  std::string json;
  if (!r.u64(hash) || !r.str(json, "target JSON"))
    return false;
  std::string err;
  auto t = target::Target::fromJson(json, "artifact TARGET section", err);
  if (!t)
    return r.fail(err);
  if (t->hash() != hash)
    return r.fail("target hash mismatch (the stored target does not reparse to the same description)");
  a.target = std::move(*t);
  return true;
}

bool readTensor(ByteReader &r, TensorSig &t, unsigned major) {
  uint32_t dtype, rank;
  if (!r.str(t.name, "tensor name") || !r.u32(dtype) || !r.u32(rank))
    return false;
  // Format 3 signatures may carry any dtype; an NPU program's are float32.
  std::optional<DType> known = dtypeFromOnnx(static_cast<int>(dtype));
  if (!known || (major < kSegmentedMajor && *known != DType::F32))
    return r.fail("tensor '" + t.name + "' has unknown dtype " + std::to_string(dtype));
  t.dtype = *known;
  if (!r.countFits(rank, 8, "tensor rank"))
    return false;
  t.shape.resize(rank);
  for (int64_t &d : t.shape)
    if (!r.i64(d))
      return false;
  return r.u64(t.dramAddr);
}

bool readIoSig(ByteReader &r, Artifact &a, unsigned major) {
  uint32_t nIn, nOut;
  if (!r.u32(nIn) || !r.u32(nOut))
    return false;
  // A tensor entry takes at least 20 bytes (name length, dtype, rank, address).
  if (!r.countFits(uint64_t(nIn) + nOut, 20, "tensor"))
    return false;
  a.inputs.resize(nIn);
  a.outputs.resize(nOut);
  for (TensorSig &t : a.inputs)
    if (!readTensor(r, t, major))
      return false;
  for (TensorSig &t : a.outputs)
    if (!readTensor(r, t, major))
      return false;
  return true;
}

bool readProgram(ByteReader &r, Artifact &a) {
  uint64_t count;
  if (!r.u64(count) || !r.countFits(count, 8, "instruction"))
    return false;
  a.program.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t word;
    if (!r.u64(word))
      return false;
    std::string err;
    auto inst = isa::decode(word, &err);
    if (!inst)
      return r.fail("instruction " + std::to_string(i) + ": " + err);
    a.program[i] = *inst;
  }
  return true;
}

bool readDebug(ByteReader &r, Artifact &a) {
  uint32_t nNames;
  if (!r.u32(nNames) || !r.countFits(nNames, 4, "node name"))
    return false;
  a.nodeNames.resize(nNames);
  for (std::string &s : a.nodeNames)
    if (!r.str(s, "node name"))
      return false;
  uint64_t count;
  if (!r.u64(count) || !r.countFits(count, 4, "instruction node"))
    return false;
  a.instNode.resize(count);
  for (uint32_t &n : a.instNode)
    if (!r.u32(n))
      return false;
  return true;
}

bool readFormat(ByteReader &r, numerics::NumberFormat &f) {
  using numerics::NumberFormat;
  uint32_t kind, m, k, element;
  if (!r.u32(kind) || !r.u32(m) || !r.u32(k) || !r.u32(element))
    return false;
  if (element >= kNumElementCodes)
    return r.fail("unknown block element code " + std::to_string(element));
  switch (kind) {
  case kFormatFp32:
    f.kind = NumberFormat::Kind::Fp32;
    break;
  case kFormatBf16:
    f.kind = NumberFormat::Kind::Bf16;
    break;
  case kFormatFp16:
    f.kind = NumberFormat::Kind::Fp16;
    break;
  case kFormatBlock:
    f.kind = NumberFormat::Kind::Block;
    break;
  default:
    return r.fail("unknown number format kind " + std::to_string(kind));
  }
  f.element = static_cast<numerics::Element>(element);
  f.mantissaBits = m;
  f.blockSize = k;
  if (!f.isValid())
    return r.fail("invalid number format descriptor (kind " + std::to_string(kind) + ", m " + std::to_string(m) +
                  ", k " + std::to_string(k) + ", element " + std::to_string(element) + ")");
  return true;
}

bool readFormats(ByteReader &r, Artifact &a) {
  uint32_t count, reserved;
  if (!r.u32(count) || !r.u32(reserved) || !r.countFits(count, kFormatPairSize, "format pair"))
    return false;
  a.formats.resize(count);
  for (FormatPair &f : a.formats)
    if (!readFormat(r, f.weight) || !readFormat(r, f.input))
      return false;
  return true;
}

bool readTensors(ByteReader &r, Artifact &a) {
  uint32_t count, reserved;
  if (!r.u32(count) || !r.u32(reserved) || !r.countFits(count, kTensorRecordMinSize, "tensor record"))
    return false;
  a.tensors.resize(count);
  for (TensorRecord &t : a.tensors) {
    uint32_t rank;
    if (!r.u32(t.node) || !r.u32(rank) || !r.u64(t.dramAddr) || !r.countFits(rank, 8, "tensor record rank"))
      return false;
    t.shape.resize(rank);
    for (int64_t &d : t.shape)
      if (!r.i64(d))
        return false;
  }
  return true;
}

/// Version 2 entries hold the real extent after the tile grid; version 1
/// entries have none (filled in by wholeTileExtents).
bool readMatrices(ByteReader &r, Artifact &a, unsigned major) {
  const bool extent = major >= 2;
  uint32_t count, reserved;
  if (!r.u32(count) || !r.u32(reserved) ||
      !r.countFits(count, extent ? kMatrixEntrySize : kMatrixEntrySizeV1, "matrix"))
    return false;
  a.matrices.resize(count);
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    MatrixEntry &m = a.matrices[i];
    uint32_t flags = 0;
    if (!r.u32(m.node) || !r.u32(m.mrfTile) || !r.u32(m.rowTiles) || !r.u32(m.colTiles) ||
        (extent && (!r.u32(m.rows) || !r.u32(m.cols))) || !readFormat(r, m.format) || !r.u32(m.formatIndex) ||
        !r.u32(flags) || !r.u64(m.offset) || !r.u64(m.size))
      return false;
    if (flags & ~kMatrixStreamed)
      return r.fail("matrix " + std::to_string(i) + " has unknown flags " + std::to_string(flags));
    m.streamed = flags & kMatrixStreamed;
  }
  return true;
}

/// IO_LAYOUT (2.2): per input, then per output (IOSIG's order), the rank of
/// its DRAM permutation (0: none) and the axes; checked by validate().
bool readIoLayout(ByteReader &r, Artifact &a) {
  for (std::vector<TensorSig> *list : {&a.inputs, &a.outputs})
    for (TensorSig &t : *list) {
      uint32_t rank;
      if (!r.u32(rank))
        return false;
      if (rank != 0 && rank != t.shape.size())
        return r.fail("tensor '" + t.name + "' has a permutation of " + std::to_string(rank) + " axes but rank " +
                      std::to_string(t.shape.size()));
      t.dramPerm.resize(rank);
      for (int64_t &axis : t.dramPerm)
        if (!r.i64(axis))
          return false;
    }
  return true;
}

/// MATRIX_PARTS (2.1): the column parts of the matrices that have them, in
/// increasing matrix order. Their sums and grids are checked by validate().
bool readMatrixParts(ByteReader &r, Artifact &a) {
  uint32_t count, reserved;
  if (!r.u32(count) || !r.u32(reserved) || !r.countFits(count, kMatrixPartsMinSize, "matrix parts record"))
    return false;
  int64_t last = -1;
  for (uint32_t k = 0; k < count; ++k) {
    uint32_t matrix, parts;
    if (!r.u32(matrix) || !r.u32(parts))
      return false;
    if (matrix >= a.matrices.size())
      return r.fail("record " + std::to_string(k) + " names matrix " + std::to_string(matrix) + " but there are " +
                    std::to_string(a.matrices.size()) + " matrices");
    if (static_cast<int64_t>(matrix) <= last)
      return r.fail("record " + std::to_string(k) + " names matrix " + std::to_string(matrix) +
                    " out of order (matrices must increase)");
    if (parts == 0)
      return r.fail("matrix " + std::to_string(matrix) + " has 0 column parts");
    if (!r.countFits(parts, 4, "column part"))
      return false;
    last = matrix;
    std::vector<uint32_t> &cols = a.matrices[matrix].colParts;
    cols.resize(parts);
    for (uint32_t &c : cols)
      if (!r.u32(c))
        return false;
  }
  return true;
}

/// A version 1 file stores every matrix as whole N x N tiles, which is the
/// version 2 layout of a matrix whose real extent is its whole tile grid.
bool wholeTileExtents(Artifact &a, std::string &error) {
  const uint64_t n = a.target.nativeDim;
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    MatrixEntry &m = a.matrices[i];
    const uint64_t rows = m.rowTiles * n, cols = m.colTiles * n;
    if (rows > UINT32_MAX || cols > UINT32_MAX) {
      error = "artifact MATRICES section: matrix " + std::to_string(i) + " has a tile grid of " +
              std::to_string(m.rowTiles) + " x " + std::to_string(m.colTiles) + " tiles, too large to load";
      return false;
    }
    m.rows = static_cast<uint32_t>(rows);
    m.cols = static_cast<uint32_t>(cols);
  }
  return true;
}

bool readDram(ByteReader &r, Artifact &a) {
  uint32_t count, reserved;
  if (!r.u64(a.dramElements) || !r.u32(count) || !r.u32(reserved) ||
      !r.countFits(count, kDramInitSize, "DRAM initialiser"))
    return false;
  a.dramInits.resize(count);
  for (DramInit &d : a.dramInits)
    if (!r.u64(d.dramAddr) || !r.u64(d.count) || !r.u64(d.offset))
      return false;
  return true;
}

bool readNames(ByteReader &r, std::vector<std::string> &names) {
  uint32_t n;
  if (!r.u32(n) || !r.countFits(n, 4, "tensor name"))
    return false;
  names.resize(n);
  for (std::string &name : names)
    if (!r.str(name, "tensor name"))
      return false;
  return true;
}

/// Format 3: the segment sections, in run order.
bool readSegments(FileBytes bytes, const std::vector<SectionRef> &refs, Artifact &a, std::string &error) {
  std::vector<uint8_t> inflated;
  for (size_t i = 0; i < refs.size(); ++i) {
    const SectionRef &s = refs[i];
    const std::string what = "artifact segment " + std::to_string(i) + " (" + sectionName(s.kind) + ")";
    const uint8_t *data = bytes.data() + s.offset;
    size_t size = s.size;
    if (s.flags & kSectionDeflate) {
      std::string why;
      if (!inflateSection(data, size, inflated, why)) {
        error = what + " " + why;
        return false;
      }
      data = inflated.data();
      size = inflated.size();
    }
    Segment seg;
    if (s.kind == kNpuSegment) {
      seg.kind = Segment::Kind::Npu;
      std::optional<Artifact> npu = deserialize(std::vector<uint8_t>(data, data + size), error);
      if (!npu) {
        error = what + ": " + error;
        return false;
      }
      seg.npu = std::make_shared<const Artifact>(std::move(*npu));
    } else {
      seg.kind = Segment::Kind::Host;
      ByteReader r(data, size, what);
      if (readNames(r, seg.hostInputs) && readNames(r, seg.hostOutputs) && r.str(seg.hostModel, "host model") &&
          !r.atEnd())
        r.fail(std::to_string(r.remaining()) + " unexpected bytes at the end");
      if (!r.ok()) {
        error = r.error();
        return false;
      }
    }
    a.segments.push_back(std::move(seg));
  }
  return true;
}

} // namespace

/// deserialize() of any buffer holding a whole file.
static std::optional<Artifact> deserializeBytes(FileBytes bytes, std::string &error) {
  std::map<uint32_t, SectionRef> sections;
  std::vector<SectionRef> segments;
  unsigned major = 0;
  if (!readContainer(bytes, sections, segments, major, error))
    return std::nullopt;

  Artifact a;
  std::vector<uint8_t> inflated;
  for (const auto &[kind, s] : sections) {
    const uint8_t *data = bytes.data() + s.offset;
    size_t size = s.size;
    if (s.flags & kSectionDeflate) {
      std::string why;
      if (!inflateSection(data, size, inflated, why)) {
        error = std::string("artifact ") + sectionName(kind) + " section " + why;
        return std::nullopt;
      }
      data = inflated.data();
      size = inflated.size();
    }
    ByteReader r(data, size, std::string("artifact ") + sectionName(kind) + " section");
    bool ok = true;
    switch (kind) {
    case kTarget:
      ok = readTarget(r, a);
      break;
    case kIoSig:
      ok = readIoSig(r, a, major);
      break;
    case kProgram:
      ok = readProgram(r, a);
      break;
    case kDebug:
      ok = readDebug(r, a);
      break;
    case kMatrices:
      ok = readMatrices(r, a, major);
      break;
    case kDram:
      ok = readDram(r, a);
      break;
    case kFormats:
      ok = readFormats(r, a);
      break;
    case kTensors:
      ok = readTensors(r, a);
      break;
    case kMatrixParts: // after MATRICES: sections are read in kind order
      ok = readMatrixParts(r, a);
      break;
    case kIoLayout: // after IOSIG
      ok = readIoLayout(r, a);
      break;
    case kWeights:
      reserveOnHugePages(a.weightImage, size);
      ok = r.raw(a.weightImage, size);
      break;
    case kProducer: {
      std::vector<uint8_t> b;
      ok = r.raw(b, size);
      a.producer.assign(b.begin(), b.end());
      break;
    }
    }
    if (ok && !r.atEnd())
      r.fail(std::to_string(r.remaining()) + " unexpected bytes at the end");
    if (!r.ok()) {
      error = r.error();
      return std::nullopt;
    }
  }
  if (!readSegments(bytes, segments, a, error))
    return std::nullopt;
  if (!sections.count(kDebug))
    a.instNode.assign(a.program.size(), kNoNode);
  if (major < 2 && !wholeTileExtents(a, error))
    return std::nullopt;
  if (!validate(a, error))
    return std::nullopt;
  return a;
}

std::optional<Artifact> deserialize(const std::vector<uint8_t> &bytes, std::string &error) {
  return deserializeBytes({bytes.data(), bytes.size()}, error);
}

std::optional<Artifact> readFile(const std::string &path, std::string &error) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    error = "cannot read '" + path + "': not a regular file";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  // One bulk read: artifacts hold megabytes of weights. Into a buffer on
  // huge pages that is not zeroed first (the read fills it).
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  ImageBytes bytes;
  reserveOnHugePages(bytes, size > 0 ? static_cast<size_t>(size) : 0);
  bytes.resize(size > 0 ? static_cast<size_t>(size) : 0);
  if (size > 0)
    in.read(reinterpret_cast<char *>(bytes.data()), size);
  if (in.bad() || size < 0 || in.gcount() != size) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  auto a = deserializeBytes({bytes.data(), bytes.size()}, error);
  if (!a)
    error = path + ": " + error;
  return a;
}

} // namespace softnpu::artifact
