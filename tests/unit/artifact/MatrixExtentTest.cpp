//===- MatrixExtentTest.cpp - Matrices stored at their real extent (format 2) ===//
//
// The MATRICES entry of format 2 records each matrix's real extent (rows,
// cols) next to its tile grid, and the weight image holds only the real
// elements (docs/artifact-format.md). Tests: the round trip of a matrix that
// is not a multiple of the tile size, the layout written out by hand, the
// size of a small matrix on a wide target, the validator's refusals of
// inconsistent extents, and version 1 files (whole tiles, 56-byte entries)
// loading as matrices whose extent is their whole grid.
//
//===----------------------------------------------------------------------===//
#include "common/FileBytes.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/artifact/MatrixLayout.h"
#include "softnpu/numerics/Bfp.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::artifact;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = kTinyDim;

/// tiny (msfp15) with a 20 x 37 matrix (a 2 x 3 grid) pinned at tile 0.
Artifact extentArtifact() {
  Artifact a = emptyArtifact(tinyTarget(), 64);
  addMatrix(a, 0, randomVector(20 * 37, 9), 20, 37);
  return a;
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

std::string validateError(const Artifact &a) {
  std::string err;
  EXPECT_FALSE(validate(a, err));
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  std::string err2;
  EXPECT_FALSE(deserialize(serialize(a), err2).has_value()); // the file is refused too
  EXPECT_FALSE(err2.empty());
  return err;
}

/// The version 1.1 file of a format 2 file whose matrices all fill their
/// grids: the same sections, MATRICES entries without their rows and cols
/// (bytes 16..23 of each 64-byte entry), laid out again by
/// docs/artifact-format.md (40-byte header, 24-byte table entries, sections
/// at multiples of 8).
std::vector<uint8_t> asVersion1(const std::vector<uint8_t> &v2) {
  const size_t count = getLE(v2, 24, 4);
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> sections; // kind | flags << 32, bytes
  for (size_t i = 0; i < count; ++i) {
    const size_t e = 40 + 24 * i;
    const uint64_t off = getLE(v2, e + 8, 8), size = getLE(v2, e + 16, 8);
    std::vector<uint8_t> bytes(v2.begin() + static_cast<std::ptrdiff_t>(off),
                               v2.begin() + static_cast<std::ptrdiff_t>(off + size));
    if (getLE(v2, e, 4) == 5) { // MATRICES
      std::vector<uint8_t> old(bytes.begin(), bytes.begin() + 8);
      for (size_t at = 8; at < bytes.size(); at += 64) {
        old.insert(old.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at),
                   bytes.begin() + static_cast<std::ptrdiff_t>(at + 16));
        old.insert(old.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at + 24),
                   bytes.begin() + static_cast<std::ptrdiff_t>(at + 64));
      }
      bytes = old;
    }
    sections.push_back({getLE(v2, e, 8), bytes});
  }
  std::vector<uint8_t> out(40 + 24 * count, 0);
  std::copy(v2.begin(), v2.begin() + 8, out.begin()); // magic
  putLE(out, 8, 2, 1);                                // version 1.1
  putLE(out, 10, 2, 1);
  putLE(out, 12, 4, 40);
  putLE(out, 24, 4, count);
  for (size_t i = 0; i < count; ++i) {
    while (out.size() % 8)
      out.push_back(0);
    putLE(out, 40 + 24 * i, 8, sections[i].first);
    putLE(out, 40 + 24 * i + 8, 8, out.size());
    putLE(out, 40 + 24 * i + 16, 8, sections[i].second.size());
    out.insert(out.end(), sections[i].second.begin(), sections[i].second.end());
  }
  putLE(out, 16, 8, out.size());
  putLE(out, 28, 4, referenceCrc(out));
  return out;
}

} // namespace

TEST(MatrixExtent, NonTileMultipleRoundTrip) {
  const Artifact a = extentArtifact();
  const MatrixEntry &m = a.matrices[0];
  EXPECT_EQ(m.rowTiles, 2u);
  EXPECT_EQ(m.colTiles, 3u);
  // By hand: a row of 37 msfp15 elements is 16 + 16 + 5 columns, 15 + 15 +
  // (1 + ceil(5 x 7 / 8)) = 36 bytes; 20 rows.
  EXPECT_EQ(m.size, 20u * 36u);
  EXPECT_EQ(matrixBytes(m, N), m.size);
  // Tile (1, 2) holds rows 16..19 and columns 32..36: after the 16 rows of
  // tile row 0 and 4 rows each of tiles (1, 0) and (1, 1).
  const TileExtent e = tileExtent(m, 1, 2, N);
  EXPECT_EQ(e.rows, 4u);
  EXPECT_EQ(e.cols, 5u);
  EXPECT_EQ(e.rowBytes, 6u);
  EXPECT_EQ(e.offset, 16u * 36u + 4u * 15u * 2u);
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  auto b = deserialize(serialize(a), err);
  ASSERT_TRUE(b.has_value()) << err;
  ASSERT_EQ(b->matrices.size(), 1u);
  EXPECT_EQ(b->matrices[0].rows, 20u);
  EXPECT_EQ(b->matrices[0].cols, 37u);
  EXPECT_EQ(b->matrices[0].size, m.size);
  EXPECT_EQ(b->weightImage, a.weightImage);
  EXPECT_EQ(serialize(*b), serialize(a));
}

