//===- CompactInput.cpp - Input pieces of the compact MSFP kernels -----===//
//
// The input side of matVecCompactMsfp: input pieces laid out for the
// kernels, either from a quantized BfpVector (prepareInput, for
// matVecCompactMsfp(w, BfpVector)) or straight from the floats, many pieces
// at once (prepareCompactBatch: the MSFP rounding of quantizeInto fused with
// the layout, for the simulator's mv_mul inputs; prepareCompactRuns, the
// same from pieces assembled out of runs of a source, a convolution's
// windows read from its map). All give the same layout
// for the same blocks; tests/unit/numerics/CompactMsfpTest.cpp checks the
// batch path against quantizeInto + matVecCompactMsfp bit for bit.
//
// The batch's blocks of exactly 16 elements are quantized with AVX-512, sixteen
// at a time (quantize16), where the CPU has it, in fp32: y = |x| * 2^(mx - 1 - E) is exact there (a power
// of two times a float, the result at most 2^mx; a result below 2^-126
// rounds to 0 in every mode, as the exact one does) as long as 2^(mx - 1 - E)
// is a float (E >= mx - 128). Other blocks take the generic loop, which
// computes y in double as quantizeInto does.
//
//===----------------------------------------------------------------------===//

#include "CompactMsfpDetail.h"
#include "MsfpBlock16X86.h"
#include "MsfpFusedDetail.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_BATCH_X86 1
#include <immintrin.h>
#endif

namespace softnpu::numerics {

using namespace detail;

namespace {

/// The per-block part of prepareInput: x's significands of block b as bytes
/// and int16 quads, their sum, and whether any is non-zero; false when one is
/// outside [-maxQ, maxQ].
bool prepareBlock(const int16_t *xs, size_t k, unsigned quads, int maxQ, uint8_t *q8, int16_t *q16, int32_t &sum,
                  bool &nonZero) {
  size_t i = 0;
  int32_t s = 0;
  bool ok = true, nz = false;
#if defined(__SSE2__)
  if (k % 8 == 0) {
    const __m128i hi = _mm_set1_epi16(static_cast<int16_t>(maxQ)), lo = _mm_set1_epi16(static_cast<int16_t>(-maxQ));
    __m128i acc = _mm_setzero_si128(), bad = _mm_setzero_si128(), any = _mm_setzero_si128();
    for (; i < k; i += 8) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(xs + i));
      bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi16(v, hi), _mm_cmplt_epi16(v, lo)));
      any = _mm_or_si128(any, v);
      acc = _mm_add_epi32(acc, _mm_madd_epi16(v, _mm_set1_epi16(1)));
      _mm_storel_epi64(reinterpret_cast<__m128i *>(q8 + i), _mm_packs_epi16(v, v)); // exact: |v| <= 127
      _mm_storeu_si128(reinterpret_cast<__m128i *>(q16 + i), v);
    }
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(1, 0, 3, 2)));
    acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, _MM_SHUFFLE(2, 3, 0, 1)));
    s = _mm_cvtsi128_si32(acc);
    ok = _mm_movemask_epi8(bad) == 0;
    nz = _mm_movemask_epi8(_mm_cmpeq_epi16(any, _mm_setzero_si128())) != 0xFFFF;
  }
#endif
  for (; i < k; ++i) {
    const int16_t q = xs[i];
    ok = ok && q >= -maxQ && q <= maxQ;
    s += q;
    nz = nz || q != 0;
    q8[i] = static_cast<uint8_t>(q); // the int8 byte (little-endian layout of the int32 quad words)
    q16[i] = q;
  }
  for (; i < 4 * size_t{quads}; ++i) { // padding of a block size that is not a multiple of 4
    q8[i] = 0;
    q16[i] = 0;
  }
  sum = s;
  nonZero = nz;
  return ok;
}

/// Where one piece's blocks go in a batch.
struct PieceOut {
  int8_t *q8; ///< blocks x quads x 4 bytes
  int32_t *corr, *expAdd;
  uint32_t *active; ///< non-zero blocks, increasing
  uint32_t activeCount = 0;
  int minScale = kMaxExp, maxScale = kMinExp;
};

/// Records block b of a piece: exponent e, significand sum, whether one is non-zero.
inline void finishBlock(PieceOut &o, size_t b, int e, int32_t sum, bool nonZero, int mw, int base) {
  o.corr[b] = -static_cast<int32_t>(static_cast<uint32_t>(sum) << mw);
  o.expAdd[b] = e + base;
  if (nonZero) {
    o.active[o.activeCount++] = static_cast<uint32_t>(b);
    o.minScale = std::min(o.minScale, e);
    o.maxScale = std::max(o.maxScale, e);
  }
}

/// One block of len (<= k) elements by the rules of quantizeInto's fused
/// path (QuantizeMsfp.cpp): the shared exponent (msfpBlockExponent) and each
/// element's significand (msfpSignificand), written as the kernels' bytes
/// (zero from len up to `padded`). False at a NaN or Inf.
template <Rounding R>
__attribute__((always_inline)) inline bool genericBlock(const float *x, size_t len, size_t padded, int mx, int32_t maxQ,
                                                        int8_t *q8, int &e, int32_t &sum, bool &nonZero) {
  if (!msfpBlockExponent(x, len, e))
    return false;
  const double toSteps = pow2d(mx - 1 - e);
  int32_t s = 0, any = 0;
  for (size_t i = 0; i < len; ++i) {
    const int32_t q = msfpSignificand<R>(x[i], toSteps, maxQ);
    q8[i] = static_cast<int8_t>(q); // |q| <= 127
    s += q;
    any |= q;
  }
  for (size_t i = len; i < padded; ++i)
    q8[i] = 0;
  sum = s;
  nonZero = any != 0;
  return true;
}

/// A whole piece through genericBlock; false at a NaN or Inf.
/// Block b of a piece lies wholly past its filled elements: all zeros.
inline void zeroBlock(PieceOut &o, size_t b, unsigned quads, int mw, int base) {
  std::fill(o.q8 + b * quads * 4, o.q8 + (b + 1) * quads * 4, int8_t{0});
  finishBlock(o, b, kMinExp, 0, false, mw, base);
}

