//===- MatrixLayout.h - Where a constant matrix's tiles lie in the weights ===//
//
// Format version 2 stores each constant matrix at its real extent
// (MatrixEntry::rows x cols), not padded to whole tiles: tile (tr, tc) of the
// grid holds the tileRows(tr) x tileCols(tc) elements that are real, each of
// its rows packed by numerics::packRow with n = tileCols(tc), tiles in grid
// order (docs/artifact-format.md, MATRICES). A matrix with column parts
// (MatrixEntry::colParts, format 2.1) starts each part on a whole tile column:
// a tile column's real columns are those of its part, so the zero columns
// between the parts are not stored either. The writer (the compiler's
// emitter), the validator and the simulator's loader all use these functions,
// so there is one definition of the layout.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ARTIFACT_MATRIXLAYOUT_H
#define SOFTNPU_ARTIFACT_MATRIXLAYOUT_H

#include "softnpu/artifact/Artifact.h"

#include <cstdint>

namespace softnpu::artifact {

/// The part of one tile that the weight image stores.
struct TileExtent {
  uint32_t rows = 0, cols = 0; ///< real rows and columns (<= N); the rest of the N x N tile is zero
  uint64_t offset = 0;         ///< first byte, relative to MatrixEntry::offset
  uint64_t rowBytes = 0;       ///< bytes of one packed row: numerics::packedRowBytes(format, cols)
};

/// The tile grid a rows x cols matrix needs on native dimension n:
/// ceil(rows / n) x ceil(cols / n).
uint64_t tilesFor(uint64_t elements, unsigned n);
/// Tile columns the matrix's columns need: ceil(cols / n), or with column
/// parts the sum of ceil(part / n). Saturating.
uint64_t colTilesFor(const MatrixEntry &m, unsigned n);
/// Columns of the matrix's parts added up (cols when it has no parts). Saturating.
uint64_t partColumns(const MatrixEntry &m);
/// Real rows of tile row `tr` / real columns of tile column `tc` (0 past the extent).
uint32_t tileRows(const MatrixEntry &m, uint32_t tr, unsigned n);
uint32_t tileCols(const MatrixEntry &m, uint32_t tc, unsigned n);
/// Bytes of one whole row of the matrix (all its tile columns), and of the
/// whole matrix (rows x that). Saturate at UINT64_MAX instead of wrapping, and
/// are 0 for a format without a packed form, so a corrupted entry never
/// matches.
uint64_t matrixRowBytes(const MatrixEntry &m, unsigned n);
uint64_t matrixBytes(const MatrixEntry &m, unsigned n);
/// Tile (tr, tc) of a matrix whose entry passed validate() (tr < rowTiles,
/// tc < colTiles).
TileExtent tileExtent(const MatrixEntry &m, uint32_t tr, uint32_t tc, unsigned n);
/// Bytes the matrix would take padded to whole N x N tiles (version 1 layout;
/// what the timing model charges for moving it from DRAM: the NPU's DRAM
/// holds whole tiles). Saturating.
uint64_t paddedMatrixBytes(const MatrixEntry &m, unsigned n);

} // namespace softnpu::artifact

#endif // SOFTNPU_ARTIFACT_MATRIXLAYOUT_H
