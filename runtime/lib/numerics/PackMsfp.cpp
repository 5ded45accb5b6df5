//===- PackMsfp.cpp - packRow's fused path for MSFP formats ---------------===//
//
// packRow of a SignMagnitude (MSFP-style) block format without building a
// BfpVector: per block the shared exponent byte, then each element's code
// (sign bit above the m magnitude bits) rounded and packed LSB first in one
// pass (the emitter packs every weight matrix this way). Its bytes equal
// packRowReference's (quantize + encode, Pack.cpp) for every input; tests/
// unit/numerics/RoundTripFastTest.cpp proves it over random data, special
// values, every MSFP format and rounding mode.
//
//===----------------------------------------------------------------------===//
#include "MsfpFusedDetail.h"

#include <algorithm>

namespace softnpu::numerics::detail {

namespace {

template <Rounding R> void packBlocks(const float *x, size_t n, const NumberFormat &fmt, int32_t maxQ, uint8_t *out) {
  const size_t k = fmt.blockSize;
  const int m = static_cast<int>(fmt.mantissaBits);
  const unsigned bits = fmt.elementBits();
  const uint32_t signBit = 1u << m;
  for (size_t start = 0; start < n; start += k) {
    const size_t len = std::min(k, n - start);
    const size_t codeBytes = (len * bits + 7) / 8;
    int e;
    if (!msfpBlockExponent(x + start, len, e)) {
      out[0] = kNanScaleByte;
      std::fill(out + 1, out + 1 + codeBytes, uint8_t{0});
      out += 1 + codeBytes;
      continue;
    }
    out[0] = static_cast<uint8_t>(e + kScaleBias);
    const double toSteps = pow2d(m - 1 - e);
    uint8_t *p = out + 1;
    uint64_t buf = 0;
    unsigned have = 0;
    for (size_t i = 0; i < len; ++i) {
      const int32_t sig = msfpSignificand<R>(x[start + i], toSteps, maxQ);
      const uint32_t code = sig < 0 ? signBit | static_cast<uint32_t>(-sig) : static_cast<uint32_t>(sig);
      buf |= static_cast<uint64_t>(code) << have;
      have += bits;
      for (; have >= 8; have -= 8, buf >>= 8)
        *p++ = static_cast<uint8_t>(buf);
    }
    if (have > 0)
      *p = static_cast<uint8_t>(buf); // the block's last, partly used byte
    out += 1 + codeBytes;
  }
}

} // namespace

bool packRowMsfpFused(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out) {
  if (!isValidBlock(fmt) || fmt.element != Element::SignMagnitude)
    return false;
  const int32_t maxQ = elementInfo(fmt).maxSig;
  switch (rounding) {
  case Rounding::NearestEven:
    packBlocks<Rounding::NearestEven>(x, n, fmt, maxQ, out);
    break;
  case Rounding::NearestAway:
    packBlocks<Rounding::NearestAway>(x, n, fmt, maxQ, out);
    break;
  case Rounding::TowardZero:
    packBlocks<Rounding::TowardZero>(x, n, fmt, maxQ, out);
    break;
  }
  return true;
}

} // namespace softnpu::numerics::detail
