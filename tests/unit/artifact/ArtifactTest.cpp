//===- ArtifactTest.cpp - Tests of .npu writing, reading and validation ---===//
//
// Byte offsets used to tamper with files come from docs/artifact-format.md
// (header 40 bytes; section table entries of 24 bytes: kind, flags, offset,
// size). The checksum is recomputed by an independent bitwise CRC-32 so that
// tampered files get past the checksum and reach the later checks.
//
//===----------------------------------------------------------------------===//
#include "common/FileBytes.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace softnpu;
using namespace softnpu::testing;
using namespace softnpu::artifact;
using isa::Inst;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

// Documented layout constants.
constexpr size_t kHeader = 40;
constexpr size_t kEntry = 24;
constexpr size_t kOffMajor = 8, kOffMinor = 10, kOffCount = 24, kOffCrc = 28;
constexpr uint32_t kKindTarget = 1, kKindProgram = 3, kKindProducer = 8, kKindFormats = 9, kKindTensors = 10;

/// Index in the section table of the first section of `kind`.
size_t sectionIndex(const std::vector<uint8_t> &b, uint32_t kind) {
  uint64_t n = getLE(b, kOffCount, 4);
  for (size_t i = 0; i < n; ++i)
    if (getLE(b, kHeader + i * kEntry, 4) == kind)
      return i;
  ADD_FAILURE() << "no section of kind " << kind;
  return 0;
}
size_t entryOff(size_t i) { return kHeader + i * kEntry; }

target::Target testTarget() {
  target::Target t;
  t.name = "artifact-test";
  t.nativeDim = 4;
  t.tileEngines = 1;
  t.lanes = 4;
  t.numMfus = 2;
  t.ivrfDepth = 16;
  t.asvrfDepth = 8;
  t.mulvrfDepth = 8;
  t.mrfTiles = 8;
  t.dramBytes = 4096;
  t.clockMHz = 100;
  t.weightFormat = numerics::NumberFormat::bfp(6, 4);
  t.inputFormat = t.weightFormat;
  return t;
}

/// A small but complete artifact: a 8 -> 8 fully connected layer with bias
/// and relu, plus an m_rd of a DRAM matrix into free MRF tiles.
Artifact sampleArtifact() {
  Artifact a;
  a.target = testTarget();
  a.inputs = {{"x", DType::F32, {1, 8}, 0}};
  a.outputs = {{"y", DType::F32, {1, 8}, 16}, {"y2", DType::F32, {2, 2, 2}, 24}};
  a.dramElements = 64;
  a.nodeNames = {"Gemm:fc", "Relu:act"};
  a.program = {
      scalarWrite(SReg::Rows, 2),                                       // 0
      scalarWrite(SReg::Cols, 2),                                       // 1
      makeInst(Opcode::VRd, MemSpace::Dram, 32),                        // 2  bias -> ASVRF of MFU 0
      makeInst(Opcode::VWr, MemSpace::AsVrf, 0, 0),                     // 3
      makeInst(Opcode::EndChain),                                       // 4
      makeInst(Opcode::VRd, MemSpace::Dram, 0),                         // 5  x -> IVRF
      makeInst(Opcode::VWr, MemSpace::Ivrf, 0),                         // 6
      makeInst(Opcode::EndChain),                                       // 7
      makeInst(Opcode::VRd, MemSpace::Ivrf, 0),                         // 8
      makeInst(Opcode::MvMul, MemSpace::None, 0),                       // 9
      makeInst(Opcode::VvAdd, MemSpace::None, 0),                       // 10
      makeInst(Opcode::VRelu),                                          // 11
      makeInst(Opcode::VWr, MemSpace::Dram, 16),                        // 12
      makeInst(Opcode::VWr, MemSpace::Dram, 24),                        // 13
      makeInst(Opcode::EndChain),                                       // 14
      scalarWrite(SReg::MatH, 4),                                       // 15
      scalarWrite(SReg::MatW, 4),                                       // 16
      makeInst(Opcode::MRd, MemSpace::None, 40, 4, isa::kMRdTranspose), // 17
      scalarWrite(SReg::MFmt, 1),                                       // 18 selects the second format pair
  };
  a.instNode.assign(a.program.size(), 0);
  a.instNode[11] = 1;
  a.instNode[15] = kNoNode;
  const uint64_t matBytes = 4 * 4 * numerics::packedRowBytes(a.target.weightFormat, 4);
  a.formats = {
      {a.target.weightFormat, a.target.inputFormat},
      {numerics::NumberFormat::mx(numerics::Element::E2M1, 4), numerics::NumberFormat::mx(numerics::Element::E4M3, 4)}};
  MatrixEntry m; // 8 x 8: the whole 2 x 2 grid of 4 x 4 tiles
  m.rowTiles = m.colTiles = 2;
  m.rows = m.cols = 8;
  m.format = a.target.weightFormat;
  m.size = matBytes;
  a.matrices = {m};
  a.tensors = {{0, 16, {1, 8}}, {1, 24, {2, 2, 2}}};
  a.dramInits = {{32, 8, matBytes}};
  a.weightImage.resize(matBytes + 8 * 4);
  for (size_t i = 0; i < a.weightImage.size(); ++i)
    a.weightImage[i] = uint8_t(i * 37 + 11);
  a.producer = "ArtifactTest";
  return a;
}

