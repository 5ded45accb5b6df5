//===- CompactDepthwise.cpp - Depthwise matrices over blocks quantized once -===//
//
// A depthwise convolution with a multiple of 16 channels runs on the matrix
// unit as a block-diagonal matrix: output channel c reads channel c of each
// tap, so row 16G + j of a 16-row group reads lane j of each of its blocks
// (MsfpCompactMatrix::depthwiseStart). Its windows are whole blocks of the
// map, which the simulator quantizes once (gatherCompactBatch's source).
// matVecDepthwiseGathered multiplies straight from those source blocks, the
// 16 rows of a group in one register: per block, 16 products of
// significands (each the block's exact sum, the other elements of the row
// being zero), one float(sum) x 2^E per row, added in block order; the
// arithmetic of the diagonal kernels (CompactMsfpX86.inc) without building
// each window's input first.
//
//===----------------------------------------------------------------------===//
#include "CompactMsfpDetail.h"
#include "MsfpBlock16X86.h"

#include <algorithm>

namespace softnpu::numerics {

namespace {

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_DEPTHWISE_X86 1

SOFTNPU_AVX512_FN void depthwiseAvx512(const MsfpCompactMatrix &w, const MsfpCompactBatch &source, const int32_t *src,
                                       size_t srcStride, size_t count, float *acc, size_t accStride) {
  const int8_t *q8 = reinterpret_cast<const int8_t *>(source.quad8.data());
  const int32_t *expAdd = source.expAdd.data();
  const uint32_t *active = source.activeCount.data();
  const size_t groups = w.depthwiseStart.size() - 1;
  for (size_t p = 0; p < count; ++p) {
    const int32_t *from = src + p * srcStride;
    float *a = acc + p * accStride;
    for (size_t g = 0; g < groups; ++g) {
      __m512 v = _mm512_loadu_ps(a + 16 * g);
      for (uint32_t e = w.depthwiseStart[g]; e < w.depthwiseStart[g + 1]; ++e) {
        const int32_t s = from[w.depthwiseBlocks[e]];
        // An all-zero block adds +0 to every row, which changes nothing: the
        // accumulators start at +0 and never hold -0.
        if (s < 0 || !active[s])
          continue;
        const __m512i x = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(q8 + 16 * size_t(s))));
        const __m512i prod = _mm512_mullo_epi32(x, _mm512_loadu_si512(w.depthwiseWeights.data() + 16 * size_t{e}));
        const __m512i scale = _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(
                                                   w.depthwiseScales.data() + 16 * size_t{e}))),
                                               _mm512_set1_epi32(expAdd[s]));
        v = _mm512_add_ps(v,
                          _mm512_mul_ps(_mm512_cvtepi32_ps(prod), _mm512_castsi512_ps(_mm512_slli_epi32(scale, 23))));
      }
      _mm512_storeu_ps(a + 16 * g, v);
    }
  }
}
#endif

} // namespace

bool depthwiseSourcesReady(const MsfpCompactBatch &source, const int32_t *src, size_t entries, int wMinScale,
                           int wMaxScale) {
  const auto normal = [&](int lo, int hi) {
    return lo > hi || (wMinScale + lo + source.base >= -126 && wMaxScale + hi + source.base <= 127);
  };
  // Every source block prepared and in range: so are those the pieces name.
  if (source.allPrepared && normal(source.activeScaleLo, source.activeScaleHi))
    return true;
  int lo = kMaxExp, hi = kMinExp;
  for (size_t i = 0; i < entries; ++i) {
    if (src[i] < 0)
      continue;
    const size_t at = static_cast<size_t>(src[i]);
    if (!source.prepared[at])
      return false;
    if (source.activeCount[at]) {
      lo = std::min<int>(lo, source.activeMinScale[at]);
      hi = std::max<int>(hi, source.activeMaxScale[at]);
    }
  }
  return normal(lo, hi);
}

bool matVecDepthwiseGathered(const MsfpCompactMatrix &w, const MsfpCompactBatch &source, const int32_t *src,
                             size_t srcStride, size_t count, float *acc, size_t accStride) {
  if (w.depthwiseStart.empty() || w.anyGroupNan || source.blocks != 1 || source.k != 16)
    return false;
#if defined(SOFTNPU_DEPTHWISE_X86)
  if (!detail::haveAvx512ForMsfp16())
    return false;
  depthwiseAvx512(w, source, src, srcStride, count, acc, accStride);
  return true;
#else
  (void)src, (void)srcStride, (void)count, (void)acc, (void)accStride;
  return false;
#endif
}

} // namespace softnpu::numerics
