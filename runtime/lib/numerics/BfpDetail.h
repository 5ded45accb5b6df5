//===- BfpDetail.h - Shared internals of the block-format implementation --===//
//
// Constants, element-type parameters and the exact rounding helpers that the
// files of runtime/lib/numerics share (Elements, Quantize, Dot, Pack,
// CompactMsfp*). Not installed: nothing outside this directory includes it.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_BFPDETAIL_H
#define SOFTNPU_LIB_NUMERICS_BFPDETAIL_H

#include "softnpu/numerics/Bfp.h"

#include <cstdint>
#include <cstring>
#include <limits>

namespace softnpu::numerics::detail {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr uint8_t kNanScaleByte = 0xFF;
constexpr int kScaleBias = 127;
constexpr int kMxMinScale = -127, kMxMaxScale = 127;

//===--- Element types (Elements.cpp) -------------------------------------===//

/// Parameters of a block format's element code. An element's value is
/// significand * 2^exponent (times the block scale); `lsbExp` is the smallest
/// exponent (the canonical exponent of a zero element).
struct ElementInfo {
  bool fp = false; ///< IEEE-like sign|exponent|mantissa code
  int ebits = 0, mbits = 0, bias = 0;
  int emin = 0;         ///< exponent of the smallest normal binade (fp)
  int emax = 0;         ///< OCP emax: exponent of the largest binade (fp) / 0 (int8)
  int maxSig = 0;       ///< largest significand magnitude (at emax for fp)
  int lsbExp = 0;       ///< exponent of the least significant bit of any element
  int maxExp = 0;       ///< largest element exponent
  unsigned maxBits = 0; ///< bits of the largest |significand| << (exponent - lsbExp)
};

/// Valid block formats only.
ElementInfo elementInfo(const NumberFormat &f);
bool isValidBlock(const NumberFormat &f);
/// A valid block format and consistent per-block / per-element array sizes.
bool isWellFormed(const BfpVector &v);
inline size_t numBlocks(size_t n, unsigned blockSize) { return (n + blockSize - 1) / blockSize; }

//===--- Exact powers of two ----------------------------------------------===//

inline float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

/// 2^e as a float, exact for e in [-149, 127].
inline float pow2f(int e) {
  return fromBits(e >= -126 ? static_cast<uint32_t>(e + 127) << 23 : uint32_t{1} << (e + 149));
}

/// 2^e as a double, exact for e in [-1022, 1023].
inline double pow2d(int e) {
  uint64_t bits = static_cast<uint64_t>(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

//===--- The one rounding of a block's exact sum (Dot.cpp) ----------------===//

/// Rounds (neg ? -1 : 1) * mag * 2^E to the nearest float, ties to even,
/// including the subnormal range and overflow to infinity. An exact zero is +0.
float roundToFloat(bool neg, unsigned __int128 mag, int E);
float roundToFloat(int64_t s, int E);
float roundToFloat(__int128 s, int E);

/// The one rounding of a narrow MSFP block (m <= 7 on both sides, so
/// |sum| < 2^22 is exact in float): inside the fp32 exponent range
/// float(sum) * 2^E is the single rounding roundToFloat would do (and +0 for
/// a zero sum); outside it roundToFloat. Used by dot's narrow path and the
/// compact kernels. This is the case E in the normal exponents [-126, 127].
inline float narrowBlockValueNormal(int32_t sum, int E) {
  return static_cast<float>(sum) * fromBits(static_cast<uint32_t>(E + 127) << 23);
}
inline float narrowBlockValue(int32_t sum, int E) {
  if (E >= -126 && E <= 127)
    return narrowBlockValueNormal(sum, E);
  return E >= -149 && E <= 127 ? static_cast<float>(sum) * pow2f(E) : roundToFloat(static_cast<int64_t>(sum), E);
}
/// Adds one narrow block to the accumulator: a NaN block makes the result
/// the quiet NaN kNaN (what acc + kNaN folds to), otherwise acc + value.
inline float addNarrowBlock(float acc, bool nan, float value) { return nan ? kNaN : acc + value; }

} // namespace softnpu::numerics::detail

#endif // SOFTNPU_LIB_NUMERICS_BFPDETAIL_H