TEST(MatrixExtent, ArtifactSizeFollowsTheRealExtent) {
  // One 16 x 16 msfp15 matrix on brainwave-s10 (N = 400): 16 x 15 = 240
  // bytes of weights, where its whole tile is 400 x 375 = 150000.
  std::string err;
  std::optional<target::Target> t = target::Target::load("brainwave-s10", err);
  ASSERT_TRUE(t) << err;
  Artifact a = emptyArtifact(*t, 16);
  const std::vector<uint8_t> empty = serialize(a);
  MatrixEntry m;
  m.rowTiles = m.colTiles = 1;
  m.rows = m.cols = 16;
  m.format = t->weightFormat;
  m.size = 240;
  EXPECT_EQ(matrixBytes(m, t->nativeDim), 240u);
  EXPECT_EQ(paddedMatrixBytes(m, t->nativeDim), 150000u);
  a.weightImage.assign(m.size, 0x11);
  a.matrices.push_back(m);
  ASSERT_TRUE(validate(a, err)) << err;
  const std::vector<uint8_t> bytes = serialize(a);
  // The weights plus a 64-byte matrix entry and at most 8 bytes of alignment.
  EXPECT_LE(bytes.size(), empty.size() + 240 + 64 + 8);
}

TEST(MatrixExtent, InconsistentExtentsAreRefused) {
  Artifact a = extentArtifact();
  a.matrices[0].rows = 33; // 3 tile rows' worth on a grid of 2
  EXPECT_TRUE(has(validateError(a), "matrix 0 has 33 x 37 elements, which need a 3 x 3 grid of 16 x 16 tiles, but "
                                    "its grid is 2 x 3"))
      << validateError(a);

  a = extentArtifact();
  a.matrices[0].rows = 16; // fits one tile row: the second would be empty
  EXPECT_TRUE(has(validateError(a), "need a 1 x 3 grid")) << validateError(a);

  a = extentArtifact();
  a.matrices[0].cols = 49;
  EXPECT_TRUE(has(validateError(a), "need a 2 x 4 grid")) << validateError(a);

  a = extentArtifact();
  a.matrices[0].cols = 0;
  EXPECT_TRUE(has(validateError(a), "matrix 0 has an empty extent (20 x 0 elements)")) << validateError(a);

  a = extentArtifact();
  a.matrices[0].cols = 36; // same grid, one byte less per row than stored
  EXPECT_TRUE(has(validateError(a), "matrix 0 has 720 bytes but 20 x 36 msfp15 elements in 16 x 16 tiles need 700"))
      << validateError(a);

  a = extentArtifact();
  a.matrices[0].size -= 1;
  a.weightImage.pop_back();
  EXPECT_TRUE(has(validateError(a), "need 720")) << validateError(a);
}

TEST(MatrixExtent, CorruptEntryInTheFileIsRefused) {
  // The rows field of the serialized entry (MATRICES: u32 count, u32
  // reserved, then the entry: rows at byte 16).
  const std::vector<uint8_t> good = serialize(extentArtifact());
  size_t sec = 0;
  for (size_t i = 0; i < getLE(good, 24, 4); ++i)
    if (getLE(good, 40 + 24 * i, 4) == 5)
      sec = getLE(good, 40 + 24 * i + 8, 8);
  ASSERT_GT(sec, 0u);
  ASSERT_EQ(getLE(good, sec + 8 + 16, 4), 20u);
  ASSERT_EQ(getLE(good, sec + 8 + 20, 4), 37u);
  std::vector<uint8_t> b = good;
  putLE(b, sec + 8 + 16, 4, 0xFFFFFFFFu);
  putLE(b, 28, 4, referenceCrc(b));
  std::string err;
  EXPECT_FALSE(deserialize(b, err).has_value());
  EXPECT_TRUE(has(err, "matrix 0 has 4294967295 x 37 elements")) << err;
}

TEST(MatrixExtent, Version1FilesLoadAsWholeGrids) {
  // A version 1 file stores whole tiles: the same bytes as a format 2 matrix
  // whose extent is its whole grid.
  Artifact a = emptyArtifact(tinyTarget(), 64);
  std::vector<float> w(32 * 48, 0.0f);
  const std::vector<float> real = randomVector(20 * 37, 9);
  for (size_t i = 0; i < 20; ++i)
    std::copy_n(&real[i * 37], 37, &w[i * 48]);
  addMatrix(a, 0, w, 32, 48);
  const std::vector<uint8_t> v1 = asVersion1(serialize(a));
  EXPECT_EQ(getLE(v1, 8, 2), 1u);
  std::string err;
  auto b = deserialize(v1, err);
  ASSERT_TRUE(b.has_value()) << err;
  ASSERT_EQ(b->matrices.size(), 1u);
  EXPECT_EQ(b->matrices[0].rows, 32u);
  EXPECT_EQ(b->matrices[0].cols, 48u);
  EXPECT_EQ(b->matrices[0].size, a.matrices[0].size);
  EXPECT_EQ(b->weightImage, a.weightImage);
  // Written again, it is a format 2 file.
  EXPECT_EQ(serialize(*b), serialize(a));
  // A 1.x MATRICES section of the wrong length is refused.
  std::vector<uint8_t> bad = asVersion1(serialize(a));
  putLE(bad, 8, 2, 2);
  putLE(bad, 28, 4, referenceCrc(bad));
  EXPECT_FALSE(deserialize(bad, err).has_value());
  EXPECT_TRUE(has(err, "MATRICES")) << err;
}
