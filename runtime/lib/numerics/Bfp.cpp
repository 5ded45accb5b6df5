//===- Bfp.cpp - Block floating point: quantize, pack, dot product -------===//
//
// The one implementation of the rules in softnpu/numerics/Bfp.h and
// docs/numerics.md. Everything here is exact integer or power-of-two
// arithmetic; the only roundings are (1) an element to its mantissa, done on
// an exactly scaled double with an explicit tie rule, (2) a block's exact
// dot-product value to float (one IEEE round-to-nearest-even), and (3) the fp32
// accumulation of block results.
//
// Misuse policy (no exceptions, no crash): quantize() with a format that is
// not a valid BFP format returns an empty BfpVector; dot() with mismatched or
// malformed vectors, offsets that are not block aligned, or a range past the
// end returns NaN; dequantize() writes NaN for elements it does not hold.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace softnpu::numerics {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr uint8_t kNanExponentByte = 0xFF;
constexpr int kExponentBias = 127;

bool isValidBfp(unsigned mantissaBits, unsigned blockSize) {
  return mantissaBits >= 1 && mantissaBits <= 15 && blockSize >= 1 && blockSize <= 256;
}

bool isValidBfp(const NumberFormat &fmt) {
  return fmt.kind == NumberFormat::Kind::Bfp && isValidBfp(fmt.mantissaBits, fmt.blockSize);
}

bool isWellFormed(const BfpVector &v) {
  if (!isValidBfp(v.mantissaBits, v.blockSize) || v.mantissas.size() % v.blockSize != 0)
    return false;
  size_t blocks = v.mantissas.size() / v.blockSize;
  return v.exponents.size() == blocks && v.nanBlocks.size() == blocks;
}

size_t numBlocks(size_t n, unsigned blockSize) { return (n + blockSize - 1) / blockSize; }

/// Shared exponent of x[0..len): max floor(log2|x_i|) over finite non-zero
/// elements, clamped to [kMinExp, kMaxExp]; kMinExp for an all-zero block.
/// Sets `nan` when an element is NaN or infinite.
int blockExponent(const float *x, size_t len, bool &nan) {
  nan = false;
  int e = kMinExp;
  for (size_t i = 0; i < len; ++i) {
    if (!std::isfinite(x[i])) {
      nan = true;
      continue;
    }
    if (x[i] != 0.0f)
      e = std::max(e, std::ilogb(x[i])); // exact, also for subnormals
  }
  return std::min(e, kMaxExp);
}

/// q = round(x / 2^(e - m + 1)) in the rounding mode, saturated to
/// +-(2^m - 1). The scaled magnitude is an exact double (24 significant bits,
/// power-of-two scaling well inside double range) and its fraction is split
/// off exactly, so the tie test is exact.
int16_t quantizeElement(float x, int e, unsigned m, Rounding rounding) {
  double y = std::ldexp(static_cast<double>(std::fabs(x)), static_cast<int>(m) - 1 - e);
  double whole = std::floor(y);
  double frac = y - whole; // exact
  int64_t q = static_cast<int64_t>(whole);
  switch (rounding) {
  case Rounding::TowardZero:
    break;
  case Rounding::NearestAway:
    q += frac >= 0.5 ? 1 : 0;
    break;
  case Rounding::NearestEven:
    q += (frac > 0.5 || (frac == 0.5 && (q & 1) != 0)) ? 1 : 0;
    break;
  }
  const int64_t maxMagnitude = (int64_t{1} << m) - 1;
  q = std::min(q, maxMagnitude);
  return static_cast<int16_t>(std::signbit(x) ? -q : q);
}