void expectSameTensors(const std::vector<TensorSig> &x, const std::vector<TensorSig> &y) {
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].name, y[i].name);
    EXPECT_EQ(x[i].dtype, y[i].dtype);
    EXPECT_EQ(x[i].shape, y[i].shape);
    EXPECT_EQ(x[i].dramAddr, y[i].dramAddr);
  }
}

void expectSame(const Artifact &x, const Artifact &y) {
  EXPECT_EQ(x.target.toJson(), y.target.toJson());
  EXPECT_EQ(x.target.hash(), y.target.hash());
  expectSameTensors(x.inputs, y.inputs);
  expectSameTensors(x.outputs, y.outputs);
  EXPECT_EQ(x.dramElements, y.dramElements);
  EXPECT_EQ(x.program, y.program);
  EXPECT_EQ(x.instNode, y.instNode);
  EXPECT_EQ(x.nodeNames, y.nodeNames);
  ASSERT_EQ(x.matrices.size(), y.matrices.size());
  for (size_t i = 0; i < x.matrices.size(); ++i) {
    const MatrixEntry &m = x.matrices[i], &n = y.matrices[i];
    EXPECT_EQ(m.node, n.node);
    EXPECT_EQ(m.mrfTile, n.mrfTile);
    EXPECT_EQ(m.rowTiles, n.rowTiles);
    EXPECT_EQ(m.colTiles, n.colTiles);
    EXPECT_EQ(m.rows, n.rows);
    EXPECT_EQ(m.cols, n.cols);
    EXPECT_EQ(m.format, n.format);
    EXPECT_EQ(m.formatIndex, n.formatIndex);
    EXPECT_EQ(m.offset, n.offset);
    EXPECT_EQ(m.size, n.size);
    EXPECT_EQ(m.streamed, n.streamed);
  }
  EXPECT_EQ(x.formats, y.formats);
  ASSERT_EQ(x.tensors.size(), y.tensors.size());
  for (size_t i = 0; i < x.tensors.size(); ++i) {
    EXPECT_EQ(x.tensors[i].node, y.tensors[i].node);
    EXPECT_EQ(x.tensors[i].dramAddr, y.tensors[i].dramAddr);
    EXPECT_EQ(x.tensors[i].shape, y.tensors[i].shape);
  }
  ASSERT_EQ(x.dramInits.size(), y.dramInits.size());
  for (size_t i = 0; i < x.dramInits.size(); ++i) {
    EXPECT_EQ(x.dramInits[i].dramAddr, y.dramInits[i].dramAddr);
    EXPECT_EQ(x.dramInits[i].count, y.dramInits[i].count);
    EXPECT_EQ(x.dramInits[i].offset, y.dramInits[i].offset);
  }
  EXPECT_EQ(x.weightImage, y.weightImage);
  EXPECT_EQ(x.producer, y.producer);
}

/// Deserializing must fail with a one-line message; returns it.
std::string loadError(const std::vector<uint8_t> &bytes) {
  std::string err;
  auto a = deserialize(bytes, err);
  EXPECT_FALSE(a.has_value());
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

/// validate() must fail; returns the message.
std::string validateError(const Artifact &a, bool checkSerialized = true) {
  std::string err;
  EXPECT_FALSE(validate(a, err));
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  // The serialized form is rejected too (instructions that cannot be encoded
  // are instead refused by the writer's caller: encode() masks fields).
  if (checkSerialized) {
    std::string err2;
    EXPECT_FALSE(deserialize(serialize(a), err2).has_value());
    EXPECT_FALSE(err2.empty());
  }
  return err;
}

bool contains(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

TEST(ArtifactRoundTrip, AllFieldsSurvive) {
  Artifact a = sampleArtifact();
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  std::vector<uint8_t> bytes = serialize(a);
  auto b = deserialize(bytes, err);
  ASSERT_TRUE(b.has_value()) << err;
  expectSame(a, *b);
  EXPECT_EQ(serialize(*b), bytes);
}

TEST(ArtifactRoundTrip, HeaderMatchesTheDocumentedLayout) {
  std::vector<uint8_t> b = serialize(sampleArtifact());
  ASSERT_GE(b.size(), kHeader);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(b.data()), 8), std::string("SNPUART\0", 8));
  EXPECT_EQ(getLE(b, kOffMajor, 2), kVersionMajor);
  EXPECT_EQ(getLE(b, kOffMinor, 2), kVersionMinor);
  EXPECT_EQ(getLE(b, 12, 4), kHeader);
  EXPECT_EQ(getLE(b, 16, 8), b.size());
  EXPECT_EQ(getLE(b, kOffCrc, 4), referenceCrc(b));
  uint64_t n = getLE(b, kOffCount, 4);
  for (size_t i = 0; i < n; ++i) {
    uint64_t off = getLE(b, entryOff(i) + 8, 8), size = getLE(b, entryOff(i) + 16, 8);
    EXPECT_EQ(off % 8, 0u);
    EXPECT_LE(off + size, b.size());
  }
  // The PROGRAM section holds the count and the encoded words.
  size_t p = sectionIndex(b, kKindProgram);
  uint64_t off = getLE(b, entryOff(p) + 8, 8);
  Artifact a = sampleArtifact();
  ASSERT_EQ(getLE(b, off, 8), a.program.size());
  for (size_t i = 0; i < a.program.size(); ++i)
    EXPECT_EQ(getLE(b, off + 8 + 8 * i, 8), isa::encode(a.program[i]));
}

