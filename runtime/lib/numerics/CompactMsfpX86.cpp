//===- CompactMsfpX86.cpp - AVX2 / AVX-VNNI kernels of matVecCompactMsfp --===//
//
// Compiled for the baseline target like the rest of the library; the kernels
// carry __attribute__((target(...))) and run only after a CPU check
// (__builtin_cpu_supports). The code is CompactMsfpX86.inc, included once
// per instruction set.
//
//===----------------------------------------------------------------------===//
#include "CompactMsfpDetail.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_COMPACT_X86 1
#include <immintrin.h>
#endif

namespace softnpu::numerics::detail {

#if defined(SOFTNPU_COMPACT_X86)

namespace {
#define KERNEL_NS avx2
#define KERNEL_TARGET "avx2"
#define KERNEL_VNNI 0
#include "CompactMsfpX86.inc"
#undef KERNEL_NS
#undef KERNEL_TARGET
#undef KERNEL_VNNI

#define KERNEL_NS avx2vnni
#define KERNEL_TARGET "avx2,avxvnni"
#define KERNEL_VNNI 1
#include "CompactMsfpX86.inc"
#undef KERNEL_NS
#undef KERNEL_TARGET
#undef KERNEL_VNNI

/// Batches on AVX-512 + VNNI: the fast pieces (runCompactBatch's PiecesFn)
/// take two groups of 8 rows per 512-bit vector (the groups' quads side by
/// side, so one vpdpbusd does the work of two), three such pairs by four
/// pieces at a time; the other pieces and a last
/// odd or short group take the AVX2 + VNNI code. The arithmetic per row is
/// the same: exact int32 block sums, one float(sum) x 2^E per block, added in
/// block order.
namespace avx512vnni {
#define ZMM_FN __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// Groups g .. g + 2R - 1 (R vectors of 16 rows: pair r's accumulators at
/// dst[j][16 r, 16 r + 16)) of NP pieces. Each weight vector is loaded once
/// for the NP pieces and each input quad broadcast once for the R pairs.
template <unsigned Q, int R, int NP>
ZMM_FN inline void groupTile(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, const uint32_t *pieces, size_t g,
                             float *const *dst) {
  const unsigned quads = Q ? Q : in.quads;
  const size_t blocks = w.blocks, stride = static_cast<size_t>(quads) * kQuadBytes, groupBytes = blocks * stride;
  const uint8_t *sig = w.sig.data() + g * groupBytes;
  const uint8_t *scales = w.scales.data() + g * blocks * kGroupRows;
  const int32_t *xq8[NP], *corr[NP], *expAdd[NP];
  __m512 a[NP][R];
  for (int j = 0; j < NP; ++j) {
    const size_t p = pieces[j];
    xq8[j] = in.quad8.data() + p * in.blocks * quads;
    corr[j] = in.corr.data() + p * in.blocks;
    expAdd[j] = in.expAdd.data() + p * in.blocks;
    for (int r = 0; r < R; ++r)
      a[j][r] = _mm512_loadu_ps(dst[j] + 16 * r);
  }
  for (size_t b = 0; b < blocks; ++b) {
    __m512i sum[NP][R];
    for (int j = 0; j < NP; ++j) {
      const __m512i c = _mm512_set1_epi32(corr[j][b]);
      for (int r = 0; r < R; ++r)
        sum[j][r] = c;
    }
    for (unsigned q = 0; q < quads; ++q) {
      __m512i v[R];
      for (int r = 0; r < R; ++r) {
        const uint8_t *lo = sig + 2 * r * groupBytes + b * stride + q * kQuadBytes;
        v[r] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(lo))),
                                  _mm256_loadu_si256(reinterpret_cast<const __m256i *>(lo + groupBytes)), 1);
      }
      for (int j = 0; j < NP; ++j) {
        const __m512i x = _mm512_set1_epi32(xq8[j][b * quads + q]);
        for (int r = 0; r < R; ++r)
          sum[j][r] = _mm512_dpbusd_epi32(sum[j][r], v[r], x);
      }
    }
    __m512i e[R];
    for (int r = 0; r < R; ++r) {
      const uint8_t *s = scales + 2 * r * blocks * kGroupRows;
      e[r] = _mm512_cvtepu8_epi32(
          _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(s + b * kGroupRows)),
                             _mm_loadl_epi64(reinterpret_cast<const __m128i *>(s + (blocks + b) * kGroupRows))));
    }
    for (int j = 0; j < NP; ++j) {
      const __m512i x = _mm512_set1_epi32(expAdd[j][b]);
      for (int r = 0; r < R; ++r) {
        const __m512 scale = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(e[r], x), 23));
        a[j][r] = _mm512_add_ps(a[j][r], _mm512_mul_ps(_mm512_cvtepi32_ps(sum[j][r]), scale));
      }
    }
  }
  for (int j = 0; j < NP; ++j)
    for (int r = 0; r < R; ++r)
      _mm512_storeu_ps(dst[j] + 16 * r, a[j][r]);
}

