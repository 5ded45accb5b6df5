//===- CompactMsfpDetail.h - Compact MSFP kernel: shared driver -----------===//
//
// The input side of matVecCompactMsfp (CompactInput, built once per call;
// InputView, what the kernels read of it or of one input of a batch) and
// the drivers every instruction-set variant shares (runCompactGroups, and
// runCompactBatch over the inputs of a batch):
// per group of 8 rows it decides which blocks can add anything but +0 and
// whether every block value is in the normal fp32 range, then calls the
// variant's vector code. The variants (CompactMsfp.cpp: portable, SSE2;
// CompactMsfpX86.cpp: AVX2, AVX2 + VNNI) differ only in how they compute the
// exact block sums and the block values, never in the arithmetic.
//
// Exactness (docs/numerics.md "Dot product"): a block's sum is
// sum_i w_i x_i over the block (|sum| < 2^22 for m <= 7), computed as
// sum_i (w_i + 2^mw) x_i - 2^mw sum_i x_i from the stored biased bytes; the
// block value is float(sum) * 2^E (the one rounding, narrowBlockValue);
// values are added to each row's fp32 accumulator in increasing block order.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_NUMERICS_COMPACTMSFPDETAIL_H
#define SOFTNPU_LIB_NUMERICS_COMPACTMSFPDETAIL_H

#include "BfpDetail.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace softnpu::numerics::detail {

constexpr size_t kGroupRows = MsfpCompactMatrix::kGroupRows;
constexpr size_t kQuadBytes = MsfpCompactMatrix::kQuadBytes;
/// Groups the vector kernels interleave on the normal-range path.
constexpr size_t kMultiGroups = 4;

/// One input vector of matVecCompactMsfp(w, BfpVector), prepared for the
/// kernels (prepareInput).
struct CompactInput {
  unsigned quads = 0;
  int base = 0;                 ///< 2 - mw - mx: E = wScale + xScale + base
  bool finite = true;           ///< no NaN block
  std::vector<int32_t> quad8;   ///< blocks * quads: 4 significands as int8 bytes (element 4q + j in byte j)
  std::vector<int16_t> quad16;  ///< blocks * quads * 4: the same as int16
  std::vector<int32_t> corr;    ///< per block: -(2^mw * sum of the block's significands)
  std::vector<int32_t> expAdd;  ///< per block: xScale + base (E + 127 = stored weight scale byte + expAdd)
  std::vector<uint8_t> nan;     ///< per block: NaN
  std::vector<uint32_t> active; ///< blocks with a non-zero significand, increasing
  std::vector<uint32_t> all;    ///< 0 .. blocks - 1
  int activeMinScale = 0, activeMaxScale = 0; ///< over `active`
};

/// What the kernels read of one prepared input piece (a CompactInput, or
/// one piece of a batch), by pointer: the arrays of CompactInput.
struct InputView {
  const int32_t *quad8 = nullptr;
  const int16_t *quad16 = nullptr;
  const int32_t *corr = nullptr, *expAdd = nullptr;
  const uint8_t *nan = nullptr;
  const uint32_t *active = nullptr, *all = nullptr;
  size_t activeCount = 0;
  unsigned quads = 0;
  int base = 0;
  int activeMinScale = 0, activeMaxScale = 0;
  bool finite = true;
};

inline InputView viewOf(const CompactInput &in) {
  InputView v;
  v.quad8 = in.quad8.data();
  v.quad16 = in.quad16.data();
  v.corr = in.corr.data();
  v.expAdd = in.expAdd.data();
  v.nan = in.nan.data();
  v.active = in.active.data();
  v.all = in.all.data();
  v.activeCount = in.active.size();
  v.quads = in.quads;
  v.base = in.base;
  v.activeMinScale = in.activeMinScale;
  v.activeMaxScale = in.activeMaxScale;
  v.finite = in.finite;
  return v;
}

/// x's blocks laid out for w (CompactInput.cpp); false when a significand
/// or scale of x is out of its format's range.
bool prepareInput(const MsfpCompactMatrix &w, const BfpVector &x, CompactInput &in);

/// The 4 int16 of an input quad as one 64-bit word.
inline int64_t loadQuad16(const int16_t *q) {
  int64_t v;
  std::memcpy(&v, q, sizeof v);
  return v;
}