TEST(ArtifactRoundTrip, EmptyOptionalContent) {
  Artifact a;
  a.target = testTarget();
  a.dramElements = 4;
  a.outputs = {{"y", DType::F32, {4}, 0}};
  a.program = {makeInst(Opcode::VRd, MemSpace::Dram, 0), makeInst(Opcode::VWr, MemSpace::Dram, 0),
               makeInst(Opcode::EndChain)};
  a.instNode.assign(3, kNoNode);
  a.formats = {{a.target.weightFormat, a.target.inputFormat}};
  std::string err;
  auto b = deserialize(serialize(a), err);
  ASSERT_TRUE(b.has_value()) << err;
  expectSame(a, *b);
}

TEST(ArtifactRoundTrip, Files) {
  Artifact a = sampleArtifact();
  std::string path = ::testing::TempDir() + "/artifact_roundtrip.npu";
  std::string err;
  ASSERT_TRUE(writeFile(a, path, err)) << err;
  auto b = readFile(path, err);
  ASSERT_TRUE(b.has_value()) << err;
  expectSame(a, *b);
  std::remove(path.c_str());

  std::string missing = ::testing::TempDir() + "/no/such/dir/model.npu";
  EXPECT_FALSE(readFile(missing, err).has_value());
  EXPECT_TRUE(contains(err, missing)) << err;
  EXPECT_FALSE(writeFile(a, missing, err));
  EXPECT_TRUE(contains(err, missing)) << err;

  std::string junk = ::testing::TempDir() + "/junk.npu";
  std::ofstream(junk) << "hello, world";
  EXPECT_FALSE(readFile(junk, err).has_value());
  EXPECT_TRUE(contains(err, junk)) << err;
  EXPECT_TRUE(contains(err, "bad magic")) << err;
  std::remove(junk.c_str());
}

//===----------------------------------------------------------------------===//
// Container rejections
//===----------------------------------------------------------------------===//

TEST(ArtifactRejects, EveryTruncatedPrefix) {
  std::vector<uint8_t> b = serialize(sampleArtifact());
  for (size_t len = 0; len < b.size(); ++len) {
    std::vector<uint8_t> prefix(b.begin(), b.begin() + len);
    std::string err;
    EXPECT_FALSE(deserialize(prefix, err).has_value()) << "prefix of " << len << " bytes accepted";
    EXPECT_FALSE(err.empty());
    if (len >= 8 && len < b.size())
      EXPECT_TRUE(contains(err, "truncated")) << len << ": " << err;
  }
  // Trailing bytes are refused too.
  b.push_back(0);
  EXPECT_TRUE(contains(loadError(b), "after its end"));
}

TEST(ArtifactRejects, EverySingleByteCorruption) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  for (size_t i = 0; i < good.size(); ++i)
    for (uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xFF)}) {
      std::vector<uint8_t> b = good;
      b[i] ^= mask;
      std::string err;
      EXPECT_FALSE(deserialize(b, err).has_value()) << "byte " << i << " ^ " << int(mask) << " accepted";
    }
  std::vector<uint8_t> b = good;
  b[b.size() - 1] ^= 0x10;
  EXPECT_EQ(loadError(b), "artifact is corrupted (checksum mismatch)");
  b = good;
  b[kOffCrc] ^= 0x10;
  EXPECT_EQ(loadError(b), "artifact is corrupted (checksum mismatch)");
}

TEST(ArtifactRejects, WrongMagic) {
  std::vector<uint8_t> b = serialize(sampleArtifact());
  b[3] = 'X';
  EXPECT_EQ(loadError(b), "not a softnpu artifact (bad magic)");
  EXPECT_EQ(loadError({'P', 'K', 3, 4}), "not a softnpu artifact (bad magic)");
  loadError({});
}

TEST(ArtifactRejects, WrongVersion) {
  std::vector<uint8_t> b = serialize(sampleArtifact());
  putLE(b, kOffMajor, 2, 4);
  putLE(b, kOffMinor, 2, 0);
  rechecksum(b);
  EXPECT_EQ(loadError(b), "artifact format version 4.0 is newer than this runtime supports (1.x, 2.x and 3.x)");
  // Even without a valid checksum the version is reported first.
  b[b.size() - 1] ^= 1;
  EXPECT_TRUE(contains(loadError(b), "newer"));

  putLE(b, kOffMajor, 2, 0);
  putLE(b, kOffMinor, 2, 9);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "0.9")) << loadError(b);

  // A newer minor version of the same major version is readable.
  b = serialize(sampleArtifact());
  putLE(b, kOffMinor, 2, kVersionMinor + 3);
  rechecksum(b);
  std::string err;
  EXPECT_TRUE(deserialize(b, err).has_value()) << err;

  // Version 1 files (ArtifactV1Test.cpp) load too; a 2.x file that says 1.x
  // is misread and refused (its matrix entries are 8 bytes longer).
  EXPECT_EQ(kVersionMajor, 2u);
  EXPECT_EQ(kVersionMinor, 2u); // 2.1: MATRIX_PARTS (MatrixPartsTest.cpp); 2.2: IO_LAYOUT (IoLayoutTest.cpp)
  b = serialize(sampleArtifact());
  putLE(b, kOffMajor, 2, 1);
  putLE(b, kOffMinor, 2, 1);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "MATRICES")) << loadError(b);
}

