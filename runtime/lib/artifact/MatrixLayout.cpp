//===- MatrixLayout.cpp - Packed layout of a constant matrix (version 2) --===//
//
// Closed forms of the layout in MatrixLayout.h: every tile row but the last
// has N real rows and every tile column but the last N real columns, so one
// matrix row takes matrixRowBytes bytes across its tiles and tile (tr, tc)
// starts at tr x N x matrixRowBytes + tileRows(tr) x tc x packedRowBytes(N).
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

} // namespace

uint64_t tilesFor(uint64_t elements, unsigned n) { return n ? elements / n + (elements % n != 0) : 0; }

uint32_t tileRows(const MatrixEntry &m, uint32_t tr, unsigned n) { return inTile(m.rows, tr, n); }
uint32_t tileCols(const MatrixEntry &m, uint32_t tc, unsigned n) { return inTile(m.cols, tc, n); }

uint64_t matrixRowBytes(const MatrixEntry &m, unsigned n) {
  if (n == 0 || m.cols == 0)
    return 0;
  const uint64_t full = m.cols / n, rest = m.cols % n;
  return addSat(mulSat(full, numerics::packedRowBytes(m.format, n)),
                rest ? numerics::packedRowBytes(m.format, rest) : 0);
}

uint64_t matrixBytes(const MatrixEntry &m, unsigned n) { return mulSat(m.rows, matrixRowBytes(m, n)); }

TileExtent tileExtent(const MatrixEntry &m, uint32_t tr, uint32_t tc, unsigned n) {
  TileExtent e;
  e.rows = tileRows(m, tr, n);
  e.cols = tileCols(m, tc, n);
  e.rowBytes = numerics::packedRowBytes(m.format, e.cols);
  e.offset = static_cast<uint64_t>(tr) * n * matrixRowBytes(m, n) +
             static_cast<uint64_t>(e.rows) * tc * numerics::packedRowBytes(m.format, n);
  return e;
}

uint64_t paddedMatrixBytes(const MatrixEntry &m, unsigned n) {
  return mulSat(mulSat(mulSat(m.rowTiles, m.colTiles), n), numerics::packedRowBytes(m.format, n));
}

} // namespace softnpu::artifact
