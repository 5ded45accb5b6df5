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
using detail::loadBf16x16;
using detail::storeBf16x16;

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

/// The multiply-adds of NP pixels over a table's entries, one group of 16
/// rows at a time: per entry one weight load for the NP independent sums.
/// `Entries` says where entry i's weights and pixel k's block are.
template <int NP, class Entries>
SOFTNPU_AVX512_FN inline void pixelsByEntries(const Entries &e, size_t groups, float *a, size_t accStride, bool fresh) {
  for (size_t g = 0; g < groups; ++g) {
    __m512 v[NP];
    for (int k = 0; k < NP; ++k)
      v[k] = fresh ? _mm512_setzero_ps() : _mm512_loadu_ps(a + k * accStride + 16 * g);
    for (uint32_t i = e.start[g]; i < e.start[g + 1]; ++i) {
      const __m512 we = _mm512_loadu_ps(e.weights(i));
      for (int k = 0; k < NP; ++k)
        v[k] = _mm512_fmadd_ps(loadBf16x16(e.block(k, i)), we, v[k]);
    }
    for (int k = 0; k < NP; ++k)
      _mm512_storeu_ps(a + k * accStride + 16 * g, v[k]);
  }
}

/// Entries through source lists: entry i is weights + 16 i and input block
/// blocks[i], which pixel k finds in its list (from + k x srcStride); a
/// block of zeros (-1) reads the zero block after the source's pieces.
struct ListedEntries {
  const uint32_t *start, *blocks;
  const float *table;
  const uint16_t *x;
  const int32_t *from;
  size_t srcStride;
  int32_t zeros;
  const float *weights(uint32_t i) const { return table + 16 * size_t{i}; }
  const uint16_t *block(int k, uint32_t i) const {
    const int32_t s = from[static_cast<size_t>(k) * srcStride + blocks[i]];
    return x + 16 * static_cast<size_t>(s < 0 ? zeros : s);
  }
};

/// Entries from a base: entry i is the table entry entry[i], read by
/// pixel k at its first block (bases[k]) plus offset[i].
struct OffsetEntries {
  const uint32_t *start, *entry;
  const int32_t *offset;
  const float *table;
  const uint16_t *x;
  const int64_t *bases;
  const float *weights(uint32_t i) const { return table + 16 * size_t{entry[i]}; }
  const uint16_t *block(int k, uint32_t i) const { return x + 16 * (bases[k] + offset[i]); }
};

/// depthwiseAvx512 from the blocks' and the weights' float values: each
/// product is exact (two significands of at most 8 bits times a power of
/// two, normal as depthwiseSourcesReady ensures), so one fused multiply-add
/// rounds the sum exactly where the integer product, scaled, then added does.
/// The table is per 16-row group g: entries [start[g], start[g + 1]), each
/// an input block (blocks[e]) and its 16 rows' weights (weights + 16 e).
/// With `fresh`, the groups' accumulators start at +0 (written, not read):
/// +0 plus a block of zeros changes nothing, as they never hold -0. Four
/// pixels at a time, then one.
SOFTNPU_AVX512_FN void depthwiseValuesAvx512(const uint32_t *start, size_t groups, const uint32_t *blocks,
                                             const float *weights, const MsfpCompactBatch &source, const int32_t *src,
                                             size_t srcStride, size_t count, float *acc, size_t accStride, bool fresh) {
  ListedEntries e{start, blocks, weights, source.values.data(), src, srcStride, static_cast<int32_t>(source.count)};
  size_t p = 0;
  for (; p + 4 <= count; p += 4) {
    e.from = src + p * srcStride;
    pixelsByEntries<4>(e, groups, acc + p * accStride, accStride, fresh);
  }
  for (; p < count; ++p) {
    e.from = src + p * srcStride;
    pixelsByEntries<1>(e, groups, acc + p * accStride, accStride, fresh);
  }
}

