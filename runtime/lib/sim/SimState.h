//===- SimState.h - Internal state of the simulator (not installed) -------===//
//
// The machine state behind sim::Simulator and the pieces that act on it:
// the matrix register file with its matrix-vector product (MatrixUnit.cpp),
// the multifunction units' point-wise ops (Mfu.cpp), chain execution
// (Chain.cpp), a loop of one chain in one go (ChainLoop.cpp) and the program
// loop with its loop stack (Simulator.cpp).
// Helpers return false and set `what` to a message without location; the
// program loop prefixes the instruction index and disassembly.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_SIMSTATE_H
#define SOFTNPU_LIB_SIM_SIMSTATE_H

#include "WindowRuns.h"

#include "softnpu/UninitializedAllocator.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace softnpu::sim::detail {

/// Where a batch's interior pixels find their input blocks in a map
/// quantized once: piece p's block b is map block bases[p] + offsets[b]
/// when bases[p] >= 0 (offsets[b] < 0: a block of zeros). The window's
/// taps, K_H x K_W, are `unit` blocks each (IN_C / 16); consecutive pixels
/// of a row are strideW columns of taps apart, the taps of a kernel row
/// dilW (numerics::DepthwiseDense). A border pixel's window, when it has
/// one, is border[p] (numerics::BorderWindow; border may be null).
struct BlockBases {
  const int64_t *bases;
  const std::vector<int32_t> *offsets;
  uint32_t kH, kW, strideW, dilW, unit;
  const numerics::BorderWindow *border = nullptr;
};

/// The MRF: `numTiles` N x N tiles. Each tile remembers the format pair
/// (index into the artifact's format table) it was written with and its real
/// extent, rows x cols: the part that was written; every element outside it
/// is zero. It holds only those rows, in that pair's weight format: a block
/// format keeps one BfpVector of `cols` elements per row (blocks restart at
/// every row, so these are the leading blocks of the N-element row), fp32
/// keeps the floats. Tiles never written read as zero in any format (stored
/// lazily, so a large MRF costs nothing until used). mv_mul computes exactly
/// what the whole N x N tiles would give, spending no time on the zeros
/// outside the extents.
class MatrixRegisterFile {
public:
  /// Returns false with a reason when a format pair cannot be executed.
  bool init(const target::Target &t, const std::vector<artifact::FormatPair> &formats, std::string &what);

  uint32_t numTiles() const { return numTiles_; }
  unsigned nativeDim() const { return n_; }
  size_t numFormats() const { return formats_.size(); }
  /// Weights and inputs of `pair` both compact MSFP of one block size.
  bool compactPair(uint32_t pair) const { return compactPair_[pair] != 0; }
  const artifact::FormatPair &format(uint32_t pair) const { return formats_[pair]; }

  /// Stores a tile whose real part is `rows` x `cols` (<= N each) values,
  /// row i at values + i * stride; the rest of the tile is zero. Each row is
  /// quantized to formats[pair].weight.
  void storeTile(uint32_t tile, const float *values, size_t stride, uint32_t rows, uint32_t cols, uint32_t pair);
  /// Stores a tile from the weight image: its `rows` real rows, each of `cols`
  /// elements packed with numerics::packRow in formats[pair].weight
  /// (packedRowBytes(format, cols) bytes per row); the rest of the tile is
  /// zero. With `reuse`, `packed` must stay valid and unchanged for the
  /// session (the streamed-matrix image): the unpacked tile is kept and shared.
  void storePackedTile(uint32_t tile, const uint8_t *packed, uint32_t rows, uint32_t cols, uint32_t pair,
                       bool reuse = false);
  /// The tile's values, dequantized (N*N floats).
  void readTile(uint32_t tile, float *out) const;

