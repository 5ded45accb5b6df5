//===- MatrixPartsTest.cpp - Matrices in column parts (format 2.1) --------===//
//
// A recurrent gate's matrix [ W | R ] starts each part on a whole tile column;
// format 2.1 records the parts (MatrixEntry::colParts, the MATRIX_PARTS
// section) so that the weight image holds only their real columns, not the
// zeros between them (docs/artifact-format.md). Tests: the layout of a
// matrix in parts, computed by hand; the round trip through the file; the
// section written (REQUIRED) only when a matrix has parts; the validator's
// and the reader's refusals of inconsistent parts.
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
constexpr uint32_t kPartsKind = 11, kRequired = 1;

/// tiny (msfp15) with a 20-row matrix in parts of 21 and 5 columns (a 2 x 3
/// grid: tile columns 0 and 1 hold the first part, 16 + 5 columns; tile
/// column 2 the second, 5 columns) pinned at tile 0.
Artifact partsArtifact() {
  Artifact a = emptyArtifact(tinyTarget(), 64);
  addPartedMatrix(a, 0, randomVector(20 * 26, 7), 20, {21, 5});
  return a;
}

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

std::string validateError(const Artifact &a) {
  std::string err;
  EXPECT_FALSE(validate(a, err));
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

/// The section table entry (offset of the entry) of `kind`, or 0.
size_t sectionEntry(const std::vector<uint8_t> &b, uint32_t kind) {
  for (size_t i = 0; i < getLE(b, 24, 4); ++i)
    if (getLE(b, 40 + 24 * i, 4) == kind)
      return 40 + 24 * i;
  return 0;
}

} // namespace

TEST(MatrixParts, LayoutByHand) {
  const Artifact a = partsArtifact();
  const MatrixEntry &m = a.matrices[0];
  EXPECT_EQ(m.rowTiles, 2u);
  EXPECT_EQ(m.colTiles, 3u);
  EXPECT_EQ(m.cols, 26u);
  EXPECT_EQ(colTilesFor(m, N), 3u);
  EXPECT_EQ(partColumns(m), 26u);
  EXPECT_EQ(tileCols(m, 0, N), 16u);
  EXPECT_EQ(tileCols(m, 1, N), 5u);
  EXPECT_EQ(tileCols(m, 2, N), 5u);
  EXPECT_EQ(tileCols(m, 3, N), 0u); // past the grid
  // A row: 16 + 5 columns of the first part, 5 of the second: 15 + 6 + 6
  // msfp15 bytes; 20 rows. Without parts the same grid would store 16 + 16 +
  // 5 columns a row (36 bytes, the zeros of tile column 1 included).
  EXPECT_EQ(matrixRowBytes(m, N), 27u);
  EXPECT_EQ(m.size, 20u * 27u);
  EXPECT_EQ(matrixBytes(m, N), m.size);
  // Tile (0, 1): after the 16 rows of tile (0, 0) (15 bytes each).
  TileExtent e = tileExtent(m, 0, 1, N);
  EXPECT_EQ(e.rows, 16u);
  EXPECT_EQ(e.cols, 5u);
  EXPECT_EQ(e.rowBytes, 6u);
  EXPECT_EQ(e.offset, 16u * 15u);
  // Tile (1, 2): after tile row 0 (16 rows of 27 bytes) and the 4 rows of
  // tiles (1, 0) and (1, 1) (15 + 6 bytes each).
  e = tileExtent(m, 1, 2, N);
  EXPECT_EQ(e.rows, 4u);
  EXPECT_EQ(e.cols, 5u);
  EXPECT_EQ(e.rowBytes, 6u);
  EXPECT_EQ(e.offset, 16u * 27u + 4u * 21u);
  // The timing model still moves whole tiles.
  EXPECT_EQ(paddedMatrixBytes(m, N), 6u * 16u * 15u);
}

TEST(MatrixParts, RoundTripThroughTheFile) {
  const Artifact a = partsArtifact();
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  const std::vector<uint8_t> bytes = serialize(a);
  EXPECT_EQ(getLE(bytes, 8, 2), 2u);
  EXPECT_GE(getLE(bytes, 10, 2), 1u); // 2.1 or later
  // MATRIX_PARTS, written REQUIRED (a 2.0 reader must refuse the file): one
  // record, matrix 0 in 2 parts of 21 and 5 columns.
  const size_t entry = sectionEntry(bytes, kPartsKind);
  ASSERT_GT(entry, 0u);
  EXPECT_EQ(getLE(bytes, entry + 4, 4), kRequired);
  const size_t at = getLE(bytes, entry + 8, 8);
  EXPECT_EQ(getLE(bytes, entry + 16, 8), 8u + 8u + 2u * 4u);
  EXPECT_EQ(getLE(bytes, at, 4), 1u);
  EXPECT_EQ(getLE(bytes, at + 8, 4), 0u);
  EXPECT_EQ(getLE(bytes, at + 12, 4), 2u);
  EXPECT_EQ(getLE(bytes, at + 16, 4), 21u);
  EXPECT_EQ(getLE(bytes, at + 20, 4), 5u);

  auto b = deserialize(bytes, err);
  ASSERT_TRUE(b.has_value()) << err;
  ASSERT_EQ(b->matrices.size(), 1u);
  EXPECT_EQ(b->matrices[0].colParts, (std::vector<uint32_t>{21, 5}));
  EXPECT_EQ(b->matrices[0].cols, 26u);
  EXPECT_EQ(b->matrices[0].size, a.matrices[0].size);
  EXPECT_EQ(b->weightImage, a.weightImage);
  EXPECT_EQ(serialize(*b), bytes);
}

