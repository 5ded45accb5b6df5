//===- WindowRuns.cpp - A convolution's windows read straight from its map -===//
#include "WindowRuns.h"

#include "FloatCopy.h"

#include <algorithm>

namespace softnpu::sim::detail {

void WindowRuns::addSegment(size_t lane, size_t len, int64_t offset,
                            std::vector<std::vector<numerics::BlockRun>> &perBlock) {
  while (len > 0) {
    const size_t inBlock = lane % 16, take = std::min(len, 16 - inBlock);
    // Lane l of the block reads from + l: lane inBlock reads `offset`.
    perBlock[lane / 16].push_back(
        {offset - static_cast<int64_t>(inBlock), static_cast<uint16_t>(((1u << take) - 1) << inBlock)});
    lane += take;
    len -= take;
    offset += static_cast<int64_t>(take);
  }
}

bool WindowRuns::prepare(const isa::Window &w, const float *map, uint64_t first, uint32_t count, size_t lanes) {
  if (w.upH != 1 || w.upW != 1 || count == 0 || lanes % 16 != 0 || lanes < w.elements() || w.outW == 0)
    return false;
  w_ = w;
  // The map rows and columns the loop's windows reach (padding included).
  const uint64_t last = first + count - 1;
  const int64_t ohFirst = static_cast<int64_t>(first / w.outW), ohLast = static_cast<int64_t>(last / w.outW);
  const int64_t owFirst = ohFirst == ohLast ? static_cast<int64_t>(first % w.outW) : 0;
  const int64_t owLast = ohFirst == ohLast ? static_cast<int64_t>(last % w.outW) : int64_t{w.outW} - 1;
  rowLo_ = ohFirst * w.strideH - w.padT;
  colLo_ = owFirst * w.strideW - w.padL;
  const int64_t rowHi = ohLast * w.strideH - w.padT + int64_t{w.kH - 1} * w.dilH;
  const int64_t colHi = owLast * w.strideW - w.padL + int64_t{w.kW - 1} * w.dilW;
  width_ = colHi - colLo_ + 1;
  // Registers up to 2^32 - 1 each: the products in 128 bits.
  using Wide = unsigned __int128;
  const Wide wide = Wide(static_cast<uint64_t>(rowHi - rowLo_ + 1)) * static_cast<uint64_t>(width_) * w.winC;
  if (wide > std::max<Wide>(Wide(4) * w.inH * w.inW * w.winC, Wide(1) << 16))
    return false;
  const size_t size = static_cast<size_t>(wide);
  // Every window inside the map (no padding tap): the runs read the map itself.
  if (rowLo_ >= 0 && colLo_ >= 0 && rowHi < int64_t{w.inH} && colHi < int64_t{w.inW}) {
    source_ = map + (static_cast<size_t>(rowLo_) * w.inW + static_cast<size_t>(colLo_)) * w.inC;
    pitch_ = int64_t{w.inW} * w.inC;
    pixel_ = w.inC;
  } else {
    pitch_ = width_ * w.winC;
    pixel_ = w.winC;
    padded_.resize(size);
    copyPadded(map, rowHi);
    source_ = padded_.data();
  }
  tableRuns(lanes);
  return true;
}

void WindowRuns::copyPadded(const float *map, int64_t rowHi) {
  const isa::Window &w = w_;
  // Row r of the copy is map row rowLo + r: its columns [colLo, colLo + width).
  const int64_t inLo = std::max<int64_t>(colLo_, 0), inHi = std::min<int64_t>(colLo_ + width_, w.inW);
  for (int64_t r = rowLo_; r <= rowHi; ++r) {
    float *row = padded_.data() + static_cast<size_t>(r - rowLo_) * static_cast<size_t>(width_) * w.winC;
    if (r < 0 || r >= w.inH || inLo >= inHi) {
      std::fill(row, row + static_cast<size_t>(width_) * w.winC, 0.0f);
      continue;
    }
    std::fill(row, row + static_cast<size_t>(inLo - colLo_) * w.winC, 0.0f);
    const float *src = map + static_cast<size_t>(r) * w.inW * w.inC;
    float *dst = row + static_cast<size_t>(inLo - colLo_) * w.winC;
    if (w.winC == w.inC)
      copyFloats(dst, src + static_cast<size_t>(inLo) * w.inC, static_cast<size_t>(inHi - inLo) * w.inC);
    else
      for (int64_t c = inLo; c < inHi; ++c, dst += w.winC)
        copyFloats(dst, src + static_cast<size_t>(c) * w.inC, w.winC);
    std::fill(row + static_cast<size_t>(inHi - colLo_) * w.winC, row + static_cast<size_t>(width_) * w.winC, 0.0f);
  }
}

void WindowRuns::tableRuns(size_t lanes) {
  const isa::Window &w = w_;
  // Tap (kh, kw) is lanes [(kh x K_W + kw) x WIN_C, + WIN_C) of the window,
  // from source element kh x DIL_H x pitch + kw x DIL_W x pixel on; a kernel
  // row's taps are one segment when they are contiguous there.
  std::vector<std::vector<numerics::BlockRun>> perBlock(lanes / 16);
  for (uint32_t kh = 0; kh < w.kH; ++kh) {
    const int64_t rowOffset = int64_t{kh} * w.dilH * pitch_;
    const size_t rowLane = size_t{kh} * w.kW * w.winC;
    if (w.dilW == 1 && pixel_ == w.winC) {
      addSegment(rowLane, size_t{w.kW} * w.winC, rowOffset, perBlock);
      continue;
    }
    for (uint32_t kw = 0; kw < w.kW; ++kw)
      addSegment(rowLane + size_t{kw} * w.winC, w.winC, rowOffset + int64_t{kw} * w.dilW * pixel_, perBlock);
  }
  runs_.clear();
  runStart_.assign(1, 0);
  for (const auto &block : perBlock) {
    runs_.insert(runs_.end(), block.begin(), block.end());
    runStart_.push_back(static_cast<uint32_t>(runs_.size()));
  }
}

void WindowRuns::bases(uint64_t pixel, uint32_t n, int64_t *out) const {
  uint64_t ow = pixel % w_.outW, oh = pixel / w_.outW;
  const int64_t colStep = int64_t{w_.strideW} * pixel_;
  auto rowStart = [&] {
    return (static_cast<int64_t>(oh) * w_.strideH - w_.padT - rowLo_) * pitch_ - (int64_t{w_.padL} + colLo_) * pixel_;
  };
  int64_t base = rowStart() + static_cast<int64_t>(ow) * colStep;
  for (uint32_t j = 0; j < n; ++j, base += colStep) {
    if (ow == w_.outW) { // the next output row
      ow = 0;
      ++oh;
      base = rowStart();
    }
    out[j] = base;
    ++ow;
  }
}

} // namespace softnpu::sim::detail