  /// y (rows*N floats) = tile grid [first, first + rows*cols) times x
  /// (cols*N floats), in the documented order, with the input converted to
  /// formats[pair].input. Fails when a tile holds a weight format other than
  /// formats[pair].weight (checkTiles). Caller checks the tile range and
  /// `pair`; y must not overlap x.
  bool matVec(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y, uint32_t pair, std::string &what);
  /// Whether every tile of the grid holds formats[pair].weight (or nothing).
  bool checkTiles(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair, std::string &what) const;
  /// matVec for a caller that ran checkTiles already, knows that x's lanes
  /// from `nonZero` on are zero and wants only y's first `yLanes` lanes (the
  /// rest of y is left undefined): no check, no input cache (the loop fast
  /// path, ChainLoop.cpp, whose inputs change every iteration).
  void matVecFresh(uint32_t first, uint32_t rows, uint32_t cols, const float *x, size_t nonZero, float *y,
                   size_t yLanes, uint32_t pair) {
    matVecBatch(first, rows, cols, x, 0, 1, nonZero, y, 0, yLanes, pair);
  }
  /// matVecFresh for `count` inputs at once (input p at x + p * xStride, its
  /// result at y + p * yStride), the same bits as one by one: compact MSFP
  /// pairs quantize all inputs together and multiply each tile by all of
  /// them (a convolution's output pixels, ChainLoop.cpp). Lanes from
  /// `nonZero` on count as zero; they must hold zeros unless
  /// compactPair(pair), which never reads them.
  void matVecBatch(uint32_t first, uint32_t rows, uint32_t cols, const float *x, size_t xStride, size_t count,
                   size_t nonZero, float *y, size_t yStride, size_t yLanes, uint32_t pair);
  /// Whether `pair` is compact and every tile of the grid holds compact
  /// weights (or nothing): matVecBatch then takes the compact kernels.
  bool gridCompact(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair) const;
  /// gridCompact, with blocks of 16, and every tile that holds weights a
  /// depthwise matrix (numerics::MsfpCompactMatrix::depthwiseStart).
  bool depthwiseGrid(uint32_t first, uint32_t rows, uint32_t cols, uint32_t pair) const;
  /// For a depthwiseGrid: whether every tile that holds weights has a float
  /// diagonal (numerics::MsfpCompactMatrix::depthwiseValues).
  bool depthwiseValuesGrid(uint32_t first, uint32_t rows, uint32_t cols) {
    return depthwisePlan(first, rows, cols).usable;
  }
  /// For a depthwiseValuesGrid: whether its interior pixels at `at` go
  /// through the dense kernels (numerics::denseDepthwiseValues), and so its
  /// border pixels with a window (BlockBases::border) need no source list.
  bool depthwiseDenseGrid(uint32_t first, uint32_t rows, uint32_t cols, const BlockBases &at);
  /// matVecBatch for a grid with gridCompact() whose inputs are made of
  /// blocks quantized once (numerics::gatherCompactBatch: input p's block b
  /// is `blocks`' piece src[p * srcStride + b], or zeros where negative;
  /// srcStride covers COLS x N lanes). `input(p)` gives input p's floats,
  /// asked for only when it takes the general path (a block holding NaN or
  /// Inf), the lanes from `nonZero` on zero. The same bits as matVecBatch
  /// over those floats.
  /// False, with nothing done, only for a batch made by numerics::
  /// prepareBlockValues (valuesOnly) that the depthwise kernels refuse.
  /// `at`, when given, says where interior pixels' blocks are (the
  /// depthwise kernels may read them so; src names them too).
  bool matVecBatchGathered(uint32_t first, uint32_t rows, uint32_t cols, const numerics::MsfpCompactBatch &blocks,
                           const int32_t *src, size_t srcStride, size_t count, size_t nonZero,
                           const std::function<const float *(size_t)> &input, float *y, size_t yStride, size_t yLanes,
                           uint32_t pair, const BlockBases *at = nullptr);
  /// matVecBatch for one tile column (COLS = 1) of a grid with gridCompact()
  /// whose inputs are assembled from runs of `src` (numerics::
  /// prepareCompactRuns: input p's block b from runs[runStart[b],
  /// runStart[b + 1]) at src + bases[p]; `blocks` blocks of 16 lanes, which
  /// the tiles must reach exactly). `input(p)` gives input p's floats, asked
  /// for only when it takes the general path (NaN or Inf), the lanes from
  /// 16 x blocks on zero. The same bits as matVecBatch over those floats.
  /// False, with nothing done, when the format or the CPU does not allow it.
  bool matVecBatchRuns(uint32_t first, uint32_t rows, const float *src, const int64_t *bases, size_t count,
                       size_t blocks, const numerics::BlockRun *runs, const uint32_t *runStart,
                       const std::function<const float *(size_t)> &input, float *y, size_t yStride, size_t yLanes,
                       uint32_t pair);
  /// The most rows any tile of the grid holds: with one output vector
  /// (rows == 1), matVecBatch writes the first max(yLanes, this) lanes of a
  /// result only, so results may be packed at that stride.
  size_t rowsReached(uint32_t first, uint32_t rows, uint32_t cols) const {
    size_t most = 0;
    for (size_t k = 0, tiles = static_cast<size_t>(rows) * cols; k < tiles; ++k)
      most = std::max<size_t>(most, tileAt(first + k).rows);
    return most;
  }
  /// Quantizes native vector c of an mv_mul input (`xc`) for the tiles from
  /// `first`: the blocks they reach, or all of it when it holds NaN or Inf;
  /// lanes from `nonZero` on are known to be zero.
  void quantizeColumn(uint32_t first, uint32_t rows, uint32_t cols, uint32_t c, const float *xc,
                      const numerics::NumberFormat &fmt, numerics::BfpVector &out, size_t nonZero = SIZE_MAX);

private:
  struct Tile {
    int64_t pair = -1;                          ///< -1: never written (zero)
    uint32_t rows = 0, cols = 0;                ///< real extent (both 0 when nothing is real)
    std::vector<numerics::BfpVector> blockRows; ///< block weight format: `rows` rows of `cols` elements
    std::vector<float> values;                  ///< fp32 weight format: rows x cols
    /// Narrow MSFP weights (numerics::isCompactMsfp) also in the layout of
    /// numerics::matVecCompactMsfp, the fast bit-identical mv_mul path.
    numerics::MsfpCompactMatrix compact;
    /// Per real row: 1 when every weight is zero. Such a row adds only zeros
    /// to the accumulator (which never holds -0), so matVec skips it when the
    /// input piece is finite, as it skips the rows and columns outside the
    /// extent.
    std::vector<uint8_t> zeroRow;
  };
  static void markZeroRows(Tile &t);
  /// A grid of depthwise tiles with float diagonals, each tile row's merged
  /// (numerics::DepthwiseValues: one load and store of each accumulator per
  /// group, not one per tile), and the tiles it was built from.
  struct DepthwisePlan {
    std::vector<std::shared_ptr<const Tile>> tiles;
    std::vector<numerics::DepthwiseValues> rows;
    bool usable = false; ///< every tile that holds weights has a float diagonal
    /// The rows' entries from a base block, for the window block offsets
    /// they were made for (numerics::offsetDepthwiseValues).
    std::vector<int32_t> offsetsFor;
    std::array<uint32_t, 5> shapeFor{}; ///< BlockBases' kH, kW, strideW, dilW, unit
    std::vector<numerics::DepthwiseOffsets> interior;
    /// The rows as dense taps, when every row is (numerics::denseDepthwiseValues).
    std::vector<numerics::DepthwiseDense> dense;
    bool denseUsable = false;
  };
  /// The plan of grid (first, rows, cols), built again when a slot of the
  /// grid holds another tile than when it was built (m_rd).
  DepthwisePlan &depthwisePlan(uint32_t first, uint32_t rows, uint32_t cols);
  /// The plan's entries from a base block for `at`'s offsets and shape,
  /// made again when those change.
  void planInterior(DepthwisePlan &plan, uint32_t rows, const BlockBases &at);
  std::map<std::array<uint32_t, 3>, DepthwisePlan> depthwisePlans_;
  /// matVecBatchGathered for a grid of depthwise tiles (numerics::
  /// matVecDepthwiseGathered, from the source blocks without assembling the
  /// inputs); false when a tile is not depthwise, an input needs the general
  /// way or the CPU has no AVX-512 (y may have been cleared: the caller then
  /// computes it the general way).
  bool depthwiseGathered(uint32_t first, uint32_t rows, uint32_t cols, const numerics::MsfpCompactBatch &blocks,
                         const int32_t *src, size_t srcStride, size_t count, float *y, size_t yStride, size_t yLanes,
                         uint32_t pair, const BlockBases *at);
  /// matVecBatch after its inputs are prepared (batch_, general_): the
  /// compact kernels, then matVecGeneral for each general input p, whose
  /// floats are input(p).
  void multiplyBatch(uint32_t first, uint32_t rows, uint32_t cols, bool compact, size_t count, size_t nonZero, float *y,
                     size_t yStride, size_t yLanes, uint32_t pair, const std::function<const float *(size_t)> &input);
  /// The lanes of output vector `r` the caller wants, of its first yLanes
  /// (0: neither this vector nor any later one).
  size_t wantedLanes(uint32_t r, size_t yLanes) const;
  /// The lanes of output vector `r` of a grid of `cols` tile columns from
  /// `first` that the compact kernels add into, so must find zeroed: those
  /// wanted, or the real rows of its tallest tile.
  size_t clearedLanes(uint32_t first, uint32_t r, uint32_t cols, size_t want) const;
  /// y = the grid times the quantized input xq_ (block weights) or x (fp32).
  /// Only y's first `yLanes` lanes are computed.
  void multiply(uint32_t first, uint32_t rows, uint32_t cols, const float *x, float *y, uint32_t pair,
                size_t yLanes = SIZE_MAX);
  /// The tile in slot `i` (a never-written tile reads as the empty one).
  const Tile &tileAt(size_t i) const { return tiles_[i] ? *tiles_[i] : emptyTile_; }
  /// Row i of tile t as the whole N-element row in the weight format of
  /// `pair` (the stored row followed by zero blocks); the zero row past the
  /// extent or for a never-written tile.
  const numerics::BfpVector &paddedBlockRow(const Tile &t, size_t i, uint32_t pair);
  /// The same for fp32 tiles (N floats).
  const float *paddedFpRow(const Tile &t, size_t i);
  unsigned n_ = 0;
  uint32_t numTiles_ = 0;
  numerics::Rounding rounding_ = numerics::Rounding::NearestEven;
  std::vector<artifact::FormatPair> formats_;
  /// Slots share immutable tile contents: a streamed tile moved in again by
  /// `m_rd stream` reuses what was unpacked the first time (packedCache_).
  std::vector<std::shared_ptr<const Tile>> tiles_;
  Tile emptyTile_;
  std::map<std::pair<const uint8_t *, uint32_t>, std::shared_ptr<const Tile>> packedCache_;
  std::vector<numerics::BfpVector> zeroRows_; ///< per pair: a zero row of N elements in the weight format
  numerics::BfpVector padRow_;                ///< scratch of paddedBlockRow
  std::vector<float> padFp_;                  ///< scratch of paddedFpRow (N floats)
  std::vector<numerics::BfpVector> xq_;       ///< the last input, one BfpVector per native vector
  /// What xq_ was quantized from (its pair and floats): an LSTM's gates
  /// multiply one input with several matrices, and quantizing it is most of
  /// an mv_mul's time.
  int64_t xqPair_ = -1;
  std::vector<float> xqSource_;
  /// Per pair: weights and inputs both compact MSFP of one block size, so
  /// matVecBatch can quantize straight into the kernels' layout (batch_).
  std::vector<uint8_t> compactPair_;
  std::vector<numerics::MsfpCompactBatch> batch_; ///< matVecBatch's inputs, one batch per native vector
  std::vector<uint8_t> general_;                  ///< matVecBatch: per input, 1 = takes matVecGeneral
  std::vector<float> generalIn_;                  ///< matVecBatch: such an input, zero past nonZero
  /// Lanes of native vector c the tiles of column c reach, in whole blocks of k.
  size_t lanesReached(uint32_t first, uint32_t rows, uint32_t cols, uint32_t c, size_t k) const;
  std::vector<float> generalOut_; ///< matVecBatch: a general input's result when results are packed
  /// matVecFresh for one input through quantizeColumn and multiply: any
  /// format, NaN and Inf.
  void matVecGeneral(uint32_t first, uint32_t rows, uint32_t cols, const float *x, size_t nonZero, float *y,
                     size_t yLanes, uint32_t pair);
};

