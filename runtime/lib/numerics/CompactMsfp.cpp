//===- CompactMsfp.cpp - Compact narrow-MSFP matrix-vector product --------===//
//
// makeCompactMsfp (the layout in softnpu/numerics/Bfp.h), the portable and
// SSE2 kernels and the choice of kernel, for one input vector and for a batch
// (AVX2 and AVX2 + VNNI are in CompactMsfpX86.cpp; inputs are prepared in
// CompactInput.cpp). Every kernel computes what numerics::dot computes row
// by row, bit for bit (CompactMsfpDetail.h).
//
//===----------------------------------------------------------------------===//
#include "CompactMsfpDetail.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace softnpu::numerics {

using namespace detail;

bool isCompactMsfp(const NumberFormat &fmt) {
  return isValidBlock(fmt) && fmt.element == Element::SignMagnitude && fmt.mantissaBits <= 7 && fmt.blockSize % 2 == 0;
}

namespace {

/// MsfpCompactMatrix::spanGroups and the spans' blocks of a sparse matrix: a
/// span of 4 (kMultiGroups) or 2 groups when the union of their blocks is at
/// most 5/4 of the most any of them uses, else the group alone.
void planSpans(MsfpCompactMatrix &m) {
  const size_t groups = m.groups();
  auto blocksOf = [&](size_t g) {
    return std::make_pair(m.groupBlocks.begin() + m.groupBlockStart[g],
                          m.groupBlocks.begin() + m.groupBlockStart[g + 1]);
  };
  m.spanGroups.assign(groups, 1);
  m.spanBlockStart.assign(1, 0);
  m.spanBlocks.clear();
  std::vector<uint32_t> all, merged;
  for (size_t g = 0; g < groups; ++g) {
    for (size_t span : {kMultiGroups, size_t{2}, size_t{1}}) {
      if (g + span > groups)
        continue;
      all.clear();
      size_t most = 0;
      for (size_t j = g; j < g + span; ++j) {
        const auto [first, last] = blocksOf(j);
        most = std::max<size_t>(most, static_cast<size_t>(last - first));
        merged.clear();
        std::set_union(all.begin(), all.end(), first, last, std::back_inserter(merged));
        all.swap(merged);
      }
      if (span > 1 && 4 * all.size() > 5 * most)
        continue;
      m.spanGroups[g] = static_cast<uint8_t>(span);
      m.spanBlocks.insert(m.spanBlocks.end(), all.begin(), all.end());
      break;
    }
    m.spanBlockStart.push_back(static_cast<uint32_t>(m.spanBlocks.size()));
  }
}

/// MsfpCompactMatrix::depthwiseStart .. depthwiseScales, read back from the
/// biased significand bytes, when row 16G + j holds non-zero significands
/// at element j of its blocks only (sparse or not: a depthwise matrix of 32
/// channels uses half its blocks). A dense matrix fails at its first
/// off-diagonal significand.
void planDepthwise(MsfpCompactMatrix &m) {
  const size_t groups = m.groups(), blocks = m.blocks, quads = m.quads;
  if (m.k != 16 || m.rows % 16 != 0 || m.anyGroupNan)
    return;
  const int zero = 1 << m.mantissaBits; // the byte of significand 0
  std::vector<uint32_t> start{0}, used;
  std::vector<int32_t> weights;
  std::vector<uint8_t> scales;
  int32_t w[16];
  for (size_t g = 0; g < groups; g += 2) {
    for (size_t b = 0; b < blocks; ++b) {
      bool any = false;
      for (size_t j = 0; j < 16; ++j) {
        const uint8_t *block = m.sig.data() + ((g + j / 8) * blocks + b) * quads * kQuadBytes;
        const size_t lane = j % 8;
        w[j] = 0;
        for (size_t e = 0; e < 16; ++e) {
          const int q = block[e / 4 * kQuadBytes + lane * 4 + e % 4] - zero;
          if (q == 0)
            continue;
          if (e != j)
            return; // off the diagonal: not depthwise
          w[j] = q;
          any = true;
        }
      }
      if (!any)
        continue;
      used.push_back(static_cast<uint32_t>(b));
      weights.insert(weights.end(), w, w + 16);
      for (size_t half = 0; half < 2; ++half)
        scales.insert(scales.end(),
                      m.scales.begin() + static_cast<std::ptrdiff_t>(((g + half) * blocks + b) * kGroupRows),
                      m.scales.begin() + static_cast<std::ptrdiff_t>(((g + half) * blocks + b + 1) * kGroupRows));
    }
    start.push_back(static_cast<uint32_t>(used.size()));
  }
  // The weights as floats, exact when normal: a significand of at most 8
  // bits times a power of two.
  std::vector<float> values(weights.size());
  bool exact = true;
  for (size_t i = 0; i < weights.size(); ++i) {
    values[i] = std::ldexp(static_cast<float>(weights[i]), int{scales[i]} - 127);
    exact = exact && (weights[i] == 0 || std::isnormal(values[i]));
  }
  m.depthwiseStart = std::move(start);
  m.depthwiseBlocks = std::move(used);
  m.depthwiseWeights = std::move(weights);
  m.depthwiseScales = std::move(scales);
  m.depthwiseValues = exact ? std::move(values) : std::vector<float>{};
}

/// MsfpCompactMatrix::groupDiagonal, diagonalBase and diagonalWeights of a
/// sparse matrix, read back from its biased significand bytes.
void planDiagonals(MsfpCompactMatrix &m) {
  const size_t groups = m.groups(), blocks = m.blocks, k = m.k, quads = m.quads;
  const int zero = 1 << m.mantissaBits; // the byte of significand 0
  m.groupDiagonal.assign(groups, 0);
  m.diagonalBase.assign(m.groupBlocks.size(), 0);
  m.diagonalWeights.assign(m.groupBlocks.size() * kGroupRows, 0);
  m.diagonalScales.assign(m.groupBlocks.size() * kGroupRows, 0);
  for (size_t g = 0; g < groups; ++g)
    for (uint32_t i = m.groupBlockStart[g]; i < m.groupBlockStart[g + 1]; ++i)
      std::copy_n(m.scales.begin() + static_cast<std::ptrdiff_t>((g * blocks + m.groupBlocks[i]) * kGroupRows),
                  kGroupRows, m.diagonalScales.begin() + static_cast<std::ptrdiff_t>(i * kGroupRows));
  if (k < kGroupRows)
    return;
  for (size_t g = 0; g < groups; ++g) {
    bool diagonal = !m.groupNan[g] && !m.zeroGroup[g];
    for (uint32_t i = m.groupBlockStart[g]; i < m.groupBlockStart[g + 1] && diagonal; ++i) {
      const uint8_t *block = m.sig.data() + (g * blocks + m.groupBlocks[i]) * quads * kQuadBytes;
      int base = -1;
      for (size_t lane = 0; lane < kGroupRows && diagonal; ++lane)
        for (size_t e = 0; e < k && diagonal; ++e) {
          const int q = block[e / 4 * kQuadBytes + lane * 4 + e % 4] - zero;
          if (q == 0)
            continue;
          const int at = static_cast<int>(e) - static_cast<int>(lane); // this row's base
          if ((base >= 0 && at != base) || at < 0 || at + kGroupRows > k ||
              m.diagonalWeights[i * kGroupRows + lane] != 0) { // off the diagonal, or a second non-zero
            diagonal = false;
            break;
          }
          base = at;
          m.diagonalWeights[i * kGroupRows + lane] = q;
        }
      m.diagonalBase[i] = static_cast<uint8_t>(std::max(base, 0));
    }
    m.groupDiagonal[g] = diagonal ? 1 : 0;
  }
  m.diagonalSpan.assign(groups, 0);
  auto uses = [&](size_t g) { return m.groupBlockStart[g + 1] - m.groupBlockStart[g]; };
  for (size_t g = 0; g < groups; ++g) {
    size_t span = 0;
    while (m.groupDiagonal[g] && span < kMultiGroups && g + span < groups && m.rows >= kGroupRows * (g + span + 1) &&
           m.groupDiagonal[g + span] && uses(g + span) == uses(g))
      ++span;
    m.diagonalSpan[g] = static_cast<uint8_t>(span == 3 ? 2 : span);
  }
}

} // namespace