/// P interior pixels one stride apart (pixel 0's blocks at x0, a column
/// `unit` floats on), every group of a dense table: per kernel row, each
/// column the run reads is loaded once and multiplied into every pixel
/// whose taps read it. Per pixel the taps come in order (columns in
/// increasing order are increasing kw), as the table's entries do.
template <int KW, int SW, int DW, int P>
SOFTNPU_AVX512_FN void denseRun(const DepthwiseDense &d, size_t groups, const uint16_t *x0, size_t unit, float *acc,
                                size_t accStride) {
  constexpr int kColumns = (P - 1) * SW + (KW - 1) * DW + 1;
  const size_t kH = d.kH;
  for (size_t g = 0; g < groups; ++g) {
    __m512 a[P];
    for (int p = 0; p < P; ++p)
      a[p] = _mm512_setzero_ps();
    for (size_t kh = 0; kh < kH; ++kh) {
      const uint16_t *row = x0 + 16 * static_cast<ptrdiff_t>(d.rowOffset[g * kH + kh]);
      const float *wt = d.weights.data() + 16 * (g * kH + kh) * KW;
      __m512 w[KW];
      for (int kw = 0; kw < KW; ++kw)
        w[kw] = _mm512_loadu_ps(wt + 16 * kw);
#pragma unroll
      for (int c = 0; c < kColumns; ++c) {
        const __m512 v = loadBf16x16(row + c * unit);
#pragma unroll
        for (int kw = 0; kw < KW; ++kw) {
          const int at = c - kw * DW;
          if (at >= 0 && at % SW == 0 && at / SW < P)
            a[at / SW] = _mm512_fmadd_ps(v, w[kw], a[at / SW]);
        }
      }
    }
    for (int p = 0; p < P; ++p)
      _mm512_storeu_ps(acc + p * accStride + 16 * g, a[p]);
  }
}

using DenseRunFn = void (*)(const DepthwiseDense &, size_t, const uint16_t *, size_t, float *, size_t);

/// A border pixel through a dense table: its taps inside the window's
/// ranges, in tap order, read from its base (see BorderWindow); those
/// outside would add +0. A block's index is worked out before its address:
/// a kernel row's first tap may lie before the source.
template <int G>
SOFTNPU_AVX512_FN inline void denseBorderGroups(const DepthwiseDense &d, size_t g, const uint16_t *x,
                                                const BorderWindow &b, float *acc) {
  const size_t kH = d.kH, kW = d.kW;
  const int64_t column = int64_t{d.dilW} * d.unit; // blocks from one tap of a kernel row to the next
  __m512 v[G];
  for (int h = 0; h < G; ++h)
    v[h] = _mm512_setzero_ps();
  for (size_t kh = b.kh0; kh < b.kh1; ++kh)
    for (size_t kw = b.kw0; kw < b.kw1; ++kw)
      for (int h = 0; h < G; ++h) {
        const size_t row = (g + h) * kH + kh;
        v[h] = _mm512_fmadd_ps(loadBf16x16(x + 16 * (b.base + d.rowOffset[row] + static_cast<int64_t>(kw) * column)),
                               _mm512_loadu_ps(d.weights.data() + 16 * (row * kW + kw)), v[h]);
      }
  for (int h = 0; h < G; ++h)
    _mm512_storeu_ps(acc + 16 * (g + h), v[h]);
}
SOFTNPU_AVX512_FN void denseBorder(const DepthwiseDense &d, size_t groups, const uint16_t *x, const BorderWindow &b,
                                   float *acc) {
  // Four groups at a time: four independent chains of multiply-adds.
  size_t g = 0;
  for (; g + 4 <= groups; g += 4)
    denseBorderGroups<4>(d, g, x, b, acc);
  for (; g < groups; ++g)
    denseBorderGroups<1>(d, g, x, b, acc);
}

/// The dense kernels for d's shape, runs of 8, 4, 2 and 1 pixels; null
/// when there are none.
struct DenseRuns {
  DenseRunFn of8 = nullptr, of4 = nullptr, of2 = nullptr, of1 = nullptr;
};
DenseRuns denseRunsFor(const DepthwiseDense &d) {
  if (d.kW == 3 && d.dilW == 1 && d.strideW == 1)
    return {denseRun<3, 1, 1, 8>, denseRun<3, 1, 1, 4>, denseRun<3, 1, 1, 2>, denseRun<3, 1, 1, 1>};
  if (d.kW == 3 && d.dilW == 1 && d.strideW == 2)
    return {denseRun<3, 2, 1, 8>, denseRun<3, 2, 1, 4>, denseRun<3, 2, 1, 2>, denseRun<3, 2, 1, 1>};
  return {};
}

