//===- Dot.cpp - Block dot product and its one rounding per block ---------===//
//
// numerics::dot in the documented order (docs/numerics.md "Dot product"):
// per block the exact integer sum of the element products (int32 / int64 /
// __int128 as the formats need), rounded once to fp32 by roundToFloat (one
// IEEE round-to-nearest-even on an exact integer times a power of two), then
// added to the fp32 accumulator in increasing block order. dot() with
// mismatched or malformed vectors returns NaN. Also dotFp32.
//
//===----------------------------------------------------------------------===//
#include "BfpDetail.h"

#include <algorithm>

namespace softnpu::numerics {

using namespace detail;

namespace detail {

/// Rounds (neg ? -1 : 1) * mag * 2^E to the nearest float, ties to even,
/// including the subnormal range and overflow to infinity. An exact zero is +0.
float roundToFloat(bool neg, unsigned __int128 mag, int E) {
  if (mag == 0)
    return 0.0f;
  float r;
  if (mag < (unsigned __int128){1} << 24 && E >= -149 && E <= 127) {
    // float(mag) is exact, 2^E is exact: the product is one IEEE rounding.
    r = static_cast<float>(static_cast<uint32_t>(mag)) * pow2f(E);
  } else {
    const uint64_t hi = static_cast<uint64_t>(mag >> 64), lo = static_cast<uint64_t>(mag);
    const int bitLength = hi ? 128 - __builtin_clzll(hi) : 64 - __builtin_clzll(lo);
    const int64_t top = static_cast<int64_t>(bitLength) - 1 + E; // exponent of the leading bit
    if (top > 127) {
      r = std::numeric_limits<float>::infinity();
    } else {
      const int lsbExp = static_cast<int>(std::max<int64_t>(top - 23, -149));
      const int64_t shift = static_cast<int64_t>(lsbExp) - E;
      uint64_t q;
      if (shift <= 0) {
        q = static_cast<uint64_t>(mag) << -shift; // < 2^24
      } else if (shift >= 128) {
        q = 0; // below half of the smallest subnormal
      } else {
        const unsigned __int128 one = 1;
        const unsigned __int128 rem = mag & ((one << shift) - 1), half = one << (shift - 1);
        q = static_cast<uint64_t>(mag >> shift);
        if (rem > half || (rem == half && (q & 1)))
          ++q;
      }
      r = static_cast<float>(q) * pow2f(lsbExp); // q <= 2^24: exact, or overflow to inf
    }
  }
  return neg ? -r : r;
}

float roundToFloat(int64_t s, int E) {
  const bool neg = s < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(s) : static_cast<uint64_t>(s);
  return roundToFloat(neg, mag, E);
}

float roundToFloat(__int128 s, int E) {
  const bool neg = s < 0;
  const unsigned __int128 mag = neg ? 0 - static_cast<unsigned __int128>(s) : static_cast<unsigned __int128>(s);
  return roundToFloat(neg, mag, E);
}

} // namespace detail

namespace {

/// Exact sum over one block of (sw << (ew - baseW)) * (sx << (ex - baseX)).
/// Returns false when an exponent is outside its format's range (malformed).
template <typename Acc>
bool blockSum(const int16_t *sw, const int8_t *ew, int baseW, int spanW, const int16_t *sx, const int8_t *ex, int baseX,
              int spanX, size_t k, Acc &sum) {
  sum = 0;
  for (size_t i = 0; i < k; ++i) {
    const int shW = ew[i] - baseW, shX = ex[i] - baseX;
    if (shW < 0 || shW > spanW || shX < 0 || shX > spanX)
      return false;
    sum += static_cast<Acc>(static_cast<int32_t>(sw[i]) * sx[i]) * (Acc{1} << (shW + shX));
  }
  return true;
}

/// The shape checks of dot() that the fast path needs, without the full
/// format validation (called once per matrix row in the simulator). With
/// `leading`, x may have more blocks than w.
bool sameShapeSignMagnitude(const BfpVector &w, const BfpVector &x, bool leading) {
  const NumberFormat &fw = w.format, &fx = x.format;
  const size_t k = fw.blockSize, blocks = w.scales.size(), n = w.significands.size(), xBlocks = x.scales.size();
  return fw.kind == NumberFormat::Kind::Block && fx.kind == NumberFormat::Kind::Block &&
         fw.element == Element::SignMagnitude && fx.element == Element::SignMagnitude && k >= 1 && k <= 256 &&
         fx.blockSize == k && fw.mantissaBits - 1 < 15 && fx.mantissaBits - 1 < 15 && n == blocks * k &&
         w.nanBlocks.size() == blocks && (leading ? xBlocks >= blocks : xBlocks == blocks) &&
         x.nanBlocks.size() == xBlocks && x.significands.size() == xBlocks * k;
}

/// MSFP blocks of a fixed size K with m <= 7, where a block's sum is exact in
/// 32 bits (< 2^22) and, inside the normal range, float(sum) * 2^E is the one
/// rounding roundToFloat would do (the same helpers as the compact kernels of
/// CompactMsfp.cpp, which the simulator uses for whole tiles).
template <size_t K> float dotNarrow(const BfpVector &w, const BfpVector &x, size_t blocks, int base, float acc) {
  const int16_t *qw = w.significands.data(), *qx = x.significands.data();
  for (size_t b = 0; b < blocks; ++b, qw += K, qx += K) {
    int32_t sum = 0;
    for (size_t i = 0; i < K; ++i)
      sum += static_cast<int32_t>(qw[i]) * qx[i];
    acc = addNarrowBlock(acc, w.nanBlocks[b] | x.nanBlocks[b], narrowBlockValue(sum, w.scales[b] + x.scales[b] + base));
  }
  return acc;
}

/// dot(), or with `leading` the dot product of w with x's first w.size()
/// elements.
float dotImpl(const BfpVector &w, const BfpVector &x, float init, bool leading) {
  const size_t k = w.format.blockSize, blocks = w.numBlocks();
  float acc = init;
  if (sameShapeSignMagnitude(w, x, leading)) {
    // Fast path: every element exponent is 1 - m, so a block is one integer
    // sum (|sum| <= 256 * (2^15 - 1)^2 < 2^38).
    const int base = 2 - static_cast<int>(w.format.mantissaBits) - static_cast<int>(x.format.mantissaBits);
    const int16_t *qw = w.significands.data(), *qx = x.significands.data();
    // With m <= 7 on both sides a product is below 2^14 and a block of at most
    // 256 below 2^22: a 32-bit sum is exact and vectorises (pmaddwd).
    const bool narrow = w.format.mantissaBits <= 7 && x.format.mantissaBits <= 7;
    if (narrow && k == 8)
      return dotNarrow<8>(w, x, blocks, base, acc);
    if (narrow && k == 16)
      return dotNarrow<16>(w, x, blocks, base, acc);
    if (narrow && k == 32)
      return dotNarrow<32>(w, x, blocks, base, acc);
    for (size_t b = 0; b < blocks; ++b, qw += k, qx += k) {
      if (w.nanBlocks[b] | x.nanBlocks[b]) {
        acc = acc + kNaN;
        continue;
      }
      int64_t sum = 0;
      if (narrow) {
        int32_t s32 = 0;
        for (size_t i = 0; i < k; ++i)
          s32 += static_cast<int32_t>(qw[i]) * qx[i];
        sum = s32;
      } else {
        for (size_t i = 0; i < k; ++i)
          sum += static_cast<int32_t>(qw[i]) * qx[i];
      }
      // An exact zero block (padding) rounds to +0: skip the rounding call.
      acc = acc + (sum == 0 ? 0.0f : roundToFloat(sum, w.scales[b] + x.scales[b] + base));
    }
    return acc;
  }
  if (!isWellFormed(w) || !isWellFormed(x) || w.format.blockSize != x.format.blockSize ||
      (leading ? w.size() > x.size() : w.size() != x.size()))
    return kNaN;
  const ElementInfo iw = elementInfo(w.format), ix = elementInfo(x.format);
  const int spanW = iw.maxExp - iw.lsbExp, spanX = ix.maxExp - ix.lsbExp;
  unsigned sumBits = iw.maxBits + ix.maxBits;
  for (size_t kk = k; kk > 1; kk = (kk + 1) / 2)
    ++sumBits;
  const bool wide = sumBits > 62;
  for (size_t b = 0; b < blocks; ++b) {
    if (w.nanBlocks[b] | x.nanBlocks[b]) {
      acc = acc + kNaN;
      continue;
    }
    const size_t at = b * k;
    const int E = w.scales[b] + x.scales[b] + iw.lsbExp + ix.lsbExp;
    float value;
    bool ok;
    if (wide) {
      __int128 sum;
      ok = blockSum(w.significands.data() + at, w.exponents.data() + at, iw.lsbExp, spanW, x.significands.data() + at,
                    x.exponents.data() + at, ix.lsbExp, spanX, k, sum);
      value = roundToFloat(sum, E);
    } else {
      int64_t sum;
      ok = blockSum(w.significands.data() + at, w.exponents.data() + at, iw.lsbExp, spanW, x.significands.data() + at,
                    x.exponents.data() + at, ix.lsbExp, spanX, k, sum);
      value = roundToFloat(sum, E);
    }
    if (!ok)
      return kNaN;
    acc = acc + value;
  }
  return acc;
}

} // namespace

float dot(const BfpVector &w, const BfpVector &x, float init) { return dotImpl(w, x, init, false); }
float dotLeading(const BfpVector &w, const BfpVector &x, float init) { return dotImpl(w, x, init, true); }

float dotFp32(const float *w, const float *x, size_t n, float init) {
  float acc = init;
  for (size_t i = 0; i < n; ++i) {
    const float product = w[i] * x[i]; // rounded to float; no contraction (-ffp-contract=off)
    acc = acc + product;
  }
  return acc;
}

} // namespace softnpu::numerics