/// R pairs of groups from group g for every piece of the list: four pieces
/// at a time, then one.
template <unsigned Q, int R>
ZMM_FN void pairsOfPieces(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, const uint32_t *list, size_t count,
                          float *acc, size_t stride, size_t g) {
  constexpr int NP = 4;
  float *dst[NP];
  size_t i = 0;
  for (; i + NP <= count; i += NP) {
    for (int j = 0; j < NP; ++j)
      dst[j] = acc + list[i + j] * stride + g * kGroupRows;
    groupTile<Q, R, NP>(w, in, list + i, g, dst);
  }
  for (; i < count; ++i) {
    dst[0] = acc + list[i] * stride + g * kGroupRows;
    groupTile<Q, R, 1>(w, in, list + i, g, dst);
  }
}

/// The PiecesFn: whole pairs of groups here, three pairs (48 rows) at a
/// time; the rest (a last odd or short group) by the AVX2 + VNNI code.
/// Three pairs by four pieces fill 30 of the 32 vector registers.
template <unsigned Q>
ZMM_FN void pieces(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, const uint32_t *list, size_t count,
                   float *acc, size_t stride) {
  const size_t wholeGroups = w.rows / kGroupRows, pairs = wholeGroups / 2;
  size_t pair = 0;
  for (; pair + 3 <= pairs; pair += 3)
    pairsOfPieces<Q, 3>(w, in, list, count, acc, stride, 2 * pair);
  if (pairs - pair == 2)
    pairsOfPieces<Q, 2>(w, in, list, count, acc, stride, 2 * pair);
  else if (pairs - pair == 1)
    pairsOfPieces<Q, 1>(w, in, list, count, acc, stride, 2 * pair);
  if (2 * pairs < w.groups())
    avx2vnni::piecesFrom<2, Q>(w, in, list, count, acc, stride, 2 * pairs);
}

template <unsigned Q> void batch(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  runCompactBatch<avx2vnni::sums<2, Q>, avx2vnni::normal<2, Q>, avx2vnni::normalMulti<2, Q>, pieces<Q>,
                  avx2vnni::diagonal>(w, in, acc, stride);
}
#undef ZMM_FN
} // namespace avx512vnni

/// Whether vpmaddubsw's int16 pair sums cannot saturate: |w + 2^mw| <=
/// 2^(mw+1) - 1, |x| <= 2^mx - 1 (false only for m = 7 on both sides).
bool pairsFitInt16(unsigned mw, unsigned mx) { return 2 * ((2 << mw) - 1) * ((1 << mx) - 1) <= 32767; }
} // namespace

bool compactAvx2Supported() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

bool compactAvx2VnniSupported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
  return ok;
}

void compactKernelAvx2(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  if (pairsFitInt16(w.mantissaBits, static_cast<unsigned>(2 - in.base - static_cast<int>(w.mantissaBits))))
    avx2::runMode<0>(w, in, acc);
  else
    avx2::runMode<1>(w, in, acc);
}

void compactKernelAvx2Vnni(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  avx2vnni::runMode<2>(w, in, acc);
}

void compactBatchAvx2(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  if (pairsFitInt16(w.mantissaBits, static_cast<unsigned>(2 - in.base - static_cast<int>(w.mantissaBits))))
    avx2::runModeBatch<0>(w, in, acc, stride);
  else
    avx2::runModeBatch<1>(w, in, acc, stride);
}

void compactBatchAvx2Vnni(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  avx2vnni::runModeBatch<2>(w, in, acc, stride);
}

bool compactAvx512VnniSupported() {
  static const bool ok = compactAvx2VnniSupported() && __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("avx512vnni");
  return ok;
}

void compactBatchAvx512Vnni(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  switch (in.quads) {
  case 2:
    avx512vnni::batch<2>(w, in, acc, stride);
    break;
  case 4:
    avx512vnni::batch<4>(w, in, acc, stride);
    break;
  case 8:
    avx512vnni::batch<8>(w, in, acc, stride);
    break;
  default:
    avx512vnni::batch<0>(w, in, acc, stride);
    break;
  }
}

#else

bool compactAvx2Supported() { return false; }
bool compactAvx512VnniSupported() { return false; }
void compactBatchAvx512Vnni(const MsfpCompactMatrix &, const MsfpCompactBatch &, float *, size_t) {}
bool compactAvx2VnniSupported() { return false; }
void compactKernelAvx2(const MsfpCompactMatrix &, const InputView &, float *) {}
void compactKernelAvx2Vnni(const MsfpCompactMatrix &, const InputView &, float *) {}
void compactBatchAvx2(const MsfpCompactMatrix &, const MsfpCompactBatch &, float *, size_t) {}
void compactBatchAvx2Vnni(const MsfpCompactMatrix &, const MsfpCompactBatch &, float *, size_t) {}

#endif

} // namespace softnpu::numerics::detail