bool makeCompactMsfp(const std::vector<BfpVector> &rows, MsfpCompactMatrix &out) {
  out = MsfpCompactMatrix{};
  if (rows.empty() || !isCompactMsfp(rows[0].format))
    return false;
  const NumberFormat fmt = rows[0].format;
  const size_t k = fmt.blockSize, blocks = rows[0].numBlocks(), groups = (rows.size() + kGroupRows - 1) / kGroupRows;
  if (blocks == 0)
    return false;
  // Significands and scales must be in the format's range (what quantize
  // and unpackRowBfp produce): the layout stores them in bytes.
  const int maxQ = (1 << fmt.mantissaBits) - 1;
  for (const BfpVector &v : rows) {
    if (v.format != fmt || v.numBlocks() != blocks || !isWellFormed(v))
      return false;
    for (int16_t s : v.scales)
      if (s < kMinExp || s > kMaxExp)
        return false;
    for (int16_t q : v.significands)
      if (q < -maxQ || q > maxQ)
        return false;
  }
  MsfpCompactMatrix m;
  m.rows = rows.size();
  m.n = blocks * k;
  m.blocks = blocks;
  m.k = static_cast<unsigned>(k);
  m.mantissaBits = fmt.mantissaBits;
  m.quads = static_cast<unsigned>((k + 3) / 4);
  const uint8_t zeroByte = static_cast<uint8_t>(1u << fmt.mantissaBits); // q + 2^m for q = 0
  const size_t groupBytes = blocks * m.quads * kQuadBytes;
  m.sig.storage.assign(groups * groupBytes + 63, zeroByte);
  m.sig.offset = (64 - reinterpret_cast<uintptr_t>(m.sig.storage.data()) % 64) % 64;
  m.scales.assign(groups * blocks * kGroupRows, 0);
  m.nan.assign(groups * blocks * kGroupRows, 0);
  m.zeroGroup.assign(groups, 1);
  m.groupNan.assign(groups, 0);
  m.groupMinScale.assign(groups, static_cast<int16_t>(kMaxExp));
  m.groupMaxScale.assign(groups, static_cast<int16_t>(kMinExp));
  // A block whose significands are all 0 (and that is not NaN) has the value
  // +0 whatever its exponent, so its stored scale is free: it gets the
  // group's smallest scale of a non-zero block (as do NaN blocks, whose value
  // is NaN anyway, and padding rows), and the normal-range test of a group
  // looks at its non-zero blocks only.
  uint8_t *sig = m.sig.data();
  std::vector<uint8_t> nonZero(kGroupRows * blocks);
  m.groupBlockStart.assign(1, 0);
  for (size_t g = 0; g < groups; ++g) {
    std::fill(nonZero.begin(), nonZero.end(), 0);
    for (size_t lane = 0; lane < kGroupRows && g * kGroupRows + lane < rows.size(); ++lane) {
      const BfpVector &v = rows[g * kGroupRows + lane];
      for (size_t b = 0; b < blocks; ++b) {
        const size_t gb = g * blocks + b;
        m.nan[gb * kGroupRows + lane] = v.nanBlocks[b];
        if (v.nanBlocks[b]) {
          m.zeroGroup[g] = 0;
          m.groupNan[g] = 1;
          continue;
        }
        const int16_t *q = v.significands.data() + b * k;
        uint8_t *quad = sig + gb * m.quads * kQuadBytes + lane * 4;
        int16_t any = 0;
        size_t i = 0;
        for (; i + 4 <= k; i += 4, quad += kQuadBytes) {
          for (size_t j = 0; j < 4; ++j)
            quad[j] = static_cast<uint8_t>(q[i + j] + zeroByte);
          any |= static_cast<int16_t>(q[i] | q[i + 1] | q[i + 2] | q[i + 3]);
        }
        for (size_t j = 0; i < k; ++i, ++j) { // a block size that is not a multiple of 4
          quad[j] = static_cast<uint8_t>(q[i] + zeroByte);
          any |= q[i];
        }
        if (any != 0) {
          nonZero[lane * blocks + b] = 1;
          m.zeroGroup[g] = 0;
          m.groupMinScale[g] = std::min(m.groupMinScale[g], v.scales[b]);
          m.groupMaxScale[g] = std::max(m.groupMaxScale[g], v.scales[b]);
        }
      }
    }
    for (size_t b = 0; b < blocks; ++b) {
      bool used = false;
      for (size_t lane = 0; lane < kGroupRows && !used; ++lane)
        used = nonZero[lane * blocks + b] || m.nan[(g * blocks + b) * kGroupRows + lane];
      if (used)
        m.groupBlocks.push_back(static_cast<uint32_t>(b));
    }
    m.groupBlockStart.push_back(static_cast<uint32_t>(m.groupBlocks.size()));
    if (m.groupMinScale[g] > m.groupMaxScale[g]) // no non-zero block
      m.groupMinScale[g] = m.groupMaxScale[g] = static_cast<int16_t>(kMinExp);
    const int neutral = m.groupMinScale[g];
    for (size_t lane = 0; lane < kGroupRows; ++lane) {
      const size_t r = g * kGroupRows + lane;
      for (size_t b = 0; b < blocks; ++b)
        m.scales[(g * blocks + b) * kGroupRows + lane] =
            static_cast<uint8_t>((nonZero[lane * blocks + b] ? rows[r].scales[b] : neutral) + kScaleBias);
    }
  }
  m.anyGroupNan = false;
  for (size_t g = 0; g < groups; ++g) {
    m.anyGroupNan = m.anyGroupNan || m.groupNan[g];
    if (!m.zeroGroup[g] && !m.groupNan[g]) {
      m.normalMinScale = std::min<int>(m.normalMinScale, m.groupMinScale[g]);
      m.normalMaxScale = std::max<int>(m.normalMaxScale, m.groupMaxScale[g]);
    }
  }
  if (4 * m.groupBlocks.size() > groups * blocks) { // dense: the kernels walk every block
    m.groupBlockStart.clear();
    m.groupBlocks.clear();
  } else {
    planSpans(m);
    planDiagonals(m);
  }
  planDepthwise(m);
  out = std::move(m);
  return true;
}