/// Rows r of group g: a[r] += the values of blocks list[0..count) in order,
/// any block (NaN, any exponent), from the exact sums Sums(w, in, g, b, out).
template <void (*Sums)(const MsfpCompactMatrix &, const InputView &, size_t, size_t, int32_t *)>
void genericBlocks(const MsfpCompactMatrix &w, const InputView &in, size_t g, const uint32_t *list, size_t count,
                   float *a) {
  for (size_t i = 0; i < count; ++i) {
    const size_t b = list[i];
    int32_t sum[kGroupRows];
    Sums(w, in, g, b, sum);
    const uint8_t *sc = w.scales.data() + (g * w.blocks + b) * kGroupRows;
    const uint8_t *nn = w.nan.data() + (g * w.blocks + b) * kGroupRows;
    const int xe = in.expAdd[b] - kScaleBias;
    const bool xnan = in.nan[b] != 0;
    for (size_t r = 0; r < kGroupRows; ++r)
      a[r] = addNarrowBlock(a[r], xnan || nn[r], narrowBlockValue(sum[r], sc[r] + xe));
  }
}

/// Copies the rows of a last group shorter than 8 (not inlined: next to the
/// constant-size copies of whole groups, the compiler would merge both into
/// one variable-size memcpy call).
[[gnu::noinline]] inline void copyShortGroup(float *dst, const float *src, size_t lanes) {
  std::copy(src, src + lanes, dst);
}

using SumsFn = void (*)(const MsfpCompactMatrix &, const InputView &, size_t, size_t, int32_t *);
using NormalFn = void (*)(const MsfpCompactMatrix &, const InputView &, size_t, const uint32_t *, size_t, float *);
/// NormalFn for `groups` (2 or kMultiGroups) consecutive groups at once.
using MultiFn = void (*)(const MsfpCompactMatrix &, const InputView &, size_t, size_t, const uint32_t *, size_t,
                         float *);
/// NormalFn for `groups` (1, 2 or kMultiGroups) diagonal groups of a sparse
/// matrix (groupDiagonal) that use the same number of blocks: the blocks
/// they use whose entry of `isActive` is set (all when it is null), after
/// adding +0 to every accumulator when `plusZero` (see runCompactGroups).
using DiagonalFn = void (*)(const MsfpCompactMatrix &, const InputView &, size_t, size_t, const uint8_t *, bool,
                            float *);

