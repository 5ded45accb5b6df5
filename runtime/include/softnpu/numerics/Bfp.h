//===- Bfp.h - Block formats: quantize, pack, dot product -----------------===//
//
// The one implementation of the NPU's block-format arithmetic (MSFP-style
// block floating point and OCP MX). The compiler's weight rounding and packing
// and the simulator's matrix-vector unit both call it; nothing else may round
// to a block format. Rules (docs/numerics.md):
//
//  * A block is `blockSize` consecutive elements; a vector of n elements has
//    ceil(n / blockSize) blocks, the last one zero-padded. Callers quantize
//    each native vector (N elements) separately, so blocks never straddle one.
//  * SignMagnitude (MSFP): shared exponent E = max floor(log2|x|) over the
//    finite non-zero elements, clamped to [kMinExp, kMaxExp] (kMinExp for an
//    all-zero block); q_i = round(x_i / 2^(E-m+1)) in the rounding mode,
//    saturated to +-(2^m - 1).
//  * MX (OCP MX v1.0): scale exponent X = floor(log2 max|x|) - emax(element),
//    clamped to [-127, 127] (-127 for an all-zero block); each x_i / 2^X is
//    rounded to the element type (with its subnormals) in the rounding mode and
//    saturated to the element type's largest finite magnitude. MXINT8 elements
//    are q * 2^-6 with q in [-127, 127].
//  * NaN or +-Inf anywhere in a block makes the whole block NaN.
//  * Dot product of two block vectors (same block size and length): per block
//    the exact sum of the element products, rounded once to fp32
//    (nearest-even); the block results are accumulated in fp32 in increasing
//    block order, starting from `init`. A NaN block makes the result NaN.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_NUMERICS_BFP_H
#define SOFTNPU_NUMERICS_BFP_H

#include "softnpu/UninitializedAllocator.h"
#include "softnpu/numerics/Format.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace softnpu::numerics {

constexpr int kMinExp = -126; ///< SignMagnitude shared exponent range
constexpr int kMaxExp = 127;

/// A quantized vector of a block format, decoded for arithmetic: element i of
/// block b has the value significand[i] * 2^(exponent[i] + scale[b]).
struct BfpVector {
  NumberFormat format;
  std::vector<int16_t> scales;       ///< per block: shared exponent / E8M0 scale exponent
  std::vector<uint8_t> nanBlocks;    ///< per block, 1 = block is NaN
  std::vector<int16_t> significands; ///< per element, zero-padded to whole blocks
  std::vector<int8_t> exponents;     ///< per element
  size_t size() const { return significands.size(); }
  size_t numBlocks() const { return scales.size(); }
};

/// Quantizes `n` floats to a block format. Returns an empty vector when `fmt`
/// is not a valid block format.
BfpVector quantize(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding);
/// Same, reusing `out`'s storage (hot loops). MSFP formats take a fused
/// path that gives the same result as the reference.
void quantizeInto(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out);
/// quantizeInto through the rules of every element type: the reference the
/// fused path is tested against (and the reference paths build on).
void quantizeIntoReference(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, BfpVector &out);
/// Writes the values a BfpVector represents (n elements) to `out`.
void dequantize(const BfpVector &v, size_t n, float *out);
/// Rounds x[0..n) in place to what `fmt` can represent, blocks restarting
/// every `vectorLength` elements (0 = one run of n). fp32: no-op; bf16/fp16:
/// element-wise rounding; block formats: quantize + dequantize.
/// MSFP formats take a fused path that gives the same bits as the reference.
void roundTrip(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength = 0);
/// roundTrip done as quantize + dequantize for every format: the reference
/// the fused path is tested against.
void roundTripReference(float *x, size_t n, const NumberFormat &fmt, Rounding rounding, size_t vectorLength = 0);
/// One value to a scalar format (fp32, bf16, fp16) as IEEE conversion does in
/// the rounding mode: nearest modes overflow to +-inf, toward-zero to +-max;
/// subnormals kept; NaN stays NaN.
float roundScalar(float x, const NumberFormat &fmt, Rounding rounding);