/// depthwiseValuesAvx512 (fresh) for pieces at bases (see
/// matVecDepthwiseValuesAt): with `dense`, every interior pixel through
/// the dense kernels, in runs of 8, 4, 2 or 1 pixels one stride apart;
/// without, interior pixels four or one at a time from their bases. With
/// `dense`, a border pixel with a window (`border`) through denseBorder;
/// the other border pixels up to four at a time through their source lists.
SOFTNPU_AVX512_FN void depthwiseValuesAtAvx512(const DepthwiseValues &table, const DepthwiseOffsets &at,
                                               const MsfpCompactBatch &source, const int32_t *src, size_t srcStride,
                                               const int64_t *bases, size_t count, float *acc, size_t accStride,
                                               const DepthwiseDense *dense, const BorderWindow *border) {
  const uint16_t *x = source.values.data();
  const float *weights = table.values.data();
  const uint32_t *start = at.start.data(), *entry = at.entry.data();
  const int32_t *offset = at.offset.data();
  const size_t groups = at.start.size() - 1;
  const DenseRuns runs = dense ? denseRunsFor(*dense) : DenseRuns{};
  const int64_t step = dense ? int64_t{dense->strideW} * dense->unit : 0; // blocks from one pixel of a run to the next
  // How many pixels from p on (up to `most`) are interior and one step apart.
  const auto runFrom = [&](size_t p, size_t most) {
    size_t n = bases[p] >= 0 ? 1 : 0;
    while (n != 0 && n < most && p + n < count && bases[p + n] == bases[p] + static_cast<int64_t>(n) * step)
      ++n;
    return n;
  };
  // Whether border pixel q goes through denseBorder.
  const auto windowed = [&](size_t q) { return dense && border && border[q].kh1 != 0; };
  for (size_t p = 0; p < count;) {
    float *a = acc + p * accStride;
    if (runs.of8) {
      const size_t n = runFrom(p, 8), done = n == 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : n;
      if (done != 0) {
        (done == 8   ? runs.of8
         : done == 4 ? runs.of4
         : done == 2 ? runs.of2
                     : runs.of1)(*dense, groups, x + 16 * bases[p], 16 * size_t{dense->unit}, a, accStride);
        p += done;
        continue;
      }
    }
    if (p + 4 <= count && bases[p] >= 0 && bases[p + 1] >= 0 && bases[p + 2] >= 0 && bases[p + 3] >= 0) {
      pixelsByEntries<4>(OffsetEntries{start, entry, offset, weights, x, bases + p}, groups, a, accStride, true);
      p += 4;
      continue;
    }
    if (bases[p] >= 0) {
      pixelsByEntries<1>(OffsetEntries{start, entry, offset, weights, x, bases + p}, groups, a, accStride, true);
      ++p;
      continue;
    }
    if (windowed(p)) {
      denseBorder(*dense, groups, x, border[p], a);
      ++p;
      continue;
    }
    // Border pixels through their source lists, up to four at a time (the
    // top and bottom rows are border pixels side by side).
    size_t n = 1;
    while (n < 4 && p + n < count && bases[p + n] < 0 && !windowed(p + n))
      ++n;
    depthwiseValuesAvx512(table.start.data(), table.start.size() - 1, table.blocks.data(), weights, source,
                          src + p * srcStride, srcStride, n, a, accStride, true);
    p += n;
  }
}

/// The values of `count` one-block pieces of 16: significand x 2^expAdd,
/// zeros for an all-zero block.
SOFTNPU_AVX512_FN void dequantizeAvx512(const MsfpCompactBatch &source, uint16_t *values) {
  const int8_t *q8 = reinterpret_cast<const int8_t *>(source.quad8.data());
  for (size_t s = 0; s < source.count; ++s) {
    // Unsigned: an all-zero block's exponent may be far out of range (its
    // scale is not used).
    const uint32_t scaleBits = static_cast<uint32_t>(source.expAdd[s] + 127) << 23;
    const __m512 scale = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int32_t>(scaleBits)));
    const __m512 q =
        _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(q8 + 16 * s))));
    storeBf16x16(values + 16 * s, source.activeCount[s] ? _mm512_mul_ps(q, scale) : _mm512_setzero_ps());
  }
}
#endif

} // namespace