/// A whole piece (n elements, the first `filled` read) through
/// genericBlock; false at a NaN or Inf.
template <Rounding R>
__attribute__((always_inline)) inline bool genericPiece(const float *x, size_t n, size_t filled, size_t k,
                                                        unsigned quads, int mx, int32_t maxQ, int mw, int base,
                                                        PieceOut &o) {
  for (size_t b = 0, start = 0; start < n; ++b, start += k) {
    if (start >= filled) {
      zeroBlock(o, b, quads, mw, base);
      continue;
    }
    int e;
    int32_t sum;
    bool nonZero;
    if (!genericBlock<R>(x + start, std::min(k, filled - start), 4 * size_t{quads}, mx, maxQ, o.q8 + b * quads * 4, e,
                         sum, nonZero))
      return false;
    finishBlock(o, b, e, sum, nonZero, mw, base);
  }
  return true;
}

template <Rounding R>
bool pieceBaseline(const float *x, size_t n, size_t filled, size_t k, unsigned quads, int mx, int32_t maxQ, int mw,
                   int base, PieceOut &o) {
  return genericPiece<R>(x, n, filled, k, quads, mx, maxQ, mw, base, o);
}

/// Whether the first `count` pieces of `out` are all prepared
/// (MsfpCompactBatch::allPrepared).
bool everyPiecePrepared(const MsfpCompactBatch &out, size_t count) {
  return std::all_of(out.prepared.begin(), out.prepared.begin() + static_cast<std::ptrdiff_t>(count),
                     [](uint8_t p) { return p != 0; });
}

#if defined(SOFTNPU_BATCH_X86)

/// The generic loops compiled for AVX2 (the same arithmetic, the same
/// results), for block sizes other than 16 or CPUs without AVX-512.
template <Rounding R>
__attribute__((target("avx2"))) bool pieceAvx2(const float *x, size_t n, size_t filled, size_t k, unsigned quads,
                                               int mx, int32_t maxQ, int mw, int base, PieceOut &o) {
  return genericPiece<R>(x, n, filled, k, quads, mx, maxQ, mw, base, o);
}

bool haveAvx2() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