TEST(ArtifactRejects, BadSectionOffsetsAndSizes) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  size_t p = sectionIndex(good, kKindProgram);
  size_t t = sectionIndex(good, kKindTarget);
  uint64_t targetOff = getLE(good, entryOff(t) + 8, 8);
  uint64_t targetSize = getLE(good, entryOff(t) + 16, 8);
  struct Case {
    const char *what;
    size_t field;
    uint64_t value;
  } cases[] = {
      {"offset past the end", entryOff(p) + 8, good.size() + 8},
      {"size past the end", entryOff(p) + 16, good.size()},
      {"offset + size wraps around", entryOff(p) + 16, ~uint64_t(0) - 4},
      {"offset inside the header", entryOff(p) + 8, 8},
      {"offset inside the section table", entryOff(p) + 8, kHeader + 8},
      {"overlapping sections", entryOff(p) + 8, targetOff + targetSize / 2},
      {"offset inside a section but size too small", entryOff(p) + 16, 3},
      {"section count too large", kOffCount, 1000},
      {"section count huge", kOffCount, 0xFFFFFFFFu},
  };
  for (const Case &c : cases) {
    std::vector<uint8_t> b = good;
    putLE(b, c.field, c.field == kOffCount ? 4 : 8, c.value);
    rechecksum(b);
    std::string err = loadError(b);
    EXPECT_FALSE(contains(err, "checksum")) << c.what << ": " << err;
    EXPECT_TRUE(contains(err, "section")) << c.what << ": " << err;
  }
}

TEST(ArtifactRejects, CorruptedCountsDoNotAllocate) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  size_t p = sectionIndex(good, kKindProgram);
  uint64_t progOff = getLE(good, entryOff(p) + 8, 8);
  std::vector<uint8_t> b = good;
  putLE(b, progOff, 8, uint64_t(1) << 60);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "PROGRAM")) << loadError(b);

  // The target JSON string claims more bytes than its section holds.
  size_t t = sectionIndex(good, kKindTarget);
  uint64_t targetOff = getLE(good, entryOff(t) + 8, 8);
  b = good;
  putLE(b, targetOff + 8, 4, 0xFFFFFFF0u);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "TARGET")) << loadError(b);
}

TEST(ArtifactRejects, UndecodableInstructionWord) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  size_t p = sectionIndex(good, kKindProgram);
  uint64_t progOff = getLE(good, entryOff(p) + 8, 8);
  std::vector<uint8_t> b = good;
  putLE(b, progOff + 8 + 8 * 3, 8, 0xEE); // unknown opcode as instruction 3
  rechecksum(b);
  std::string err = loadError(b);
  EXPECT_TRUE(contains(err, "instruction 3")) << err;
  EXPECT_TRUE(contains(err, "opcode")) << err;
}

TEST(ArtifactRejects, TargetHashMismatchAndBadTargetJson) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  size_t t = sectionIndex(good, kKindTarget);
  uint64_t off = getLE(good, entryOff(t) + 8, 8);
  std::vector<uint8_t> b = good;
  b[off] ^= 1; // stored hash
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "hash")) << loadError(b);
  b = good;
  b[off + 12] = '['; // first byte of the JSON text
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "TARGET")) << loadError(b);
}

TEST(ArtifactRejects, UnknownSectionKinds) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  size_t prod = sectionIndex(good, kKindProducer);
  // Unknown and optional: skipped.
  std::vector<uint8_t> b = good;
  putLE(b, entryOff(prod), 4, 99);
  putLE(b, entryOff(prod) + 4, 4, 0);
  rechecksum(b);
  std::string err;
  auto a = deserialize(b, err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_TRUE(a->producer.empty());
  // Unknown and required: refused.
  putLE(b, entryOff(prod) + 4, 4, 1);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "section kind 99")) << loadError(b);
  // A known kind twice.
  b = good;
  putLE(b, entryOff(prod), 4, kKindTarget);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "two TARGET")) << loadError(b);
  // A mandatory section missing.
  b = good;
  putLE(b, entryOff(sectionIndex(good, kKindTarget)), 4, 99);
  putLE(b, entryOff(sectionIndex(good, kKindTarget)) + 4, 4, 0);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "no TARGET")) << loadError(b);
}

//===----------------------------------------------------------------------===//
// Semantic rejections (validate, and the same through deserialize)
//===----------------------------------------------------------------------===//

TEST(ArtifactValidate, ProgramFailingPlanProgram) {
  Artifact a = sampleArtifact();
  a.program.resize(14); // ends before the mv_mul chain's end_chain
  a.instNode.resize(14);
  EXPECT_TRUE(contains(validateError(a), "end_chain"));

  a = sampleArtifact();
  a.target.numMfus = 1;
  a.program[10] = makeInst(Opcode::VvMul); // add, relu -> mul, relu: fine on one MFU
  std::string err;
  EXPECT_TRUE(validate(a, err)) << err;
  a.program[11] = makeInst(Opcode::VvAdd); // mul then add needs a second MFU
  EXPECT_TRUE(contains(validateError(a), "multifunction units"));
}

