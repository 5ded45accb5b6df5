//===- MatrixUnit.cpp - The MRF and the matrix-vector product -------------===//
//
// Tile storage per format pair and mv_mul in the order of
// docs/execution-model.md: each native vector x_c of the input is quantized
// on its own to the pair's input format (blocks restart every N elements);
// every output lane starts at 0.0f and adds dot(tile row, x_c) for
// c = 0..COLS-1, each dot taking the running accumulator as its `init`. All
// rounding is numerics/Bfp.h; narrow MSFP tiles use its compact kernel
// (numerics::matVecCompactMsfp), which computes the same dots bit for bit.
// Tiles hold only their real extent (SimState.h); the zeros around it cost
// no time unless the input holds NaN or Inf.
//
//===----------------------------------------------------------------------===//
#include "FloatCopy.h"
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
  compactPair_.assign(formats.size(), 0);
  for (size_t p = 0; p < formats.size(); ++p)
    compactPair_[p] = numerics::isCompactMsfp(formats[p].weight) && numerics::isCompactMsfp(formats[p].input) &&
                      formats[p].weight.blockSize == formats[p].input.blockSize;
  tiles_.assign(numTiles_, nullptr);
  packedCache_.clear();
  padFp_.assign(n_, 0.0f);
  return true;
}

void MatrixRegisterFile::markZeroRows(Tile &t) {
  t.zeroRow.assign(t.rows, 0);
  for (size_t r = 0; r < t.rows; ++r) {
    bool zero;
    if (!t.blockRows.empty()) {
      const numerics::BfpVector &v = t.blockRows[r];
      zero = std::all_of(v.nanBlocks.begin(), v.nanBlocks.end(), [](uint8_t b) { return b == 0; }) &&
             std::all_of(v.significands.begin(), v.significands.end(), [](int16_t q) { return q == 0; });
    } else {
      zero = std::all_of(t.values.begin() + r * t.cols, t.values.begin() + (r + 1) * t.cols,
                         [](float w) { return w == 0.0f; });
    }
    t.zeroRow[r] = zero;
  }
}

void MatrixRegisterFile::storeTile(uint32_t tile, const float *values, size_t stride, uint32_t rows, uint32_t cols,
                                   uint32_t pair) {
  const NumberFormat &fmt = formats_[pair].weight;
  auto fresh = std::make_shared<Tile>();
  tiles_[tile] = fresh;
  Tile &t = *fresh;
  t.pair = pair;
  if (rows == 0 || cols == 0)
    return; // all zero
  t.rows = rows;
  t.cols = cols;
  if (fmt.isBlock()) {
    t.blockRows.resize(rows);
    for (size_t r = 0; r < rows; ++r)
      numerics::quantizeInto(values + r * stride, cols, fmt, rounding_, t.blockRows[r]);
    numerics::makeCompactMsfp(t.blockRows, t.compact);
  } else {
    t.values.resize(static_cast<size_t>(rows) * cols);
    for (size_t r = 0; r < rows; ++r)
      std::memcpy(t.values.data() + r * cols, values + r * stride, cols * sizeof(float));
  }
  markZeroRows(t);
}

void MatrixRegisterFile::storePackedTile(uint32_t tile, const uint8_t *packed, uint32_t rows, uint32_t cols,
                                         uint32_t pair, bool reuse) {
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
  if (rows == 0 || cols == 0)
    return; // all zero
  t.rows = rows;
  t.cols = cols;
  const size_t rowBytes = numerics::packedRowBytes(fmt, cols);
  if (fmt.isBlock()) {
    t.blockRows.resize(rows);
    for (size_t r = 0; r < rows; ++r)
      numerics::unpackRowBfpInto(packed + r * rowBytes, cols, fmt, t.blockRows[r]);
    numerics::makeCompactMsfp(t.blockRows, t.compact);
  } else {
    t.values.resize(static_cast<size_t>(rows) * cols);
    for (size_t r = 0; r < rows; ++r)
      numerics::unpackRow(packed + r * rowBytes, cols, fmt, t.values.data() + r * cols);
  }
  markZeroRows(t);
}

