//===- WindowWalk.h - Windows of consecutive pixels, gathered in one go ---===//
//
// A chain loop reads the windows of consecutive output pixels (a
// convolution's receptive fields, or a pooling's). Gathered one by one, every
// pixel pays for a division into (row, column), for working out again whether
// its window lies inside the map, and for a call per tap. A WindowWalk works
// out the geometry once and walks the pixels in order: the same elements,
// bit for bit, as readWindow and poolTaps (WindowRead.h) gather for each.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_WINDOWWALK_H
#define SOFTNPU_LIB_SIM_WINDOWWALK_H

#include "FloatCopy.h"

#include "softnpu/isa/Window.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace softnpu::sim::detail {

class WindowWalk {
public:
  /// Taps [lo, hi) of a kernel row or column (empty when lo >= hi).
  struct TapRange {
    uint32_t lo = 0, hi = 0;
  };

  /// For a window check() accepts.
  explicit WindowWalk(const isa::Window &w);

  const isa::Window &window() const { return w_; }
  /// The offsets of the taps from the first one: (kh x DIL_H x IN_W + kw x
  /// DIL_W) x IN_C, in tap order.
  const std::vector<int64_t> &tapOffsets() const { return taps_; }

  /// The map offset of the first tap of pixel (oh, ow) when its whole window
  /// lies inside the map (no padding tap, no upsampling), else -1.
  int64_t interiorBase(uint32_t oh, uint32_t ow) const {
    if (!rowInside(oh) || ow < colFirst_ || ow > colLast_)
      return -1;
    return (int64_t{oh} * w_.strideH - w_.padT) * rowElems_ + (int64_t{ow} * w_.strideW - w_.padL) * w_.inC;
  }
  /// The same for pixel p = oh x OUT_W + ow.
  int64_t interiorBase(uint64_t p) const {
    return interiorBase(static_cast<uint32_t>(p / w_.outW), static_cast<uint32_t>(p % w_.outW));
  }

  /// Gathers the windows of pixels [first, first + count), K_H x K_W x
  /// WIN_C elements each, from the map at `map` into x + j x stride, as
  /// readWindow gathers each (lanes past the window are not written).
  void gather(const float *map, uint64_t first, uint32_t count, float *x, size_t stride) const;
  /// The pooled reads of those pixels (`pool`: isa::kVPoolMax, kVPoolSum or
  /// kVPoolMean), WIN_C elements each, as poolTaps computes each.
  void pool(const float *map, uint64_t first, uint32_t count, uint8_t pool, float *x, size_t stride) const;

  /// gather, copying a kernel row's taps with `Copy` (see WindowWalk.cpp).
  template <class Copy>
  void gatherWith(const float *map, uint64_t first, uint32_t count, float *x, size_t stride) const;

private:
  /// pool with AVX-512 (when the CPU has it): the same elements.
  void poolAvx512(const float *map, uint64_t first, uint32_t count, uint8_t pool, float *x, size_t stride) const;
  bool rowInside(uint32_t oh) const { return oh >= rowFirst_ && oh <= rowLast_; }
  /// Gathers the window of pixel (oh, ow), some of whose taps fall outside
  /// the map, into x (not for an upsampled read): `kh`, the kernel rows
  /// inside the map.
  void edgeWindow(const float *map, uint32_t oh, uint32_t ow, TapRange kh, float *x) const;

  isa::Window w_;
  std::vector<int64_t> taps_;
  std::vector<int64_t> rowTaps_; ///< the offset of each kernel row's first tap
  int64_t rowElems_ = 0;         ///< IN_W x IN_C
  /// Output rows and columns whose windows lie inside the map (first > last
  /// when none do; always so for an upsampled read).
  uint32_t rowFirst_ = 1, rowLast_ = 0, colFirst_ = 1, colLast_ = 0;
  /// Per output column (the first 2^16), the kernel columns inside the map
  /// (not upsampled).
  std::vector<TapRange> cols_;
};

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_WINDOWWALK_H