/// A zero-filled float buffer from calloc: large ones come as untouched
/// zero pages, so a target's VRFs (megabytes, of which a program uses a few
/// vectors) cost no time until written. A simulator per segment made
/// creating a session mostly page faults.
class ZeroedFloats {
public:
  void assign(size_t n) {
    p_.reset(static_cast<float *>(std::calloc(n ? n : 1, sizeof(float))));
    if (!p_)
      throw std::bad_alloc();
    size_ = n;
  }
  float *data() { return p_.get(); }
  const float *data() const { return p_.get(); }
  size_t size() const { return size_; }

private:
  struct Free {
    void operator()(float *p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> p_;
  size_t size_ = 0;
};

/// One active `loop`: its body is [bodyBegin, plan.loopEnd[bodyBegin - 1]).
struct LoopFrame {
  size_t bodyBegin = 0;
  uint32_t count = 0;     ///< iterations (> 0: a zero-count loop is never entered)
  uint32_t iteration = 0; ///< current iteration, 0-based
};

struct State {
  target::Target target;
  std::vector<isa::Inst> program;
  std::vector<uint32_t> instNode;
  std::vector<std::string> nodeNames;
  isa::ProgramPlan plan;
  std::vector<int64_t> chainAt; ///< per instruction: index of the chain starting there, or -1