bool dequantizeBlocks(MsfpCompactBatch &source) {
  if (source.valuesOnly)
    return true; // prepareBlockValues made them
  source.values.clear();
  // |significand| < 2^8 and 2^expAdd normal: every value normal or zero.
  if (source.blocks != 1 || source.k != 16 || !source.allPrepared ||
      (source.activeScaleLo <= source.activeScaleHi &&
       (source.activeScaleLo + source.base < -126 || source.activeScaleHi + source.base > 127 - 8)))
    return false;
#if defined(SOFTNPU_DEPTHWISE_X86)
  if (!detail::haveAvx512ForMsfp16())
    return false;
  source.values.resize((source.count + 1) * 16); // and a block of zeros
  dequantizeAvx512(source, source.values.data());
  std::fill_n(source.values.end() - 16, 16, uint16_t{0});
  return true;
#else
  return false;
#endif
}

bool depthwiseProductsExact(int wMaxScale, const MsfpCompactBatch &source) {
  // A product's integer is below 2^16 (two significands of at most 8
  // bits): below 2^128 while 2^E <= 2^111.
  return source.activeScaleLo > source.activeScaleHi || wMaxScale + source.activeScaleHi + source.base <= 127 - 16;
}

bool depthwiseSourcesReady(const MsfpCompactBatch &source, const int32_t *src, size_t entries, int wMinScale,
                           int wMaxScale) {
  const auto normal = [&](int lo, int hi) {
    return lo > hi || (wMinScale + lo + source.base >= -126 && wMaxScale + hi + source.base <= 127);
  };
  // Every source block prepared and in range: so are those the pieces name.
  if (source.allPrepared && normal(source.activeScaleLo, source.activeScaleHi))
    return true;
  if (source.valuesOnly)
    return false; // no per-block scales to look closer
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
  if (w.depthwiseStart.empty() || w.anyGroupNan || source.blocks != 1 || source.k != 16 ||
      (source.valuesOnly && !w.hasDepthwiseValues()))
    return false;
#if defined(SOFTNPU_DEPTHWISE_X86)
  if (!detail::haveAvx512ForMsfp16())
    return false;
  if (!source.values.empty() && w.hasDepthwiseValues() && depthwiseProductsExact(w.normalMaxScale, source))
    depthwiseValuesAvx512(w.depthwiseStart.data(), w.depthwiseStart.size() - 1, w.depthwiseBlocks.data(),
                          w.depthwiseValues.data(), source, src, srcStride, count, acc, accStride, false);
  else
    depthwiseAvx512(w, source, src, srcStride, count, acc, accStride);
  return true;
#else
  (void)src, (void)srcStride, (void)count, (void)acc, (void)accStride;
  return false;
#endif
}

bool mergeDepthwiseValues(const std::vector<DepthwisePart> &parts, DepthwiseValues &table) {
  table = {};
  size_t groups = 0;
  for (const DepthwisePart &part : parts) {
    if (!part.w->hasDepthwiseValues())
      return false;
    groups = std::max(groups, part.w->depthwiseStart.size() - 1);
  }
  // Group by group, each group's entries in matrix order, then block order.
  table.start.push_back(0);
  for (size_t g = 0; g < groups; ++g) {
    for (const DepthwisePart &part : parts) {
      const MsfpCompactMatrix &w = *part.w;
      if (g + 1 >= w.depthwiseStart.size())
        continue;
      for (uint32_t e = w.depthwiseStart[g]; e < w.depthwiseStart[g + 1]; ++e) {
        table.blocks.push_back(w.depthwiseBlocks[e] + part.blockOffset);
        table.values.insert(table.values.end(), w.depthwiseValues.begin() + 16 * e,
                            w.depthwiseValues.begin() + 16 * (e + 1));
      }
    }
    table.start.push_back(static_cast<uint32_t>(table.blocks.size()));
  }
  return true;
}