/// The largest magnitude (the bits with the sign cleared, compared as
/// unsigned) of each of sixteen vectors' lanes, lane j for vector j, by a
/// reduction network whose first stage clears the signs on the way in.
SOFTNPU_AVX512_FN inline __attribute__((always_inline)) __m512i largestMagnitudes16(const __m512i *bits) {
  const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
  __m512i v[8];
  // 16 vectors -> 8: per 128-bit lane [a0 b0 a1 b1] with [a2 b2 a3 b3].
  for (int i = 0; i < 8; ++i) {
    const __m512i a = _mm512_and_si512(bits[2 * i], magnitude), b = _mm512_and_si512(bits[2 * i + 1], magnitude);
    v[i] = _mm512_max_epu32(_mm512_unpacklo_epi32(a, b), _mm512_unpackhi_epi32(a, b));
  }
  // 8 -> 4: per 128-bit lane the partials of four vectors, in order.
  for (int i = 0; i < 4; ++i)
    v[i] =
        _mm512_max_epu32(_mm512_unpacklo_epi64(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_epi64(v[2 * i], v[2 * i + 1]));
  // 4 -> 2 -> 1: fold the 128-bit lanes; lane 4L + i ends up with vector 4L + i.
  for (int i = 0; i < 2; ++i)
    v[i] = _mm512_max_epu32(_mm512_shuffle_i32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                            _mm512_shuffle_i32x4(v[2 * i], v[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_max_epu32(_mm512_shuffle_i32x4(v[0], v[1], _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_i32x4(v[0], v[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

/// The batch quantize16 fills (batch16, batchRuns16): its arrays, held
/// here so that the stores of one step do not make the next reload them,
/// and a byte per block saying whether it is non-zero (finishPieces turns
/// those into each piece's active list).
struct Batch16 {
  Batch16(MsfpCompactBatch &b, int mx, int mw, int32_t maxQ, uint8_t *nonZero)
      : out(b), mx(mx), mw(mw), maxQ(maxQ), blocks(b.blocks), base(b.base),
        quad8(reinterpret_cast<int8_t *>(b.quad8.data())), corr(b.corr.data()), expAdd(b.expAdd.data()),
        nonZero(nonZero) {}

  MsfpCompactBatch &out;
  int mx, mw;
  int32_t maxQ;
  size_t blocks;
  int base;
  int8_t *quad8;
  int32_t *corr, *expAdd;
  uint8_t *nonZero;
};

/// The address of element `from` of the source at `src` (a masked load's
/// start: lanes below the run's first read nothing, so it may lie before
/// the source; computed as an integer, not as an out-of-range pointer).
inline const float *runAddress(const float *src, int64_t from) {
  return reinterpret_cast<const float *>(reinterpret_cast<uintptr_t>(src) +
                                         static_cast<uintptr_t>(from * static_cast<int64_t>(sizeof(float))));
}

/// Blocks j = 0 .. 15 of a quantize16 step: load(j) as bits for the first
/// `count`, zeros after; returns their largest magnitudes (bits), lane j
/// for block j (largestMagnitudes16). Always inlined: called out of line
/// (GCC did so for DenseBlocks), the sixteen blocks go through the stack,
/// which made quantizing about 17% slower.
template <class Load>
SOFTNPU_AVX512_FN inline __attribute__((always_inline)) __m512i loadBlocks16(Load &load, unsigned count,
                                                                             __m512i *bits) {
  for (unsigned j = 0; j < 16; ++j)
    bits[j] = j < count ? _mm512_castps_si512(load(j)) : _mm512_setzero_si512();
  return largestMagnitudes16(bits);
}

/// The shared exponents of sixteen blocks (lane j: block j) from their
/// largest magnitudes, as quantizeInto finds them.
struct BlockScales16 {
  __m512i e;         ///< floor(log2 max) for a normal max, else kMinExp
  __m512 scale;      ///< 2^(mx - 1 - e): |x| x scale counts steps (1 for `generic` blocks)
  __mmask16 special; ///< live blocks holding NaN or Inf
  __mmask16 generic; ///< live non-zero blocks whose 2^(mx - 1 - e) is not a float
  __mmask16 nonZero; ///< blocks with a non-zero significand
};
template <Rounding R> SOFTNPU_AVX512_FN inline BlockScales16 blockScales16(__m512i maxBits, unsigned count, int mx) {
  BlockScales16 b;
  const __mmask16 live = count == 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << count) - 1);
  b.special = _mm512_mask_cmpge_epu32_mask(live, maxBits, _mm512_set1_epi32(0x7F800000));
  // E = floor(log2 max) for a normal max, else kMinExp (the clamp of a
  // subnormal max's exponent, and the exponent of an all-zero block).
  const __mmask16 normal = _mm512_cmpge_epu32_mask(maxBits, _mm512_set1_epi32(0x00800000));
  b.e =
      _mm512_mask_sub_epi32(_mm512_set1_epi32(kMinExp), normal, _mm512_srli_epi32(maxBits, 23), _mm512_set1_epi32(127));
  const __m512i shift = _mm512_sub_epi32(_mm512_set1_epi32(mx - 1), b.e);
  // 2^shift is not a float for a non-zero block below 2^(mx - 128): the
  // generic loop. An all-zero block may use any scale (0 times it is 0): 1.
  const __mmask16 huge = _mm512_cmpgt_epi32_mask(shift, _mm512_set1_epi32(127));
  b.generic = huge & _mm512_mask_cmpneq_epi32_mask(live, maxBits, _mm512_setzero_si512());
  __m512i scaleBits = _mm512_slli_epi32(_mm512_add_epi32(shift, _mm512_set1_epi32(127)), 23);
  scaleBits = _mm512_mask_mov_epi32(scaleBits, _mm512_cmplt_epi32_mask(shift, _mm512_set1_epi32(-126)),
                                    _mm512_set1_epi32(1 << 22)); // shift = -127: 2^-127
  scaleBits = _mm512_mask_mov_epi32(scaleBits, huge, _mm512_set1_epi32(0x3F800000));
  b.scale = _mm512_castsi512_ps(scaleBits);
  // A block has a non-zero significand iff its largest magnitude rounds to
  // a non-zero step (rounding is monotonic; the saturation keeps it so).
  b.nonZero = _mm512_cmp_ps_mask(roundSteps16<R>(_mm512_mul_ps(_mm512_castsi512_ps(maxBits), b.scale)),
                                 _mm512_setzero_ps(), _CMP_NEQ_OQ);
  return b;
}

/// Quantizes blocks [at0, at0 + count) of the batch (count <= 16; block
/// `at` is block at mod blocks of piece at / blocks), block j's 16 elements
/// being load(j), called for j = 0, 1, ... in order: quantizeInto's rules
/// and results, in fp32 (see the file comment). The largest magnitudes of
/// all sixteen come out of one reduction network, lane j for block j, and
/// the significand sums out of their packed bytes, instead of two
/// horizontal reductions per block.
template <Rounding R, class Load>
SOFTNPU_AVX512_FN inline void quantize16(Batch16 &s, size_t at0, unsigned count, Load &load) {
  __m512i bits[16];
  const BlockScales16 b = blockScales16<R>(loadBlocks16(load, count, bits), count, s.mx);
  const __mmask16 live = count == 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << count) - 1);
  const __m512i e = b.e;
  const __m512 scale = b.scale;
  const __mmask16 special = b.special, generic = b.generic, nonZero = b.nonZero;
  alignas(64) float scales[16];
  _mm512_store_ps(scales, scale);
  int8_t *q8 = s.quad8 + at0 * 16;
  // Four blocks at a time: the int32 significands (|q| <= 127) packed to
  // bytes by two saturating packs, which interleave the blocks' quads
  // (128-bit lane l: quad l of each block), put back in block order by one
  // dword transpose and stored with one write; then each quad's byte sum.
  const __m512i transpose = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  __m512i quadSums[4];
  for (unsigned i = 0; i < 4; ++i) {
    __m512i q[4];
    for (unsigned k = 0; k < 4; ++k)
      q[k] = signedSteps16<R>(bits[4 * i + k], _mm512_set1_ps(scales[4 * i + k]), s.maxQ);
    const __m512i bytes = _mm512_permutexvar_epi32(
        transpose, _mm512_packs_epi16(_mm512_packs_epi32(q[0], q[1]), _mm512_packs_epi32(q[2], q[3])));
    if (4 * i < count)
      _mm512_mask_storeu_epi8(q8 + 64 * i,
                              count >= 4 * i + 4 ? ~__mmask64{0} : (__mmask64{1} << (16 * (count - 4 * i))) - 1, bytes);
    quadSums[i] = _mm512_madd_epi16(_mm512_maddubs_epi16(_mm512_set1_epi8(1), bytes), _mm512_set1_epi16(1));
  }
  // Block sums (lane j: block j) from the quad sums (lane 4k + l of
  // quadSums[i]: quad l of block 4i + k): two rounds of pairwise adds leave
  // lane 4k + i with block 4i + k, and the same transpose puts it in lane
  // 4i + k.
  const __m512i pairs01 = _mm512_add_epi32(_mm512_unpacklo_epi32(quadSums[0], quadSums[1]),
                                           _mm512_unpackhi_epi32(quadSums[0], quadSums[1]));
  const __m512i pairs23 = _mm512_add_epi32(_mm512_unpacklo_epi32(quadSums[2], quadSums[3]),
                                           _mm512_unpackhi_epi32(quadSums[2], quadSums[3]));
  const __m512i sums = _mm512_permutexvar_epi32(
      transpose, _mm512_add_epi32(_mm512_unpacklo_epi64(pairs01, pairs23), _mm512_unpackhi_epi64(pairs01, pairs23)));
  _mm512_mask_storeu_epi32(s.corr + at0, live,
                           _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_sll_epi32(sums, _mm_cvtsi32_si128(s.mw))));
  _mm512_mask_storeu_epi32(s.expAdd + at0, live, _mm512_add_epi32(e, _mm512_set1_epi32(s.base)));
  _mm_mask_storeu_epi8(s.nonZero + at0, live, _mm_maskz_set1_epi8(nonZero, 1));
  for (uint32_t m = special | generic; m; m &= m - 1) {
    const unsigned j = static_cast<unsigned>(__builtin_ctz(m));
    const size_t at = at0 + j;
    if (special & (1u << j)) {
      s.out.prepared[at / s.blocks] = 0;
      continue;
    }
    alignas(64) float block[16];
    _mm512_store_si512(block, bits[j]);
    int ge;
    int32_t sum;
    bool nz;
    genericBlock<R>(block, 16, 16, s.mx, s.maxQ, q8 + j * 16, ge, sum, nz);
    s.corr[at] = -static_cast<int32_t>(static_cast<uint32_t>(sum) << s.mw);
    s.expAdd[at] = ge + s.base;
    s.nonZero[at] = nz ? 1 : 0;
  }
}

/// Every piece of a batch prepared, with no active block yet.
void startPieces(MsfpCompactBatch &out, size_t count) { std::fill_n(out.prepared.begin(), count, uint8_t{1}); }

/// Pieces of fewer blocks (two: one block has a loop of its own) take the
/// scalar loop, where two horizontal reductions per piece cost more than
/// a few compares.
constexpr size_t kVectorFinish = 3;

/// Each piece's active blocks (increasing) and their scales' range, from the
/// non-zero flags quantize16 left (an unprepared piece's are never read).
/// Branch-free: whether a block is non-zero is data.
SOFTNPU_AVX512_FN void finishPieces(const Batch16 &s, size_t count) {
  MsfpCompactBatch &out = s.out;
  const size_t blocks = s.blocks;
  size_t p = 0;
  int batchLo = kMaxExp, batchHi = kMinExp; // MsfpCompactBatch::activeScaleLo / Hi
  if (blocks == 1) {                        // one block per piece: sixteen pieces at a time
    const __m512i base = _mm512_set1_epi32(s.base);
    __m512i vlo = _mm512_set1_epi32(kMaxExp), vhi = _mm512_set1_epi32(kMinExp);
    for (; p + 16 <= count; p += 16) {
      const __mmask16 nz =
          _mm_test_epi8_mask(_mm_loadu_si128(reinterpret_cast<const __m128i *>(s.nonZero + p)), _mm_set1_epi8(1));
      const __m512i e = _mm512_sub_epi32(_mm512_loadu_si512(s.expAdd + p), base);
      const __m512i lo = _mm512_mask_mov_epi32(_mm512_set1_epi32(kMaxExp), nz, e);
      const __m512i hi = _mm512_mask_mov_epi32(_mm512_set1_epi32(kMinExp), nz, e);
      _mm512_storeu_si512(out.activeCount.data() + p, _mm512_maskz_set1_epi32(nz, 1));
      _mm512_storeu_si512(out.active.data() + p, _mm512_setzero_si512());
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(out.activeMinScale.data() + p), _mm512_cvtepi32_epi16(lo));
      _mm256_storeu_si256(reinterpret_cast<__m256i *>(out.activeMaxScale.data() + p), _mm512_cvtepi32_epi16(hi));
      vlo = _mm512_min_epi32(vlo, lo);
      vhi = _mm512_max_epi32(vhi, hi);
    }
    batchLo = _mm512_reduce_min_epi32(vlo);
    batchHi = _mm512_reduce_max_epi32(vhi);
  } else if (blocks >= kVectorFinish) {
    // Sixteen blocks of a piece at a time: the non-zero ones' indices
    // compressed to the front of a register, stored whole (the lanes past
    // them land in the next piece's list, written after, or in the
    // padding past the last one; see shapeBatch).
    const __m512i base = _mm512_set1_epi32(s.base),
                  lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i vlo = _mm512_set1_epi32(kMaxExp), vhi = _mm512_set1_epi32(kMinExp);
    for (; p < count; ++p) {
      const uint8_t *nz = s.nonZero + p * blocks;
      const int32_t *expAdd = s.expAdd + p * blocks;
      uint32_t *active = out.active.data() + p * blocks;
      uint32_t n = 0;
      __m512i lo = _mm512_set1_epi32(kMaxExp), hi = _mm512_set1_epi32(kMinExp);
      for (size_t b = 0; b < blocks; b += 16) {
        const __mmask16 live = blocks - b >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (blocks - b)) - 1);
        const __mmask16 on = _mm_mask_test_epi8_mask(live, _mm_maskz_loadu_epi8(live, nz + b), _mm_set1_epi8(1));
        const __m512i e = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(live, expAdd + b), base);
        lo = _mm512_mask_min_epi32(lo, on, lo, e);
        hi = _mm512_mask_max_epi32(hi, on, hi, e);
        _mm512_storeu_si512(active + n, _mm512_maskz_compress_epi32(
                                            on, _mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(b)))));
        n += static_cast<uint32_t>(__builtin_popcount(on));
      }
      out.activeCount[p] = n;
      const int l = _mm512_reduce_min_epi32(lo), h = _mm512_reduce_max_epi32(hi);
      out.activeMinScale[p] = static_cast<int16_t>(l);
      out.activeMaxScale[p] = static_cast<int16_t>(h);
      vlo = _mm512_min_epi32(vlo, lo);
      vhi = _mm512_max_epi32(vhi, hi);
    }
    batchLo = _mm512_reduce_min_epi32(vlo);
    batchHi = _mm512_reduce_max_epi32(vhi);
  }
  for (; p < count; ++p) {
    const uint8_t *nz = s.nonZero + p * blocks;
    const int32_t *expAdd = s.expAdd + p * blocks;
    uint32_t *active = out.active.data() + p * blocks;
    uint32_t n = 0;
    int lo = kMaxExp, hi = kMinExp;
    for (size_t b = 0; b < blocks; ++b) {
      const bool on = nz[b] != 0;
      const int e = expAdd[b] - s.base;
      active[n] = static_cast<uint32_t>(b); // kept only when the block is non-zero (n <= b < blocks)
      n += on ? 1 : 0;
      lo = on ? std::min(lo, e) : lo;
      hi = on ? std::max(hi, e) : hi;
    }
    out.activeCount[p] = n;
    out.activeMinScale[p] = static_cast<int16_t>(lo);
    out.activeMaxScale[p] = static_cast<int16_t>(hi);
    batchLo = std::min(batchLo, lo);
    batchHi = std::max(batchHi, hi);
  }
  out.activeScaleLo = batchLo;
  out.activeScaleHi = batchHi;
  out.allPrepared = everyPiecePrepared(out, count);
}