/// Dot product of two block vectors of equal length and block size, in the
/// documented order, added to `init` in fp32. NaN on mismatch.
float dot(const BfpVector &w, const BfpVector &x, float init);
/// dot(w, x', init) where x' is x's first w.size() elements (x may be longer:
/// a matrix row stored at its real extent, times a whole native vector). NaN
/// on mismatch or when x is shorter than w.
float dotLeading(const BfpVector &w, const BfpVector &x, float init);

/// A matrix in a narrow MSFP format (SignMagnitude, m <= 7, even block size
/// k), laid out for matVecCompactMsfp. Rows are taken in groups of eight (a
/// short last group is padded with zero rows); per group and block, the
/// block's elements in quads of four (k rounded up to a multiple of 4, the
/// extra elements 0), and per quad 32 bytes: row r's four elements at bytes
/// 4r..4r+3, each stored as the byte q + 2^m (1 .. 2^(m+1) - 1; so that one
/// unsigned-by-signed byte product instruction applies; the kernel subtracts
/// 2^m times the input block's sum). Holds the same values as the rows'
/// BfpVectors; only the simulator's hot loop uses it (docs/numerics.md).
struct MsfpCompactMatrix {
  static constexpr size_t kGroupRows = 8;  ///< rows per group
  static constexpr size_t kQuadBytes = 32; ///< one quad of a group: 8 rows x 4 bytes
  /// Storage of the biased significand bytes, 64-byte aligned as built (a
  /// copy may not be; the kernels do not rely on it).
  struct AlignedBytes {
    std::vector<uint8_t> storage;
    size_t offset = 0;
    const uint8_t *data() const { return storage.data() + offset; }
    uint8_t *data() { return storage.data() + offset; }
  };
  size_t rows = 0, n = 0, blocks = 0;
  unsigned k = 0, mantissaBits = 0;
  unsigned quads = 0; ///< ceil(k / 4)
  AlignedBytes sig;   ///< groups * blocks * quads * kQuadBytes
  /// groups * blocks * 8: block scale + 127; all-zero and NaN blocks and
  /// padding rows (whose value does not depend on it) hold the group's
  /// smallest scale of a non-zero block instead.
  std::vector<uint8_t> scales;
  std::vector<uint8_t> nan;                          ///< groups * blocks * 8
  std::vector<uint8_t> zeroGroup;                    ///< per group: 1 = no NaN block, every significand 0
  std::vector<uint8_t> groupNan;                     ///< per group: 1 = some block is NaN
  std::vector<int16_t> groupMinScale, groupMaxScale; ///< per group, over its non-zero, non-NaN blocks (kMinExp if none)
  /// Over the groups that are neither all-zero nor NaN: the smallest
  /// groupMinScale and the largest groupMaxScale; and whether a group holds
  /// a NaN block (true until makeCompactMsfp has looked). The kernels check
  /// an input against the whole range once instead of group by group.
  int normalMinScale = kMaxExp, normalMaxScale = kMinExp;
  bool anyGroupNan = true;
  /// Sparse matrices only (at most a quarter of the group x block pairs hold a
  /// non-zero significand or a NaN, e.g. a depthwise convolution's
  /// block-diagonal matrix; else both are empty): the blocks of group g that
  /// do, increasing, at groupBlocks[groupBlockStart[g] .. groupBlockStart[g + 1]).
  /// The kernels skip the others, whose value is +0 for every row.
  std::vector<uint32_t> groupBlockStart, groupBlocks;
  /// Sparse matrices only: how many groups from g on the kernels take in one
  /// pass (1, 2 or 4: more only when the groups use nearly the same blocks,
  /// since each group of a pass walks the union of their blocks; a depthwise
  /// matrix's groups go in pairs), and that union, increasing, at
  /// spanBlocks[spanBlockStart[g] .. spanBlockStart[g + 1]).
  std::vector<uint8_t> spanGroups;
  std::vector<uint32_t> spanBlockStart, spanBlocks;
  /// Sparse matrices only: per group, 1 when in each block it uses, each row
  /// holds at most one non-zero significand, row r's at element base + r (a
  /// depthwise convolution's diagonal; no NaN): the kernels then take one
  /// product per row and block. Per entry of groupBlocks: that base, the 8
  /// rows' significands (0 for an all-zero row) and their scale bytes (as in
  /// `scales`, but next to each other: the kernels read nothing else of w).
  std::vector<uint8_t> groupDiagonal, diagonalBase, diagonalScales;
  std::vector<int32_t> diagonalWeights;
  /// Per group: how many whole diagonal groups from g on, using the same
  /// number of blocks, the kernels can take together (1, 2 or 4; 0 when g
  /// is not diagonal).
  std::vector<uint8_t> diagonalSpan;
  /// When row 16G + j of every 16-row group holds non-zero significands at
  /// element j of its blocks only (a depthwise convolution whose channels
  /// are a multiple of 16, sparse or not) and no block is NaN, else empty:
  /// per 16-row group G, the blocks some of its rows use, at
  /// depthwiseBlocks[depthwiseStart[G] .. depthwiseStart[G + 1]), each with
  /// the 16 rows' significands and scale bytes (matVecDepthwiseGathered).
  std::vector<uint32_t> depthwiseStart, depthwiseBlocks;
  std::vector<int32_t> depthwiseWeights;
  std::vector<uint8_t> depthwiseScales;
  /// The same 16 weights per entry as floats (significand x 2^scale), when
  /// every one is normal or zero, else empty: the products with a source's
  /// `values` are then exact, one fused multiply-add each.
  std::vector<float> depthwiseValues;
  /// Whether there is a depthwise table and depthwiseValues holds all of it
  /// (a tile of the grid that holds only zeros has no entries, and no values).
  bool hasDepthwiseValues() const {
    return !depthwiseStart.empty() && depthwiseValues.size() == depthwiseWeights.size();
  }
  size_t groups() const { return zeroGroup.size(); }
  bool sparse() const { return !groupBlockStart.empty(); }
  bool empty() const { return rows == 0; }
};