/// The kernel of one instruction set: Sums computes a group's 8 exact block
/// sums; Normal adds blocks whose every value has its exponent in the normal
/// range (no NaN) to a[0..8); NormalMulti (may be null) does the same for 2
/// or kMultiGroups consecutive groups at once (a[0..8 x groups)), for more
/// independent work per step; Diagonal (may be null) does it for a diagonal
/// group with one product per row and block.
template <SumsFn Sums, NormalFn Normal, MultiFn NormalMulti = nullptr, DiagonalFn Diagonal = nullptr>
void runCompactGroups(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  const size_t groups = w.groups(), blocks = w.blocks, activeCount = in.activeCount;
  // A sparse w: per group (or span of groups, MsfpCompactMatrix::spanGroups)
  // only the active blocks its rows use (the others add +0 to every row,
  // which the +0 below stands for).
  thread_local std::vector<uint8_t> isActive;
  thread_local std::vector<uint32_t> list;
  const bool allActive = activeCount == blocks;
  if (w.sparse() && !allActive) {
    isActive.assign(blocks, 0);
    for (size_t i = 0; i < activeCount; ++i)
      isActive[in.active[i]] = 1;
  }
  // The blocks to add for groups g .. g + span - 1 (span 1 or spanGroups[g]).
  const auto blocksFor = [&](size_t g, size_t span) {
    if (!w.sparse())
      return std::pair<const uint32_t *, size_t>(in.active, activeCount);
    const uint32_t *first =
        span == 1 ? w.groupBlocks.data() + w.groupBlockStart[g] : w.spanBlocks.data() + w.spanBlockStart[g];
    const uint32_t *last =
        span == 1 ? w.groupBlocks.data() + w.groupBlockStart[g + 1] : w.spanBlocks.data() + w.spanBlockStart[g + 1];
    if (allActive)
      return std::pair<const uint32_t *, size_t>(first, static_cast<size_t>(last - first));
    list.clear();
    for (const uint32_t *b = first; b != last; ++b)
      if (isActive[*b])
        list.push_back(*b);
    return std::pair<const uint32_t *, size_t>(list.data(), list.size());
  };
  // Per group: 0 = nothing but +0 to add, 1 = the normal path, 2 = generic.
  // A finite input whose scales fit every non-zero group's range (one check
  // against their union) leaves only the all-zero test per group.
  const bool allNormal = in.finite && !w.anyGroupNan && activeCount != 0 &&
                         w.normalMinScale + in.activeMinScale + in.base >= -126 &&
                         w.normalMaxScale + in.activeMaxScale + in.base <= 127;
  const auto kind = [&](size_t g) {
    if (allNormal)
      return w.zeroGroup[g] ? 0 : 1;
    if (!in.finite || w.groupNan[g])
      return 2;
    if (w.zeroGroup[g] || activeCount == 0)
      return 0;
    return w.groupMinScale[g] + in.activeMinScale + in.base >= -126 &&
                   w.groupMaxScale[g] + in.activeMaxScale + in.base <= 127
               ? 1
               : 2;
  };
  // Whether groups g .. g + span - 1 (span > 1) are whole and all take the
  // normal path: then a multi-group kernel takes them together.
  const auto normalSpan = [&](size_t g, size_t span) {
    bool all = span > 1 && w.rows >= kGroupRows * (g + span);
    for (size_t j = 0; j < span && all; ++j)
      all = kind(g + j) == 1;
    return all;
  };
  // A diagonal group adds fewer blocks than all of them (see below) unless
  // it uses every block and every one is active (spans: all use as many).
  const auto diagonalPlusZero = [&](size_t g) {
    return !allActive || w.groupBlockStart[g + 1] - w.groupBlockStart[g] < blocks;
  };
  for (size_t g = 0; g < groups; ++g) {
    const size_t lanes = std::min(kGroupRows, w.rows - kGroupRows * g);
    const int k0 = kind(g);
    const bool diagonal = Diagonal != nullptr && w.sparse() && w.groupDiagonal[g];
    if constexpr (Diagonal != nullptr) {
      // Whole diagonal groups of one block count (diagonalSpan): up to
      // kMultiGroups at once (independent chains).
      const size_t span = diagonal ? w.diagonalSpan[g] : 0;
      if (normalSpan(g, span)) {
        Diagonal(w, in, g, span, allActive ? nullptr : isActive.data(), diagonalPlusZero(g), acc + kGroupRows * g);
        g += span - 1;
        continue;
      }
    }
    if constexpr (NormalMulti != nullptr) {
      const size_t span = diagonal ? 1 : w.sparse() ? w.spanGroups[g] : kMultiGroups;
      if (normalSpan(g, span)) {
        // Whole groups: the kernel works on acc itself (a copy through the
        // stack would wait for its wide stores at every step).
        float *a = acc + kGroupRows * g;
        const auto [use, count] = blocksFor(g, span);
        if (count < blocks)
          for (size_t r = 0; r < span * kGroupRows; ++r)
            a[r] = a[r] + 0.0f; // see below
        NormalMulti(w, in, g, span, use, count, a);
        g += span - 1;
        continue;
      }
    }
    // A whole group is worked on in acc; a short last one in a copy padded
    // to 8 rows (the kernels write 8).
    float part[kGroupRows] = {};
    float *a = acc + kGroupRows * g;
    if (lanes < kGroupRows) {
      copyShortGroup(part, a, lanes);
      a = part;
    }
    if (k0 == 2) {
      genericBlocks<Sums>(w, in, g, in.all, blocks, a);
    } else if (diagonal && k0 == 1) {
      if constexpr (Diagonal != nullptr)
        Diagonal(w, in, g, 1, allActive ? nullptr : isActive.data(), diagonalPlusZero(g), a);
    } else {
      // Only the active blocks can add anything but +0 (an all-zero input
      // block or weight row group has sum 0, value +0 for every exponent).
      // Adding +0 changes only a -0 accumulator (to +0), and after that the
      // accumulator never holds -0 again: one +0 up front stands for all the
      // skipped ones.
      const auto [use, count] = k0 == 1 ? blocksFor(g, 1) : std::pair<const uint32_t *, size_t>(nullptr, 0);
      if (count < blocks || k0 == 0)
        for (size_t r = 0; r < kGroupRows; ++r)
          a[r] = a[r] + 0.0f;
      if (k0 == 1)
        Normal(w, in, g, use, count, a);
    }
    if (lanes < kGroupRows)
      copyShortGroup(acc + kGroupRows * g, part, lanes);
  }
}

/// The batch's significands as int16 (widenQuads: for the kernels that read
/// them so; the batch holds int8 only). Valid until the next call on this thread.
const int16_t *widenQuads(const MsfpCompactBatch &in);

/// Piece p of a batch as the kernels see it against w (which may have fewer
/// blocks than the batch: the kernels then see w's blocks only); `quad16`,
/// when given, is widenQuads(in).
inline InputView batchView(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, size_t p,
                           const int16_t *quad16 = nullptr) {
  const size_t blocks = in.blocks, quads = in.quads;
  InputView v;
  v.nan = in.nan.data();
  v.all = in.all.data();
  v.quads = in.quads;
  v.base = in.base;
  v.finite = true; // a prepared piece has no NaN block
  v.quad8 = in.quad8.data() + p * blocks * quads;
  v.quad16 = quad16 ? quad16 + p * blocks * quads * 4 : nullptr;
  v.corr = in.corr.data() + p * blocks;
  v.expAdd = in.expAdd.data() + p * blocks;
  v.active = in.active.data() + p * blocks;
  v.activeCount = in.activeCount[p];
  v.activeMinScale = in.activeMinScale[p];
  v.activeMaxScale = in.activeMaxScale[p];
  if (blocks > w.blocks) {
    v.activeCount = 0;
    v.activeMinScale = kMaxExp;
    v.activeMaxScale = kMinExp;
    for (size_t i = 0; i < in.activeCount[p] && v.active[i] < w.blocks; ++i, ++v.activeCount) {
      const int scale = v.expAdd[v.active[i]] - in.base;
      v.activeMinScale = std::min(v.activeMinScale, scale);
      v.activeMaxScale = std::max(v.activeMaxScale, scale);
    }
  }
  return v;
}