/// A scratch byte per block of a batch (quantize16's non-zero flags).
uint8_t *nonZeroFlags(size_t blocks) {
  thread_local std::vector<uint8_t> flags;
  if (flags.size() < blocks)
    flags.resize(blocks);
  return flags.data();
}

/// quantize16's loader for pieces of consecutive floats: piece p is x[p x
/// stride, + n), of which the first `filled` are read (the rest are zeros).
struct ContiguousBlocks {
  const float *x;
  size_t stride, filled, blocks;
  size_t p = 0, b = 0; ///< the block the next call gives

  SOFTNPU_AVX512_FN __m512 operator()(unsigned) {
    const size_t start = b * 16;
    const float *src = x + p * stride + start;
    if (++b == blocks) {
      b = 0;
      ++p;
    }
    if (start + 16 <= filled)
      return _mm512_loadu_ps(src);
    // A short block is copied first: a masked load of data just written by
    // narrower stores (the simulator's window gather) waits for them to
    // drain, which costs more than the copy. Past `filled`: zeros.
    alignas(64) float part[16] = {};
    if (start < filled)
      std::copy(src, src + (filled - start), part);
    return _mm512_load_ps(part);
  }
};

/// quantize16's loader for pieces that are whole blocks one after another
/// (stride = n = filled, a multiple of 16): block `at` of the batch is
/// x[16 at, 16 at + 16).
struct DenseBlocks {
  const float *x;
  size_t at = 0; ///< the block the next call gives