TEST(ArtifactValidate, NotEncodableInstruction) {
  Artifact a = sampleArtifact();
  a.program[11].a = 5; // v_relu has no operand
  validateError(a);
  a = sampleArtifact();
  a.program[9].flags = 0x20; // does not fit the 4-bit field
  validateError(a, /*checkSerialized=*/false);
}

TEST(ArtifactValidate, MatrixEntries) {
  Artifact a = sampleArtifact();
  a.matrices[0].offset = a.weightImage.size() - 10;
  EXPECT_TRUE(contains(validateError(a), "weight image"));

  a = sampleArtifact();
  a.matrices[0].offset = ~uint64_t(0) - 2; // offset + size wraps
  validateError(a);

  a = sampleArtifact();
  a.matrices[0].size -= 1;
  validateError(a);

  a = sampleArtifact();
  a.matrices[0].mrfTile = 6; // 6 + 4 tiles > 8
  EXPECT_TRUE(contains(validateError(a), "MRF"));

  a = sampleArtifact();
  a.matrices[0].format = numerics::NumberFormat::bfp(5, 4);
  EXPECT_TRUE(contains(validateError(a), "format"));

  a = sampleArtifact();
  a.matrices[0].node = 7;
  validateError(a);

  a = sampleArtifact();
  a.matrices[0].rowTiles = 0;
  a.matrices[0].size = 0;
  validateError(a);

  a = sampleArtifact();
  a.matrices.push_back(a.matrices[0]); // same tiles twice
  a.program.resize(15);                // drop the m_rd so only the overlap is wrong
  a.instNode.resize(15);
  EXPECT_TRUE(contains(validateError(a), "share MRF tile"));
}

TEST(ArtifactValidate, DramInitsAndSignature) {
  Artifact a = sampleArtifact();
  a.dramInits[0].dramAddr = 60; // 60 + 8 > 64
  validateError(a);
  a = sampleArtifact();
  a.dramInits[0].count = 1000; // more floats than the weight image holds
  validateError(a);
  a = sampleArtifact();
  a.dramElements = a.target.dramBytes / 4 + 1;
  EXPECT_TRUE(contains(validateError(a), "DRAM"));
  a = sampleArtifact();
  a.outputs[1].dramAddr = 60;
  EXPECT_TRUE(contains(validateError(a), "'y2'"));
  a = sampleArtifact();
  a.inputs[0].shape = {-1, 8};
  validateError(a);
  a = sampleArtifact();
  a.inputs[0].shape = {int64_t(1) << 40, int64_t(1) << 40};
  validateError(a);
  a = sampleArtifact();
  a.outputs[1].name = "y";
  validateError(a);
}

TEST(ArtifactValidate, DebugTable) {
  Artifact a = sampleArtifact();
  a.instNode.pop_back();
  validateError(a);
  a = sampleArtifact();
  a.instNode[3] = 2; // only 2 node names
  EXPECT_TRUE(contains(validateError(a), "instruction 3"));
}

TEST(ArtifactValidate, StaticAddressChecks) {
  struct Case {
    const char *what;
    size_t index;
    Inst inst;
    const char *expect; ///< part of the message
  } cases[] = {
      {"DRAM read past the end", 5, makeInst(Opcode::VRd, MemSpace::Dram, 60), "DRAM element 67"},
      {"DRAM write past the end", 12, makeInst(Opcode::VWr, MemSpace::Dram, 60), "DRAM elements 60 + 8"},
      {"IVRF read past the depth", 8, makeInst(Opcode::VRd, MemSpace::Ivrf, 15), "IVRF vectors 15 + 2"},
      {"ASVRF write past the depth", 3, makeInst(Opcode::VWr, MemSpace::AsVrf, 7, 0), "ASVRF vectors 7 + 2"},
      {"ASVRF operand past the depth", 10, makeInst(Opcode::VvAdd, MemSpace::None, 7), "ASVRF vectors 7 + 2"},
      {"MULVRF operand past the depth", 10, makeInst(Opcode::VvMul, MemSpace::None, 7), "MULVRF vectors 7 + 2"},
      {"MRF tiles past the end", 9, makeInst(Opcode::MvMul, MemSpace::None, 5), "MRF tiles 5 + 4"},
      {"m_rd onto pinned tiles", 17, makeInst(Opcode::MRd, MemSpace::None, 40, 2), "constant matrix"},
      {"m_rd past the MRF", 17, makeInst(Opcode::MRd, MemSpace::None, 40, 5), "MRF tiles 5 + 4"},
      {"m_rd source past DRAM", 17, makeInst(Opcode::MRd, MemSpace::None, 50, 4), "DRAM elements 50 + 16"},
      {"COLS zero at v_rd", 1, scalarWrite(SReg::Cols, 0), "COLS is 0"},
      {"RD_LEN larger than COLS x N", 0, scalarWrite(SReg::RdLen, 9), "RD_LEN 9"},
      {"WR_LEN larger than the lanes", 0, scalarWrite(SReg::WrLen, 9), "WR_LEN 9"},
      {"stride reading past DRAM", 0, scalarWrite(SReg::RdStride, 9), "DRAM element 95"},
  };
  for (const Case &c : cases) {
    Artifact a = sampleArtifact();
    if (c.index == 0 && c.inst.op == Opcode::SWr) {
      a.program.insert(a.program.begin(), c.inst);
      a.instNode.insert(a.instNode.begin(), kNoNode);
    } else {
      a.program[c.index] = c.inst;
    }
    std::string err;
    EXPECT_FALSE(validate(a, err)) << c.what;
    EXPECT_TRUE(contains(err, "instruction ")) << c.what << ": " << err;
    EXPECT_TRUE(contains(err, c.expect)) << c.what << ": " << err;
  }
  // The messages name the ONNX node of the instruction.
  Artifact a = sampleArtifact();
  a.program[12] = makeInst(Opcode::VWr, MemSpace::Dram, 60);
  std::string err = validateError(a);
  EXPECT_TRUE(contains(err, "instruction 12")) << err;
  EXPECT_TRUE(contains(err, "Gemm:fc")) << err;
  // Just inside the limits is accepted: the last 8 DRAM elements, the last IVRF vectors.
  a = sampleArtifact();
  a.program[12] = makeInst(Opcode::VWr, MemSpace::Dram, 56);
  a.program[6] = makeInst(Opcode::VWr, MemSpace::Ivrf, 14);
  a.program[8] = makeInst(Opcode::VRd, MemSpace::Ivrf, 14);
  ASSERT_TRUE(validate(a, err)) << err;
}