namespace {

//===--- Portable kernel ------------------------------------------------------===//

void sumsPortable(const MsfpCompactMatrix &w, const InputView &in, size_t g, size_t b, int32_t *sum) {
  const uint8_t *quad = w.sig.data() + (g * w.blocks + b) * w.quads * kQuadBytes;
  const int8_t *xq = reinterpret_cast<const int8_t *>(in.quad8 + b * in.quads);
  int32_t s[kGroupRows];
  for (size_t r = 0; r < kGroupRows; ++r)
    s[r] = in.corr[b];
  for (size_t q = 0; q < in.quads; ++q, quad += kQuadBytes)
    for (size_t r = 0; r < kGroupRows; ++r)
      s[r] += quad[r * 4] * xq[4 * q] + quad[r * 4 + 1] * xq[4 * q + 1] + quad[r * 4 + 2] * xq[4 * q + 2] +
              quad[r * 4 + 3] * xq[4 * q + 3];
  std::copy(s, s + kGroupRows, sum);
}

void normalPortable(const MsfpCompactMatrix &w, const InputView &in, size_t g, const uint32_t *list, size_t count,
                    float *a) {
  const uint8_t *scales = w.scales.data() + g * w.blocks * kGroupRows;
  for (size_t i = 0; i < count; ++i) {
    const size_t b = list[i];
    int32_t sum[kGroupRows];
    sumsPortable(w, in, g, b, sum);
    for (size_t r = 0; r < kGroupRows; ++r) // E + 127 in [1, 254]: 2^E from its bits
      a[r] = a[r] + static_cast<float>(sum[r]) *
                        fromBits(static_cast<uint32_t>(scales[b * kGroupRows + r] + in.expAdd[b]) << 23);
  }
}

#if defined(__SSE2__)
//===--- SSE2 kernel -----------------------------------------------------------===//

/// The 8 exact sums of group g, block b, as rows 0-3 and 4-7: bytes widened
/// to int16, pmaddwd with the block's quad, pairs folded at the end.
template <unsigned Q>
inline void sse2Sums(const MsfpCompactMatrix &w, const InputView &in, size_t g, size_t b, __m128i &lo, __m128i &hi) {
  const unsigned quads = Q ? Q : in.quads;
  const uint8_t *quad = w.sig.data() + (g * w.blocks + b) * quads * kQuadBytes;
  const int16_t *xq = in.quad16 + b * quads * 4;
  const __m128i zero = _mm_setzero_si128();
  __m128i s01 = zero, s23 = zero, s45 = zero, s67 = zero;
  for (unsigned q = 0; q < quads; ++q, quad += kQuadBytes) {
    const __m128i x = _mm_set1_epi64x(loadQuad16(xq + 4 * q));
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(quad));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(quad + 16));
    s01 = _mm_add_epi32(s01, _mm_madd_epi16(_mm_unpacklo_epi8(v0, zero), x));
    s23 = _mm_add_epi32(s23, _mm_madd_epi16(_mm_unpackhi_epi8(v0, zero), x));
    s45 = _mm_add_epi32(s45, _mm_madd_epi16(_mm_unpacklo_epi8(v1, zero), x));
    s67 = _mm_add_epi32(s67, _mm_madd_epi16(_mm_unpackhi_epi8(v1, zero), x));
  }
  // s01 = [r0 p0, r0 p1, r1 p0, r1 p1]: add the two halves of each row.
  const auto fold = [](__m128i a, __m128i c) {
    const __m128 fa = _mm_castsi128_ps(a), fc = _mm_castsi128_ps(c);
    return _mm_add_epi32(_mm_castps_si128(_mm_shuffle_ps(fa, fc, _MM_SHUFFLE(2, 0, 2, 0))),
                         _mm_castps_si128(_mm_shuffle_ps(fa, fc, _MM_SHUFFLE(3, 1, 3, 1))));
  };
  const __m128i corr = _mm_set1_epi32(in.corr[b]);
  lo = _mm_add_epi32(fold(s01, s23), corr);
  hi = _mm_add_epi32(fold(s45, s67), corr);
}

