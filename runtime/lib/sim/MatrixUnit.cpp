//===- MatrixUnit.cpp - The MRF and the matrix-vector product -------------===//
//
// Tile storage in the weight format and mv_mul in the order of
// docs/execution-model.md: x is quantized once as one vector of COLS*N
// elements in the input format; every output lane starts at 0.0f and adds
// dot(tile row, x_c) for c = 0..COLS-1, each dot taking the running
// accumulator as its `init`. All rounding is numerics/Bfp.h.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include <algorithm>
#include <cstring>

namespace softnpu::sim::detail {

using numerics::BfpVector;
using numerics::NumberFormat;

bool MatrixRegisterFile::init(const target::Target &t, std::string &what) {
  n_ = t.nativeDim;
  numTiles_ = t.mrfTiles;
  weightFormat_ = t.weightFormat;
  inputFormat_ = t.inputFormat;
  rounding_ = t.rounding;
  if (n_ == 0) {
    what = "target native dimension is 0";
    return false;
  }
  const bool weightBfp = !weightFormat_.isFp32(), inputBfp = !inputFormat_.isFp32();
  if (inputBfp && !weightBfp) {
    what = "fp32 weight format with BFP input format " + inputFormat_.name() + " is not executable";
    return false;
  }
  bfpDot_ = weightBfp && inputBfp;
  if (bfpDot_) {
    if (weightFormat_ != inputFormat_) {
      what = "the matrix unit needs equal BFP weight and input formats (weight " +
             weightFormat_.name() + ", input " + inputFormat_.name() + ")";
      return false;
    }
  }
  if (weightBfp && n_ % weightFormat_.blockSize != 0) {
    what = "native dimension " + std::to_string(n_) + " is not a multiple of the BFP block size " +
           std::to_string(weightFormat_.blockSize);
    return false;
  }
  const size_t tileElems = static_cast<size_t>(n_) * n_;
  std::vector<float> zeros(tileElems, 0.0f);
  if (bfpDot_) {
    bfpTiles_.assign(numTiles_, BfpVector{});
    zeroBfpTile_ = numerics::quantize(zeros.data(), tileElems, weightFormat_, rounding_);
    if (zeroBfpTile_.size() != tileElems) {
      what = "invalid weight format " + weightFormat_.name();
      return false;
    }
  } else {
    fpTiles_.assign(numTiles_, std::vector<float>{});
    zeroFpTile_ = zeros;
  }
  acc_.assign(n_, 0.0f);
  return true;
}

namespace {
/// Copies row `r` (a quantized vector of N elements, N a multiple of the
/// block size) into its place in a tile vector.
void placeRow(BfpVector &tile, size_t r, const BfpVector &row, size_t n) {
  const size_t blocksPerRow = n / row.blockSize;
  std::copy(row.mantissas.begin(), row.mantissas.begin() + n, tile.mantissas.begin() + r * n);
  std::copy(row.exponents.begin(), row.exponents.begin() + blocksPerRow,
            tile.exponents.begin() + r * blocksPerRow);
  std::copy(row.nanBlocks.begin(), row.nanBlocks.begin() + blocksPerRow,
            tile.nanBlocks.begin() + r * blocksPerRow);
}
} // namespace

void MatrixRegisterFile::storeTile(uint32_t tile, const float *values) {
  const size_t n = n_;
  if (bfpDot_) {
    BfpVector &t = bfpTiles_[tile];
    if (t.size() == 0)
      t = zeroBfpTile_;
    for (size_t r = 0; r < n; ++r)
      placeRow(t, r, numerics::quantize(values + r * n, n, weightFormat_, rounding_), n);
    return;
  }
  std::vector<float> &t = fpTiles_[tile];
  t.assign(values, values + n * n);
  for (size_t r = 0; r < n; ++r)
    numerics::roundTrip(t.data() + r * n, n, weightFormat_, rounding_);
}

void MatrixRegisterFile::storePackedTile(uint32_t tile, const uint8_t *packed, size_t rowBytes) {
  const size_t n = n_;
  if (bfpDot_) {
    BfpVector &t = bfpTiles_[tile];
    if (t.size() == 0)
      t = zeroBfpTile_;
    for (size_t r = 0; r < n; ++r)
      placeRow(t, r, numerics::unpackRowBfp(packed + r * rowBytes, n, weightFormat_), n);
    return;
  }
  std::vector<float> &t = fpTiles_[tile];
  t.resize(n * n);
  for (size_t r = 0; r < n; ++r)
    numerics::unpackRow(packed + r * rowBytes, n, weightFormat_, t.data() + r * n);
}

void MatrixRegisterFile::readTile(uint32_t tile, float *out) const {
  const size_t elems = static_cast<size_t>(n_) * n_;
  if (bfpDot_) {
    const BfpVector &t = bfpTiles_[tile].size() ? bfpTiles_[tile] : zeroBfpTile_;
    numerics::dequantize(t, elems, out);
    return;
  }
  const std::vector<float> &t = fpTiles_[tile].empty() ? zeroFpTile_ : fpTiles_[tile];
  std::memcpy(out, t.data(), elems * sizeof(float));
}

void MatrixRegisterFile::matVec(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y) {
  const size_t n = n_;
  float *acc = acc_.data();
  if (bfpDot_) {
    const BfpVector xq = numerics::quantize(x, static_cast<size_t>(cols) * n, inputFormat_, rounding_);
    for (uint32_t r = 0; r < rows; ++r) {
      std::fill(acc, acc + n, 0.0f);
      for (uint32_t c = 0; c < cols; ++c) {
        const BfpVector &stored = bfpTiles_[first + static_cast<size_t>(r) * cols + c];
        const BfpVector &tile = stored.size() ? stored : zeroBfpTile_;
        for (size_t i = 0; i < n; ++i)
          acc[i] = numerics::dot(tile, i * n, xq, c * n, n, acc[i]);
      }
      std::memcpy(y + r * n, acc, n * sizeof(float));
    }
    return;
  }
  for (uint32_t r = 0; r < rows; ++r) {
    std::fill(acc, acc + n, 0.0f);
    for (uint32_t c = 0; c < cols; ++c) {
      const std::vector<float> &stored = fpTiles_[first + static_cast<size_t>(r) * cols + c];
      const float *tile = stored.empty() ? zeroFpTile_.data() : stored.data();
      const float *xc = x + c * n;
      for (size_t i = 0; i < n; ++i)
        acc[i] = numerics::dotFp32(tile + i * n, xc, n, acc[i]);
    }
    std::memcpy(y + r * n, acc, n * sizeof(float));
  }
}

} // namespace softnpu::sim::detail
