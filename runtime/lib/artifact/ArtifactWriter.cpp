//===- ArtifactWriter.cpp - Serialize an Artifact into .npu bytes ---------===//
//
// Writes the container described in docs/artifact-format.md. The writer does
// not validate: the compiler validates before writing and every reader
// validates after reading.
//
//===----------------------------------------------------------------------===//
#include "softnpu/artifact/ArtifactIO.h"

#include "Checksum.h"
#include "ContainerFormat.h"
#include "SectionDeflate.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace softnpu::artifact {

using namespace container;

namespace {

struct Section {
  uint32_t kind;
  uint32_t flags;
  std::vector<uint8_t> bytes;
  /// When set, the section's bytes are these instead (the weight image,
  /// written from the artifact without a copy).
  const ImageBytes *borrowed = nullptr;
  const uint8_t *begin() const { return borrowed ? borrowed->data() : bytes.data(); }
  size_t size() const { return borrowed ? borrowed->size() : bytes.size(); }
};

void writeTensor(ByteWriter &w, const TensorSig &t) {
  w.str(t.name);
  w.u32(static_cast<uint32_t>(t.dtype));
  w.u32(static_cast<uint32_t>(t.shape.size()));
  for (int64_t d : t.shape)
    w.i64(d);
  w.u64(t.dramAddr);
}

void writeFormat(ByteWriter &w, const numerics::NumberFormat &f) {
  using Kind = numerics::NumberFormat::Kind;
  const uint32_t kind = f.kind == Kind::Block  ? kFormatBlock
                        : f.kind == Kind::Bf16 ? kFormatBf16
                        : f.kind == Kind::Fp16 ? kFormatFp16
                                               : kFormatFp32;
  w.u32(kind);
  w.u32(f.mantissaBits);
  w.u32(f.blockSize);
  w.u32(static_cast<uint32_t>(f.element));
}

void addHeadSections(const Artifact &a, std::vector<Section> &s) {
  {
    ByteWriter w;
    w.u64(a.target.hash());
    w.str(a.target.toJson());
    s.push_back({kTarget, kSectionRequired, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u32(static_cast<uint32_t>(a.inputs.size()));
    w.u32(static_cast<uint32_t>(a.outputs.size()));
    for (const TensorSig &t : a.inputs)
      writeTensor(w, t);
    for (const TensorSig &t : a.outputs)
      writeTensor(w, t);
    s.push_back({kIoSig, kSectionRequired, std::move(w.bytes)});
  }
  // 2.2: only when a tensor is stored permuted; per input then per output its
  // permutation's rank (0: none) and axes.
  auto permuted = [](const TensorSig &t) { return !t.dramPerm.empty(); };
  if (std::any_of(a.inputs.begin(), a.inputs.end(), permuted) ||
      std::any_of(a.outputs.begin(), a.outputs.end(), permuted)) {
    ByteWriter w;
    for (const std::vector<TensorSig> *list : {&a.inputs, &a.outputs})
      for (const TensorSig &t : *list) {
        w.u32(static_cast<uint32_t>(t.dramPerm.size()));
        for (int64_t axis : t.dramPerm)
          w.i64(axis);
      }
    s.push_back({kIoLayout, kSectionRequired, std::move(w.bytes)});
  }
}

void writeNames(ByteWriter &w, const std::vector<std::string> &names) {
  w.u32(static_cast<uint32_t>(names.size()));
  for (const std::string &n : names)
    w.str(n);
}

/// Format 3.0: the head, then one section per segment in run order.
std::vector<Section> buildSegmentedSections(const Artifact &a) {
  std::vector<Section> s;
  addHeadSections(a, s);
  for (const Segment &seg : a.segments) {
    if (seg.kind == Segment::Kind::Npu) {
      s.push_back({kNpuSegment, kSectionRequired, serialize(*seg.npu)});
      continue;
    }
    ByteWriter w;
    writeNames(w, seg.hostInputs);
    writeNames(w, seg.hostOutputs);
    w.str(seg.hostModel);
    s.push_back({kHostSegment, kSectionRequired, std::move(w.bytes)});
  }
  s.push_back({kProducer, 0, std::vector<uint8_t>(a.producer.begin(), a.producer.end())});
  return s;
}

std::vector<Section> buildSections(const Artifact &a) {
  if (a.segmented())
    return buildSegmentedSections(a);
  std::vector<Section> s;
  addHeadSections(a, s);
  {
    ByteWriter w;
    w.u64(a.program.size());
    for (const isa::Inst &i : a.program)
      w.u64(isa::encode(i));
    s.push_back({kProgram, kSectionRequired, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u32(static_cast<uint32_t>(a.nodeNames.size()));
    for (const std::string &n : a.nodeNames)
      w.str(n);
    w.u64(a.instNode.size());
    for (uint32_t n : a.instNode)
      w.u32(n);
    s.push_back({kDebug, 0, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u32(static_cast<uint32_t>(a.matrices.size()));
    w.u32(0);
    for (const MatrixEntry &m : a.matrices) {
      w.u32(m.node);
      w.u32(m.mrfTile);
      w.u32(m.rowTiles);
      w.u32(m.colTiles);
      w.u32(m.rows);
      w.u32(m.cols);
      writeFormat(w, m.format);
      w.u32(m.formatIndex);
      w.u32(m.streamed ? kMatrixStreamed : 0); // flags
      w.u64(m.offset);
      w.u64(m.size);
    }
    s.push_back({kMatrices, kSectionRequired, std::move(w.bytes)});
  }
  // 2.1: only when a matrix has column parts, so that artifacts without them
  // stay readable by 2.0 readers (which must refuse the ones with them).
  if (std::any_of(a.matrices.begin(), a.matrices.end(), [](const MatrixEntry &m) { return !m.colParts.empty(); })) {
    ByteWriter w;
    uint32_t count = 0;
    for (const MatrixEntry &m : a.matrices)
      count += !m.colParts.empty();
    w.u32(count);
    w.u32(0);
    for (size_t i = 0; i < a.matrices.size(); ++i) {
      const std::vector<uint32_t> &parts = a.matrices[i].colParts;
      if (parts.empty())
        continue;
      w.u32(static_cast<uint32_t>(i));
      w.u32(static_cast<uint32_t>(parts.size()));
      for (uint32_t cols : parts)
        w.u32(cols);
    }
    s.push_back({kMatrixParts, kSectionRequired, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u32(static_cast<uint32_t>(a.formats.size()));
    w.u32(0);
    for (const FormatPair &f : a.formats) {
      writeFormat(w, f.weight);
      writeFormat(w, f.input);
    }
    s.push_back({kFormats, kSectionRequired, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u32(static_cast<uint32_t>(a.tensors.size()));
    w.u32(0);
    for (const TensorRecord &t : a.tensors) {
      w.u32(t.node);
      w.u32(static_cast<uint32_t>(t.shape.size()));
      w.u64(t.dramAddr);
      for (int64_t d : t.shape)
        w.i64(d);
    }
    s.push_back({kTensors, 0, std::move(w.bytes)});
  }
  {
    ByteWriter w;
    w.u64(a.dramElements);
    w.u32(static_cast<uint32_t>(a.dramInits.size()));
    w.u32(0);
    for (const DramInit &d : a.dramInits) {
      w.u64(d.dramAddr);
      w.u64(d.count);
      w.u64(d.offset);
    }
    s.push_back({kDram, kSectionRequired, std::move(w.bytes)});
  }
  s.push_back({kWeights, kSectionRequired, {}, &a.weightImage});
  s.push_back({kProducer, 0, std::vector<uint8_t>(a.producer.begin(), a.producer.end())});
  return s;
}

/// Compresses the sections that grow with the model (not the program or the
/// weights), where that helps.
void deflateTables(std::vector<Section> &s) {
  for (Section &section : s) {
    const bool table = section.kind == kIoSig || section.kind == kDebug || section.kind == kMatrices ||
                       section.kind == kTensors || section.kind == kDram || section.kind == kHostSegment;
    if (!table || section.bytes.size() < kDeflateMinBytes)
      continue;
    std::vector<uint8_t> packed = deflateSection(section.bytes);
    if (packed.empty())
      continue; // not smaller: stored as it is
    section.bytes = std::move(packed);
    section.flags |= kSectionDeflate;
  }
}

} // namespace

namespace {

/// The file as byte ranges in order: the header and section table (held in
/// `head`, checksum filled in), then each section after its zero padding.
/// The checksum is computed over the ranges, so the file is never assembled
/// in one buffer.
struct FileLayout {
  std::vector<Section> sections;
  std::vector<uint8_t> head;
  std::vector<std::pair<const uint8_t *, size_t>> pieces;
  uint64_t size = 0;
};

void layOut(const Artifact &a, FileLayout &f) {
  static const uint8_t kZeros[kSectionAlign] = {};
  f.sections = buildSections(a);
  deflateTables(f.sections);
  const std::vector<Section> &sections = f.sections;

  // Place the sections after the header and the section table.
  std::vector<uint64_t> offsets;
  uint64_t pos = kHeaderSize + sections.size() * kSectionEntrySize;
  for (const Section &s : sections) {
    pos = (pos + kSectionAlign - 1) / kSectionAlign * kSectionAlign;
    offsets.push_back(pos);
    pos += s.size();
  }
  f.size = pos;

  ByteWriter w;
  w.raw(kMagic, sizeof(kMagic));
  w.u16(a.segmented() ? kSegmentedMajor : kVersionMajor);
  w.u16(a.segmented() ? kSegmentedMinor : kVersionMinor);
  w.u32(static_cast<uint32_t>(kHeaderSize));
  w.u64(pos);
  w.u32(static_cast<uint32_t>(sections.size()));
  w.u32(0); // checksum, filled in below
  w.u32(0); // flags
  w.u32(0); // reserved
  for (size_t i = 0; i < sections.size(); ++i) {
    w.u32(sections[i].kind);
    w.u32(sections[i].flags);
    w.u64(offsets[i]);
    w.u64(sections[i].size());
  }
  f.head = std::move(w.bytes);
  f.pieces.push_back({f.head.data(), f.head.size()});
  uint64_t at = f.head.size();
  for (size_t i = 0; i < sections.size(); ++i) {
    if (offsets[i] > at)
      f.pieces.push_back({kZeros, static_cast<size_t>(offsets[i] - at)});
    f.pieces.push_back({sections[i].begin(), sections[i].size()});
    at = offsets[i] + sections[i].size();
  }

  uint32_t crc = 0;
  for (const auto &[p, n] : f.pieces)
    crc = crc32Update(crc, p, n);
  for (unsigned i = 0; i < 4; ++i)
    f.head[kOffChecksum + i] = static_cast<uint8_t>(crc >> (8 * i));
}

} // namespace

std::vector<uint8_t> serialize(const Artifact &a) {
  FileLayout f;
  layOut(a, f);
  std::vector<uint8_t> bytes;
  bytes.reserve(f.size);
  for (const auto &[p, n] : f.pieces)
    bytes.insert(bytes.end(), p, p + n);
  return bytes;
}

bool writeFile(const Artifact &a, const std::string &path, std::string &error) {
  FileLayout f;
  layOut(a, f);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = "cannot open '" + path + "' for writing: " + std::strerror(errno);
    return false;
  }
  for (const auto &[p, n] : f.pieces)
    out.write(reinterpret_cast<const char *>(p), static_cast<std::streamsize>(n));
  out.close();
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace softnpu::artifact