TEST(ArtifactValidate, InvalidTarget) {
  Artifact a = sampleArtifact();
  a.target.mfuFormat = numerics::NumberFormat::bfp(6, 4); // the MFU format must be scalar
  validateError(a);
  a = sampleArtifact();
  a.target.nativeDim = 6; // blocks need not divide N any more: the target is valid,
  EXPECT_EQ(a.target.validate(), std::nullopt);
  EXPECT_TRUE(contains(validateError(a), "in 6 x 6 tiles")); // but the matrix was packed for N = 4
}

//===----------------------------------------------------------------------===//
// Format table, per-matrix formats, tensor records
//===----------------------------------------------------------------------===//

TEST(ArtifactFormats, EveryNumberFormatRoundTrips) {
  using numerics::Element;
  using numerics::NumberFormat;
  Artifact a = sampleArtifact();
  const NumberFormat blockFormats[] = {NumberFormat::bfp(1, 4),
                                       NumberFormat::bfp(6, 4),
                                       NumberFormat::bfp(15, 4),
                                       NumberFormat::mx(Element::E4M3, 4),
                                       NumberFormat::mx(Element::E5M2, 4),
                                       NumberFormat::mx(Element::E3M2, 4),
                                       NumberFormat::mx(Element::E2M3, 4),
                                       NumberFormat::mx(Element::E2M1, 4),
                                       NumberFormat::mx(Element::Int8, 4)};
  a.formats.resize(1);
  for (const NumberFormat &w : blockFormats)
    for (const NumberFormat &x : blockFormats)
      a.formats.push_back({w, x});
  a.formats.push_back({NumberFormat::fp32(), NumberFormat::fp32()});
  a.target.mfuFormat = NumberFormat::fp16();
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  auto b = deserialize(serialize(a), err);
  ASSERT_TRUE(b.has_value()) << err;
  expectSame(a, *b);
  EXPECT_EQ(b->formats.size(), 1 + 81 + 1u);
  EXPECT_EQ(b->target.mfuFormat, NumberFormat::fp16());
}

TEST(ArtifactFormats, MatrixInASecondFormatSizedByItsPackedForm) {
  Artifact a = sampleArtifact();
  const numerics::NumberFormat mxfp4 = a.formats[1].weight;
  // 2 x 2 tiles of 4 x 4 mxfp4: per row one block: 1 scale byte + 4 x 4 bits = 3 bytes.
  ASSERT_EQ(numerics::packedRowBytes(mxfp4, 4), 3u);
  a.matrices[0].format = mxfp4;
  a.matrices[0].formatIndex = 1;
  a.matrices[0].size = 4 * 4 * 3;
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  auto b = deserialize(serialize(a), err);
  ASSERT_TRUE(b.has_value()) << err;
  expectSame(a, *b);
  // The size must match the matrix's own format.
  a.matrices[0].size = 4 * 4 * numerics::packedRowBytes(a.target.weightFormat, 4);
  EXPECT_TRUE(contains(validateError(a), "8 x 8 mxfp4,k=4 elements in 4 x 4 tiles need 48")) << validateError(a);
}