/// Adds the products of pieces list[0..count) of a batch to their
/// accumulators (piece p's at acc + p * stride), for pieces whose every block
/// is non-zero and whose every group takes the normal path (runCompactBatch
/// picks them): several pieces per pass over w, sharing its loads.
using PiecesFn = void (*)(const MsfpCompactMatrix &, const MsfpCompactBatch &, const uint32_t *, size_t, float *,
                          size_t);

/// runCompactGroups for every prepared piece of a batch (piece p's
/// accumulators at acc + p * stride): one kernel choice for all of them.
/// Blocks past w's columns are finite and add +0 (turning -0 into +0). With
/// `Pieces`, the pieces it can take go to it together; its arithmetic is
/// the normal path's.
template <SumsFn Sums, NormalFn Normal, MultiFn NormalMulti = nullptr, PiecesFn Pieces = nullptr,
          DiagonalFn Diagonal = nullptr>
void runCompactBatch(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride,
                     const int16_t *quad16 = nullptr) {
  // Whole-matrix facts for the Pieces test (a piece qualifies when all its
  // blocks are active and every group is normal for it).
  bool plain = Pieces != nullptr && in.blocks == w.blocks && !w.sparse();
  int wMin = kMaxExp, wMax = kMinExp;
  for (size_t g = 0; g < w.groups() && plain; ++g) {
    plain = !w.groupNan[g] && !w.zeroGroup[g];
    wMin = std::min<int>(wMin, w.groupMinScale[g]);
    wMax = std::max<int>(wMax, w.groupMaxScale[g]);
  }
  thread_local std::vector<uint32_t> fast;
  if (fast.size() < in.count)
    fast.resize(in.count);
  if constexpr (Pieces != nullptr) {
    // Usually every piece qualifies, which the batch's summary shows for
    // all of them at once (its active scale range is over every block when
    // every block is active): no test per piece.
    if (plain && in.allPrepared && in.count != 0 && wMin + in.activeScaleLo + in.base >= -126 &&
        wMax + in.activeScaleHi + in.base <= 127) {
      uint32_t fewest = UINT32_MAX;
      for (size_t p = 0; p < in.count; ++p)
        fewest = std::min(fewest, in.activeCount[p]);
      if (fewest == w.blocks) {
        thread_local std::vector<uint32_t> all;
        for (size_t p = all.size(); p < in.count; ++p)
          all.push_back(static_cast<uint32_t>(p));
        Pieces(w, in, all.data(), in.count, acc, stride);
        return;
      }
    }
  }
  size_t fastCount = 0;
  for (size_t p = 0; p < in.count; ++p) {
    if (!in.prepared[p])
      continue;
    if (plain && in.activeCount[p] == w.blocks && wMin + in.activeMinScale[p] + in.base >= -126 &&
        wMax + in.activeMaxScale[p] + in.base <= 127) {
      fast[fastCount++] = static_cast<uint32_t>(p);
      continue;
    }
    float *a = acc + p * stride;
    runCompactGroups<Sums, Normal, NormalMulti, Diagonal>(w, batchView(w, in, p, quad16), a);
    if (in.blocks > w.blocks)
      for (size_t r = 0; r < w.rows; ++r)
        a[r] = a[r] + 0.0f;
  }
  if constexpr (Pieces != nullptr)
    if (fastCount != 0)
      Pieces(w, in, fast.data(), fastCount, acc, stride);
}

/// The instruction-set variants (each false when not built / not supported).
bool compactAvx2Supported();
bool compactAvx2VnniSupported();
bool compactAvx512VnniSupported();
void compactKernelAvx2(const MsfpCompactMatrix &w, const InputView &in, float *acc);
void compactKernelAvx2Vnni(const MsfpCompactMatrix &w, const InputView &in, float *acc);
void compactBatchAvx2(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride);
void compactBatchAvx2Vnni(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride);
void compactBatchAvx512Vnni(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride);

} // namespace softnpu::numerics::detail

#endif // SOFTNPU_LIB_NUMERICS_COMPACTMSFPDETAIL_H
