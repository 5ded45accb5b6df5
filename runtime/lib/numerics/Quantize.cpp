//===- Quantize.cpp - Rounding to block and scalar formats ----------------===//
//
// quantize / dequantize / roundTrip for MSFP-style block floating point
// (SignMagnitude) and the OCP MX element types, and roundScalar for bf16 /
// fp16 (rules in softnpu/numerics/Bfp.h and docs/numerics.md).
//
// Everything is exact integer or power-of-two arithmetic: an element's scaled
// magnitude is an exact double (a float times a power of two) rounded by
// rint / round / trunc, which implement the three rounding modes exactly.
// quantize() with a format that is not a valid block format returns an empty
// BfpVector; dequantize() writes NaN for elements it does not hold.
//
//===----------------------------------------------------------------------===//
#include "BfpDetail.h"
#include "MsfpFusedDetail.h"

#include <algorithm>
#include <cmath>

namespace softnpu::numerics {

using namespace detail;

namespace {

/// Rounds a non-negative exact double to an integer in the rounding mode.
/// (rint uses the default round-to-nearest-even environment.)
double roundInteger(double y, Rounding r) {
  switch (r) {
  case Rounding::NearestEven:
    return std::rint(y);
  case Rounding::NearestAway:
    return std::round(y);
  case Rounding::TowardZero:
    return std::trunc(y);
  }
  return y;
}

/// floor(log2 |x|) of a finite non-zero float (exact, subnormals included).
int floorLog2(float x) { return std::ilogb(x); }

/// MSFP elements: q_i = min(round(|x_i| * toSteps), maxQ) with x_i's sign.
template <Rounding R>
void quantizeSignMagnitude(const float *x, size_t len, double toSteps, int32_t maxQ, int16_t *sig) {
  for (size_t i = 0; i < len; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    const double y = static_cast<double>(fromBits(bits & 0x7FFFFFFFu)) * toSteps; // exact
    const int32_t q = std::min(msfpRoundSteps<R>(y), maxQ);
    sig[i] = static_cast<int16_t>(bits >> 31 ? -q : q);
  }
}

/// Writes one block (len <= k input elements, the rest zero padding) to
/// scale/nan/sig[0..k)/exp[0..k).
void quantizeBlock(const float *x, size_t len, const NumberFormat &fmt, const ElementInfo &info, Rounding rounding,
                   int16_t &scale, uint8_t &nan, int16_t *sig, int8_t *exp) {
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
    const int e = maxBits ? std::clamp(floorLog2Bits(maxBits), kMinExp, kMaxExp) : kMinExp;
    scale = static_cast<int16_t>(e);
    const double toSteps = pow2d(m - 1 - e); // |x| / step, exact (|x| / step < 2^(m+1))
    switch (rounding) {
    case Rounding::NearestEven:
      quantizeSignMagnitude<Rounding::NearestEven>(x, len, toSteps, info.maxSig, sig);
      break;
    case Rounding::NearestAway:
      quantizeSignMagnitude<Rounding::NearestAway>(x, len, toSteps, info.maxSig, sig);
      break;
    case Rounding::TowardZero:
      quantizeSignMagnitude<Rounding::TowardZero>(x, len, toSteps, info.maxSig, sig);
      break;
    }
    return;
  }
  // MX: X = floor(log2 max|x|) - emax, clamped; elements are x / 2^X rounded
  // to the element type (subnormals included), saturated.
  const int X = maxBits ? std::clamp(floorLog2(fromBits(maxBits)) - info.emax, kMxMinScale, kMxMaxScale) : kMxMinScale;
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
      if (r >= static_cast<double>(2 << info.mbits)) {                   // rounded up into the next binade
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

/// IEEE-style rounding parameters of the scalar formats.
struct ScalarInfo {
  int precision; ///< significand bits including the leading one
  int emin, emax;
};

} // namespace

void quantizeInto(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out) {
  if (detail::quantizeMsfpFused(x, n, fmt, rounding, out))
    return; // MSFP: the fused path, bit-identical to the one below
  quantizeIntoReference(x, n, fmt, rounding, out);
}

void quantizeIntoReference(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out) {
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
  if (detail::roundTripMsfpFused(x, n, fmt, rounding, vectorLength))
    return; // MSFP: the fused path, bit-identical to the one below
  roundTripReference(x, n, fmt, rounding, vectorLength);
}

void roundTripReference(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength) {
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
    quantizeIntoReference(x + start, len, fmt, rounding, v);
    dequantize(v, len, x + start);
  }
}

} // namespace softnpu::numerics
