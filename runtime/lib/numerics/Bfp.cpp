//===- Bfp.cpp - Block formats: quantize, pack, dot product --------------===//
//
// The one implementation of the rules in softnpu/numerics/Bfp.h and
// docs/numerics.md, for MSFP-style block floating point (SignMagnitude) and
// the OCP MX element types, plus the scalar roundings to bf16 / fp16.
//
// Everything is exact integer or power-of-two arithmetic. The only roundings
// are (1) an element to its code: the scaled magnitude is an exact double
// (a float times a power of two) and is rounded by rint / round / trunc, which
// implement the three modes exactly; (2) a block's exact dot-product value to
// float, by roundToFloat (one IEEE round-to-nearest-even on an exact integer
// times a power of two); (3) the fp32 accumulation of block results.
//
// Misuse policy (no exceptions, no crash): quantize() with a format that is
// not a valid block format returns an empty BfpVector; dot() with mismatched
// or malformed vectors returns NaN; dequantize() writes NaN for elements it
// does not hold; packRow/packedRowBytes do nothing / return 0 for formats
// that have no packed form.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Bfp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace softnpu::numerics {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr uint8_t kNanScaleByte = 0xFF;
constexpr int kScaleBias = 127;
constexpr int kMxMinScale = -127, kMxMaxScale = 127;

//===--- Element types ----------------------------------------------------===//

/// Parameters of a block format's element code. An element's value is
/// significand * 2^exponent (times the block scale); `lsbExp` is the smallest
/// exponent (the canonical exponent of a zero element).
struct ElementInfo {
  bool fp = false;  ///< IEEE-like sign|exponent|mantissa code
  int ebits = 0, mbits = 0, bias = 0;
  int emin = 0;     ///< exponent of the smallest normal binade (fp)
  int emax = 0;     ///< OCP emax: exponent of the largest binade (fp) / 0 (int8)
  int maxSig = 0;   ///< largest significand magnitude (at emax for fp)
  int lsbExp = 0;   ///< exponent of the least significant bit of any element
  int maxExp = 0;   ///< largest element exponent
  unsigned maxBits = 0; ///< bits of the largest |significand| << (exponent - lsbExp)
};

ElementInfo fpElement(int ebits, int mbits, int bias, int emax, int maxSig) {
  ElementInfo e;
  e.fp = true;
  e.ebits = ebits;
  e.mbits = mbits;
  e.bias = bias;
  e.emin = 1 - bias;
  e.emax = emax;
  e.maxSig = maxSig;
  e.lsbExp = e.emin - mbits;
  e.maxExp = emax - mbits;
  unsigned sigBits = 0;
  while ((1 << sigBits) <= maxSig)
    ++sigBits;
  e.maxBits = sigBits + static_cast<unsigned>(e.maxExp - e.lsbExp);
  return e;
}

/// Valid block formats only.
ElementInfo elementInfo(const NumberFormat &f) {
  switch (f.element) {
  case Element::SignMagnitude: {
    ElementInfo e;
    const int m = static_cast<int>(f.mantissaBits);
    e.maxSig = (1 << m) - 1;
    e.lsbExp = e.maxExp = 1 - m;
    e.maxBits = f.mantissaBits;
    return e;
  }
  case Element::E4M3: return fpElement(4, 3, 7, 8, 14);   // max 1.75 * 2^8 = 448
  case Element::E5M2: return fpElement(5, 2, 15, 15, 7);  // max 1.75 * 2^15 = 57344
  case Element::E3M2: return fpElement(3, 2, 3, 4, 7);    // max 1.75 * 2^4 = 28
  case Element::E2M3: return fpElement(2, 3, 1, 2, 15);   // max 1.875 * 2^2 = 7.5
  case Element::E2M1: return fpElement(2, 1, 1, 2, 3);    // max 1.5 * 2^2 = 6
  case Element::Int8: {
    ElementInfo e;
    e.emax = 0;
    e.maxSig = 127;
    e.lsbExp = e.maxExp = -6; // q * 2^-6
    e.maxBits = 8;            // an unpacked -128 has 8 bits
    return e;
  }
  }
  return {};
}

