//===- WindowWalk.cpp - Windows of consecutive pixels, gathered in one go -===//
#include "WindowWalk.h"

#include "WindowRead.h"

#include <algorithm>
#include <limits>

namespace softnpu::sim::detail {

namespace {

/// The output positions o, as a range [first, last], whose taps o x stride -
/// pad + k x dil (k < kernel) all lie in [0, in): first > last when none do.
void insideRange(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t dil, uint32_t pad, uint32_t &first,
                 uint32_t &last) {
  const int64_t reach = int64_t{kernel - 1} * dil; // the last tap's distance from the first
  const int64_t top = int64_t{in} - 1 + pad - reach; // the largest o x stride allowed
  first = static_cast<uint32_t>((uint64_t{pad} + stride - 1) / stride); // ceil(pad / stride): first tap at or past 0
  if (top < 0 || top / stride < first) {
    first = 1;
    last = 0;
    return;
  }
  last = static_cast<uint32_t>(std::min<int64_t>(top / stride, UINT32_MAX));
}

} // namespace

WindowWalk::WindowWalk(const isa::Window &w) : w_(w), rowElems_(int64_t{w.inW} * w.inC) {
  for (uint32_t kh = 0; kh < w.kH; ++kh)
    for (uint32_t kw = 0; kw < w.kW; ++kw)
      taps_.push_back((int64_t{kh} * w.dilH * w.inW + int64_t{kw} * w.dilW) * w.inC);
  if (w.upH != 1 || w.upW != 1)
    return; // inserted zeros between the taps: every pixel takes forEachTap
  insideRange(w.inH, w.kH, w.strideH, w.dilH, w.padT, rowFirst_, rowLast_);
  insideRange(w.inW, w.kW, w.strideW, w.dilW, w.padL, colFirst_, colLast_);
}

void WindowWalk::edgeWindow(const float *map, uint32_t oh, uint32_t ow, float *x) const {
  // forEachTap's rule without upsampling: tap (kh, kw) reads map position
  // (oh x STRIDE_H - PAD_T + kh x DIL_H, ow x STRIDE_W - PAD_L + kw x DIL_W)
  // when it lies inside the map, else zeros.
  const uint32_t c = w_.winC;
  const size_t row = size_t{w_.kW} * c;
  const int64_t ih0 = int64_t{oh} * w_.strideH - w_.padT, iw0 = int64_t{ow} * w_.strideW - w_.padL;
  for (uint32_t kh = 0; kh < w_.kH; ++kh, x += row) {
    const int64_t ih = ih0 + int64_t{kh} * w_.dilH;
    if (ih < 0 || ih >= w_.inH) {
      zeroFloats(x, row);
      continue;
    }
    const float *mapRow = map + ih * rowElems_;
    for (uint32_t kw = 0; kw < w_.kW; ++kw) {
      const int64_t iw = iw0 + int64_t{kw} * w_.dilW;
      if (iw < 0 || iw >= w_.inW)
        zeroFloats(x + size_t{kw} * c, c);
      else
        copyFloats(x + size_t{kw} * c, mapRow + iw * w_.inC, c);
    }
  }
}

void WindowWalk::gather(const float *map, uint64_t first, uint32_t count, float *x, size_t stride) const {
  // A pixel is below 2^32 (the chain loop checks PIX_BASE + count).
  uint32_t oh = static_cast<uint32_t>(first / w_.outW), ow = static_cast<uint32_t>(first % w_.outW);
  const uint32_t c = w_.winC;
  const bool wholeRows = w_.dilW == 1 && c == w_.inC; // a kernel row's taps are contiguous in the map
  const size_t row = size_t{w_.kW} * c;
  for (uint32_t j = 0; j < count; ++j, x += stride) {
    const int64_t base = interiorBase(oh, ow);
    if (base >= 0 && wholeRows) {
      for (uint32_t kh = 0; kh < w_.kH; ++kh)
        copyFloats(x + kh * row, map + base + taps_[size_t{kh} * w_.kW], row);
    } else if (base >= 0) {
      for (size_t tap = 0; tap < taps_.size(); ++tap)
        copyFloats(x + tap * c, map + base + taps_[tap], c);
    } else if (w_.upH == 1 && w_.upW == 1) {
      edgeWindow(map, oh, ow, x);
    } else {
      w_.forEachTap(uint64_t{oh} * w_.outW + ow, [&](uint64_t tap, int64_t offset) {
        if (offset < 0)
          zeroFloats(x + tap * c, c);
        else
          copyFloats(x + tap * c, map + offset, c);
      });
    }
    if (++ow == w_.outW) {
      ow = 0;
      ++oh;
    }
  }
}

void WindowWalk::pool(const float *map, uint64_t first, uint32_t count, uint8_t pool, float *x, size_t stride) const {
  uint32_t oh = static_cast<uint32_t>(first / w_.outW), ow = static_cast<uint32_t>(first % w_.outW);
  const uint32_t c = w_.winC;
  const bool max = pool == isa::kVPoolMax;
  // An interior window has every tap inside the map: the mean's divisor.
  const float taps = static_cast<float>(static_cast<uint32_t>(taps_.size()));
  for (uint32_t j = 0; j < count; ++j, x += stride) {
    const int64_t base = interiorBase(oh, ow);
    if (base < 0) {
      poolTaps(w_, map, uint64_t{oh} * w_.outW + ow, pool, x);
    } else {
      // As poolTaps: from -inf (max) or 0 (sum), the taps in order.
      std::fill(x, x + c, max ? -std::numeric_limits<float>::infinity() : 0.0f);
      for (int64_t offset : taps_) {
        const float *tap = map + base + offset;
        if (max)
          for (uint32_t k = 0; k < c; ++k)
            x[k] = poolMax(x[k], tap[k]);
        else
          for (uint32_t k = 0; k < c; ++k)
            x[k] += tap[k];
      }
      if (pool == isa::kVPoolMean)
        for (uint32_t k = 0; k < c; ++k)
          x[k] /= taps;
    }
    if (++ow == w_.outW) {
      ow = 0;
      ++oh;
    }
  }
}

} // namespace softnpu::sim::detail