TEST(ArtifactFormats, Rejections) {
  using numerics::NumberFormat;
  Artifact a = sampleArtifact();
  a.formats.clear();
  a.program.pop_back(); // the s_wr MFMT 1
  a.instNode.pop_back();
  EXPECT_TRUE(contains(validateError(a), "no format table")) << validateError(a);

  a = sampleArtifact();
  a.formats[0].input = NumberFormat::bfp(5, 4);
  EXPECT_TRUE(contains(validateError(a), "format pair 0")) << validateError(a);

  a = sampleArtifact();
  a.formats[1].input = NumberFormat::bfp(5, 8);
  EXPECT_TRUE(contains(validateError(a), "same block size")) << validateError(a);

  a = sampleArtifact();
  a.formats[1] = {NumberFormat::bf16(), NumberFormat::bf16()};
  EXPECT_TRUE(contains(validateError(a), "format pair 1")) << validateError(a);

  a = sampleArtifact();
  a.matrices[0].formatIndex = 2;
  EXPECT_TRUE(contains(validateError(a), "format pair 2")) << validateError(a);

  a = sampleArtifact();
  a.matrices[0].formatIndex = 1; // format field still the target's
  EXPECT_TRUE(contains(validateError(a), "has weight format mxfp4,k=4")) << validateError(a);

  a = sampleArtifact();
  a.program.back() = scalarWrite(SReg::MFmt, 2);
  std::string err = validateError(a);
  EXPECT_TRUE(contains(err, "instruction 18")) << err;
  EXPECT_TRUE(contains(err, "MFMT 2")) << err;

  a = sampleArtifact();
  a.tensors[1].node = 2;
  EXPECT_TRUE(contains(validateError(a), "tensor record 1")) << validateError(a);
  a = sampleArtifact();
  a.tensors[0].node = kNoNode;
  validateError(a);
  a = sampleArtifact();
  a.tensors[1].dramAddr = 60;
  EXPECT_TRUE(contains(validateError(a), "Relu:act")) << validateError(a);
  a = sampleArtifact();
  a.tensors[0].shape = {-1};
  validateError(a);
}

TEST(ArtifactFormats, CorruptedDescriptorsAndMissingTable) {
  const std::vector<uint8_t> good = serialize(sampleArtifact());
  const size_t f = sectionIndex(good, kKindFormats);
  EXPECT_EQ(getLE(good, entryOff(f) + 4, 4), 1u);                                // required
  EXPECT_EQ(getLE(good, entryOff(sectionIndex(good, kKindTensors)) + 4, 4), 0u); // optional
  const uint64_t off = getLE(good, entryOff(f) + 8, 8);
  // Layout: count u32, reserved u32, then per pair two 16-byte descriptors
  // (kind, mantissa bits, block size, element).
  ASSERT_EQ(getLE(good, off, 4), 2u);
  EXPECT_EQ(getLE(good, off + 8 + 32, 4), 1u);      // pair 1 weight: kind block
  EXPECT_EQ(getLE(good, off + 8 + 32 + 8, 4), 4u);  // block size 4
  EXPECT_EQ(getLE(good, off + 8 + 32 + 12, 4), 5u); // element E2M1
  struct Case {
    size_t at;
    uint32_t value;
    const char *expect;
  } cases[] = {
      {off + 8 + 32, 7, "unknown number format kind 7"},
      {off + 8 + 32 + 12, 9, "unknown block element code 9"},
      {off + 8 + 32 + 4, 3, "invalid number format descriptor"}, // MX element with m = 3
      {off + 8 + 32 + 8, 0, "invalid number format descriptor"}, // block size 0
      {off, 1000, "FORMATS"},
  };
  for (const Case &c : cases) {
    std::vector<uint8_t> b = good;
    putLE(b, c.at, 4, c.value);
    rechecksum(b);
    std::string err = loadError(b);
    EXPECT_TRUE(contains(err, c.expect)) << err;
  }
  std::vector<uint8_t> b = good;
  putLE(b, entryOff(f), 4, 99);
  putLE(b, entryOff(f) + 4, 4, 0);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "no FORMATS")) << loadError(b);
  // Without the optional TENSORS section the artifact still loads.
  b = good;
  putLE(b, entryOff(sectionIndex(good, kKindTensors)), 4, 99);
  rechecksum(b);
  std::string err;
  auto a = deserialize(b, err);
  ASSERT_TRUE(a.has_value()) << err;
  EXPECT_TRUE(a->tensors.empty());
}

//===----------------------------------------------------------------------===//
// Streamed matrices (MatrixEntry::streamed, m_rd stream)
//===----------------------------------------------------------------------===//

namespace {

/// The sample plus matrix 1: a streamed 2 x 1 tile grid in the target's
/// format appended to the weight image, moved by `m_rd stream #1, tile 4`
/// placed first in the program (where MAT_H, MAT_W are still 0: unused).
Artifact streamedArtifact() {
  Artifact a = sampleArtifact();
  MatrixEntry m;
  m.node = 1;
  m.rowTiles = 2;
  m.colTiles = 1;
  m.rows = 8;
  m.cols = 4;
  m.format = a.target.weightFormat;
  m.formatIndex = 0;
  m.offset = a.weightImage.size();
  m.size = 2 * 4 * numerics::packedRowBytes(m.format, 4);
  m.streamed = true; // mrfTile 0: no home tile, and no clash with matrix 0 at tiles 0..3
  a.matrices.push_back(m);
  for (uint64_t i = 0; i < m.size; ++i)
    a.weightImage.push_back(uint8_t(i * 13 + 5));
  a.program.insert(a.program.begin(), makeInst(Opcode::MRd, MemSpace::None, 1, 4, isa::kMRdStream));
  a.instNode.insert(a.instNode.begin(), 1);
  return a;
}

/// Byte offset of matrix `i`'s flags word in a serialized artifact
/// (MATRICES: u32 count, u32 reserved, 64-byte entries, flags at 44).
size_t matrixFlagsOffset(const std::vector<uint8_t> &b, size_t i) {
  const size_t sec = getLE(b, entryOff(sectionIndex(b, 5)) + 8, 8);
  return sec + 8 + i * 64 + 44;
}

} // namespace

