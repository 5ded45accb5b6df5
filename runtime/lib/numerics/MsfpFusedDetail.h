//===- MsfpFusedDetail.h - Fused MSFP rounding and packing ------*- C++ -*-===//
//
// The fused paths of SignMagnitude (MSFP-style) block formats: roundTrip
// (RoundTripMsfp.cpp) and packRow (PackMsfp.cpp) without building a
// BfpVector, and quantizeInto (QuantizeMsfp.cpp) in one pass, each
// bit-identical to its reference (quantize + dequantize, quantize + encode,
// quantizeIntoReference). The block rules both share are here: the shared
// exponent from the largest magnitude and the rounding of |x| to steps,
// exactly as quantizeBlock (Quantize.cpp) does them.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_MSFPFUSEDDETAIL_H
#define SOFTNPU_LIB_NUMERICS_MSFPFUSEDDETAIL_H

#include "BfpDetail.h"

#include <algorithm>
#include <cstring>

namespace softnpu::numerics::detail {

/// roundTrip(x, n, fmt, rounding, vectorLength) for a valid SignMagnitude
/// block format; returns false (x untouched) for any other format.
bool roundTripMsfpFused(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength);
/// packRow(x, n, fmt, rounding, out) for a valid SignMagnitude block format;
/// returns false (out untouched) for any other format.
bool packRowMsfpFused(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out);
/// quantizeInto(x, n, fmt, rounding, out) for a valid SignMagnitude block
/// format; returns false (out untouched) for any other format.
bool quantizeMsfpFused(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out);

/// Largest magnitude of x[0..len) as raw bits (sign cleared), and whether a
/// NaN or infinity occurs. Shared with the reference quantizer.
inline uint32_t maxMagnitudeBits(const float *x, size_t len, bool &nan) {
  uint32_t maxBits = 0;
  nan = false;
  for (size_t i = 0; i < len; ++i) {
    uint32_t b;
    std::memcpy(&b, &x[i], sizeof b);
    b &= 0x7FFFFFFFu;
    nan |= b >= 0x7F800000u;
    maxBits = std::max(maxBits, b);
  }
  return maxBits;
}

/// floor(log2 v) for the magnitude bits of a finite non-zero float (the same
/// as floorLog2, from the bits).
inline int floorLog2Bits(uint32_t magnitudeBits) {
  if (magnitudeBits >= 0x00800000u)
    return static_cast<int>(magnitudeBits >> 23) - 127;
  return 31 - __builtin_clz(magnitudeBits) - 149; // subnormal: 2^-149 units
}

/// A block's shared exponent (clamped to [kMinExp, kMaxExp]; kMinExp for an
/// all-zero block), or false when it holds a NaN or an infinity.
inline bool msfpBlockExponent(const float *x, size_t len, int &e) {
  bool nan = false;
  const uint32_t maxBits = maxMagnitudeBits(x, len, nan);
  if (nan)
    return false;
  e = maxBits ? std::clamp(floorLog2Bits(maxBits), kMinExp, kMaxExp) : kMinExp;
  return true;
}

/// roundInteger for an exact y in [0, 2^16] with at most 24 significant bits
/// (an MSFP element in steps), without a libm call: nearest-even by adding
/// and subtracting 2^52 (exact below 2^51; the default round-to-nearest-even
/// environment, as rint), nearest-away by truncating y + 0.5 (exact: the sum
/// needs at most 41 bits, and below 0.5 it stays below 1), toward-zero by
/// truncating. Shared by the reference quantizer and the fused paths.
template <Rounding R> inline int32_t msfpRoundSteps(double y) {
  if constexpr (R == Rounding::NearestEven)
    return static_cast<int32_t>((y + 0x1p52) - 0x1p52);
  else if constexpr (R == Rounding::NearestAway)
    return static_cast<int32_t>(y + 0.5);
  else
    return static_cast<int32_t>(y);
}

/// The signed significand of one element: min(round(|x| * toSteps), maxQ)
/// with x's sign (0 for +-0 and for what rounds to 0).
template <Rounding R> inline int32_t msfpSignificand(float x, double toSteps, int32_t maxQ) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const double y = static_cast<double>(fromBits(bits & 0x7FFFFFFFu)) * toSteps; // exact
  const int32_t q = std::min(msfpRoundSteps<R>(y), maxQ);
  return bits >> 31 ? -q : q;
}

} // namespace softnpu::numerics::detail

#endif // SOFTNPU_LIB_NUMERICS_MSFPFUSEDDETAIL_H
