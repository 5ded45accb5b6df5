//===- MatrixLayout.cpp - Packed layout of a constant matrix (version 2) --===//
//
// Closed forms of the layout in MatrixLayout.h: every tile row but the last
// has N real rows and, within a column part, every tile column but the part's
// last N real columns, so one matrix row takes matrixRowBytes bytes across its
// tiles and tile (tr, tc) starts at tr x N x matrixRowBytes + tileRows(tr) x
// (the bytes of one row of the tile columns before tc). Without parts the
// matrix is one part of cols columns.
//
//===----------------------------------------------------------------------===//
#include "softnpu/artifact/MatrixLayout.h"

#include "Saturating.h"
#include "softnpu/numerics/Bfp.h"

#include <algorithm>
#include <limits>

namespace softnpu::artifact {

namespace {

using detail::addSat;
using detail::kSaturated;
using detail::mulSat;

/// Real elements of tile `t` along an extent of `total` elements.
uint32_t inTile(uint64_t total, uint32_t t, unsigned n) {
  const uint64_t first = static_cast<uint64_t>(t) * n;
  return first >= total ? 0 : static_cast<uint32_t>(std::min<uint64_t>(n, total - first));
}

/// Calls f(columns) for each column part of a matrix: its colParts, or one
/// part of cols columns.
template <typename F> void forEachPart(const MatrixEntry &m, F f) {
  if (m.colParts.empty())
    f(m.cols);
  for (uint32_t cols : m.colParts)
    f(cols);
}

/// Bytes of one row of a part of `cols` columns: its whole tiles, then the rest.
uint64_t partRowBytes(const MatrixEntry &m, uint64_t cols, unsigned n) {
  if (n == 0)
    return 0;
  const uint64_t full = cols / n, rest = cols % n;
  return addSat(mulSat(full, numerics::packedRowBytes(m.format, n)),
                rest ? numerics::packedRowBytes(m.format, rest) : 0);
}

/// The part holding tile column `tc`: its columns (0 past the grid), the
/// tile column within it, and the bytes of one matrix row before the part.
struct PartAt {
  uint64_t cols = 0;
  uint32_t tc = 0;
  uint64_t bytesBefore = 0;
};

PartAt partAt(const MatrixEntry &m, uint32_t tc, unsigned n) {
  PartAt at;
  at.tc = tc;
  if (m.colParts.empty()) {
    at.cols = m.cols;
    return at;
  }
  for (uint32_t cols : m.colParts) {
    const uint64_t tiles = tilesFor(cols, n);
    if (at.tc < tiles) {
      at.cols = cols;
      return at;
    }
    at.tc -= static_cast<uint32_t>(tiles);
    at.bytesBefore = addSat(at.bytesBefore, partRowBytes(m, cols, n));
  }
  at.cols = 0;
  return at;
}

} // namespace

uint64_t tilesFor(uint64_t elements, unsigned n) { return n ? elements / n + (elements % n != 0) : 0; }

uint64_t colTilesFor(const MatrixEntry &m, unsigned n) {
  uint64_t tiles = 0;
  forEachPart(m, [&](uint32_t cols) { tiles = addSat(tiles, tilesFor(cols, n)); });
  return tiles;
}

uint64_t partColumns(const MatrixEntry &m) {
  uint64_t cols = 0;
  forEachPart(m, [&](uint32_t c) { cols = addSat(cols, c); });
  return cols;
}

uint32_t tileRows(const MatrixEntry &m, uint32_t tr, unsigned n) { return inTile(m.rows, tr, n); }
uint32_t tileCols(const MatrixEntry &m, uint32_t tc, unsigned n) {
  if (n == 0)
    return 0;
  const PartAt at = partAt(m, tc, n);
  return inTile(at.cols, at.tc, n);
}

uint64_t matrixRowBytes(const MatrixEntry &m, unsigned n) {
  if (n == 0)
    return 0;
  uint64_t bytes = 0;
  bool empty = false;
  forEachPart(m, [&](uint32_t cols) {
    empty |= cols == 0;
    bytes = addSat(bytes, partRowBytes(m, cols, n));
  });
  return empty ? 0 : bytes; // an empty part has no layout
}

uint64_t matrixBytes(const MatrixEntry &m, unsigned n) { return mulSat(m.rows, matrixRowBytes(m, n)); }

TileExtent tileExtent(const MatrixEntry &m, uint32_t tr, uint32_t tc, unsigned n) {
  TileExtent e;
  const PartAt at = partAt(m, tc, n);
  e.rows = tileRows(m, tr, n);
  e.cols = inTile(at.cols, at.tc, n);
  e.rowBytes = numerics::packedRowBytes(m.format, e.cols);
  e.offset = static_cast<uint64_t>(tr) * n * matrixRowBytes(m, n) +
             static_cast<uint64_t>(e.rows) * (at.bytesBefore + at.tc * numerics::packedRowBytes(m.format, n));
  return e;
}

uint64_t paddedMatrixBytes(const MatrixEntry &m, unsigned n) {
  return mulSat(mulSat(mulSat(m.rowTiles, m.colTiles), n), numerics::packedRowBytes(m.format, n));
}

} // namespace softnpu::artifact
