//===- MatrixUnit.cpp - The MRF and the matrix-vector product -------------===//
//
// Tile storage per format pair and mv_mul in the order of
// docs/execution-model.md: each native vector x_c of the input is quantized
// on its own to the pair's input format (blocks restart every N elements);
// every output lane starts at 0.0f and adds dot(tile row, x_c) for
// c = 0..COLS-1, each dot taking the running accumulator as its `init`. All
// rounding is numerics/Bfp.h; narrow MSFP tiles use its compact kernel
// (numerics::matVecCompactMsfp), which computes the same dots bit for bit.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace softnpu::sim::detail {

using numerics::BfpVector;
using numerics::NumberFormat;

bool MatrixRegisterFile::init(const target::Target &t, const std::vector<artifact::FormatPair> &formats,
                              std::string &what) {
  n_ = t.nativeDim;
  numTiles_ = t.mrfTiles;
  rounding_ = t.rounding;
  if (n_ == 0) {
    what = "target native dimension is 0";
    return false;
  }
  if (formats.empty()) {
    what = "the artifact has no format table";
    return false;
  }
  formats_ = formats;
  zeroRows_.assign(formats.size(), BfpVector{});
  const std::vector<float> zeros(n_, 0.0f);
  for (size_t p = 0; p < formats.size(); ++p) {
    if (std::optional<std::string> why = numerics::checkMatrixFormats(formats[p].weight, formats[p].input)) {
      what = "format pair " + std::to_string(p) + ": " + *why;
      return false;
    }
    if (formats[p].weight.isBlock())
      zeroRows_[p] = numerics::quantize(zeros.data(), n_, formats[p].weight, rounding_);
  }
  tiles_.assign(numTiles_, nullptr);
  packedCache_.clear();
  zeroFp_.assign(static_cast<size_t>(n_) * n_, 0.0f);
  acc_.assign(n_, 0.0f);
  return true;
}

void MatrixRegisterFile::markZeroRows(Tile &t, unsigned n) {
  t.zeroRow.assign(n, 0);
  for (size_t r = 0; r < n; ++r) {
    bool zero;
    if (!t.rows.empty()) {
      const numerics::BfpVector &v = t.rows[r];
      zero = std::all_of(v.nanBlocks.begin(), v.nanBlocks.end(), [](uint8_t b) { return b == 0; }) &&
             std::all_of(v.significands.begin(), v.significands.end(), [](int16_t q) { return q == 0; });
    } else {
      zero = std::all_of(t.values.begin() + r * n, t.values.begin() + (r + 1) * n,
                         [](float w) { return w == 0.0f; });
    }
    t.zeroRow[r] = zero;
  }
}

void MatrixRegisterFile::storeTile(uint32_t tile, const float *values, uint32_t pair) {
  const size_t n = n_;
  const NumberFormat &fmt = formats_[pair].weight;
  auto fresh = std::make_shared<Tile>();
  tiles_[tile] = fresh;
  Tile &t = *fresh;
  t.pair = pair;
  if (fmt.isBlock()) {
    t.values.clear();
    t.rows.resize(n);
    for (size_t r = 0; r < n; ++r)
      numerics::quantizeInto(values + r * n, n, fmt, rounding_, t.rows[r]);
    numerics::makeCompactMsfp(t.rows, t.compact);
    markZeroRows(t, n_);
    return;
  }
  t.rows.clear();
  t.compact = numerics::MsfpCompactMatrix{};
  t.values.assign(values, values + n * n);
  markZeroRows(t, n_);
}