void MatrixRegisterFile::readTile(uint32_t tile, float *out) const {
  const size_t n = n_;
  const Tile &t = tileAt(tile);
  std::fill(out, out + n * n, 0.0f);
  for (size_t r = 0; r < t.rows; ++r) {
    if (!t.blockRows.empty()) {
      // Whole blocks: a NaN block is NaN up to its end (or the row's end), as
      // in the N-element row.
      const numerics::BfpVector &v = t.blockRows[r];
      numerics::dequantize(v, std::min(v.size(), n), out + r * n);
    } else {
      std::memcpy(out + r * n, t.values.data() + r * t.cols, t.cols * sizeof(float));
    }
  }
}

const numerics::BfpVector &MatrixRegisterFile::paddedBlockRow(const Tile &t, size_t i, uint32_t pair) {
  if (t.pair < 0 || i >= t.rows)
    return zeroRows_[pair];
  const numerics::BfpVector &v = t.blockRows[i];
  padRow_ = zeroRows_[pair];
  const size_t blocks = v.numBlocks(), elems = v.size();
  std::copy(v.scales.begin(), v.scales.end(), padRow_.scales.begin());
  std::copy(v.nanBlocks.begin(), v.nanBlocks.begin() + static_cast<std::ptrdiff_t>(blocks), padRow_.nanBlocks.begin());
  std::copy(v.significands.begin(), v.significands.begin() + static_cast<std::ptrdiff_t>(elems),
            padRow_.significands.begin());
  std::copy(v.exponents.begin(), v.exponents.begin() + static_cast<std::ptrdiff_t>(elems), padRow_.exponents.begin());
  return padRow_;
}

const float *MatrixRegisterFile::paddedFpRow(const Tile &t, size_t i) {
  std::fill(padFp_.begin(), padFp_.end(), 0.0f);
  if (t.pair >= 0 && i < t.rows)
    std::memcpy(padFp_.data(), t.values.data() + i * t.cols, t.cols * sizeof(float));
  return padFp_.data();
}

size_t MatrixRegisterFile::lanesReached(uint32_t first, uint32_t rows, uint32_t cols, uint32_t c, size_t k) const {
  size_t need = 0;
  for (uint32_t r = 0; r < rows; ++r)
    need = std::max<size_t>(need, tileAt(first + static_cast<size_t>(r) * cols + c).cols);
  return std::min<size_t>(n_, (need + k - 1) / k * k);
}

namespace {
/// Whether x[from, to) holds no NaN or Inf (by the magnitude bits).
bool finiteLanes(const float *x, size_t from, size_t to) {
  uint32_t maxBits = 0; // NaN or Inf when >= 0x7F800000
  for (size_t i = from; i < to; ++i) {
    uint32_t b;
    std::memcpy(&b, x + i, sizeof b);
    maxBits = std::max(maxBits, b & 0x7FFFFFFFu);
  }
  return maxBits < 0x7F800000u;
}
} // namespace

// Only the blocks some tile of column c reaches are quantized when the rest
// of the piece is finite: those meet zero weights and add +0 (see matVec).
// Blocks restart every blockSize elements, so the blocks quantized are the
// same as those of the whole piece. Lanes from `nonZero` on are known to be
// zero (finite) and are not scanned.
void MatrixRegisterFile::quantizeColumn(uint32_t first, uint32_t rows, uint32_t cols, uint32_t c, const float *xc,
                                        const numerics::NumberFormat &fmt, numerics::BfpVector &out, size_t nonZero) {
  const size_t n = n_, need = lanesReached(first, rows, cols, c, fmt.blockSize);
  const bool tailFinite = finiteLanes(xc, need, std::min(n, nonZero));
  numerics::quantizeInto(xc, tailFinite ? need : n, fmt, rounding_, out);
  if (out.size() < n && std::any_of(out.nanBlocks.begin(), out.nanBlocks.end(), [](uint8_t b) { return b != 0; }))
    numerics::quantizeInto(xc, n, fmt, rounding_, out); // NaN or Inf: every lane counts
}