  unsigned n = 0;               ///< native dimension
  std::vector<float> dram;      ///< working DRAM
  std::vector<float> dramImage; ///< DRAM at the start of a run (zeros + initialisers)
  /// The initialisers' ranges [begin, end) in dramImage, sorted and merged:
  /// the image is zero everywhere else, so reset() clears there (a write
  /// only) instead of copying.
  std::vector<std::pair<uint64_t, uint64_t>> dramInitRanges;
  /// dram[begin, end) = dramImage[begin, end).
  void restoreDram(uint64_t begin, uint64_t end);
  /// The DRAM ranges [begin, end) written since the last reset, adjacent
  /// writes merged (a convolution writes one pixel after the next), so
  /// reset() restores only those from dramImage; `dramAllDirty` when there
  /// were too many to track and the whole image is copied back.
  std::vector<std::pair<uint64_t, uint64_t>> dramDirty;
  bool dramAllDirty = true;
  /// DRAM ranges [begin, end), sorted and disjoint, that earlier runs wrote
  /// and this run has neither written nor restored yet. reset() leaves them
  /// as they are (a network's next run writes its feature maps again before
  /// it reads them, and clearing megabytes per run cost about 5% of
  /// MobileNetV2's time); every read of DRAM first restores the stale part
  /// of what it reaches (settleDram), and every write takes what it wrote
  /// out (markDramWritten), so a run reads what an eager reset would give.
  std::vector<std::pair<uint64_t, uint64_t>> dramStale;
  /// Restores the stale part of [begin, end) from dramImage: before reading it.
  void settleDram(uint64_t begin, uint64_t end);
  /// Takes [begin, end), just written in full, out of the stale ranges.
  void dropStale(uint64_t begin, uint64_t end);
  void markDramWritten(uint64_t begin, uint64_t end) {
    if (!dramStale.empty())
      dropStale(begin, end);
    if (dramAllDirty)
      return;
    if (!dramDirty.empty() && dramDirty.back().second == begin) {
      dramDirty.back().second = end;
      return;
    }
    if (dramDirty.size() >= 4096) {
      dramAllDirty = true;
      dramDirty.clear();
      return;
    }
    dramDirty.emplace_back(begin, end);
  }
  ZeroedFloats ivrf;   ///< ivrfDepth * n
  ZeroedFloats asvrf;  ///< numMfus * asvrfDepth * n
  ZeroedFloats mulvrf; ///< numMfus * mulvrfDepth * n
  /// The vectors each VRF had written since the last reset, so reset()
  /// clears only those (a run writes a few vectors of a VRF, often far
  /// apart: the IVRF's first and last): [0] IVRF, [1 + m] ASVRF of MFU m,
  /// [1 + numMfus + m] MULVRF of MFU m.
  struct WrittenVectors {
    std::vector<uint8_t> flag;   ///< per vector of the VRF: 1 = written
    std::vector<uint32_t> which; ///< the written vectors, each once
    /// Per written vector: its lanes from here on are zero (n unless a
    /// write said less: Chain.cpp's copyRowsToVrf), so reset() and the next
    /// such write clear only the lanes before.
    std::vector<uint32_t> extent;
    /// Lanes of vector v that may hold something other than zero.
    uint32_t dirtyLanes(uint32_t v) const { return flag[v] ? extent[v] : 0; }
    /// Records a write of vector v whose lanes from `lanes` on are zero.
    void mark(uint32_t v, uint32_t lanes) {
      if (!flag[v]) {
        flag[v] = 1;
        which.push_back(v);
      }
      extent[v] = lanes;
    }
  };
  std::vector<WrittenVectors> vrfWritten;
  std::array<uint32_t, isa::kNumSRegs> regs{};
  std::vector<LoopFrame> loops; ///< active loops, innermost last (empty between runs)
  MatrixRegisterFile mrf;

