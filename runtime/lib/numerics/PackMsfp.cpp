//===- PackMsfp.cpp - packRow's fused path for MSFP formats ---------------===//
//
// packRow of a SignMagnitude (MSFP-style) block format without building a
// BfpVector: per block the shared exponent byte, then each element's code
// (sign bit above the m magnitude bits) rounded and packed LSB first in one
// pass (the emitter packs every weight matrix this way). Its bytes equal
// packRowReference's (quantize + encode, Pack.cpp) for every input; tests/
// unit/numerics/RoundTripFastTest.cpp proves it over random data, special
// values, every MSFP format and rounding mode. Blocks of 16 go through
// MsfpBlock16X86.h where the CPU has AVX-512.
//
//===----------------------------------------------------------------------===//
#include "MsfpBlock16X86.h"
#include "MsfpFusedDetail.h"

#include <algorithm>
#include <cstring>

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

#if defined(SOFTNPU_MSFP16_X86)
/// packBlocks for a block size of 16: each whole block's significands from
/// block16Significands, its codes packed LSB first (all 16 in one 128-bit
/// word by BMI2's pext when a code has at most 8 bits); the rest by
/// packBlocks.
template <Rounding R>
__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,bmi2"))) void
packBlocks16(const float *x, size_t n, const NumberFormat &fmt, int32_t maxQ, uint8_t *out) {
  const int m = static_cast<int>(fmt.mantissaBits);
  const unsigned bits = fmt.elementBits();
  const size_t codeBytes = (16 * bits + 7) / 8;
  size_t start = 0;
  for (; start + 16 <= n; start += 16, out += 1 + codeBytes) {
    int e;
    __m512i q;
    if (!block16Significands<R>(x + start, m, maxQ, e, q)) {
      packBlocks<R>(x + start, 16, fmt, maxQ, out);
      continue;
    }
    out[0] = static_cast<uint8_t>(e + kScaleBias);
    // |q|, with the sign bit above the m magnitude bits when q < 0.
    const __m512i magnitude = _mm512_abs_epi32(q);
    const __mmask16 negative = _mm512_cmplt_epi32_mask(q, _mm512_setzero_si512());
    const __m512i code = _mm512_mask_or_epi32(magnitude, negative, magnitude, _mm512_set1_epi32(1 << m));
    if (bits <= 8) {
      // The codes as bytes; each half's 8 x `bits` code bits gathered by pext.
      alignas(16) uint64_t half[2];
      _mm_store_si128(reinterpret_cast<__m128i *>(half), _mm512_cvtepi32_epi8(code));
      const uint64_t lanes = 0x0101010101010101ull * ((1u << bits) - 1);
      const unsigned __int128 word = static_cast<unsigned __int128>(_pext_u64(half[0], lanes)) |
                                     static_cast<unsigned __int128>(_pext_u64(half[1], lanes)) << (8 * bits);
      std::memcpy(out + 1, &word, codeBytes); // little endian: LSB first
      continue;
    }
    alignas(64) uint32_t codes[16];
    _mm512_store_si512(codes, code);
    uint8_t *p = out + 1;
    uint64_t buf = 0;
    unsigned have = 0;
    for (unsigned i = 0; i < 16; ++i) {
      buf |= static_cast<uint64_t>(codes[i]) << have;
      for (have += bits; have >= 8; have -= 8, buf >>= 8)
        *p++ = static_cast<uint8_t>(buf);
    }
    if (have > 0)
      *p = static_cast<uint8_t>(buf);
  }
  if (start < n)
    packBlocks<R>(x + start, n - start, fmt, maxQ, out);
}
#endif

template <Rounding R> void packAll(const float *x, size_t n, const NumberFormat &fmt, int32_t maxQ, uint8_t *out) {
#if defined(SOFTNPU_MSFP16_X86)
  static const bool bmi2 = __builtin_cpu_supports("bmi2");
  if (fmt.blockSize == 16 && haveAvx512ForMsfp16() && bmi2)
    return packBlocks16<R>(x, n, fmt, maxQ, out);
#endif
  packBlocks<R>(x, n, fmt, maxQ, out);
}

} // namespace

bool packRowMsfpFused(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out) {
  if (!isValidBlock(fmt) || fmt.element != Element::SignMagnitude)
    return false;
  const int32_t maxQ = elementInfo(fmt).maxSig;
  switch (rounding) {
  case Rounding::NearestEven:
    packAll<Rounding::NearestEven>(x, n, fmt, maxQ, out);
    break;
  case Rounding::NearestAway:
    packAll<Rounding::NearestAway>(x, n, fmt, maxQ, out);
    break;
  case Rounding::TowardZero:
    packAll<Rounding::TowardZero>(x, n, fmt, maxQ, out);
    break;
  }
  return true;
}

} // namespace softnpu::numerics::detail