TEST(ArtifactStreamed, RoundTripKeepsTheFlag) {
  Artifact a = streamedArtifact();
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  std::vector<uint8_t> bytes = serialize(a);
  EXPECT_EQ(getLE(bytes, matrixFlagsOffset(bytes, 0), 4), 0u);
  EXPECT_EQ(getLE(bytes, matrixFlagsOffset(bytes, 1), 4), kMatrixStreamed);
  EXPECT_EQ(kMatrixStreamed, 1u); // bit 0, docs/artifact-format.md
  auto b = deserialize(bytes, err);
  ASSERT_TRUE(b.has_value()) << err;
  EXPECT_FALSE(b->matrices[0].streamed);
  EXPECT_TRUE(b->matrices[1].streamed);
  EXPECT_EQ(b->program[0].flags, isa::kMRdStream);
  expectSame(a, *b);
  EXPECT_EQ(serialize(*b), bytes);
}

TEST(ArtifactStreamed, UnknownMatrixFlagsAreRefused) {
  std::vector<uint8_t> b = serialize(streamedArtifact());
  putLE(b, matrixFlagsOffset(b, 1), 4, 3);
  rechecksum(b);
  EXPECT_TRUE(contains(loadError(b), "unknown flags 3")) << loadError(b);
}

TEST(ArtifactStreamed, StreamedEntriesHaveNoHomeTile) {
  Artifact a = streamedArtifact();
  a.matrices[1].mrfTile = 4;
  EXPECT_TRUE(contains(validateError(a), "no home tile")) << validateError(a);
  // The other entry checks still apply to streamed entries.
  a = streamedArtifact();
  a.matrices[1].size -= 1;
  EXPECT_TRUE(contains(validateError(a), "matrix 1")) << validateError(a);
  a = streamedArtifact();
  a.matrices[1].offset = a.weightImage.size() - 4;
  EXPECT_TRUE(contains(validateError(a), "weight image")) << validateError(a);
  a = streamedArtifact();
  a.matrices[1].formatIndex = 1; // the mxfp4 pair, but the entry says bfp6
  EXPECT_TRUE(contains(validateError(a), "format")) << validateError(a);
  // A streamed matrix larger than the whole MRF is a valid entry (it is never
  // stored whole); only an m_rd stream of it would be refused.
  a = streamedArtifact();
  a.matrices[1].rowTiles = 9;
  a.matrices[1].rows = 36;
  a.matrices[1].size = 9 * 4 * numerics::packedRowBytes(a.matrices[1].format, 4);
  a.weightImage.resize(a.matrices[1].offset + a.matrices[1].size);
  a.program.erase(a.program.begin());
  a.instNode.erase(a.instNode.begin());
  std::string err;
  EXPECT_TRUE(validate(a, err)) << err;
}

TEST(ArtifactStreamed, StaticChecksOfMRdStream) {
  struct Case {
    const char *what;
    Inst inst;
    const char *expect;
  } cases[] = {
      {"matrix index out of range", makeInst(Opcode::MRd, MemSpace::None, 2, 4, isa::kMRdStream),
       "streams matrix 2 but the artifact has 2 matrices"},
      {"pinned matrix", makeInst(Opcode::MRd, MemSpace::None, 0, 4, isa::kMRdStream),
       "pinned in the MRF, not streamed"},
      {"past the MRF", makeInst(Opcode::MRd, MemSpace::None, 1, 7, isa::kMRdStream), "MRF tiles 7 + 2"},
      {"onto pinned tiles", makeInst(Opcode::MRd, MemSpace::None, 1, 3, isa::kMRdStream),
       "constant matrix (tiles 0..3)"},
  };
  for (const Case &c : cases) {
    Artifact a = streamedArtifact();
    a.program[0] = c.inst;
    std::string err = validateError(a);
    EXPECT_TRUE(contains(err, "instruction 0 (m_rd stream #")) << c.what << ": " << err;
    EXPECT_TRUE(contains(err, c.expect)) << c.what << ": " << err;
  }
  // Stream together with transpose is not an instruction at all.
  Artifact a = streamedArtifact();
  a.program[0].flags = isa::kMRdStream | isa::kMRdTranspose;
  EXPECT_TRUE(contains(validateError(a, /*checkSerialized=*/false), "stream and transpose"));
  // The last tiles of the MRF are fine, and the scalar registers do not matter.
  a = streamedArtifact();
  a.program[0].b = 6;
  a.program.insert(a.program.begin(), scalarWrite(SReg::Rows, 0));
  a.instNode.insert(a.instNode.begin(), kNoNode);
  a.program.insert(a.program.begin() + 1, scalarWrite(SReg::Cols, 0));
  a.instNode.insert(a.instNode.begin() + 1, kNoNode);
  a.program.insert(a.program.begin() + 3, scalarWrite(SReg::Cols, 2));
  a.instNode.insert(a.instNode.begin() + 3, kNoNode);
  a.program.insert(a.program.begin() + 4, scalarWrite(SReg::Rows, 2));
  a.instNode.insert(a.instNode.begin() + 4, kNoNode);
  std::string err;
  EXPECT_TRUE(validate(a, err)) << err;
}
