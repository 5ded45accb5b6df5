//===- SectionDeflateTest.cpp - zlib-compressed table sections (format 2) -===//
//
// The writer compresses the table sections that grow with the model (IOSIG,
// DEBUG, MATRICES, TENSORS, DRAM) when they are at least 4096 bytes and
// compression helps, marking them with section flag bit 1 (DEFLATE: u64
// size, then a zlib stream). Tests: the round trip of a large artifact and
// the flags in its section table, small sections left as they are, and the
// reader's refusals of corrupted compressed sections (found past the
// checksum, which the tests recompute).
//
//===----------------------------------------------------------------------===//
#include "common/FileBytes.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::artifact;
using namespace softnpu::testing;

namespace {

constexpr uint32_t kKindDram = 6, kKindWeights = 7, kDeflate = 2;

/// Section table entry (40 + 24 i) of the first section of `kind`.
size_t entryOf(const std::vector<uint8_t> &b, uint32_t kind) {
  for (size_t i = 0; i < getLE(b, 24, 4); ++i)
    if (getLE(b, 40 + 24 * i, 4) == kind)
      return 40 + 24 * i;
  ADD_FAILURE() << "no section of kind " << kind;
  return 40;
}

/// tiny with 2000 one-element DRAM initialisers: a 48 KB DRAM section of
/// regular numbers.
Artifact manyInits() {
  Artifact a = emptyArtifact(tinyTarget(true), 4000);
  for (uint64_t i = 0; i < 2000; ++i)
    addDramInit(a, 2 * i, {static_cast<float>(i)});
  return a;
}

std::string loadError(const std::vector<uint8_t> &b) {
  std::string err;
  EXPECT_FALSE(deserialize(b, err).has_value());
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

} // namespace

TEST(SectionDeflate, LargeTablesAreCompressedAndRoundTrip) {
  const Artifact a = manyInits();
  const std::vector<uint8_t> bytes = serialize(a);
  const size_t dram = entryOf(bytes, kKindDram);
  EXPECT_EQ(getLE(bytes, dram + 4, 4), 1u | kDeflate); // REQUIRED and DEFLATE
  const uint64_t off = getLE(bytes, dram + 8, 8), size = getLE(bytes, dram + 16, 8);
  EXPECT_EQ(getLE(bytes, off, 8), 16u + 2000u * 24u); // the inflated size comes first
  EXPECT_LT(size, 16u + 2000u * 24u);
  // The weight image is never compressed.
  EXPECT_EQ(getLE(bytes, entryOf(bytes, kKindWeights) + 4, 4), 1u);
  std::string err;
  auto b = deserialize(bytes, err);
  ASSERT_TRUE(b.has_value()) << err;
  ASSERT_EQ(b->dramInits.size(), 2000u);
  EXPECT_EQ(b->dramInits[1999].dramAddr, 3998u);
  EXPECT_EQ(b->dramInits[1999].offset, 1999u * 4u);
  EXPECT_EQ(b->weightImage, a.weightImage);
  EXPECT_EQ(serialize(*b), bytes);
}

TEST(SectionDeflate, SmallSectionsStayAsTheyAre) {
  Artifact a = emptyArtifact(tinyTarget(true), 64);
  addDramInit(a, 0, {1.0f, 2.0f});
  const std::vector<uint8_t> bytes = serialize(a);
  for (size_t i = 0; i < getLE(bytes, 24, 4); ++i)
    EXPECT_EQ(getLE(bytes, 40 + 24 * i + 4, 4) & kDeflate, 0u) << "section " << i;
}

TEST(SectionDeflate, CorruptedCompressedSectionsAreRefused) {
  const std::vector<uint8_t> good = serialize(manyInits());
  const size_t dram = entryOf(good, kKindDram);
  const uint64_t off = getLE(good, dram + 8, 8), size = getLE(good, dram + 16, 8);

  std::vector<uint8_t> b = good; // a byte of the zlib stream
  b[off + 8 + size / 2] ^= 0x5A;
  rechecksum(b);
  EXPECT_TRUE(has(loadError(b), "artifact DRAM section is corrupted")) << loadError(b);

  b = good; // an announced size no stream of this length can reach
  putLE(b, off, 8, uint64_t(1) << 40);
  rechecksum(b);
  EXPECT_TRUE(has(loadError(b), "artifact DRAM section is corrupted (" + std::to_string(size - 8) +
                                    " compressed bytes cannot hold 1099511627776)"))
      << loadError(b);

  b = good; // a plausible but wrong size
  putLE(b, off, 8, getLE(good, off, 8) + 1);
  rechecksum(b);
  EXPECT_TRUE(has(loadError(b), "does not inflate to the 48017 bytes it announces")) << loadError(b);

  b = good; // shorter than its size field
  putLE(b, dram + 16, 8, 4);
  rechecksum(b);
  EXPECT_TRUE(has(loadError(b), "artifact DRAM section is compressed but holds only 4 bytes")) << loadError(b);
}