/// True when `fmt` is MSFP with m <= 7 and an even block size (compact form).
bool isCompactMsfp(const NumberFormat &fmt);
/// Builds the compact form of `rows` (each of the same compact MSFP format and
/// length). Returns false (and leaves `out` empty) otherwise.
bool makeCompactMsfp(const std::vector<BfpVector> &rows, MsfpCompactMatrix &out);
/// acc[r] = dot(row r of w, x, acc[r]) for every row r, bit-identical to
/// dot() (same exact block sums, same single rounding per block, same fp32
/// order per row). x may have more blocks than w's rows (a matrix stored at
/// its real extent): the rows then count as zero-padded to x's length, whose
/// extra blocks add +0 (turning a -0 accumulator into +0); when one of those
/// extra blocks is NaN it returns false instead. Blocks whose contribution is an exact +0 for every row
/// (input block all zero and not NaN, or a row group all zero, with no NaN
/// weight block involved) are skipped; a skipped +0 only matters to an
/// accumulator holding -0, which is then made +0 as the addition would.
/// Returns false (acc untouched) when x is not compact MSFP of w's block size
/// and length, or holds a significand or scale outside its format's range.
bool matVecCompactMsfp(const MsfpCompactMatrix &w, const BfpVector &x, float *acc);

/// `count` input pieces of matVecCompactMsfp (the inputs of many mv_muls,
/// say one per output pixel of a convolution), quantized and laid out
/// together for any number of compact matrices of one block size and weight
/// mantissa width (prepareCompactBatch). Per piece and block: the
/// significands as int8 quads, the correction for the biased weight
/// bytes, the exponent; per piece, its non-zero blocks. Filled only by
/// numerics; callers keep one between calls so that its storage is reused.
struct MsfpCompactBatch {
  size_t count = 0, blocks = 0; ///< pieces; blocks per piece
  unsigned k = 0, quads = 0, weightMantissaBits = 0;
  int base = 0;                        ///< 2 - mw - mx: E = wScale + xScale + base
  std::vector<int32_t> quad8;          ///< count x blocks x quads: 4 significands as int8 bytes
  std::vector<int32_t> corr;           ///< count x blocks: -(2^mw * sum of the block's significands)
  std::vector<int32_t> expAdd;         ///< count x blocks: xScale + base
  std::vector<uint32_t> active;        ///< count x blocks: piece p's non-zero blocks from p x blocks, increasing
  std::vector<uint32_t> activeCount;   ///< per piece
  std::vector<int16_t> activeMinScale; ///< per piece, over its active blocks
  std::vector<int16_t> activeMaxScale;
  std::vector<uint8_t> prepared; ///< per piece: 0 when it holds NaN or Inf (not prepared)
  /// Over all pieces, as prepareCompactBatch and prepareCompactRuns leave
  /// them (false / empty range otherwise): every piece prepared, and the
  /// scale range of their active blocks.
  bool allPrepared = false;
  int activeScaleLo = kMaxExp, activeScaleHi = kMinExp;
  std::vector<uint8_t> nan;  ///< blocks zeros (a prepared piece has no NaN block)
  std::vector<uint32_t> all; ///< 0 .. blocks - 1
  /// One-block pieces only: each piece's 16 values (significand x
  /// 2^(expAdd)), when dequantizeBlocks made them; empty otherwise (every
  /// prepare or gather empties it). As bfloat16, the upper half of each
  /// float's bits, which holds all of it (at most 8 significant bits, a
  /// normal exponent; blockValue widens one): half the bytes for the
  /// depthwise kernels to read.
  UninitializedVector<uint16_t> values;
  /// Made by prepareBlockValues: only the shape, the summary (allPrepared,
  /// the active scale range) and `values`; the per-piece arrays are empty.
  /// Only the depthwise kernels (and depthwiseSourcesReady, dequantizeBlocks)
  /// take such a batch; gatherCompactBatch refuses it.
  bool valuesOnly = false;
  /// Values-only: blocks [0, valuesReady) are rounded; the summary covers
  /// them only (prepareBlockValues' `ready`, extendBlockValues).
  size_t valuesReady = 0;
};