  SOFTNPU_AVX512_FN __m512 operator()(unsigned) { return _mm512_loadu_ps(x + 16 * at++); }
};

/// quantize16's loader for pieces assembled from runs (prepareCompactRuns).
struct RunBlocks {
  const float *src;
  const int64_t *bases;
  size_t count, blocks;
  const BlockRun *runs;
  const uint32_t *runStart;
  size_t p = 0, b = 0; ///< the block the next call gives

  SOFTNPU_AVX512_FN __m512 operator()(unsigned) {
    const float *at = runAddress(src, bases[p]);
    // The map is usually read in order and much larger than the cache: 4 KB
    // ahead of this block comes in while these are quantized.
    _mm_prefetch(reinterpret_cast<const char *>(at) + 16 * sizeof(float) * b + 4096, _MM_HINT_T0);
    __m512 v = _mm512_setzero_ps();
    for (uint32_t r = runStart[b]; r < runStart[b + 1]; ++r)
      v = _mm512_mask_loadu_ps(v, runs[r].mask, runAddress(at, runs[r].from));
    if (++b == blocks) {
      b = 0;
      ++p;
    }
    return v;
  }
};

/// quantize16's loader for pieces whose every block is a single run
/// (runs[b] is block b's): a window of one tap, such as a 1 x 1
/// convolution's, whose channels are not whole blocks or whose pixels are
/// not back to back. One masked load per block, no loop over runs.
struct OneRunBlocks {
  const float *src;
  const int64_t *bases;
  size_t blocks;
  const BlockRun *runs;
  size_t p = 0, b = 0; ///< the block the next call gives

  SOFTNPU_AVX512_FN __m512 operator()(unsigned) {
    const float *at = runAddress(src, bases[p]);
    _mm_prefetch(reinterpret_cast<const char *>(at) + 16 * sizeof(float) * b + 4096, _MM_HINT_T0); // as RunBlocks
    const BlockRun &r = runs[b];
    const __m512 v = _mm512_maskz_loadu_ps(r.mask, runAddress(at, r.from));
    if (++b == blocks) {
      b = 0;
      ++p;
    }
    return v;
  }
};

/// Whether every block of the pieces is one run (runs[b] block b's).
bool oneRunPerBlock(size_t blocks, const uint32_t *runStart) {
  for (size_t b = 0; b <= blocks; ++b)
    if (runStart[b] != b)
      return false;
  return true;
}

/// Whether pieces of one run per block are whole blocks back to back, the
/// pieces too (a 1 x 1 convolution at stride 1 over channels that are
/// whole blocks): then they are DenseBlocks from the first piece's start.
bool piecesBackToBack(const int64_t *bases, size_t count, size_t blocks, const BlockRun *runs) {
  for (size_t b = 0; b < blocks; ++b)
    if (runs[b].mask != 0xFFFF || runs[b].from != runs[0].from + static_cast<int64_t>(16 * b))
      return false;
  for (size_t p = 1; p < count; ++p)
    if (bases[p] != bases[0] + static_cast<int64_t>(16 * blocks * p))
      return false;
  return true;
}

/// prepareCompactBatch (k = 16) and prepareCompactRuns on AVX-512: the
/// batch's blocks sixteen at a time, in piece and block order, then each
/// piece's active blocks.
template <Rounding R, class Load>
SOFTNPU_AVX512_FN void quantizeBatch16(Load load, size_t count, int mx, int32_t maxQ, int mw, MsfpCompactBatch &out) {
  Batch16 s(out, mx, mw, maxQ, nonZeroFlags(count * out.blocks));
  startPieces(out, count);
  const size_t total = count * s.blocks;
  for (size_t at0 = 0; at0 < total; at0 += 16)
    quantize16<R>(s, at0, static_cast<unsigned>(std::min<size_t>(16, total - at0)), load);
  finishPieces(s, count);
}

template <Rounding R>
void batch16(const float *x, size_t stride, size_t count, size_t n, size_t filled, int mx, int32_t maxQ, int mw,
             MsfpCompactBatch &out) {
  if (stride == n && filled >= n && n == 16 * out.blocks)
    quantizeBatch16<R>(DenseBlocks{x}, count, mx, maxQ, mw, out);
  else
    quantizeBatch16<R>(ContiguousBlocks{x, stride, std::min(filled, n), out.blocks}, count, mx, maxQ, mw, out);
}