  std::vector<float> cur, next; ///< the chain's current vectors, and scratch (grown by ensureLanes)
  /// runChainLoop's inputs and results of a batch of iterations; the loop
  /// clears the lanes it needs cleared, so growing them zeroes nothing.
  softnpu::UninitializedVector<float> batchIn, batchOut;
  /// runChainLoop on a convolution whose windows read whole blocks of the
  /// map: the map's blocks quantized once, and per iteration of a batch the
  /// block each input block is (ChainLoop.cpp, MapBlocks).
  numerics::MsfpCompactBatch mapBlocks;
  std::vector<int32_t> blockSrc;
  std::vector<int64_t> blockBases;                 ///< per iteration: an interior pixel's first block, else -1
  std::vector<numerics::BorderWindow> blockBorder; ///< per iteration: a border pixel's window
  /// Per window block: its offset from an interior pixel's first block (-1: zeros).
  std::vector<int32_t> blockOffsets;
  WindowRuns windowRuns;            ///< a convolution's windows read from its padded map
  std::vector<int64_t> windowBases; ///< the batch's pixels' offsets into windowRuns.source()
  std::vector<float> tileScratch;   ///< N*N, for m_rd

  /// The artifact's constant matrices (m_rd stream names them by index).
  std::vector<artifact::MatrixEntry> matrices;
  /// Packed bytes of the streamed matrices (the DRAM region holding packed
  /// weights); matrix i's bytes start at streamedAt[i] (pinned: unused).
  std::vector<uint8_t> streamedImage;
  std::vector<uint64_t> streamedAt;
  /// [begin, end) MRF tiles of each pinned matrix.
  std::vector<std::pair<uint64_t, uint64_t>> pinnedTiles;
  uint64_t maxLanes = 0; ///< bound on a chain's width, in lanes