TEST(MatrixParts, SectionOnlyWhenAMatrixHasParts) {
  // Without parts the file has no MATRIX_PARTS section: a 2.0 reader reads it.
  Artifact a = emptyArtifact(tinyTarget(), 64);
  addMatrix(a, 0, randomVector(20 * 26, 7), 20, 26);
  EXPECT_EQ(sectionEntry(serialize(a), kPartsKind), 0u);
  // Of two matrices only the second has parts: one record, naming matrix 1.
  addPartedMatrix(a, 6, randomVector(4 * 8, 8), 4, {3, 5});
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  const std::vector<uint8_t> bytes = serialize(a);
  const size_t entry = sectionEntry(bytes, kPartsKind);
  ASSERT_GT(entry, 0u);
  const size_t at = getLE(bytes, entry + 8, 8);
  EXPECT_EQ(getLE(bytes, at, 4), 1u);
  EXPECT_EQ(getLE(bytes, at + 8, 4), 1u);
  auto b = deserialize(bytes, err);
  ASSERT_TRUE(b.has_value()) << err;
  EXPECT_TRUE(b->matrices[0].colParts.empty());
  EXPECT_EQ(b->matrices[1].colParts, (std::vector<uint32_t>{3, 5}));
}

TEST(MatrixParts, InconsistentPartsAreRefused) {
  Artifact a = partsArtifact();
  a.matrices[0].colParts = {21, 4};
  EXPECT_TRUE(has(validateError(a), "matrix 0 has column parts 21 | 4, which add up to 25 columns, but its extent is "
                                    "20 x 26"))
      << validateError(a);

  a = partsArtifact();
  a.matrices[0].colParts = {26, 0};
  EXPECT_TRUE(has(validateError(a), "matrix 0 has an empty column part (parts 26 | 0)")) << validateError(a);

  a = partsArtifact();
  a.matrices[0].colParts = {16, 10}; // 1 + 1 tile columns on a grid of 3
  EXPECT_TRUE(has(validateError(a), "matrix 0 has 20 x 26 elements in column parts 16 | 10, which need a 2 x 2 grid of "
                                    "16 x 16 tiles, but its grid is 2 x 3"))
      << validateError(a);

  a = partsArtifact();
  a.matrices[0].colParts = {5, 21}; // the same grid and columns, other bytes: 6 + 15 + 6 = 27 too
  std::string err;
  EXPECT_TRUE(validate(a, err)) << err;
  a.matrices[0].colParts = {10, 16}; // 10 + 16 columns in 1 + 1 tiles: a 2 x 2 grid
  EXPECT_TRUE(has(validateError(a), "need a 2 x 2 grid")) << validateError(a);

  a = partsArtifact();
  a.matrices[0].colParts = {17, 9}; // 16 + 1 and 9 columns: 15 + 2 + 9 = 26 bytes a row
  EXPECT_TRUE(has(validateError(a), "matrix 0 has 540 bytes but 20 x 26 msfp15 elements in 16 x 16 tiles need 520"))
      << validateError(a);
}

TEST(MatrixParts, CorruptSectionIsRefused) {
  const std::vector<uint8_t> good = serialize(partsArtifact());
  const size_t entry = sectionEntry(good, kPartsKind);
  ASSERT_GT(entry, 0u);
  const size_t at = getLE(good, entry + 8, 8);
  auto refused = [&](size_t off, uint64_t value, const std::string &expected) {
    std::vector<uint8_t> b = good;
    putLE(b, off, 4, value);
    putLE(b, 28, 4, referenceCrc(b));
    std::string err;
    EXPECT_FALSE(deserialize(b, err).has_value());
    EXPECT_TRUE(has(err, expected)) << err;
  };
  refused(at + 8, 1, "artifact MATRIX_PARTS section: record 0 names matrix 1 but there are 1 matrices");
  refused(at + 12, 0, "artifact MATRIX_PARTS section: matrix 0 has 0 column parts");
  refused(at + 12, 1000, "column part count 1000 does not fit");
  refused(at + 12, 1, "unexpected bytes at the end");
  refused(at, 5, "matrix parts record count 5 does not fit");
  refused(at + 20, 6, "which add up to 27 columns");
}