template <Rounding R>
void batchRuns16(const float *src, const int64_t *bases, size_t count, size_t blocks, const BlockRun *runs,
                 const uint32_t *runStart, int mx, int32_t maxQ, int mw, MsfpCompactBatch &out) {
  if (!oneRunPerBlock(blocks, runStart))
    quantizeBatch16<R>(RunBlocks{src, bases, count, blocks, runs, runStart}, count, mx, maxQ, mw, out);
  else if (piecesBackToBack(bases, count, blocks, runs))
    quantizeBatch16<R>(DenseBlocks{runAddress(src, bases[0] + runs[0].from)}, count, mx, maxQ, mw, out);
  else
    quantizeBatch16<R>(OneRunBlocks{src, bases, blocks, runs}, count, mx, maxQ, mw, out);
}

/// prepareBlockValues on AVX-512: `count` blocks of 16 at x, sixteen at a
/// time, each block's significands (quantize16's) times 2^(E + base) into
/// values; [lo, hi] the range of the non-zero blocks' E. False at a block
/// with NaN or Inf or one for the generic loop.
template <Rounding R>
SOFTNPU_AVX512_FN bool blockValues16(const float *x, size_t count, int mx, int32_t maxQ, int base, uint16_t *values,
                                     int &lo, int &hi) {
  DenseBlocks load{x};
  __m512i vlo = _mm512_set1_epi32(kMaxExp), vhi = _mm512_set1_epi32(kMinExp);
  for (size_t at0 = 0; at0 < count; at0 += 16) {
    const unsigned n = static_cast<unsigned>(std::min<size_t>(16, count - at0));
    __m512i bits[16];
    const BlockScales16 b = blockScales16<R>(loadBlocks16(load, n, bits), n, mx);
    if (b.special | b.generic)
      return false;
    // 2^(E + base) for a non-zero block (checked against the normal range
    // by the caller, through lo and hi); 1 for the others, all of whose
    // significands are 0.
    const __m512i unitBits = _mm512_slli_epi32(_mm512_add_epi32(b.e, _mm512_set1_epi32(base + 127)), 23);
    const __m512 unit = _mm512_castsi512_ps(_mm512_mask_mov_epi32(_mm512_set1_epi32(0x3F800000), b.nonZero, unitBits));
    vlo = _mm512_mask_min_epi32(vlo, b.nonZero, vlo, b.e);
    vhi = _mm512_mask_max_epi32(vhi, b.nonZero, vhi, b.e);
    alignas(64) float scales[16], units[16];
    _mm512_store_ps(scales, b.scale);
    _mm512_store_ps(units, unit);
    for (unsigned j = 0; j < n; j += 2) {
      const __m512 v0 = _mm512_mul_ps(_mm512_cvtepi32_ps(signedSteps16<R>(bits[j], _mm512_set1_ps(scales[j]), maxQ)),
                                      _mm512_set1_ps(units[j]));
      if (j + 1 == n) {
        storeBf16x16(values + 16 * (at0 + j), v0);
        break;
      }
      const __m512 v1 =
          _mm512_mul_ps(_mm512_cvtepi32_ps(signedSteps16<R>(bits[j + 1], _mm512_set1_ps(scales[j + 1]), maxQ)),
                        _mm512_set1_ps(units[j + 1]));
      storeBf16x32(values + 16 * (at0 + j), v0, v1);
    }
  }
  lo = _mm512_reduce_min_epi32(vlo);
  hi = _mm512_reduce_max_epi32(vhi);
  return true;
}

#endif

using PieceFn = bool (*)(const float *, size_t, size_t, size_t, unsigned, int, int32_t, int, int, PieceOut &);

template <Rounding R> PieceFn pieceFn() {
#if defined(SOFTNPU_BATCH_X86)
  if (haveAvx2())
    return pieceAvx2<R>;
#endif
  return pieceBaseline<R>;
}

/// MsfpCompactBatch::allPrepared and the active scale range of a prepared batch.
void summarize(MsfpCompactBatch &out) {
  out.allPrepared = everyPiecePrepared(out, out.count);
  int lo = kMaxExp, hi = kMinExp;
  for (size_t p = 0; p < out.count; ++p)
    if (out.activeCount[p]) {
      lo = std::min<int>(lo, out.activeMinScale[p]);
      hi = std::max<int>(hi, out.activeMaxScale[p]);
    }
  out.activeScaleLo = lo;
  out.activeScaleHi = hi;
}

/// Sets a batch's shape and sizes its arrays for `count` pieces of `blocks`
/// blocks (prepareCompactBatch and gatherCompactBatch fill them).
void shapeBatch(MsfpCompactBatch &out, size_t count, size_t blocks, unsigned k, unsigned quads,
                unsigned weightMantissaBits, int base) {
  out.count = count;
  out.blocks = blocks;
  out.k = k;
  out.quads = quads;
  out.weightMantissaBits = weightMantissaBits;
  out.base = base;
  out.quad8.resize(count * blocks * quads);
  out.corr.resize(count * blocks);
  out.expAdd.resize(count * blocks);
  out.active.resize(count * blocks + 16); // finishPieces stores 16 lanes at a time
  out.activeCount.resize(count);
  out.activeMinScale.resize(count);
  out.activeMaxScale.resize(count);
  out.prepared.resize(count);
  out.allPrepared = false;
  out.activeScaleLo = kMaxExp;
  out.activeScaleHi = kMinExp;
  out.values.clear();
  out.valuesReady = 0;
  out.valuesOnly = false;
  if (out.all.size() != blocks) {
    out.nan.assign(blocks, 0);
    out.all.resize(blocks);
    for (size_t b = 0; b < blocks; ++b)
      out.all[b] = static_cast<uint32_t>(b);
  }
}

} // namespace