bool MatrixRegisterFile::checkTiles(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair,
                                    std::string &what) const {
  const artifact::FormatPair &fmt = formats_[pair];
  const size_t tiles = static_cast<size_t>(rows) * cols;
  for (size_t k = 0; k < tiles; ++k) {
    const Tile &t = tileAt(first + k);
    if (t.pair >= 0 && formats_[static_cast<size_t>(t.pair)].weight != fmt.weight) {
      what = "MRF tile " + std::to_string(first + k) + " holds " + formats_[static_cast<size_t>(t.pair)].weight.name() +
             " weights but MFMT " + std::to_string(pair) + " selects " + fmt.weight.name();
      return false;
    }
  }
  return true;
}

bool MatrixRegisterFile::matVec(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y, uint32_t pair,
                                std::string &what) {
  if (!checkTiles(first, rows, cols, pair, what))
    return false;
  const artifact::FormatPair &fmt = formats_[pair];
  if (fmt.weight.isBlock()) {
    const size_t n = n_, lanes = static_cast<size_t>(cols) * n;
    const bool same =
        xqPair_ == pair && xqSource_.size() == lanes && std::memcmp(xqSource_.data(), x, lanes * sizeof(float)) == 0;
    if (!same) { // the same floats in the same format quantize to the same blocks
      if (xq_.size() < cols)
        xq_.resize(cols);
      for (uint32_t c = 0; c < cols; ++c)
        quantizeColumn(first, rows, cols, c, x + c * n, fmt.input, xq_[c]);
      xqPair_ = pair;
      xqSource_.assign(x, x + lanes);
    }
  }
  multiply(first, rows, cols, x, y, pair);
  return true;
}

// Compact pairs: each native vector of every input is quantized straight
// into the kernels' layout (numerics::prepareCompactBatch: the blocks
// quantizeColumn gives) once for all the tiles of its column, then every
// output vector of every input adds its tiles' products in column order, as
// multiply does. An input holding NaN or Inf anywhere its tiles (or the
// lanes past them) can see takes matVecGeneral.
bool MatrixRegisterFile::gridCompact(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair) const {
  if (!compactPair_[pair])
    return false;
  for (size_t k = 0, tiles = static_cast<size_t>(rows) * cols; k < tiles; ++k)
    if (tileAt(first + k).rows != 0 && tileAt(first + k).compact.empty())
      return false;
  return true;
}

void MatrixRegisterFile::matVecBatch(uint32_t first, uint32_t rows, uint32_t cols, const float *x, size_t xStride,
                                     size_t count, size_t nonZero, float *y, size_t yStride, size_t yLanes,
                                     uint32_t pair) {
  const artifact::FormatPair &fmt = formats_[pair];
  const size_t n = n_;
  const bool compact = gridCompact(first, rows, cols, pair);
  general_.assign(count, compact ? 0 : 1);
  if (compact) {
    if (batch_.size() < cols)
      batch_.resize(cols);
    for (uint32_t c = 0; c < cols; ++c) {
      const size_t start = static_cast<size_t>(c) * n, need = lanesReached(first, rows, cols, c, fmt.input.blockSize);
      const size_t scanTo = std::min(n, nonZero > start ? nonZero - start : 0);
      for (size_t p = 0; p < count; ++p)
        if (!finiteLanes(x + p * xStride + start, need, scanTo))
          general_[p] = 1;
      numerics::MsfpCompactBatch &b = batch_[c];
      if (need == 0) { // no tile reaches this column: it adds +0 only
        b.prepared.clear();
        continue;
      }
      numerics::prepareCompactBatch(x + start, xStride, count, need, scanTo, fmt.input, rounding_,
                                    fmt.weight.mantissaBits, b);
      for (size_t p = 0; p < count; ++p)
        general_[p] |= b.prepared[p] ? 0 : 1;
    }
  }
  multiplyBatch(first, rows, cols, compact, count, nonZero, y, yStride, yLanes, pair,
                [&](size_t p) { return x + p * xStride; });
}