template <unsigned Q> void sumsSse2(const MsfpCompactMatrix &w, const InputView &in, size_t g, size_t b, int32_t *sum) {
  __m128i lo, hi;
  sse2Sums<Q>(w, in, g, b, lo, hi);
  _mm_storeu_si128(reinterpret_cast<__m128i *>(sum), lo);
  _mm_storeu_si128(reinterpret_cast<__m128i *>(sum + 4), hi);
}

/// a += float(sum) * 2^E per row, E + 127 = stored scale byte + expAdd (all
/// in [1, 254] here): the bits of 2^E are built directly.
template <unsigned Q>
void normalSse2(const MsfpCompactMatrix &w, const InputView &in, size_t g, const uint32_t *list, size_t count,
                float *a) {
  __m128 a0 = _mm_loadu_ps(a), a1 = _mm_loadu_ps(a + 4);
  const __m128i zero = _mm_setzero_si128();
  const uint8_t *scales = w.scales.data() + g * w.blocks * kGroupRows;
  for (size_t i = 0; i < count; ++i) {
    const size_t b = list[i];
    __m128i lo, hi;
    sse2Sums<Q>(w, in, g, b, lo, hi);
    const __m128i e16 =
        _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(scales + b * kGroupRows)), zero);
    const __m128i add = _mm_set1_epi32(in.expAdd[b]);
    const __m128i e0 = _mm_add_epi32(_mm_unpacklo_epi16(e16, zero), add);
    const __m128i e1 = _mm_add_epi32(_mm_unpackhi_epi16(e16, zero), add);
    a0 = _mm_add_ps(a0, _mm_mul_ps(_mm_cvtepi32_ps(lo), _mm_castsi128_ps(_mm_slli_epi32(e0, 23))));
    a1 = _mm_add_ps(a1, _mm_mul_ps(_mm_cvtepi32_ps(hi), _mm_castsi128_ps(_mm_slli_epi32(e1, 23))));
  }
  _mm_storeu_ps(a, a0);
  _mm_storeu_ps(a + 4, a1);
}