  Counters counters;
  ChainObserver observer;
  WorkObserver workObserver;
  timing::Work work; ///< reused for every WorkEvent (keeps its capacity)

  uint32_t reg(isa::SReg r) const { return regs[static_cast<unsigned>(r)]; }
  /// The address v_rd / v_wr `inst` uses: a, or with the iter flag
  /// a + i * step (i = the innermost loop's iteration, step = the signed
  /// RD_STEP / WR_STEP), exact in 64 bits (|i * step| < 2^63); may be
  /// negative or beyond the memory, which the caller must check. A window
  /// read is never stepped (isa::stepsAddress).
  int64_t effectiveAddress(const isa::Inst &inst) const;
  /// Base of a VRF's storage and its depth in vectors; nullptr for DRAM/none.
  float *vrf(isa::MemSpace mem, unsigned mfu, uint32_t &depth);
  /// Records that vectors [first, first + count) of a VRF were written,
  /// with every lane from `extent` on (default: none) zero.
  void markVrfWritten(isa::MemSpace mem, unsigned mfu, uint64_t first, uint64_t count, uint32_t extent = UINT32_MAX);
  /// The record of a VRF's written vectors; nullptr for DRAM/none.
  WrittenVectors *writtenVectors(isa::MemSpace mem, unsigned mfu);
  /// Grows cur/next to hold `lanes` lanes (no-op when large enough).
  void ensureLanes(uint64_t lanes);
};

/// Executes chain `index` of the plan. On error sets `failedAt` to the
/// offending instruction and `what` to the reason.
bool executeChain(State &s, size_t index, size_t &failedAt, std::string &what);
/// Runs the `loop` at `pc` in one go when its body is exactly one chain and
/// no iteration can fail (ChainLoop.cpp); sets nextPc past its end_loop. When
/// it cannot, returns false having changed nothing. Only without observers.
bool runChainLoop(State &s, size_t pc, size_t &nextPc);
/// Executes one standalone instruction (m_rd, m_rd stream, s_wr); loop and
/// end_loop move the program counter and are run by Simulator::run.
bool executeStandalone(State &s, const isa::Inst &inst, std::string &what);
/// Describes chain `index` (just executed, registers unchanged) or one
/// standalone instruction for the timing model (Describe.cpp).
void describeChain(const State &s, size_t index, timing::Work &w);
void describeStandalone(const State &s, const isa::Inst &inst, timing::Work &w);
/// Applies one point-wise op to `lanes` lanes in place; `operand` is the
/// second operand (lanes floats) or nullptr for activations. Computed in fp32,
/// then rounded to `mfuFormat`.
void applyPointwise(isa::Opcode op, float *x, const float *operand, size_t lanes,
                    const numerics::NumberFormat &mfuFormat, numerics::Rounding rounding);
/// applyPointwise on `count` rows of `lanes` lanes, row r at x + r x stride,
/// each with the same operand (the iterations of a batched chain loop).
void applyPointwiseRows(isa::Opcode op, float *x, size_t stride, size_t count, const float *operand, size_t lanes,
                        const numerics::NumberFormat &mfuFormat, numerics::Rounding rounding);

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_SIMSTATE_H