bool MatrixRegisterFile::matVecBatchGathered(uint32_t first, uint32_t rows, uint32_t cols,
                                             const numerics::MsfpCompactBatch &blocks, const int32_t *src,
                                             size_t srcStride, size_t count, size_t nonZero,
                                             const std::function<const float *(size_t)> &input, float *y,
                                             size_t yStride, size_t yLanes, uint32_t pair, const BlockBases *at) {
  if (depthwiseGathered(first, rows, cols, blocks, src, srcStride, count, y, yStride, yLanes, pair, at))
    return true;
  if (blocks.valuesOnly)
    return false;
  const artifact::FormatPair &fmt = formats_[pair];
  const size_t n = n_, k = fmt.input.blockSize;
  general_.assign(count, 0);
  if (batch_.size() < cols)
    batch_.resize(cols);
  for (uint32_t c = 0; c < cols; ++c) {
    const size_t start = static_cast<size_t>(c) * n, need = lanesReached(first, rows, cols, c, k);
    const size_t scanTo = std::min(n, nonZero > start ? nonZero - start : 0);
    const int32_t *column = src + start / k;
    numerics::MsfpCompactBatch &b = batch_[c];
    if (need == 0) { // no tile reaches this column: only a NaN or Inf in it counts (as in matVecBatch)
      b.prepared.clear();
      for (size_t p = 0; p < count; ++p)
        for (size_t i = 0; i < (scanTo + k - 1) / k; ++i) {
          const int32_t from = column[p * srcStride + i];
          if (from >= 0 && !blocks.prepared[static_cast<size_t>(from)])
            general_[p] = 1;
        }
      continue;
    }
    numerics::gatherCompactBatch(blocks, column, srcStride, count, need, scanTo, b);
    for (size_t p = 0; p < count; ++p)
      general_[p] |= b.prepared[p] ? 0 : 1;
  }
  multiplyBatch(first, rows, cols, true, count, nonZero, y, yStride, yLanes, pair, input);
  return true;
}

bool MatrixRegisterFile::depthwiseGrid(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair) const {
  if (!gridCompact(first, rows, cols, pair) || formats_[pair].input.blockSize != 16 || n_ % 16 != 0)
    return false;
  for (size_t t = 0; t < size_t{rows} * cols; ++t) {
    const Tile &tile = tileAt(first + t);
    if (tile.rows != 0 && tile.compact.depthwiseStart.empty())
      return false;
  }
  return true;
}

MatrixRegisterFile::DepthwisePlan &MatrixRegisterFile::depthwisePlan(uint32_t first, uint32_t rows, uint32_t cols) {
  const size_t tiles = size_t{rows} * cols;
  DepthwisePlan &plan = depthwisePlans_[{first, rows, cols}];
  if (plan.tiles.size() == tiles && std::equal(plan.tiles.begin(), plan.tiles.end(), tiles_.begin() + first))
    return plan;
  plan.tiles.assign(tiles_.begin() + first, tiles_.begin() + first + static_cast<std::ptrdiff_t>(tiles));
  plan.rows.assign(rows, {});
  plan.offsetsFor.clear(); // the interior tables, made again when asked for
  plan.interior.clear();
  plan.dense.clear();
  plan.denseUsable = false;
  plan.usable = true;
  std::vector<numerics::DepthwisePart> parts;
  for (uint32_t r = 0; r < rows; ++r) {
    parts.clear();
    for (uint32_t c = 0; c < cols; ++c) {
      const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
      if (t.rows != 0)
        parts.push_back({&t.compact, static_cast<uint32_t>(c * n_ / 16)});
    }
    plan.usable = plan.usable && numerics::mergeDepthwiseValues(parts, plan.rows[r]);
  }
  return plan;
}

void MatrixRegisterFile::planInterior(DepthwisePlan &plan, uint32_t rows, const BlockBases &at) {
  const std::array<uint32_t, 5> shape{at.kH, at.kW, at.strideW, at.dilW, at.unit};
  if (plan.offsetsFor == *at.offsets && plan.shapeFor == shape && plan.interior.size() == rows)
    return;
  plan.offsetsFor = *at.offsets;
  plan.shapeFor = shape;
  plan.interior.resize(rows);
  plan.dense.resize(rows);
  plan.denseUsable = true;
  for (uint32_t r = 0; r < rows; ++r) {
    numerics::offsetDepthwiseValues(plan.rows[r], plan.offsetsFor, plan.interior[r]);
    plan.denseUsable = plan.denseUsable && numerics::denseDepthwiseValues(plan.rows[r], plan.offsetsFor, at.kH, at.kW,
                                                                          at.strideW, at.dilW, at.unit, plan.dense[r]);
  }
}