bool matVecDepthwiseValues(const DepthwiseValues &table, const MsfpCompactBatch &source, const int32_t *src,
                           size_t srcStride, size_t count, float *acc, size_t accStride, bool fresh) {
  if (table.start.empty() || source.values.empty())
    return false;
#if defined(SOFTNPU_DEPTHWISE_X86)
  if (!detail::haveAvx512ForMsfp16())
    return false;
  depthwiseValuesAvx512(table.start.data(), table.start.size() - 1, table.blocks.data(), table.values.data(), source,
                        src, srcStride, count, acc, accStride, fresh);
  return true;
#else
  (void)src, (void)srcStride, (void)count, (void)acc, (void)accStride, (void)fresh;
  return false;
#endif
}

void offsetDepthwiseValues(const DepthwiseValues &table, const std::vector<int32_t> &blockOffsets,
                           DepthwiseOffsets &out) {
  out = {};
  out.start.push_back(0);
  for (size_t g = 0; g + 1 < table.start.size(); ++g) {
    for (uint32_t e = table.start[g]; e < table.start[g + 1]; ++e) {
      const int32_t o = blockOffsets[table.blocks[e]];
      if (o < 0)
        continue;
      out.entry.push_back(e);
      out.offset.push_back(o);
    }
    out.start.push_back(static_cast<uint32_t>(out.entry.size()));
  }
}

bool denseDepthwiseValues(const DepthwiseValues &table, const std::vector<int32_t> &blockOffsets, uint32_t kH,
                          uint32_t kW, uint32_t strideW, uint32_t dilW, uint32_t unit, DepthwiseDense &out) {
  out = {};
  const size_t taps = size_t{kH} * kW;
  if (table.start.empty() || unit == 0 || taps == 0 || blockOffsets.size() < taps * unit)
    return false;
  const size_t groups = table.start.size() - 1;
  out.kH = kH, out.kW = kW, out.strideW = strideW, out.dilW = dilW, out.unit = unit;
  out.rowOffset.resize(groups * kH);
  out.weights.assign(groups * taps * 16, 0.0f);
  // The offset of tap t's channel block m: its kernel row's first tap's
  // plus kw x dilW columns, for every tap (checked).
  const auto tapOffset = [&](size_t t, size_t m) { return blockOffsets[t * unit + m]; };
  for (size_t t = 0; t < taps; ++t)
    for (size_t m = 0; m < unit; ++m)
      if (tapOffset(t, m) < 0 ||
          tapOffset(t, m) != tapOffset(t - t % kW, m) + static_cast<int32_t>((t % kW) * dilW * unit))
        return false;
  for (size_t g = 0; g < groups; ++g) {
    size_t m = unit, next = 0; // the group's channel block (none yet); the first tap an entry may name
    for (uint32_t e = table.start[g]; e < table.start[g + 1]; ++e) {
      const size_t b = table.blocks[e];
      if (b >= taps * unit)
        return false; // a block past the window
      const size_t t = b / unit;
      if ((m != unit && b % unit != m) || t < next)
        return false;
      m = b % unit;
      next = t + 1;
      std::copy_n(table.values.begin() + 16 * static_cast<std::ptrdiff_t>(e), 16,
                  out.weights.begin() + static_cast<std::ptrdiff_t>(16 * (g * taps + t)));
    }
    for (size_t kh = 0; kh < kH; ++kh)
      out.rowOffset[g * kH + kh] = tapOffset(kh * kW, m == unit ? 0 : m);
  }
  return true;
}

bool matVecDepthwiseValuesAt(const DepthwiseValues &table, const DepthwiseOffsets &at, const MsfpCompactBatch &source,
                             const int32_t *src, size_t srcStride, const int64_t *bases, size_t count, float *acc,
                             size_t accStride, const DepthwiseDense *dense, const BorderWindow *border) {
  if (table.start.empty() || at.start.size() != table.start.size() || source.values.empty())
    return false;
#if defined(SOFTNPU_DEPTHWISE_X86)
  if (!detail::haveAvx512ForMsfp16())
    return false;
  depthwiseValuesAtAvx512(table, at, source, src, srcStride, bases, count, acc, accStride, dense, border);
  return true;
#else
  (void)src, (void)srcStride, (void)bases, (void)count, (void)acc, (void)accStride, (void)dense, (void)border;
  return false;
#endif
}

} // namespace softnpu::numerics
