//===- FloatCopy.h - Short float copies without a libc call ---------------===//
//
// The simulator's loops move a few floats at a time (a convolution tap's
// channels, one output pixel's results): a call to memcpy or memset per move
// costs more than the move.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_FLOATCOPY_H
#define SOFTNPU_LIB_SIM_FLOATCOPY_H

#include <cstddef>
#include <cstring>

namespace softnpu::sim::detail {

/// dst[0, n) = src[0, n) in constant-size moves: a convolution copies a few
/// channels per tap (often 1 to 24 floats), where a libc call per copy costs
/// more than the copy.
inline void copyFloats(float *dst, const float *src, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    std::memcpy(dst + i, src + i, 8 * sizeof(float));
  if (n - i >= 4) {
    std::memcpy(dst + i, src + i, 4 * sizeof(float));
    i += 4;
  }
  if (n - i >= 2) {
    std::memcpy(dst + i, src + i, 2 * sizeof(float));
    i += 2;
  }
  if (i < n)
    dst[i] = src[i];
}

/// dst[0, n) = 0, the same way (a padding tap).
inline void zeroFloats(float *dst, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    std::memset(dst + i, 0, 8 * sizeof(float));
  if (n - i >= 4) {
    std::memset(dst + i, 0, 4 * sizeof(float));
    i += 4;
  }
  if (n - i >= 2) {
    std::memset(dst + i, 0, 2 * sizeof(float));
    i += 2;
  }
  if (i < n)
    dst[i] = 0.0f;
}

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_FLOATCOPY_H