bool isValidBlock(const NumberFormat &f) { return f.isBlock() && f.isValid(); }

size_t numBlocks(size_t n, unsigned blockSize) { return (n + blockSize - 1) / blockSize; }

bool isWellFormed(const BfpVector &v) {
  if (!isValidBlock(v.format))
    return false;
  const size_t k = v.format.blockSize, blocks = v.scales.size();
  return v.nanBlocks.size() == blocks && v.significands.size() == blocks * k &&
         v.exponents.size() == blocks * k;
}

/// 2^e as a float, exact for e in [-149, 127].
float pow2f(int e) {
  uint32_t bits = e >= -126 ? static_cast<uint32_t>(e + 127) << 23 : uint32_t{1} << (e + 149);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// 2^e as a double, exact for e in [-1022, 1023].
double pow2d(int e) {
  uint64_t bits = static_cast<uint64_t>(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

/// Rounds a non-negative exact double to an integer in the rounding mode.
/// (rint uses the default round-to-nearest-even environment.)
double roundInteger(double y, Rounding r) {
  switch (r) {
  case Rounding::NearestEven: return std::rint(y);
  case Rounding::NearestAway: return std::round(y);
  case Rounding::TowardZero: return std::trunc(y);
  }
  return y;
}

/// floor(log2 |x|) of a finite non-zero float (exact, subnormals included).
int floorLog2(float x) { return std::ilogb(x); }

/// Largest magnitude of x[0..len) as raw bits (sign cleared), and whether a
/// NaN or infinity occurs.
uint32_t maxMagnitudeBits(const float *x, size_t len, bool &nan) {
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

float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

//===--- Quantization of one block -----------------------------------------===//

/// Writes one block (len <= k input elements, the rest zero padding) to
/// scale/nan/sig[0..k)/exp[0..k).
void quantizeBlock(const float *x, size_t len, const NumberFormat &fmt, const ElementInfo &info,
                   Rounding rounding, int16_t &scale, uint8_t &nan, int16_t *sig, int8_t *exp) {
  const size_t k = fmt.blockSize;
  const bool sm = fmt.element == Element::SignMagnitude;
  std::fill(sig, sig + k, int16_t{0});
  std::fill(exp, exp + k, static_cast<int8_t>(info.lsbExp));
  bool hasNan = false;
  const uint32_t maxBits = maxMagnitudeBits(x, len, hasNan);
  if (hasNan) {
    nan = 1;
    scale = static_cast<int16_t>(sm ? kMinExp : kMxMinScale);
    return;
  }
  nan = 0;
  if (sm) {
    const int m = static_cast<int>(fmt.mantissaBits);
    const int e = maxBits ? std::clamp(floorLog2(fromBits(maxBits)), kMinExp, kMaxExp) : kMinExp;
    scale = static_cast<int16_t>(e);
    const double toSteps = pow2d(m - 1 - e); // |x| / step, exact
    const double maxQ = info.maxSig;
    for (size_t i = 0; i < len; ++i) {
      const double q = std::min(roundInteger(std::fabs(static_cast<double>(x[i])) * toSteps, rounding), maxQ);
      const int16_t qi = static_cast<int16_t>(q);
      sig[i] = std::signbit(x[i]) ? static_cast<int16_t>(-qi) : qi;
    }
    return;
  }
  // MX: X = floor(log2 max|x|) - emax, clamped; elements are x / 2^X rounded
  // to the element type (subnormals included), saturated.
  const int X = maxBits ? std::clamp(floorLog2(fromBits(maxBits)) - info.emax, kMxMinScale, kMxMaxScale)
                        : kMxMinScale;
  scale = static_cast<int16_t>(X);
  const double unscale = pow2d(-X);
  for (size_t i = 0; i < len; ++i) {
    const double v = std::fabs(static_cast<double>(x[i])) * unscale; // exact
    if (v == 0.0)
      continue;
    int q, e;
    if (!info.fp) { // INT8: q * 2^-6
      q = static_cast<int>(std::min(roundInteger(v * 64.0, rounding), static_cast<double>(info.maxSig)));
      e = info.lsbExp;
    } else {
      int binade = std::max(std::ilogb(v), info.emin);
      double r = roundInteger(v * pow2d(info.mbits - binade), rounding); // significand incl. the leading one
      if (r >= static_cast<double>(2 << info.mbits)) { // rounded up into the next binade
        r /= 2;
        ++binade;
      }
      q = static_cast<int>(r);
      if (binade > info.emax || (binade == info.emax && q > info.maxSig)) { // saturate
        q = info.maxSig;
        binade = info.emax;
      }
      e = binade - info.mbits;
      if (q == 0)
        e = info.lsbExp;
    }
    sig[i] = static_cast<int16_t>(std::signbit(x[i]) ? -q : q);
    exp[i] = static_cast<int8_t>(e);
  }
}

//===--- Exact block dot product -------------------------------------------===//

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

/// Exact sum over one block of (sw << (ew - baseW)) * (sx << (ex - baseX)).
/// Returns false when an exponent is outside its format's range (malformed).
template <typename Acc>
bool blockSum(const int16_t *sw, const int8_t *ew, int baseW, int spanW, const int16_t *sx, const int8_t *ex,
              int baseX, int spanX, size_t k, Acc &sum) {
  sum = 0;
  for (size_t i = 0; i < k; ++i) {
    const int shW = ew[i] - baseW, shX = ex[i] - baseX;
    if (shW < 0 || shW > spanW || shX < 0 || shX > spanX)
      return false;
    sum += static_cast<Acc>(static_cast<int32_t>(sw[i]) * sx[i]) * (Acc{1} << (shW + shX));
  }
  return true;
}

//===--- Bit packing --------------------------------------------------------===//

uint32_t encodeElement(const ElementInfo &info, const NumberFormat &fmt, int16_t sig, int8_t exp) {
  const bool neg = sig < 0;
  const uint32_t q = static_cast<uint32_t>(neg ? -sig : sig);
  if (fmt.element == Element::SignMagnitude)
    return (neg ? 1u << fmt.mantissaBits : 0u) | q;
  if (!info.fp)
    return static_cast<uint8_t>(sig);
  if (q == 0)
    return 0;
  uint32_t field, mant;
  if (q < (1u << info.mbits)) { // subnormal
    field = 0;
    mant = q;
  } else {
    field = static_cast<uint32_t>(exp + info.mbits + info.bias);
    mant = q - (1u << info.mbits);
  }
  return (neg ? 1u << (info.ebits + info.mbits) : 0u) | (field << info.mbits) | mant;
}

/// Decodes one element code; returns false for a NaN / Inf code.
bool decodeElement(const ElementInfo &info, const NumberFormat &fmt, uint32_t code, int16_t &sig, int8_t &exp) {
  if (fmt.element == Element::SignMagnitude) {
    const int mag = static_cast<int>(code & ((1u << fmt.mantissaBits) - 1));
    sig = static_cast<int16_t>((code >> fmt.mantissaBits) & 1 ? -mag : mag);
    exp = static_cast<int8_t>(info.lsbExp);
    return true;
  }
  if (!info.fp) {
    sig = static_cast<int8_t>(static_cast<uint8_t>(code));
    exp = static_cast<int8_t>(info.lsbExp);
    return true;
  }
  const bool neg = (code >> (info.ebits + info.mbits)) & 1;
  const uint32_t field = (code >> info.mbits) & ((1u << info.ebits) - 1);
  const uint32_t mant = code & ((1u << info.mbits) - 1);
  const uint32_t maxField = (1u << info.ebits) - 1;
  if (fmt.element == Element::E4M3 && field == maxField && mant == (1u << info.mbits) - 1)
    return false; // E4M3 NaN
  if (fmt.element == Element::E5M2 && field == maxField)
    return false; // E5M2 Inf / NaN
  int q, e;
  if (field == 0) {
    q = static_cast<int>(mant);
    e = info.emin;
  } else {
    q = static_cast<int>(mant + (1u << info.mbits));
    e = static_cast<int>(field) - info.bias;
  }
  sig = static_cast<int16_t>(neg ? -q : q);
  exp = static_cast<int8_t>(q == 0 ? info.lsbExp : e - info.mbits);
  return true;
}

/// Bytes of a packed block holding `len` element codes (a row's last block
/// may be short: only its elements are stored).
size_t blockBytes(const NumberFormat &fmt, size_t len) { return 1 + (len * fmt.elementBits() + 7) / 8; }
size_t blockBytes(const NumberFormat &fmt) { return blockBytes(fmt, fmt.blockSize); }

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

/// IEEE-style rounding parameters of the scalar formats.
struct ScalarInfo {
  int precision; ///< significand bits including the leading one
  int emin, emax;
};

} // namespace

//===--- Public API ----------------------------------------------------------===//

void quantizeInto(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out) {
  out.format = fmt;
  if (!isValidBlock(fmt)) {
    out.scales.clear();
    out.nanBlocks.clear();
    out.significands.clear();
    out.exponents.clear();
    return;
  }
  const ElementInfo info = elementInfo(fmt);
  const size_t k = fmt.blockSize, blocks = numBlocks(n, fmt.blockSize);
  out.scales.resize(blocks);
  out.nanBlocks.resize(blocks);
  out.significands.resize(blocks * k);
  out.exponents.resize(blocks * k);
  for (size_t b = 0; b < blocks; ++b) {
    const size_t start = b * k;
    quantizeBlock(x + start, std::min(k, n - start), fmt, info, rounding, out.scales[b], out.nanBlocks[b],
                  out.significands.data() + start, out.exponents.data() + start);
  }
}

BfpVector quantize(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding) {
  BfpVector v;
  quantizeInto(x, n, fmt, rounding, v);
  return v;
}

void dequantize(const BfpVector &v, size_t n, float *out) {
  const bool ok = isWellFormed(v);
  for (size_t i = 0; i < n; ++i) {
    if (!ok || i >= v.size()) {
      out[i] = kNaN;
      continue;
    }
    const size_t b = i / v.format.blockSize;
    if (v.nanBlocks[b]) {
      out[i] = kNaN;
      continue;
    }
    // Exact for every value quantize() or unpackRowBfp() produce: |sig| < 2^15
    // and the exponent sum lands on the fp32 grid (>= 2^-149).
    out[i] = std::ldexp(static_cast<float>(v.significands[i]), v.exponents[i] + v.scales[b]);
  }
}

float roundScalar(float x, const NumberFormat &fmt, Rounding rounding) {
  ScalarInfo s;
  if (fmt.kind == NumberFormat::Kind::Bf16)
    s = {8, -126, 127};
  else if (fmt.kind == NumberFormat::Kind::Fp16)
    s = {11, -14, 15};
  else
    return x; // fp32 (and block formats, which have no scalar rounding)
  if (!std::isfinite(x) || x == 0.0f)
    return x; // NaN, +-Inf and +-0 are representable
  const double a = std::fabs(static_cast<double>(x));
  const int binade = std::max(std::ilogb(a), s.emin);
  const int lsb = binade - (s.precision - 1);
  const double q = roundInteger(a * pow2d(-lsb), rounding); // exact scaling
  double r = q * pow2d(lsb);
  const double maxFinite = (pow2d(s.precision) - 1) * pow2d(s.emax - s.precision + 1);
  if (r > maxFinite)
    r = rounding == Rounding::TowardZero ? maxFinite : std::numeric_limits<double>::infinity();
  const float f = static_cast<float>(r); // exact: r is on the target grid, which lies on the fp32 grid
  return std::signbit(x) ? -f : f;
}

void roundTrip(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength) {
  if (fmt.isFp32())
    return;
  if (fmt.isScalar()) {
    for (size_t i = 0; i < n; ++i)
      x[i] = roundScalar(x[i], fmt, rounding);
    return;
  }
  const size_t run = vectorLength ? vectorLength : n;
  BfpVector v;
  for (size_t start = 0; start < n; start += run) {
    const size_t len = std::min(run, n - start);
    quantizeInto(x + start, len, fmt, rounding, v);
    dequantize(v, len, x + start);
  }
}

namespace {
/// The shape checks of dot() that the fast path needs, without the full
/// format validation (called once per matrix row in the simulator).
bool sameShapeSignMagnitude(const BfpVector &w, const BfpVector &x) {
  const NumberFormat &fw = w.format, &fx = x.format;
  const size_t k = fw.blockSize, blocks = w.scales.size(), n = w.significands.size();
  return fw.kind == NumberFormat::Kind::Block && fx.kind == NumberFormat::Kind::Block &&
         fw.element == Element::SignMagnitude && fx.element == Element::SignMagnitude && k >= 1 && k <= 256 &&
         fx.blockSize == k && fw.mantissaBits - 1 < 15 && fx.mantissaBits - 1 < 15 && n == blocks * k &&
         w.nanBlocks.size() == blocks && x.scales.size() == blocks && x.nanBlocks.size() == blocks &&
         x.significands.size() == n;
}
} // namespace

/// The one rounding of a narrow MSFP block (m <= 7 on both sides, so
/// |sum| < 2^22 is exact in float): inside the fp32 exponent range
/// float(sum) * 2^E is the single rounding roundToFloat would do (and +0 for
/// a zero sum); outside it roundToFloat. Used by dotNarrow and
/// matVecCompactMsfp.
/// The in-range case for E in the normal exponents [-126, 127] (2^E normal).
inline float narrowBlockValueNormal(int32_t sum, int E) {
  return static_cast<float>(sum) * fromBits(static_cast<uint32_t>(E + 127) << 23);
}
/// Adds one narrow block to the accumulator: a NaN block makes the result
/// the quiet NaN kNaN (what acc + kNaN folds to), otherwise acc + value.
inline float addNarrowBlock(float acc, bool nan, float value) { return nan ? kNaN : acc + value; }
inline float narrowBlockValue(int32_t sum, int E) {
  if (E >= -126 && E <= 127)
    return narrowBlockValueNormal(sum, E);
  return E >= -149 && E <= 127 ? static_cast<float>(sum) * pow2f(E) : roundToFloat(static_cast<int64_t>(sum), E);
}

/// The simulator's hot loop: MSFP blocks of a fixed size K with m <= 7, where a
/// block's sum is exact in 32 bits (< 2^22) and, inside the normal range,
/// float(sum) * 2^E is the one rounding roundToFloat would do.
template <size_t K>
float dotNarrow(const BfpVector &w, const BfpVector &x, size_t blocks, int base, float acc) {
  const int16_t *qw = w.significands.data(), *qx = x.significands.data();
  for (size_t b = 0; b < blocks; ++b, qw += K, qx += K) {
    int32_t sum = 0;
    for (size_t i = 0; i < K; ++i)
      sum += static_cast<int32_t>(qw[i]) * qx[i];
    acc = addNarrowBlock(acc, w.nanBlocks[b] | x.nanBlocks[b], narrowBlockValue(sum, w.scales[b] + x.scales[b] + base));
  }
  return acc;
}

float dot(const BfpVector &w, const BfpVector &x, float init) {
  const size_t k = w.format.blockSize, blocks = w.numBlocks();
  float acc = init;
  if (sameShapeSignMagnitude(w, x)) {
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
  if (!isWellFormed(w) || !isWellFormed(x) || w.format.blockSize != x.format.blockSize || w.size() != x.size())
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
      ok = blockSum(w.significands.data() + at, w.exponents.data() + at, iw.lsbExp, spanW,
                    x.significands.data() + at, x.exponents.data() + at, ix.lsbExp, spanX, k, sum);
      value = roundToFloat(sum, E);
    } else {
      int64_t sum;
      ok = blockSum(w.significands.data() + at, w.exponents.data() + at, iw.lsbExp, spanW,
                    x.significands.data() + at, x.exponents.data() + at, ix.lsbExp, spanX, k, sum);
      value = roundToFloat(sum, E);
    }
    if (!ok)
      return kNaN;
    acc = acc + value;
  }
  return acc;
}

//===--- Compact narrow MSFP matrix-vector product ---------------------------===//

bool isCompactMsfp(const NumberFormat &fmt) {
  return isValidBlock(fmt) && fmt.element == Element::SignMagnitude && fmt.mantissaBits <= 7 &&
         fmt.blockSize % 2 == 0;
}

bool makeCompactMsfp(const std::vector<BfpVector> &rows, MsfpCompactMatrix &out) {
  out = MsfpCompactMatrix{};
  if (rows.empty() || !isCompactMsfp(rows[0].format))
    return false;
  const NumberFormat fmt = rows[0].format;
  const size_t k = fmt.blockSize, blocks = rows[0].numBlocks(), groups = (rows.size() + 3) / 4;
  if (blocks == 0)
    return false;
  for (const BfpVector &v : rows)
    if (v.format != fmt || v.numBlocks() != blocks || !isWellFormed(v))
      return false;
  MsfpCompactMatrix m;
  m.rows = rows.size();
  m.n = blocks * k;
  m.blocks = blocks;
  m.k = static_cast<unsigned>(k);
  m.mantissaBits = fmt.mantissaBits;
  m.sig.assign(groups * blocks * k * 4, 0);
  m.scales.assign(groups * blocks * 4, static_cast<int16_t>(kMinExp));
  m.nan.assign(groups * blocks * 4, 0);
  m.zeroGroup.assign(groups, 1);
  m.groupNan.assign(groups, 0);
  m.groupMinScale.assign(groups, static_cast<int16_t>(kMaxExp));
  m.groupMaxScale.assign(groups, static_cast<int16_t>(kMinExp));
  for (size_t r = 0; r < rows.size(); ++r) {
    const BfpVector &v = rows[r];
    const size_t g = r / 4, lane = r % 4;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t gb = g * blocks + b;
      m.scales[gb * 4 + lane] = v.scales[b];
      m.groupMinScale[g] = std::min(m.groupMinScale[g], v.scales[b]); // real rows only: padding
      m.groupMaxScale[g] = std::max(m.groupMaxScale[g], v.scales[b]); // lanes are never stored
      m.nan[gb * 4 + lane] = v.nanBlocks[b];
      if (v.nanBlocks[b]) {
        m.zeroGroup[g] = 0;
        m.groupNan[g] = 1;
      }
      for (size_t i = 0; i < k; ++i) {
        const int16_t q = v.significands[b * k + i];
        m.sig[gb * k * 4 + (i / 2) * 8 + lane * 2 + i % 2] = q;
        if (q != 0)
          m.zeroGroup[g] = 0;
      }
    }
  }
  out = std::move(m);
  return true;
}

namespace {
/// Exact block sums of four interleaved rows (w: `Pairs` groups of 8 int16,
/// row-lane pairs) with one block of x (2 * Pairs int16). |sum| < 2^22.
template <size_t Pairs>
void blockSums4(const int16_t *w, const int16_t *x, size_t pairs, int32_t sum[4]) {
  const size_t np = Pairs ? Pairs : pairs;
#if defined(__SSE2__)
  __m128i s = _mm_setzero_si128();
  for (size_t p = 0; p < np; ++p) {
    int32_t xp;
    std::memcpy(&xp, x + 2 * p, sizeof xp);
    const __m128i wv = _mm_loadu_si128(reinterpret_cast<const __m128i *>(w + 8 * p));
    s = _mm_add_epi32(s, _mm_madd_epi16(wv, _mm_set1_epi32(xp)));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i *>(sum), s);
#else
  for (size_t r = 0; r < 4; ++r)
    sum[r] = 0;
  for (size_t p = 0; p < np; ++p)
    for (size_t r = 0; r < 4; ++r)
      sum[r] += static_cast<int32_t>(w[8 * p + 2 * r]) * x[2 * p] + static_cast<int32_t>(w[8 * p + 2 * r + 1]) * x[2 * p + 1];
#endif
}

template <size_t Pairs>
void matVecCompact(const MsfpCompactMatrix &w, const BfpVector &x, int base, bool finite, size_t xBlocks,
                   float *acc) {
  const size_t k = w.k, blocks = w.blocks, pairs = k / 2, groups = w.zeroGroup.size();
  const auto [xMinIt, xMaxIt] = std::minmax_element(x.scales.begin(), x.scales.end());
  const int xMin = *xMinIt, xMax = *xMaxIt;
  const int16_t *xs = x.significands.data();
  for (size_t g = 0; g < groups; ++g) {
    if (finite && w.zeroGroup[g])
      continue; // adds +0 only (the accumulator never holds -0)
    const size_t lanes = std::min<size_t>(4, w.rows - 4 * g);
    float a[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    std::copy(acc + 4 * g, acc + 4 * g + lanes, a);
    const int16_t *sg = w.sig.data() + g * blocks * k * 4;
    const int16_t *sc = w.scales.data() + g * blocks * 4;
    const uint8_t *nn = w.nan.data() + g * blocks * 4;
    // No NaN block and every E = wScale + xScale + base in the normal range:
    // narrowBlockValueNormal for every block (the same value
    // narrowBlockValue gives), in a loop the compiler vectorises over the
    // four rows.
    const bool normal = finite && !w.groupNan[g] && w.groupMinScale[g] + xMin + base >= -126 &&
                        w.groupMaxScale[g] + xMax + base <= 127;
    // Blocks past the input's last non-zero block add exact +0 unless a
    // weight block there is NaN.
    const size_t end = finite && !w.groupNan[g] ? xBlocks : blocks;
    for (size_t b = 0; b < end; ++b, sg += k * 4, sc += 4, nn += 4) {
      int32_t sum[4];
      blockSums4<Pairs>(sg, xs + b * k, pairs, sum);
      const int xe = x.scales[b] + base;
      if (normal) {
        for (size_t r = 0; r < 4; ++r)
          a[r] = a[r] + narrowBlockValueNormal(sum[r], sc[r] + xe);
        continue;
      }
      const bool xnan = x.nanBlocks[b] != 0;
      for (size_t r = 0; r < 4; ++r)
        a[r] = addNarrowBlock(a[r], xnan || nn[r], narrowBlockValue(sum[r], sc[r] + xe));
    }
    std::copy(a, a + lanes, acc + 4 * g);
  }
}
} // namespace

bool matVecCompactMsfp(const MsfpCompactMatrix &w, const BfpVector &x, float *acc) {
  const NumberFormat &fx = x.format;
  if (w.empty() || !isCompactMsfp(fx) || fx.blockSize != w.k || x.scales.size() != w.blocks ||
      x.nanBlocks.size() != w.blocks || x.significands.size() != w.n)
    return false;
  const int base = 2 - static_cast<int>(w.mantissaBits) - static_cast<int>(fx.mantissaBits);
  const bool finite = std::none_of(x.nanBlocks.begin(), x.nanBlocks.end(), [](uint8_t b) { return b != 0; });
  // The input's zero tail (padding of a short row) contributes nothing.
  size_t xBlocks = w.blocks;
  while (xBlocks > 0 && std::all_of(x.significands.begin() + (xBlocks - 1) * w.k,
                                    x.significands.begin() + xBlocks * w.k, [](int16_t q) { return q == 0; }))
    --xBlocks;
  switch (w.k) {
  case 8: matVecCompact<4>(w, x, base, finite, xBlocks, acc); break;
  case 16: matVecCompact<8>(w, x, base, finite, xBlocks, acc); break;
  case 32: matVecCompact<16>(w, x, base, finite, xBlocks, acc); break;
  default: matVecCompact<0>(w, x, base, finite, xBlocks, acc); break;
  }
  return true;
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
  if (!isValidBlock(fmt))
    return 0;
  if (n == 0)
    return 0;
  const size_t full = n / fmt.blockSize, rest = n % fmt.blockSize;
  return full * blockBytes(fmt) + (rest ? blockBytes(fmt, rest) : 0);
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
  if (!isValidBlock(fmt))
    return;
  const BfpVector v = quantize(x, n, fmt, rounding);
  const ElementInfo info = elementInfo(fmt);
  const size_t k = fmt.blockSize, bytes = blockBytes(fmt);
  const unsigned bits = fmt.elementBits();
  for (size_t b = 0; b < v.numBlocks(); ++b) {
    uint8_t *block = out + b * bytes;
    const size_t len = std::min(k, n - b * k);
    std::fill(block, block + blockBytes(fmt, len), uint8_t{0});
    block[0] = v.nanBlocks[b] ? kNanScaleByte : static_cast<uint8_t>(v.scales[b] + kScaleBias);
    if (v.nanBlocks[b])
      continue;
    size_t bitPos = 0;
    for (size_t i = 0; i < len; ++i, bitPos += bits) {
      const uint32_t code = encodeElement(info, fmt, v.significands[b * k + i], v.exponents[b * k + i]);
      for (unsigned j = 0; j < bits; ++j)
        if ((code >> j) & 1)
          block[1 + (bitPos + j) / 8] |= static_cast<uint8_t>(1u << ((bitPos + j) % 8));
    }
  }
}

BfpVector unpackRowBfp(const uint8_t *in, size_t n, const NumberFormat &fmt) {
  BfpVector v;
  v.format = fmt;
  if (!isValidBlock(fmt))
    return v;
  const ElementInfo info = elementInfo(fmt);
  const bool sm = fmt.element == Element::SignMagnitude;
  const size_t k = fmt.blockSize, blocks = numBlocks(n, k), bytes = blockBytes(fmt);
  const unsigned bits = fmt.elementBits();
  v.scales.assign(blocks, static_cast<int16_t>(sm ? kMinExp : kMxMinScale));
  v.nanBlocks.assign(blocks, 0);
  v.significands.assign(blocks * k, 0);
  v.exponents.assign(blocks * k, static_cast<int8_t>(info.lsbExp));
  for (size_t b = 0; b < blocks; ++b) {
    const uint8_t *block = in + b * bytes;
    bool nan = block[0] == kNanScaleByte;
    const size_t len = std::min(k, n - b * k); // a short last block stores only its elements
    size_t bitPos = 0;
    for (size_t i = 0; i < len && !nan; ++i, bitPos += bits) {
      uint32_t code = 0;
      for (unsigned j = 0; j < bits; ++j)
        code |= static_cast<uint32_t>((block[1 + (bitPos + j) / 8] >> ((bitPos + j) % 8)) & 1) << j;
      if (!decodeElement(info, fmt, code, v.significands[b * k + i], v.exponents[b * k + i]))
        nan = true; // an element NaN / Inf code makes the block NaN
    }
    if (nan) {
      v.nanBlocks[b] = 1;
      std::fill(v.significands.begin() + b * k, v.significands.begin() + (b + 1) * k, int16_t{0});
      std::fill(v.exponents.begin() + b * k, v.exponents.begin() + (b + 1) * k, static_cast<int8_t>(info.lsbExp));
      continue;
    }
    v.scales[b] = static_cast<int16_t>(static_cast<int>(block[0]) - kScaleBias);
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
