//===- Standalone.cpp - Instructions outside chains: m_rd, s_wr -----------===//
//
// m_rd follows docs/execution-model.md "Matrix moves": the MAT_H x MAT_W
// row-major matrix at DRAM element a (optionally transposed) is zero-padded to
// a ROWS x COLS tile grid and stored from MRF tile b (tile (tr, tc) in tile
// b + tr * MAT_PITCH + tc, MAT_PITCH 0 meaning COLS), each tile row quantized
// by the MRF to the weight format of format pair MFMT (only the part of the
// matrix inside a tile is stored; the MRF knows the rest is zero). m_rd stream copies
// the packed tiles of a streamed constant matrix into MRF tiles from b
// unchanged (unpacked as the pinning at session start does, no rounding;
// each tile holds its real extent, artifact/MatrixLayout.h).
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include "softnpu/artifact/MatrixLayout.h"

#include <algorithm>

namespace softnpu::sim::detail {

using isa::SReg;

namespace {

bool matrixStream(State &s, const isa::Inst &inst, std::string &what) {
  if (inst.flags & isa::kMRdTranspose) {
    what = "stream and transpose cannot be combined";
    return false;
  }
  if (inst.a >= s.matrices.size()) {
    what = "streams matrix " + std::to_string(inst.a) + " but the artifact has " + std::to_string(s.matrices.size()) +
           " matrices";
    return false;
  }
  const artifact::MatrixEntry &m = s.matrices[inst.a];
  if (!m.streamed) {
    what = "streams matrix " + std::to_string(inst.a) + " but it is pinned in the MRF, not streamed";
    return false;
  }
  const uint64_t tiles = static_cast<uint64_t>(m.rowTiles) * m.colTiles;
  const uint64_t begin = inst.b, end = begin + tiles;
  if (end > s.mrf.numTiles()) {
    what = "writes MRF tiles [" + std::to_string(begin) + ", " + std::to_string(end) + ") but the MRF has " +
           std::to_string(s.mrf.numTiles()) + " tiles";
    return false;
  }
  for (const auto &[pb, pe] : s.pinnedTiles)
    if (begin < pe && pb < end) {
      what = "overwrites MRF tiles of a constant matrix (tiles " + std::to_string(pb) + ".." + std::to_string(pe - 1) +
             ")";
      return false;
    }
  const uint8_t *packed = s.streamedImage.data() + s.streamedAt[inst.a];
  for (uint32_t tr = 0; tr < m.rowTiles; ++tr)
    for (uint32_t tc = 0; tc < m.colTiles; ++tc) {
      const artifact::TileExtent e = artifact::tileExtent(m, tr, tc, s.n);
      s.mrf.storePackedTile(static_cast<uint32_t>(begin + uint64_t{tr} * m.colTiles + tc), packed + e.offset, e.rows,
                            e.cols, m.formatIndex, /*reuse=*/true); // streamedImage lives as long as the session
    }
  ++s.counters.matrixMoves;
  s.counters.mrfTilesWritten += tiles;
  return true;
}

bool matrixMove(State &s, const isa::Inst &inst, std::string &what) {
  if (inst.flags & isa::kMRdStream)
    return matrixStream(s, inst, what);
  const uint64_t matH = s.reg(SReg::MatH), matW = s.reg(SReg::MatW);
  const uint64_t rows = s.reg(SReg::Rows), cols = s.reg(SReg::Cols);
  const uint64_t n = s.n;
  const bool transpose = inst.flags & isa::kMRdTranspose;
  if (matH == 0 || matW == 0) {
    what = "MAT_H x MAT_W is " + std::to_string(matH) + " x " + std::to_string(matW);
    return false;
  }
  if (rows == 0 || cols == 0) {
    what = "ROWS x COLS is " + std::to_string(rows) + " x " + std::to_string(cols);
    return false;
  }
  if (inst.a + matH * matW > s.dram.size()) {
    what = "reads DRAM elements [" + std::to_string(inst.a) + ", " + std::to_string(inst.a + matH * matW) +
           ") but DRAM has " + std::to_string(s.dram.size()) + " elements";
    return false;
  }
  const uint64_t r = transpose ? matW : matH, c = transpose ? matH : matW;
  if (rows * n < r || cols * n < c) {
    what = "a " + std::to_string(r) + " x " + std::to_string(c) + " matrix does not fit a " + std::to_string(rows) +
           " x " + std::to_string(cols) + " tile grid of " + std::to_string(n) + " x " + std::to_string(n) + " tiles";
    return false;
  }
  const uint32_t pair = s.reg(SReg::MFmt);
  if (pair >= s.mrf.numFormats()) {
    what = "MFMT " + std::to_string(pair) + " is not an entry of the format table (" +
           std::to_string(s.mrf.numFormats()) + " entries)";
    return false;
  }
  const uint64_t tiles = rows * cols;
  const uint64_t pitch = s.reg(SReg::MatPitch) ? s.reg(SReg::MatPitch) : cols;
  if (pitch < cols) {
    what = "MAT_PITCH " + std::to_string(pitch) + " is less than COLS " + std::to_string(cols) +
           " (tile rows would overlap)";
    return false;
  }
  // One past the last tile touched; < 2^64 as every factor is < 2^32.
  const uint64_t end = inst.b + (rows - 1) * pitch + cols;
  if (end > s.mrf.numTiles()) {
    what = "writes MRF tiles [" + std::to_string(inst.b) + ", " + std::to_string(end) + ") but the MRF has " +
           std::to_string(s.mrf.numTiles()) + " tiles";
    return false;
  }
  s.settleDram(inst.a, inst.a + matH * matW);
  const float *m = s.dram.data() + inst.a;
  float *buf = s.tileScratch.data();
  // Each tile gets the part of the matrix that falls into it (its real
  // extent); the MRF treats the rest as zero.
  const auto realIn = [n](uint64_t total, uint64_t t) { return total > t * n ? std::min(n, total - t * n) : 0; };
  for (uint64_t tr = 0; tr < rows; ++tr) {
    const uint64_t tileRows = realIn(r, tr);
    for (uint64_t tc = 0; tc < cols; ++tc) {
      const uint64_t tileCols = realIn(c, tc);
      for (uint64_t i = 0; i < tileRows; ++i) {
        const uint64_t g = tr * n + i;
        for (uint64_t j = 0; j < tileCols; ++j) {
          const uint64_t h = tc * n + j;
          buf[i * n + j] = transpose ? m[h * matW + g] : m[g * matW + h];
        }
      }
      s.mrf.storeTile(static_cast<uint32_t>(inst.b + tr * pitch + tc), buf, n, static_cast<uint32_t>(tileRows),
                      static_cast<uint32_t>(tileCols), pair);
    }
  }
  ++s.counters.matrixMoves;
  s.counters.mrfTilesWritten += tiles;
  return true;
}

} // namespace

bool executeStandalone(State &s, const isa::Inst &inst, std::string &what) {
  switch (inst.op) {
  case isa::Opcode::SWr:
    if (inst.b >= isa::kNumSRegs) {
      what = "unknown scalar register " + std::to_string(inst.b);
      return false;
    }
    s.regs[inst.b] = inst.a;
    return true;
  case isa::Opcode::MRd:
    return matrixMove(s, inst, what);
  default:
    what = "not a standalone instruction";
    return false;
  }
}

} // namespace softnpu::sim::detail