template <unsigned Q> void kernelSse2(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  runCompactGroups<sumsSse2<Q>, normalSse2<Q>>(w, in, acc);
}
#endif

void kernelPortable(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  runCompactGroups<sumsPortable, normalPortable>(w, in, acc);
}

bool kernelAvailable(CompactKernel kernel) {
  switch (kernel) {
  case CompactKernel::Auto:
  case CompactKernel::Portable:
    return true;
  case CompactKernel::Sse2:
#if defined(__SSE2__)
    return true;
#else
    return false;
#endif
  case CompactKernel::Avx2:
    return compactAvx2Supported();
  case CompactKernel::Avx2Vnni:
    return compactAvx2VnniSupported();
  case CompactKernel::Avx512Vnni:
    return compactAvx512VnniSupported();
  }
  return false;
}

CompactKernel bestKernel() {
  static const CompactKernel best = kernelAvailable(CompactKernel::Avx512Vnni) ? CompactKernel::Avx512Vnni
                                    : kernelAvailable(CompactKernel::Avx2Vnni) ? CompactKernel::Avx2Vnni
                                    : kernelAvailable(CompactKernel::Avx2)     ? CompactKernel::Avx2
                                    : kernelAvailable(CompactKernel::Sse2)     ? CompactKernel::Sse2
                                                                               : CompactKernel::Portable;
  return best;
}

} // namespace