namespace detail {

bool prepareInput(const MsfpCompactMatrix &w, const BfpVector &x, CompactInput &in) {
  const size_t k = w.k, blocks = w.blocks, quads = w.quads;
  in.quads = w.quads;
  in.base = 2 - static_cast<int>(w.mantissaBits) - static_cast<int>(x.format.mantissaBits);
  in.quad8.resize(blocks * quads);
  in.quad16.resize(blocks * quads * 4);
  in.corr.resize(blocks);
  in.expAdd.resize(blocks);
  in.nan.resize(blocks);
  in.active.clear();
  in.all.resize(blocks);
  in.finite = true;
  in.activeMinScale = kMaxExp;
  in.activeMaxScale = kMinExp;
  const int maxQ = (1 << x.format.mantissaBits) - 1;
  for (size_t b = 0; b < blocks; ++b) {
    const int scale = x.scales[b];
    if (scale < kMinExp || scale > kMaxExp)
      return false;
    int32_t sum;
    bool nonZero;
    if (!prepareBlock(x.significands.data() + b * k, k, w.quads, maxQ,
                      reinterpret_cast<uint8_t *>(in.quad8.data() + b * quads), in.quad16.data() + b * quads * 4, sum,
                      nonZero))
      return false;
    in.corr[b] = -static_cast<int32_t>(static_cast<uint32_t>(sum) << w.mantissaBits);
    in.expAdd[b] = scale + in.base;
    in.nan[b] = x.nanBlocks[b];
    in.finite = in.finite && !x.nanBlocks[b];
    in.all[b] = static_cast<uint32_t>(b);
    if (nonZero) {
      in.active.push_back(static_cast<uint32_t>(b));
      in.activeMinScale = std::min(in.activeMinScale, scale);
      in.activeMaxScale = std::max(in.activeMaxScale, scale);
    }
  }
  return true;
}

const int16_t *widenQuads(const MsfpCompactBatch &in) {
  thread_local std::vector<int16_t> wide;
  wide.resize(in.quad8.size() * 4);
  const int8_t *bytes = reinterpret_cast<const int8_t *>(in.quad8.data());
  for (size_t i = 0; i < wide.size(); ++i)
    wide[i] = bytes[i];
  return wide.data();
}

} // namespace detail

bool prepareCompactBatch(const float *x, size_t stride, size_t count, size_t n, size_t filled, const NumberFormat &fmt,
                         Rounding rounding, unsigned weightMantissaBits, MsfpCompactBatch &out) {
  if (!isCompactMsfp(fmt) || weightMantissaBits > 7 || n == 0)
    return false;
  const size_t k = fmt.blockSize, blocks = numBlocks(n, fmt.blockSize);
  const unsigned quads = static_cast<unsigned>((k + 3) / 4);
  const int mx = static_cast<int>(fmt.mantissaBits), mw = static_cast<int>(weightMantissaBits);
  shapeBatch(out, count, blocks, static_cast<unsigned>(k), quads, weightMantissaBits, 2 - mw - mx);
#if defined(SOFTNPU_BATCH_X86)
  if (k == 16 && haveAvx512ForMsfp16()) {
    const int32_t maxQ16 = (1 << mx) - 1;
    switch (rounding) {
    case Rounding::NearestEven:
      batch16<Rounding::NearestEven>(x, stride, count, n, filled, mx, maxQ16, mw, out);
      break;
    case Rounding::NearestAway:
      batch16<Rounding::NearestAway>(x, stride, count, n, filled, mx, maxQ16, mw, out);
      break;
    case Rounding::TowardZero:
      batch16<Rounding::TowardZero>(x, stride, count, n, filled, mx, maxQ16, mw, out);
      break;
    }
    return true; // finishPieces summarized the batch
  }
#endif
  PieceFn piece = nullptr;
  switch (rounding) {
  case Rounding::NearestEven:
    piece = pieceFn<Rounding::NearestEven>();
    break;
  case Rounding::NearestAway:
    piece = pieceFn<Rounding::NearestAway>();
    break;
  case Rounding::TowardZero:
    piece = pieceFn<Rounding::TowardZero>();
    break;
  }
  const int32_t maxQ = (1 << mx) - 1;
  for (size_t p = 0; p < count; ++p) {
    PieceOut o{reinterpret_cast<int8_t *>(out.quad8.data() + p * blocks * quads), out.corr.data() + p * blocks,
               out.expAdd.data() + p * blocks, out.active.data() + p * blocks};
    out.prepared[p] = piece(x + p * stride, n, std::min(filled, n), k, quads, mx, maxQ, mw, out.base, o) ? 1 : 0;
    out.activeCount[p] = o.activeCount;
    out.activeMinScale[p] = static_cast<int16_t>(o.minScale);
    out.activeMaxScale[p] = static_cast<int16_t>(o.maxScale);
  }
  summarize(out);
  return true;
}

namespace {
/// Rounds blocks [from, to) of x into out.values and widens the summary;
/// false (values cleared) as prepareBlockValues says.
bool roundBlockValues(const float *x, size_t from, size_t to, int mx, Rounding rounding, MsfpCompactBatch &out) {
#if defined(SOFTNPU_BATCH_X86)
  const int32_t maxQ = (1 << mx) - 1;
  int lo = kMaxExp, hi = kMinExp;
  bool ok = true;
  const float *in = x + 16 * from;
  uint16_t *values = out.values.data() + 16 * from;
  if (to > from) {
    switch (rounding) {
    case Rounding::NearestEven:
      ok = blockValues16<Rounding::NearestEven>(in, to - from, mx, maxQ, out.base, values, lo, hi);
      break;
    case Rounding::NearestAway:
      ok = blockValues16<Rounding::NearestAway>(in, to - from, mx, maxQ, out.base, values, lo, hi);
      break;
    case Rounding::TowardZero:
      ok = blockValues16<Rounding::TowardZero>(in, to - from, mx, maxQ, out.base, values, lo, hi);
      break;
    }
  }
  lo = std::min(lo, out.activeScaleLo);
  hi = std::max(hi, out.activeScaleHi);
  // The range dequantizeBlocks allows: every value normal or zero.
  if (!ok || (lo <= hi && (lo + out.base < -126 || hi + out.base > 127 - 8))) {
    out.values.clear();
    out.valuesReady = 0;
    return false;
  }
  out.activeScaleLo = lo;
  out.activeScaleHi = hi;
  out.valuesReady = to;
  return true;
#else
  (void)x, (void)from, (void)to, (void)mx, (void)rounding, (void)out;
  return false;
#endif
}
} // namespace

