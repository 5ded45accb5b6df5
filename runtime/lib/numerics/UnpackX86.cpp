//===- UnpackX86.cpp - AVX2 decoder of packed weight rows -----------------===//
//
// Compiled for the baseline target like the rest of the library; the kernel
// carries __attribute__((target("avx2"))) and runs only after a CPU check
// (__builtin_cpu_supports), as the compact MSFP kernels do.
//
// A group of 8 codes of `bits` bits starts on a byte boundary (8 x bits bits
// are `bits` bytes), so its 16-byte load has the same shape for every group:
// one byte shuffle puts the 4 bytes from code i's first byte into 32-bit lane
// i, a variable shift and a mask leave the code. MSFP codes become
// significands lane-wise (sign bit m, magnitude below it); MX codes index the
// format's code table (UnpackDetail.h), which holds decodeCodesPortable's
// result for every code.
//
//===----------------------------------------------------------------------===//
#include "UnpackDetail.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_UNPACK_X86 1
#include <immintrin.h>
#endif

namespace softnpu::numerics::detail {

#if defined(SOFTNPU_UNPACK_X86)

bool decodeAvx2Supported() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

namespace {

#define DECODE_FN __attribute__((target("avx2")))

/// Shuffle control and shift counts that extract 8 codes of `bits` bits
/// from a byte-aligned group (bytes past the 16 loaded are never needed:
/// code 7 ends in byte bits - 1 <= 15).
struct GroupShape {
  alignas(32) uint8_t shuffle[32];
  alignas(32) uint32_t shift[8];
};

GroupShape groupShape(unsigned bits) {
  GroupShape s{};
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned pos = i * bits, first = pos / 8;
    for (unsigned j = 0; j < 4; ++j) {
      const unsigned byte = first + j;
      s.shuffle[(i / 4) * 16 + (i % 4) * 4 + j] = static_cast<uint8_t>(byte < 16 ? byte : 0x80);
    }
    s.shift[i] = pos % 8;
  }
  return s;
}

/// Lanes 0..7 of int32 values as 8 int16 (values fit).
DECODE_FN inline __m128i toInt16(__m256i v) {
  return _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packs_epi32(v, v), 0x08));
}

} // namespace

DECODE_FN size_t decodeGroupsAvx2(const ElementInfo &info, const NumberFormat &fmt, const uint8_t *codes,
                                  const uint8_t *end, size_t len, int16_t *sig, int8_t *exp, bool &nan) {
  const unsigned bits = fmt.elementBits();
  const bool sm = fmt.element == Element::SignMagnitude;
  if (bits < 1 || bits > 16 || (!sm && bits > 8))
    return 0;
  (void)info;
  thread_local unsigned shapeBits = 0;
  thread_local GroupShape shape;
  if (shapeBits != bits) {
    shape = groupShape(bits);
    shapeBits = bits;
  }
  const __m256i shuffle = _mm256_load_si256(reinterpret_cast<const __m256i *>(shape.shuffle));
  const __m256i shift = _mm256_load_si256(reinterpret_cast<const __m256i *>(shape.shift));
  const __m256i mask = _mm256_set1_epi32(static_cast<int>((1u << bits) - 1));
  const int32_t *table = sm ? nullptr : codeTable(fmt).entries.data();
  const unsigned m = fmt.mantissaBits;
  const __m256i magMask = _mm256_set1_epi32(static_cast<int>((1u << m) - 1));
  const __m256i one = _mm256_set1_epi32(1);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    const uint8_t *p = codes + (i / 8) * bits;
    if (end - p < 16)
      break;
    const __m256i raw = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
    const __m256i code = _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi8(raw, shuffle), shift), mask);
    if (sm) {
      // q = sign ? -mag : mag, as (mag ^ -sign) + sign.
      const __m256i mag = _mm256_and_si256(code, magMask);
      const __m256i sign = _mm256_and_si256(_mm256_srli_epi32(code, static_cast<int>(m)), one);
      const __m256i neg = _mm256_sub_epi32(_mm256_setzero_si256(), sign);
      const __m256i q = _mm256_add_epi32(_mm256_xor_si256(mag, neg), sign);
      _mm_storeu_si128(reinterpret_cast<__m128i *>(sig + i), toInt16(q));
      continue; // exponents stay at lsbExp, as the caller initialised them
    }
    const __m256i e = _mm256_i32gather_epi32(table, code, 4);
    // Significand: the low 16 bits, sign-extended; exponent: bits 16..23.
    const __m256i q = _mm256_srai_epi32(_mm256_slli_epi32(e, 16), 16);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(sig + i), toInt16(q));
    const __m256i x = _mm256_srai_epi32(_mm256_slli_epi32(e, 8), 24);
    const __m128i x16 = toInt16(x);
    _mm_storel_epi64(reinterpret_cast<__m128i *>(exp + i), _mm_packs_epi16(x16, x16));
    if (!_mm256_testz_si256(e, _mm256_set1_epi32(1 << 24))) {
      nan = true; // a NaN / Inf code: the block is NaN, the rest is not needed
      return i + 8;
    }
  }
  return i;
}

#undef DECODE_FN

#else

bool decodeAvx2Supported() { return false; }
size_t decodeGroupsAvx2(const ElementInfo &, const NumberFormat &, const uint8_t *, const uint8_t *, size_t, int16_t *,
                        int8_t *, bool &) {
  return 0;
}

#endif

} // namespace softnpu::numerics::detail