bool MatrixRegisterFile::depthwiseDenseGrid(uint32_t first, uint32_t rows, uint32_t cols, const BlockBases &at) {
  DepthwisePlan &plan = depthwisePlan(first, rows, cols);
  if (!plan.usable)
    return false;
  planInterior(plan, rows, at);
  return plan.denseUsable;
}

bool MatrixRegisterFile::depthwiseGathered(uint32_t first, uint32_t rows, uint32_t cols,
                                           const numerics::MsfpCompactBatch &blocks, const int32_t *src,
                                           size_t srcStride, size_t count, float *y, size_t yStride, size_t yLanes,
                                           uint32_t pair, const BlockBases *at) {
  const size_t n = n_;
  if (!depthwiseGrid(first, rows, cols, pair))
    return false;
  int wMin = numerics::kMaxExp, wMax = numerics::kMinExp;
  for (size_t t = 0; t < size_t{rows} * cols; ++t) {
    const Tile &tile = tileAt(first + t);
    if (tile.rows != 0) {
      wMin = std::min(wMin, tile.compact.normalMinScale);
      wMax = std::max(wMax, tile.compact.normalMaxScale);
    }
  }
  if (!numerics::depthwiseSourcesReady(blocks, src, count * srcStride, wMin, wMax))
    return false;
  // With float values on both sides and no product that could overflow,
  // each tile row's merged diagonals; else tile by tile.
  DepthwisePlan *plan = blocks.values.empty() ? nullptr : &depthwisePlan(first, rows, cols);
  const bool merged = plan && plan->usable && numerics::depthwiseProductsExact(wMax, blocks);
  if (blocks.valuesOnly && !merged)
    return false; // the caller quantizes the map in full
  // Interior pixels read their blocks from their base: the rows' entries
  // with offsets, made again when the window's offsets change.
  DepthwisePlan *interior = merged && at ? plan : nullptr;
  if (interior)
    planInterior(*interior, rows, *at);
  for (uint32_t r = 0; r < rows; ++r) {
    const size_t want = wantedLanes(r, yLanes);
    if (want == 0)
      break; // this and the later output vectors are not wanted
    const size_t cleared = clearedLanes(first, r, cols, want);
    // The merged kernel writes its groups' lanes from +0: only the lanes
    // past them are cleared.
    const size_t written = merged ? std::min(cleared, 16 * (plan->rows[r].start.size() - 1)) : 0;
    for (size_t p = 0; p < count; ++p)
      zeroFloats(y + p * yStride + size_t{r} * n + written, cleared - written);
    if (interior) {
      if (!numerics::matVecDepthwiseValuesAt(plan->rows[r], interior->interior[r], blocks, src, srcStride, at->bases,
                                             count, y + size_t{r} * n, yStride,
                                             interior->denseUsable ? &interior->dense[r] : nullptr, at->border))
        return false;
      continue;
    }
    if (merged) {
      if (!numerics::matVecDepthwiseValues(plan->rows[r], blocks, src, srcStride, count, y + size_t{r} * n, yStride,
                                           true))
        return false;
      continue;
    }
    for (uint32_t c = 0; c < cols; ++c) {
      const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
      // False only when the CPU lacks AVX-512, and then at the first tile.
      if (t.rows != 0 && !numerics::matVecDepthwiseGathered(t.compact, blocks, src + size_t{c} * n / 16, srcStride,
                                                            count, y + size_t{r} * n, yStride))
        return false;
    }
  }
  return true;
}