void MatrixRegisterFile::storePackedTile(uint32_t tile, const uint8_t *packed, size_t rowBytes, uint32_t pair,
                                         bool reuse) {
  const size_t n = n_;
  const NumberFormat &fmt = formats_[pair].weight;
  if (reuse) {
    auto cached = packedCache_.find({packed, pair});
    if (cached != packedCache_.end()) {
      tiles_[tile] = cached->second;
      return;
    }
  }
  auto fresh = std::make_shared<Tile>();
  tiles_[tile] = fresh;
  if (reuse)
    packedCache_[{packed, pair}] = fresh;
  Tile &t = *fresh;
  t.pair = pair;
  if (fmt.isBlock()) {
    t.values.clear();
    t.rows.resize(n);
    for (size_t r = 0; r < n; ++r)
      t.rows[r] = numerics::unpackRowBfp(packed + r * rowBytes, n, fmt);
    numerics::makeCompactMsfp(t.rows, t.compact);
    markZeroRows(t, n_);
    return;
  }
  t.rows.clear();
  t.compact = numerics::MsfpCompactMatrix{};
  t.values.resize(n * n);
  for (size_t r = 0; r < n; ++r)
    numerics::unpackRow(packed + r * rowBytes, n, fmt, t.values.data() + r * n);
  markZeroRows(t, n_);
}

void MatrixRegisterFile::readTile(uint32_t tile, float *out) const {
  const size_t n = n_;
  const Tile &t = tileAt(tile);
  if (t.pair < 0) {
    std::fill(out, out + n * n, 0.0f);
  } else if (!t.rows.empty()) {
    for (size_t r = 0; r < n; ++r)
      numerics::dequantize(t.rows[r], n, out + r * n);
  } else {
    std::memcpy(out, t.values.data(), n * n * sizeof(float));
  }
}

bool MatrixRegisterFile::matVec(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y,
                                uint32_t pair, std::string &what) {
  const size_t n = n_;
  const artifact::FormatPair &fmt = formats_[pair];
  const size_t tiles = static_cast<size_t>(rows) * cols;
  for (size_t k = 0; k < tiles; ++k) {
    const Tile &t = tileAt(first + k);
    if (t.pair >= 0 && formats_[static_cast<size_t>(t.pair)].weight != fmt.weight) {
      what = "MRF tile " + std::to_string(first + k) + " holds " +
             formats_[static_cast<size_t>(t.pair)].weight.name() + " weights but MFMT " + std::to_string(pair) +
             " selects " + fmt.weight.name();
      return false;
    }
  }
  float *acc = acc_.data();
  if (fmt.weight.isBlock()) {
    if (xq_.size() < cols)
      xq_.resize(cols);
    for (uint32_t c = 0; c < cols; ++c)
      numerics::quantizeInto(x + c * n, n, fmt.input, rounding_, xq_[c]);
    for (uint32_t r = 0; r < rows; ++r) {
      std::fill(acc, acc + n, 0.0f);
      for (uint32_t c = 0; c < cols; ++c) {
        const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
        const BfpVector &xc = xq_[c];
        if (t.pair >= 0 && numerics::matVecCompactMsfp(t.compact, xc, acc))
          continue; // the same dots, bit-identical, in the compact layout
        const bool finite = std::none_of(xc.nanBlocks.begin(), xc.nanBlocks.end(), [](uint8_t b) { return b != 0; });
        for (size_t i = 0; i < n; ++i) {
          if (finite && (t.pair < 0 || t.zeroRow[i]))
            continue; // adds +-0 only
          acc[i] = numerics::dot(t.pair >= 0 ? t.rows[i] : zeroRows_[pair], xc, acc[i]);
        }
      }
      std::memcpy(y + r * n, acc, n * sizeof(float));
    }
    return true;
  }
  for (uint32_t r = 0; r < rows; ++r) {
    std::fill(acc, acc + n, 0.0f);
    for (uint32_t c = 0; c < cols; ++c) {
      const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
      const float *tile = t.pair >= 0 ? t.values.data() : zeroFp_.data();
      const float *xc = x + c * n;
      const bool finite = std::all_of(xc, xc + n, [](float v) { return std::isfinite(v); });
      for (size_t i = 0; i < n; ++i) {
        if (finite && (t.pair < 0 || t.zeroRow[i]))
          continue; // adds +-0 only
        acc[i] = numerics::dotFp32(tile + i * n, xc, n, acc[i]);
      }
    }
    std::memcpy(y + r * n, acc, n * sizeof(float));
  }
  return true;
}

} // namespace softnpu::sim::detail