bool prepareBlockValues(const float *x, size_t count, const NumberFormat &fmt, Rounding rounding,
                        unsigned weightMantissaBits, MsfpCompactBatch &out, size_t ready) {
  if (!isCompactMsfp(fmt) || fmt.blockSize != 16 || weightMantissaBits > 7 || count == 0 || ready > count)
    return false;
#if defined(SOFTNPU_BATCH_X86)
  if (!haveAvx512ForMsfp16())
    return false;
  const int mx = static_cast<int>(fmt.mantissaBits), mw = static_cast<int>(weightMantissaBits);
  shapeBatch(out, 0, 1, 16, 4, weightMantissaBits, 2 - mw - mx); // no significands
  out.values.resize((count + 1) * 16);                           // and a block of zeros
  std::fill_n(out.values.end() - 16, 16, uint16_t{0});
  out.valuesOnly = true;
  if (!roundBlockValues(x, 0, ready, mx, rounding, out)) {
    out.valuesOnly = false;
    return false;
  }
  out.count = count;
  out.allPrepared = true;
  return true;
#else
  (void)x, (void)rounding, (void)out;
  return false;
#endif
}

bool extendBlockValues(const float *x, size_t upTo, Rounding rounding, MsfpCompactBatch &out) {
  if (!out.valuesOnly || out.values.empty())
    return false;
  upTo = std::min(upTo, out.count);
  if (upTo <= out.valuesReady)
    return true;
  const int mx = 2 - static_cast<int>(out.weightMantissaBits) - out.base;
  if (roundBlockValues(x, out.valuesReady, upTo, mx, rounding, out))
    return true;
  out.valuesOnly = false;
  out.allPrepared = false;
  return false;
}

bool prepareCompactRuns(const float *src, const int64_t *bases, size_t count, size_t blocks, const BlockRun *runs,
                        const uint32_t *runStart, const NumberFormat &fmt, Rounding rounding,
                        unsigned weightMantissaBits, MsfpCompactBatch &out) {
  if (!isCompactMsfp(fmt) || weightMantissaBits > 7 || blocks == 0 || fmt.blockSize != 16)
    return false;
#if defined(SOFTNPU_BATCH_X86)
  if (!haveAvx512ForMsfp16())
    return false;
  const int mx = static_cast<int>(fmt.mantissaBits), mw = static_cast<int>(weightMantissaBits);
  const int32_t maxQ = (1 << mx) - 1;
  shapeBatch(out, count, blocks, 16, 4, weightMantissaBits, 2 - mw - mx);
  switch (rounding) {
  case Rounding::NearestEven:
    batchRuns16<Rounding::NearestEven>(src, bases, count, blocks, runs, runStart, mx, maxQ, mw, out);
    break;
  case Rounding::NearestAway:
    batchRuns16<Rounding::NearestAway>(src, bases, count, blocks, runs, runStart, mx, maxQ, mw, out);
    break;
  case Rounding::TowardZero:
    batchRuns16<Rounding::TowardZero>(src, bases, count, blocks, runs, runStart, mx, maxQ, mw, out);
    break;
  }
  return true; // finishPieces summarized the batch
#else
  (void)src, (void)bases, (void)count, (void)runs, (void)runStart, (void)rounding, (void)out;
  return false;
#endif
}

namespace {

/// gatherCompactBatch's per-piece work; Q = quads per block when known at
/// compile time (a constant-size copy per block, no libc call), else 0.
template <size_t Q>
void gatherPieces(const MsfpCompactBatch &source, const int32_t *src, size_t srcStride, size_t count, size_t blocks,
                  size_t checked, MsfpCompactBatch &out) {
  const size_t quads = Q ? Q : source.quads;
  const int32_t zeroExp = kMinExp + source.base; // an all-zero block's, as prepareCompactBatch gives it
  for (size_t p = 0; p < count; ++p) {
    const int32_t *from = src + p * srcStride;
    bool finite = true;
    for (size_t b = blocks; b < checked && finite; ++b) // blocks past n: only a NaN or Inf there counts
      finite = from[b] < 0 || source.prepared[static_cast<size_t>(from[b])];
    int32_t *q8 = out.quad8.data() + p * blocks * quads;
    int32_t *corr = out.corr.data() + p * blocks, *expAdd = out.expAdd.data() + p * blocks;
    uint32_t *active = out.active.data() + p * blocks;
    uint32_t activeCount = 0;
    int minScale = kMaxExp, maxScale = kMinExp;
    for (size_t b = 0; b < blocks && finite; ++b) {
      const int32_t s = from[b];
      if (s < 0) {
        std::fill(q8 + b * quads, q8 + (b + 1) * quads, 0);
        corr[b] = 0;
        expAdd[b] = zeroExp;
        continue;
      }
      const size_t at = static_cast<size_t>(s);
      finite = source.prepared[at] != 0;
      std::memcpy(q8 + b * quads, source.quad8.data() + at * quads, quads * sizeof(int32_t));
      corr[b] = source.corr[at];
      expAdd[b] = source.expAdd[at];
      if (source.activeCount[at]) {
        active[activeCount++] = static_cast<uint32_t>(b);
        minScale = std::min<int>(minScale, source.activeMinScale[at]);
        maxScale = std::max<int>(maxScale, source.activeMaxScale[at]);
      }
    }
    out.prepared[p] = finite ? 1 : 0; // a piece with a NaN or Inf block is left to the general path
    out.activeCount[p] = activeCount;
    out.activeMinScale[p] = static_cast<int16_t>(minScale);
    out.activeMaxScale[p] = static_cast<int16_t>(maxScale);
  }
}

} // namespace

bool gatherCompactBatch(const MsfpCompactBatch &source, const int32_t *src, size_t srcStride, size_t count, size_t n,
                        size_t scan, MsfpCompactBatch &out) {
  if (source.blocks != 1 || source.k == 0 || n == 0 || source.valuesOnly)
    return false;
  const size_t k = source.k, blocks = (n + k - 1) / k;
  const size_t checked = std::max(blocks, (scan + k - 1) / k);
  shapeBatch(out, count, blocks, source.k, source.quads, source.weightMantissaBits, source.base);
  if (source.quads == 4)
    gatherPieces<4>(source, src, srcStride, count, blocks, checked, out);
  else
    gatherPieces<0>(source, src, srcStride, count, blocks, checked, out);
  return true;
}

} // namespace softnpu::numerics