void writeLe32(uint32_t v, uint8_t *out) {
  for (int i = 0; i < 4; ++i)
    out[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t readLe32(const uint8_t *in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(in[i]) << (8 * i);
  return v;
}

size_t mantissaBytes(unsigned mantissaBits) { return mantissaBits <= 7 ? 1 : 2; }

} // namespace

BfpVector quantize(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding) {
  BfpVector v;
  if (!isValidBfp(fmt))
    return v;
  const unsigned k = fmt.blockSize, m = fmt.mantissaBits;
  const size_t blocks = numBlocks(n, k);
  v.mantissaBits = m;
  v.blockSize = k;
  v.exponents.assign(blocks, static_cast<int8_t>(kMinExp));
  v.nanBlocks.assign(blocks, 0);
  v.mantissas.assign(blocks * k, 0);
  for (size_t b = 0; b < blocks; ++b) {
    const size_t start = b * k;
    const size_t len = std::min<size_t>(k, n - start);
    bool nan = false;
    const int e = blockExponent(x + start, len, nan);
    if (nan) {
      v.nanBlocks[b] = 1; // canonical NaN block: exponent kMinExp, mantissas 0
      continue;
    }
    v.exponents[b] = static_cast<int8_t>(e);
    for (size_t i = 0; i < len; ++i)
      v.mantissas[start + i] = quantizeElement(x[start + i], e, m, rounding);
  }
  return v;
}

void dequantize(const BfpVector &v, size_t n, float *out) {
  const bool ok = isWellFormed(v);
  for (size_t i = 0; i < n; ++i) {
    if (!ok || i >= v.size()) {
      out[i] = kNaN;
      continue;
    }
    const size_t b = i / v.blockSize;
    if (v.nanBlocks[b]) {
      out[i] = kNaN;
      continue;
    }
    // Exact: |q| < 2^15 and the scale is >= 2^-141, on the subnormal grid.
    const int scale = v.exponents[b] - static_cast<int>(v.mantissaBits) + 1;
    out[i] = std::ldexp(static_cast<float>(v.mantissas[i]), scale);
  }
}

void roundTrip(float *x, size_t n, const NumberFormat &fmt, Rounding rounding) {
  if (fmt.isFp32())
    return;
  dequantize(quantize(x, n, fmt, rounding), n, x);
}

float dot(const BfpVector &w, size_t wOffset, const BfpVector &x, size_t xOffset, size_t n, float init) {
  if (n == 0)
    return init;
  if (!isWellFormed(w) || !isWellFormed(x) || w.mantissaBits != x.mantissaBits ||
      w.blockSize != x.blockSize)
    return kNaN;
  const size_t k = w.blockSize;
  if (wOffset % k != 0 || xOffset % k != 0 || wOffset > w.size() || n > w.size() - wOffset ||
      xOffset > x.size() || n > x.size() - xOffset)
    return kNaN;

  const int mantissaScale = 2 * (static_cast<int>(w.mantissaBits) - 1);
  float acc = init;
  for (size_t start = 0; start < n; start += k) {
    const size_t len = std::min(k, n - start);
    const size_t bw = (wOffset + start) / k, bx = (xOffset + start) / k;
    if (w.nanBlocks[bw] || x.nanBlocks[bx]) {
      acc = acc + kNaN;
      continue;
    }
    // Exact: |sum| <= 256 * (2^15 - 1)^2 < 2^38 fits int64 and is exact in a
    // double; the power-of-two scale stays inside double range (>= 2^-280,
    // < 2^300), so the only rounding is the double -> float conversion (for
    // m <= 7, k <= 256 the sum has <= 24 bits and even that is exact unless
    // the result is outside the float normal range).
    const int16_t *qw = w.mantissas.data() + wOffset + start;
    const int16_t *qx = x.mantissas.data() + xOffset + start;
    int64_t sum = 0;
    for (size_t i = 0; i < len; ++i)
      sum += static_cast<int64_t>(qw[i]) * qx[i];
    const int scale = w.exponents[bw] + x.exponents[bx] - mantissaScale;
    const float blockValue = static_cast<float>(std::ldexp(static_cast<double>(sum), scale));
    acc = acc + blockValue;
  }
  return acc;
}

float dotFp32(const float *w, const float *x, size_t n, float init) {
  float acc = init;
  for (size_t i = 0; i < n; ++i) {
    const float product = w[i] * x[i]; // rounded to float; no contraction (-ffp-contract=off)
    acc = acc + product;
  }
  return acc;
}

size_t packedRowBytes(const NumberFormat &fmt, size_t n) {
  if (fmt.isFp32())
    return 4 * n;
  if (!isValidBfp(fmt))
    return 0;
  return numBlocks(n, fmt.blockSize) * (1 + fmt.blockSize * mantissaBytes(fmt.mantissaBits));
}

void packRow(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out) {
  if (fmt.isFp32()) {
    for (size_t i = 0; i < n; ++i) {
      uint32_t bits;
      std::memcpy(&bits, &x[i], sizeof bits);
      writeLe32(bits, out + 4 * i);
    }
    return;
  }
  if (!isValidBfp(fmt))
    return;
  const BfpVector v = quantize(x, n, fmt, rounding);
  const size_t width = mantissaBytes(fmt.mantissaBits);
  for (size_t b = 0; b < v.exponents.size(); ++b) {
    *out++ = v.nanBlocks[b] ? kNanExponentByte : static_cast<uint8_t>(v.exponents[b] + kExponentBias);
    for (size_t i = 0; i < v.blockSize; ++i) {
      const uint16_t q = static_cast<uint16_t>(v.mantissas[b * v.blockSize + i]);
      *out++ = static_cast<uint8_t>(q & 0xFF);
      if (width == 2)
        *out++ = static_cast<uint8_t>(q >> 8);
    }
  }
}

BfpVector unpackRowBfp(const uint8_t *in, size_t n, const NumberFormat &fmt) {
  BfpVector v;
  if (!isValidBfp(fmt))
    return v;
  const unsigned k = fmt.blockSize;
  const size_t blocks = numBlocks(n, k);
  const size_t width = mantissaBytes(fmt.mantissaBits);
  v.mantissaBits = fmt.mantissaBits;
  v.blockSize = k;
  v.exponents.assign(blocks, static_cast<int8_t>(kMinExp));
  v.nanBlocks.assign(blocks, 0);
  v.mantissas.assign(blocks * k, 0);
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t exponentByte = *in++;
    const bool nan = exponentByte == kNanExponentByte;
    v.nanBlocks[b] = nan ? 1 : 0;
    if (!nan)
      v.exponents[b] = static_cast<int8_t>(static_cast<int>(exponentByte) - kExponentBias);
    for (size_t i = 0; i < k; ++i) {
      int16_t q;
      if (width == 1)
        q = static_cast<int8_t>(in[0]);
      else
        q = static_cast<int16_t>(static_cast<uint16_t>(in[0] | (in[1] << 8)));
      in += width;
      // Keep the invariants: padding past n and NaN blocks hold zeros.
      if (!nan && b * k + i < n)
        v.mantissas[b * k + i] = q;
    }
  }
  return v;
}

void unpackRow(const uint8_t *in, size_t n, const NumberFormat &fmt, float *out) {
  if (fmt.isFp32()) {
    for (size_t i = 0; i < n; ++i) {
      const uint32_t bits = readLe32(in + 4 * i);
      std::memcpy(&out[i], &bits, sizeof bits);
    }
    return;
  }
  dequantize(unpackRowBfp(in, n, fmt), n, out);
}

} // namespace softnpu::numerics