bool compactKernelAvailable(CompactKernel kernel) { return kernelAvailable(kernel); }

namespace {

/// acc += w in, by `kernel` (available, not Auto).
void runKernel(const MsfpCompactMatrix &w, const InputView &in, float *acc, CompactKernel kernel) {
  switch (kernel) {
  case CompactKernel::Avx512Vnni: // one vector: the AVX2 + VNNI kernel
  case CompactKernel::Avx2Vnni:
    compactKernelAvx2Vnni(w, in, acc);
    break;
  case CompactKernel::Avx2:
    compactKernelAvx2(w, in, acc);
    break;
#if defined(__SSE2__)
  case CompactKernel::Sse2:
    switch (w.quads) {
    case 2:
      kernelSse2<2>(w, in, acc);
      break;
    case 4:
      kernelSse2<4>(w, in, acc);
      break;
    case 8:
      kernelSse2<8>(w, in, acc);
      break;
    default:
      kernelSse2<0>(w, in, acc);
      break;
    }
    break;
#endif
  default:
    kernelPortable(w, in, acc);
    break;
  }
}

/// The +0 of x's blocks past w's columns (makes a -0 accumulator +0).
void addPastColumns(const MsfpCompactMatrix &w, float *acc) {
  for (size_t r = 0; r < w.rows; ++r)
    acc[r] = acc[r] + 0.0f;
}

} // namespace

bool matVecCompactMsfp(const MsfpCompactMatrix &w, const BfpVector &x, float *acc, CompactKernel kernel) {
  const NumberFormat &fx = x.format;
  const size_t xBlocks = x.scales.size();
  if (w.empty() || !isCompactMsfp(fx) || fx.blockSize != w.k || xBlocks < w.blocks || x.nanBlocks.size() != xBlocks ||
      x.significands.size() != xBlocks * w.k || !kernelAvailable(kernel))
    return false;
  // x's blocks past w's columns meet zero weights: +0 unless NaN (then every
  // row would be NaN, which only the full computation gives).
  for (size_t b = w.blocks; b < xBlocks; ++b)
    if (x.nanBlocks[b])
      return false;
  thread_local CompactInput in;
  if (!prepareInput(w, x, in))
    return false;
  runKernel(w, viewOf(in), acc, kernel == CompactKernel::Auto ? bestKernel() : kernel);
  if (xBlocks > w.blocks)
    addPastColumns(w, acc);
  return true;
}

bool matVecCompactMsfpBatch(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t accStride,
                            CompactKernel kernel) {
  if (w.empty() || in.k != w.k || in.quads != w.quads || in.weightMantissaBits != w.mantissaBits ||
      in.blocks < w.blocks || !kernelAvailable(kernel))
    return false;
  switch (kernel == CompactKernel::Auto ? bestKernel() : kernel) {
  case CompactKernel::Avx512Vnni:
    compactBatchAvx512Vnni(w, in, acc, accStride);
    break;
  case CompactKernel::Avx2Vnni:
    compactBatchAvx2Vnni(w, in, acc, accStride);
    break;
  case CompactKernel::Avx2:
    compactBatchAvx2(w, in, acc, accStride);
    break;
#if defined(__SSE2__)
  case CompactKernel::Sse2: {
    const int16_t *wide = widenQuads(in); // SSE2 multiplies int16 pairs
    switch (w.quads) {
    case 2:
      runCompactBatch<sumsSse2<2>, normalSse2<2>>(w, in, acc, accStride, wide);
      break;
    case 4:
      runCompactBatch<sumsSse2<4>, normalSse2<4>>(w, in, acc, accStride, wide);
      break;
    case 8:
      runCompactBatch<sumsSse2<8>, normalSse2<8>>(w, in, acc, accStride, wide);
      break;
    default:
      runCompactBatch<sumsSse2<0>, normalSse2<0>>(w, in, acc, accStride, wide);
      break;
    }
    break;
  }
#endif
  default:
    runCompactBatch<sumsPortable, normalPortable>(w, in, acc, accStride);
    break;
  }
  return true;
}

bool matVecCompactMsfp(const MsfpCompactMatrix &w, const BfpVector &x, float *acc) {
  return matVecCompactMsfp(w, x, acc, CompactKernel::Auto);
}

} // namespace softnpu::numerics