bool MatrixRegisterFile::matVecBatchRuns(uint32_t first, uint32_t rows, const float *src, const int64_t *bases,
                                         size_t count, size_t blocks, const numerics::BlockRun *runs,
                                         const uint32_t *runStart, const std::function<const float *(size_t)> &input,
                                         float *y, size_t yStride, size_t yLanes, uint32_t pair) {
  const artifact::FormatPair &fmt = formats_[pair];
  if (!gridCompact(first, rows, 1, pair) || lanesReached(first, rows, 1, 0, fmt.input.blockSize) != 16 * blocks)
    return false;
  if (batch_.empty())
    batch_.resize(1);
  if (!numerics::prepareCompactRuns(src, bases, count, blocks, runs, runStart, fmt.input, rounding_,
                                    fmt.weight.mantissaBits, batch_[0]))
    return false;
  general_.resize(count);
  for (size_t p = 0; p < count; ++p)
    general_[p] = batch_[0].prepared[p] ? 0 : 1;
  multiplyBatch(first, rows, 1, true, count, 16 * blocks, y, yStride, yLanes, pair, input);
  return true;
}

size_t MatrixRegisterFile::wantedLanes(uint32_t r, size_t yLanes) const {
  const size_t n = n_;
  return yLanes > size_t{r} * n ? std::min(n, yLanes - size_t{r} * n) : 0;
}

size_t MatrixRegisterFile::clearedLanes(uint32_t first, uint32_t r, uint32_t cols, size_t want) const {
  size_t cleared = want;
  for (uint32_t c = 0; c < cols; ++c)
    cleared = std::max<size_t>(cleared, tileAt(first + static_cast<size_t>(r) * cols + c).rows);
  return cleared;
}

void MatrixRegisterFile::multiplyBatch(uint32_t first, uint32_t rows, uint32_t cols, bool compact, size_t count,
                                       size_t nonZero, float *y, size_t yStride, size_t yLanes, uint32_t pair,
                                       const std::function<const float *(size_t)> &input) {
  const size_t n = n_;
  // Usually no input takes the general path: then the per-input passes
  // below that only concern general inputs are skipped.
  const bool anyGeneral = std::any_of(general_.begin(), general_.begin() + static_cast<std::ptrdiff_t>(count),
                                      [](uint8_t g) { return g != 0; });
  if (compact) {
    for (uint32_t c = 0; c < cols && anyGeneral; ++c) // the kernel skips the general inputs
      for (size_t p = 0; p < batch_[c].prepared.size(); ++p)
        batch_[c].prepared[p] = general_[p] ? 0 : 1;
    for (uint32_t r = 0; r < rows && compact; ++r) {
      const size_t want = wantedLanes(r, yLanes);
      if (want == 0)
        break; // this and the later output vectors are not wanted
      // acc[0, cleared) hold their running sums
      const size_t cleared = clearedLanes(first, r, cols, want);
      if (rows == 1 && !anyGeneral && count > 0) // one output vector: the results, gaps and all, in one fill
        std::fill(y, y + (count - 1) * yStride + cleared, 0.0f);
      else
        for (size_t p = 0; p < count; ++p)
          if (!general_[p])
            zeroFloats(y + p * yStride + size_t{r} * n, cleared);
      for (uint32_t c = 0; c < cols && compact; ++c) {
        const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
        // False is not reached (the checks above); if it were, every input
        // would take the general path.
        if (t.rows != 0 && !numerics::matVecCompactMsfpBatch(t.compact, batch_[c], y + size_t{r} * n, yStride))
          compact = false;
      }
    }
    if (!compact)
      general_.assign(count, 1);
  }
  const size_t lanes = static_cast<size_t>(cols) * n;
  for (size_t p = 0; p < count && (anyGeneral || !compact); ++p) {
    if (!general_[p])
      continue;
    const float *xp = input(p);
    if (compactPair_[pair] && nonZero < lanes) { // the lanes past nonZero were not cleared
      generalIn_.assign(lanes, 0.0f);
      std::copy(xp, xp + nonZero, generalIn_.begin());
      xp = generalIn_.data();
    }
    if (yStride >= static_cast<size_t>(rows) * n) {
      matVecGeneral(first, rows, cols, xp, nonZero, y + p * yStride, yLanes, pair);
    } else { // packed results (one output vector): the general path writes all N lanes
      generalOut_.resize(static_cast<size_t>(rows) * n);
      matVecGeneral(first, rows, cols, xp, nonZero, generalOut_.data(), yLanes, pair);
      std::copy(generalOut_.begin(), generalOut_.begin() + static_cast<std::ptrdiff_t>(std::min(yLanes, yStride)),
                y + p * yStride);
    }
  }
}