/// Element i of b.values as a float.
inline float blockValue(const MsfpCompactBatch &b, size_t i) {
  const uint32_t bits = uint32_t{b.values[i]} << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// Quantizes `count` pieces of n elements (piece p: x[p * stride, p * stride
/// + n), of which only the first `filled` are read: the rest are zeros) to
/// `fmt` with `rounding`, each exactly as quantizeInto does it, straight
/// into the kernels' layout for weights with `weightMantissaBits` (the
/// simulator's mv_mul inputs, with no BfpVector in between). A piece holding
/// a NaN or an infinity is left unprepared (prepared[p] = 0): the caller takes
/// quantizeInto and matVecCompactMsfp(w, BfpVector) for it. Returns false
/// when `fmt` is not compact MSFP or n is 0.
bool prepareCompactBatch(const float *x, size_t stride, size_t count, size_t n, size_t filled, const NumberFormat &fmt,
                         Rounding rounding, unsigned weightMantissaBits, MsfpCompactBatch &out);

/// A map's `count` blocks of 16 (x[16 b, 16 b + 16)) rounded to `fmt` as
/// prepareCompactBatch(x, 16, count, 16, 16, ...) then dequantizeBlocks
/// give them, without the significands (MsfpCompactBatch::valuesOnly): what
/// a depthwise matrix reads. False (the caller then prepares the map in
/// full) unless `fmt` is compact MSFP with blocks of 16 and the CPU has
/// AVX-512, or when a block holds NaN or Inf, needs the generic loop, or
/// leaves the range dequantizeBlocks allows.
/// With `ready` < count, only blocks [0, ready) are rounded now, and
/// extendBlockValues rounds the others when they are needed: a convolution
/// then reads each block soon after it is rounded, from the cache, where a
/// large map rounded whole would have left it.
bool prepareBlockValues(const float *x, size_t count, const NumberFormat &fmt, Rounding rounding,
                        unsigned weightMantissaBits, MsfpCompactBatch &out, size_t ready);
inline bool prepareBlockValues(const float *x, size_t count, const NumberFormat &fmt, Rounding rounding,
                               unsigned weightMantissaBits, MsfpCompactBatch &out) {
  return prepareBlockValues(x, count, fmt, rounding, weightMantissaBits, out, count);
}

/// Rounds the blocks of a values-only batch up to `upTo` (x as given to
/// prepareBlockValues). False, leaving `out` without values (not
/// valuesOnly), when a block is one prepareBlockValues would refuse.
bool extendBlockValues(const float *x, size_t upTo, Rounding rounding, MsfpCompactBatch &out);

/// Pieces assembled from blocks quantized once (a convolution's map, whose
/// every block most windows read several times): `source` holds one block
/// per piece (prepareCompactBatch with n = k). Piece p's block b is source
/// piece src[p * srcStride + b], or a block of zeros where that is negative;
/// a piece is n elements long (blocks of k; n past the last whole block
/// counts its block). A piece any of whose first max(blocks of n, blocks of
/// `scan`) entries names an unprepared source block (NaN or Inf) is left
/// unprepared. The result is what prepareCompactBatch gives for the pieces'
/// elements. False when `source` does not hold single blocks.
bool gatherCompactBatch(const MsfpCompactBatch &source, const int32_t *src, size_t srcStride, size_t count, size_t n,
                        size_t scan, MsfpCompactBatch &out);

/// Up to 16 consecutive elements of a block, read from a source: lane l of
/// the block, for each bit l of `mask`, is source element `from` + l.
struct BlockRun {
  int64_t from = 0;
  uint16_t mask = 0;
};

/// prepareCompactBatch for pieces assembled from runs of a source instead of
/// copied out first (a convolution's windows, read straight from its
/// feature map): piece p's block b holds, for each run r of runs[runStart[b],
/// runStart[b + 1]), src[bases[p] + r.from + l] at lane l of r.mask, and
/// zero at the lanes no run covers; the runs of a block do not overlap. The
/// pieces are `blocks` blocks of 16 long. The result is what
/// prepareCompactBatch gives for the assembled elements. False (nothing
/// done) unless `fmt` is compact MSFP with blocks of 16 and the CPU has
/// AVX-512: the caller then assembles the pieces itself.
bool prepareCompactRuns(const float *src, const int64_t *bases, size_t count, size_t blocks, const BlockRun *runs,
                        const uint32_t *runStart, const NumberFormat &fmt, Rounding rounding,
                        unsigned weightMantissaBits, MsfpCompactBatch &out);

/// Adds to acc[p x accStride + r], for every row r of a depthwise matrix (w
/// with a depthwise table, see MsfpCompactMatrix::depthwiseStart) and pieces
/// p in [0, count), the products with pieces assembled from single source
/// blocks as gatherCompactBatch assembles them (piece p's block b is source
/// piece src[p x srcStride + b], zeros where negative; b < w.blocks), without
/// assembling them: the same bits as gatherCompactBatch then
/// matVecCompactMsfpBatch, given depthwiseSourcesReady. With source.values
/// and w's float diagonal, and depthwiseProductsExact, one fused multiply-add
/// per block; else the integer products. False, with acc untouched, when w
/// has no depthwise table (or no float diagonal for a values-only source) or
/// the CPU has no AVX-512.
bool matVecDepthwiseGathered(const MsfpCompactMatrix &w, const MsfpCompactBatch &source, const int32_t *src,
                             size_t srcStride, size_t count, float *acc, size_t accStride);
/// Fills source.values for a batch of one-block pieces of 16 (a map
/// quantized once), scaled so that a product with a depthwise matrix's
/// depthwiseValues is the exact product matVecDepthwiseGathered adds. False
/// (values left empty) unless every piece is prepared and every value is a
/// normal float or zero.
bool dequantizeBlocks(MsfpCompactBatch &source);
/// The float diagonals of depthwise matrices side by side (the tile columns
/// of one tile row), merged: per 16-row group g, entries [start[g],
/// start[g + 1]), each an input block (counted from the first matrix's
/// first block) and its 16 rows' weights (values, 16 per entry); a group's
/// entries in matrix order, then block order, the order in which
/// matVecDepthwiseGathered over the matrices one after the other adds them.
struct DepthwiseValues {
  std::vector<uint32_t> start, blocks;
  std::vector<float> values;
};
/// Whether every product of a source block's value and a weight with scale
/// at most wMaxScale is below 2^128, so exact: only then may a fused
/// multiply-add stand for the product rounded, then added (an overflowing
/// product is +-Inf first). The float kernels need it; the integer kernel
/// does not.
bool depthwiseProductsExact(int wMaxScale, const MsfpCompactBatch &source);
/// A depthwise matrix of a tile row and its first input block, counted from
/// the first matrix's.
struct DepthwisePart {
  const MsfpCompactMatrix *w;
  uint32_t blockOffset;
};
/// The merged float diagonals of `parts` (MsfpCompactMatrix::depthwiseValues),
/// in their order; false when one has no float diagonal.
bool mergeDepthwiseValues(const std::vector<DepthwisePart> &parts, DepthwiseValues &table);
/// matVecDepthwiseGathered over all the matrices of `table` at once (each
/// accumulator loaded and stored once, not once per matrix): the same bits,
/// given depthwiseSourcesReady, depthwiseProductsExact and source.values
/// (dequantizeBlocks). False, with acc untouched, when the table is empty,
/// the source has no values or the CPU has no AVX-512. With `fresh`, acc's
/// first 16 x (table.start.size() - 1) rows of each piece are taken as +0
/// and written, not read (the caller need not clear them).
bool matVecDepthwiseValues(const DepthwiseValues &table, const MsfpCompactBatch &source, const int32_t *src,
                           size_t srcStride, size_t count, float *acc, size_t accStride, bool fresh = false);
/// A merged table's entries addressed from a base block (a convolution's
/// interior pixel, whose input block b is the map block at its base plus
/// blockOffsets[b]): per group g, entries [start[g], start[g + 1]), each a
/// table entry and the offset of its input block; entries whose block is
/// zeros for every such pixel (blockOffsets[b] < 0) are left out (they add
/// +0, which changes nothing).
struct DepthwiseOffsets {
  std::vector<uint32_t> start, entry;
  std::vector<int32_t> offset;
};
/// The offsets of `table`'s entries from blockOffsets (one per input block
/// of the window; the table's blocks must be below its size).
void offsetDepthwiseValues(const DepthwiseValues &table, const std::vector<int32_t> &blockOffsets,
                           DepthwiseOffsets &out);
/// A merged table's groups as K_H x K_W taps whose columns lie a fixed
/// number of blocks apart (a convolution's taps over channel block G of
/// the map), for runs of interior pixels STRIDE_W columns apart: per group,
/// the offset of each kernel row's first tap from a pixel's base, and the
/// weights of every tap in tap order (zeros for a tap without an entry,
/// which adds +0 as leaving it out does). Columns are `unit` blocks (IN_C /
/// 16); strideW and dilW count columns.
struct DepthwiseDense {
  uint32_t kH = 0, kW = 0, strideW = 0, dilW = 0, unit = 0;
  std::vector<int32_t> rowOffset; ///< groups x kH
  std::vector<float> weights;     ///< groups x kH x kW x 16
};
/// Makes `out` from a merged table whose input blocks are window blocks
/// (tap t's blocks: [t x unit, (t + 1) x unit)) with blockOffsets as for
/// offsetDepthwiseValues; false unless every group's entries read one
/// channel block, in tap order, each tap at its kernel row's offset plus
/// kw x dilW x unit.
bool denseDepthwiseValues(const DepthwiseValues &table, const std::vector<int32_t> &blockOffsets, uint32_t kH,
                          uint32_t kW, uint32_t strideW, uint32_t dilW, uint32_t unit, DepthwiseDense &out);
/// A border pixel's window for the dense kernels: the source block its tap
/// (0, 0) would read (it may lie outside the map, as may any tap outside
/// the ranges) and the kernel rows [kh0, kh1) and columns [kw0, kw1) that
/// lie inside the map. The taps outside read zeros, which add +0 (nothing),
/// so the pixel is the sum of the taps inside, in tap order. kh1 = 0: no
/// window (the pixel goes through its source list).
struct BorderWindow {
  int64_t base = 0;
  uint8_t kh0 = 0, kh1 = 0, kw0 = 0, kw1 = 0;
};

/// matVecDepthwiseValues with `fresh`, where piece p with bases[p] >= 0
/// reads its blocks at source block bases[p] + the entries' offsets (`at`,
/// made from `table`) instead of through src (not read for it): the same
/// bits as matVecDepthwiseValues when src names those blocks. With `dense`
/// (made from `table`), runs of interior pixels one stride apart are
/// multiplied together, each input block loaded once for all the taps of
/// the run that read it, and a border pixel with a window (`border`, per
/// piece; may be null) reads the taps inside it from its base instead of
/// through src: the same operations per accumulator in the same order.
bool matVecDepthwiseValuesAt(const DepthwiseValues &table, const DepthwiseOffsets &at, const MsfpCompactBatch &source,
                             const int32_t *src, size_t srcStride, const int64_t *bases, size_t count, float *acc,
                             size_t accStride, const DepthwiseDense *dense = nullptr,
                             const BorderWindow *border = nullptr);
/// Whether src[0, entries) names prepared source blocks only (no NaN or Inf)
/// whose non-zero ones' scales, with weight scales in [wMinScale, wMaxScale],
/// keep every block value's exponent in the normal range: the condition of
/// matVecDepthwiseGathered's bits (the general way otherwise).
bool depthwiseSourcesReady(const MsfpCompactBatch &source, const int32_t *src, size_t entries, int wMinScale,
                           int wMaxScale);

/// The instruction sets matVecCompactMsfp can use; all give the same bits.
/// Auto picks the best the CPU has (AVX-512 with VNNI, AVX2 with VNNI, AVX2,
/// SSE2, portable). Avx512Vnni differs from Avx2Vnni only in batches
/// (matVecCompactMsfpBatch), where it takes two groups of 8 rows per vector.
enum class CompactKernel { Auto, Portable, Sse2, Avx2, Avx2Vnni, Avx512Vnni };
/// Whether this build and CPU can run `kernel` (Auto and Portable: always).
bool compactKernelAvailable(CompactKernel kernel);
/// matVecCompactMsfp with a chosen kernel (tests and benchmarks); false also
/// when the kernel is not available.
bool matVecCompactMsfp(const MsfpCompactMatrix &w, const BfpVector &x, float *acc, CompactKernel kernel);
/// For every prepared piece p of `in`: matVecCompactMsfp(w, x_p, acc + p *
/// accStride), the same bits, for the x_p it was prepared from; unprepared
/// pieces' accumulators are untouched. False (nothing touched) when `in` was
/// prepared for another block size or weight mantissa width, or has fewer
/// blocks than w.
bool matVecCompactMsfpBatch(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t accStride,
                            CompactKernel kernel = CompactKernel::Auto);

/// fp32 reference dot product in the documented order: acc += w[i] * x[i],
/// i increasing, no fused multiply-add.
float dotFp32(const float *w, const float *x, size_t n, float init);

/// Weight-image packing of one matrix row of n elements (docs/artifact-format.md):
///  fp32 : n little-endian IEEE floats.
///  block: per block, 1 byte biased scale (scale + 127; 0xFF marks a NaN
///         block), then blockSize element codes of elementBits() bits each,
///         packed LSB first, the block padded to a whole byte; a short last
///         block stores only its own n mod blockSize codes.
size_t packedRowBytes(const NumberFormat &fmt, size_t n);
void packRow(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out);
/// packRow done as quantize + encode for every format: the reference the
/// fused MSFP path of packRow is tested against.
void packRowReference(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out);
/// Inverse of packRow for block formats.
BfpVector unpackRowBfp(const uint8_t *in, size_t n, const NumberFormat &fmt);
/// The instruction sets unpackRowBfp can decode with; all give the same
/// bits. Auto picks the best the CPU has (AVX2, else portable).
enum class DecodeKernel { Auto, Portable, Avx2 };
/// Whether this build and CPU can run `kernel` (Auto and Portable: always).
bool decodeKernelAvailable(DecodeKernel kernel);
/// unpackRowBfp into `out`, reusing its storage (loading weights), with a
/// chosen kernel. False (and `out` empty) when `fmt` is not a valid block
/// format or the kernel is not available.
bool unpackRowBfpInto(const uint8_t *in, size_t n, const NumberFormat &fmt, BfpVector &out,
                      DecodeKernel kernel = DecodeKernel::Auto);
/// Inverse of packRow for any format, as floats.
void unpackRow(const uint8_t *in, size_t n, const NumberFormat &fmt, float *out);

} // namespace softnpu::numerics

#endif // SOFTNPU_NUMERICS_BFP_H
