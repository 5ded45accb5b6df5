//===- ChecksumTest.cpp - The file checksum of a large artifact -----------===//
//
// A weight image of 16 MB and more is checksummed in two halves on two
// threads and the CRCs joined (runtime/lib/artifact/Checksum.cpp). The
// checksum written must be zlib's crc32 of the whole file with the checksum
// field read as zero (docs/artifact-format.md), computed here in one pass;
// the reader must accept the file and reject it with a byte changed in
// either half.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace softnpu {
namespace {

constexpr size_t kChecksumOffset = 28; // docs/artifact-format.md, the header

uint32_t storedChecksum(const std::vector<uint8_t> &file) {
  return static_cast<uint32_t>(file[kChecksumOffset]) | static_cast<uint32_t>(file[kChecksumOffset + 1]) << 8 |
         static_cast<uint32_t>(file[kChecksumOffset + 2]) << 16 |
         static_cast<uint32_t>(file[kChecksumOffset + 3]) << 24;
}

TEST(Checksum, LargeImageChecksumIsZlibCrcOfTheWholeFile) {
  const size_t count = size_t{6} << 20; // 24 MB of fp32 DRAM constants
  artifact::Artifact a = testing::vectorInOutArtifact(count + 2 * testing::kTinyDim, count + testing::kTinyDim);
  testing::addDramInit(a, testing::kTinyDim, testing::randomVector(count, 11));
  const std::vector<uint8_t> file = artifact::serialize(a);
  ASSERT_GT(file.size(), count * 4);

  std::vector<uint8_t> zeroed = file;
  std::fill(zeroed.begin() + kChecksumOffset, zeroed.begin() + kChecksumOffset + 4, uint8_t{0});
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, zeroed.data(), static_cast<uInt>(zeroed.size()));
  EXPECT_EQ(storedChecksum(file), static_cast<uint32_t>(crc));

  std::string err;
  ASSERT_TRUE(artifact::deserialize(file, err).has_value()) << err;
  for (size_t at : {file.size() / 4, file.size() - file.size() / 4}) {
    std::vector<uint8_t> corrupted = file;
    corrupted[at] ^= 0x10;
    EXPECT_FALSE(artifact::deserialize(corrupted, err).has_value()) << "byte " << at;
    EXPECT_NE(err.find("checksum"), std::string::npos) << err;
  }
}

} // namespace
} // namespace softnpu