void MatrixRegisterFile::matVecGeneral(uint32_t first, uint32_t rows, uint32_t cols, const float *x, size_t nonZero,
                                       float *y, size_t yLanes, uint32_t pair) {
  const artifact::FormatPair &fmt = formats_[pair];
  if (fmt.weight.isBlock()) {
    const size_t n = n_;
    if (xq_.size() < cols)
      xq_.resize(cols);
    for (uint32_t c = 0; c < cols; ++c) {
      const size_t start = static_cast<size_t>(c) * n;
      quantizeColumn(first, rows, cols, c, x + start, fmt.input, xq_[c], nonZero > start ? nonZero - start : 0);
    }
    xqPair_ = -1; // xq_ no longer matches xqSource_
  }
  multiply(first, rows, cols, x, y, pair, yLanes);
}

// With a finite input piece, the zeros outside a tile's extent (and its
// all-zero rows) add exact +0s to accumulators that start at +0 and so never
// hold -0: they change nothing and are skipped. A piece holding NaN or Inf
// makes those zeros count (0 x Inf, NaN blocks): such pieces are multiplied
// with the whole N x N tile, exactly as stored before. Each output vector of
// y is its own accumulator (y never aliases x). Only y's first `yLanes` lanes
// are wanted: the accumulators past them (and past every tile's extent) are
// neither cleared nor computed unless a whole tile is needed.
void MatrixRegisterFile::multiply(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y, uint32_t pair,
                                  size_t yLanes) {
  const size_t n = n_;
  const artifact::FormatPair &fmt = formats_[pair];
  if (fmt.weight.isBlock()) {
    for (uint32_t r = 0; r < rows; ++r) {
      const size_t want = yLanes > size_t{r} * n ? std::min(n, yLanes - size_t{r} * n) : 0;
      if (want == 0)
        break; // this and the later output vectors are not wanted
      float *acc = y + static_cast<size_t>(r) * n;
      size_t cleared = want; // acc[0, cleared) hold their running sums
      for (uint32_t c = 0; c < cols; ++c)
        cleared = std::max<size_t>(cleared, tileAt(first + static_cast<size_t>(r) * cols + c).rows);
      std::fill(acc, acc + cleared, 0.0f);
      for (uint32_t c = 0; c < cols; ++c) {
        const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
        const BfpVector &xc = xq_[c];
        const bool finite = std::none_of(xc.nanBlocks.begin(), xc.nanBlocks.end(), [](uint8_t b) { return b != 0; });
        if (!finite) {
          std::fill(acc + cleared, acc + n, 0.0f);
          cleared = n;
          for (size_t i = 0; i < n; ++i)
            acc[i] = numerics::dot(paddedBlockRow(t, i, pair), xc, acc[i]);
          continue;
        }
        if (t.rows == 0)
          continue; // adds +0 only
        if (numerics::matVecCompactMsfp(t.compact, xc, acc))
          continue; // the same dots, bit-identical, in the compact layout
        for (size_t i = 0; i < t.rows; ++i)
          if (!t.zeroRow[i])
            acc[i] = numerics::dotLeading(t.blockRows[i], xc, acc[i]);
      }
    }
    return;
  }
  for (uint32_t r = 0; r < rows; ++r) {
    float *acc = y + static_cast<size_t>(r) * n;
    std::fill(acc, acc + n, 0.0f);
    for (uint32_t c = 0; c < cols; ++c) {
      const Tile &t = tileAt(first + static_cast<size_t>(r) * cols + c);
      const float *xc = x + c * n;
      const bool finite = std::all_of(xc, xc + n, [](float v) { return std::isfinite(v); });
      if (!finite) {
        for (size_t i = 0; i < n; ++i)
          acc[i] = numerics::dotFp32(paddedFpRow(t, i), xc, n, acc[i]);
        continue;
      }
      for (size_t i = 0; i < t.rows; ++i)
        if (!t.zeroRow[i])
          acc[i] = numerics::dotFp32(t.values.data() + i * t.cols, xc, t.cols, acc[i]);
    }
  }
}

} // namespace softnpu::sim::detail
