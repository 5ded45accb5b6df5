//===- ChainLoop.cpp - A loop whose body is one chain, run in one go -------===//
//
// A compiled convolution is `loop P { v_rd window iter; mv_mul; op*; v_wr
// iter }`, and a layout change is the same loop without mv_mul. Run through
// Simulator::run, every iteration re-decodes the chain, re-checks its
// registers and addresses and copies whole N-lane vectors around. Here the
// chain is decoded and every check is done once for all iterations before
// anything runs (a check is data-independent: a chain changes no register
// and no MRF tile, and an iter address is linear in the iteration, so its
// extremes are the first and last iteration). When any check would fail,
// runChainLoop does nothing and the ordinary path runs the loop, reporting
// the same error at the same iteration with the same partial state.
//
// Iterations then run in order, exactly as the ordinary path would (so a
// write that a later iteration reads is seen as before), computing only the
// lanes a v_wr stores: point-wise ops and the scalar MFU rounding are
// lane-by-lane, so the other lanes change nothing observable. Counters are
// advanced as the ordinary path advances them. Only without chain / work
// observers (Simulator::run checks): they want one event per iteration.
//
// When no iteration writes what any iteration reads (the map a convolution
// reads, the MFU operands, the input vectors), iterations run in batches: a
// batch's inputs are gathered, multiplied together (MatrixRegisterFile::
// matVecBatch, the same bits as one at a time), then each result goes
// through the point-wise ops and the writes in iteration order. The state
// after every batch is the state the ordinary path reaches.
//
// A convolution whose taps are whole blocks of the input format (IN_C a
// multiple of the block size, every tap's channels read) reads each block of
// the map in several windows (9 for a 3 x 3 kernel at stride 1). When the
// windows read the map's blocks at least 1.5 times on average, the loop
// quantizes those blocks once and assembles every iteration's input from
// them (MapBlocks; numerics::gatherCompactBatch): a block's quantization
// depends on its elements only, so the bits are those of quantizing each
// gathered window, and no window is gathered as floats unless it holds a
// NaN or Inf (the general path). Other convolutions with one tile column
// read their windows' blocks straight from a padded copy of the map
// (WindowRuns.h), again gathering floats only for the general path.
//
//===----------------------------------------------------------------------===//
#include "RowEpilogue.h"
#include "SimState.h"
#include "WindowRead.h"
#include "WindowWalk.h"

#include "softnpu/isa/Window.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace softnpu::sim::detail {

using isa::Inst;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

/// One v_wr of the chain, decoded: the address of iteration i is a + i * step.
struct Write {
  MemSpace mem;
  unsigned mfu;
  int64_t a, step;
  uint64_t lanes; ///< DRAM: elements stored; VRF: whole vectors (w * N lanes)
};

/// The address range an iter-flagged v_rd / v_wr / point-wise op covers over
/// `count` iterations: false when some iteration's address is negative.
bool addressRange(const State &s, const Inst &inst, uint32_t count, int64_t &a, int64_t &step, int64_t &hi) {
  a = inst.a;
  step = 0;
  if (isa::stepsAddress(inst))
    step = static_cast<int32_t>(s.reg(isa::stepRegister(inst.op)));
  const int64_t last = a + static_cast<int64_t>(count - 1) * step; // no overflow: see effectiveAddress
  hi = std::max(a, last);
  return std::min(a, last) >= 0;
}

/// Everything a chain loop needs, decoded and checked for every iteration.
struct Plan {
  uint32_t rows = 0, cols = 0, count = 0;
  uint64_t inLanes = 0;  ///< COLS x N
  uint64_t outLanes = 0; ///< lanes the v_wr store (the rest is never seen)
  // v_rd
  const Inst *rd = nullptr;
  uint32_t pixBase = 0; ///< PIX_BASE: the pixel of iteration 0
  int64_t rdA = 0, rdStep = 0;
  uint64_t rdLen = 0, rdStride = 1; ///< DRAM reads
  const float *rdVrf = nullptr;     ///< VRF reads
  // mv_mul
  bool matVec = false;
  uint32_t firstTile = 0, pair = 0;
  std::vector<Op> ops;
  std::vector<Write> writes;
  uint64_t pointwise = 0;
  std::optional<WindowWalk> walk; ///< a window read's geometry (none for other reads)
  /// What the loop reads and writes over all its iterations, as address
  /// ranges of the simulator's storage (DRAM and the VRFs alike).
  std::vector<std::pair<const float *, const float *>> reads, written;
};

bool decode(State &s, const isa::ChainPlan &chain, uint32_t count, Plan &p) {
  p.count = count;
  p.rows = s.reg(SReg::Rows);
  p.cols = s.reg(SReg::Cols);
  const uint64_t n = s.n;
  p.inLanes = static_cast<uint64_t>(p.cols) * n;
  if (p.cols == 0 || p.inLanes > s.maxLanes)
    return false;
  int64_t hi = 0;
  const Inst &rd = s.program[chain.begin];
  p.rd = &rd;
  if (rd.flags & isa::kVWindow) {
    const isa::Window win = isa::Window::fromRegisters([&](SReg r) { return s.reg(r); });
    p.pixBase = s.reg(SReg::PixBase);
    if (uint64_t{p.pixBase} + count > UINT32_MAX)
      return false; // pixels past 2^32: the ordinary path's 64-bit arithmetic
    if (win.check(rd.a, p.inLanes, s.dram.size(), rd.flags & isa::kVPoolMask))
      return false;
    p.reads.emplace_back(s.dram.data() + rd.a, s.dram.data() + rd.a + win.span());
    p.walk.emplace(win);
  } else {
    if (!addressRange(s, rd, count, p.rdA, p.rdStep, hi))
      return false;
    if (rd.mem == MemSpace::Dram) {
      if (s.reg(SReg::RdPitch))
        return false; // rows RD_PITCH apart: the ordinary path reads them
      p.rdLen = s.reg(SReg::RdLen) ? s.reg(SReg::RdLen) : p.inLanes;
      p.rdStride = s.reg(SReg::RdStride);
      if (p.rdLen > p.inLanes)
        return false;
      // Below the DRAM size, hi + (len - 1) * stride cannot wrap (len, stride < 2^32).
      if (static_cast<uint64_t>(hi) >= s.dram.size() ||
          static_cast<uint64_t>(hi) + (p.rdLen - 1) * p.rdStride >= s.dram.size())
        return false;
      const int64_t lo = std::min(p.rdA, hi);
      p.reads.emplace_back(s.dram.data() + lo, s.dram.data() + hi + (p.rdLen - 1) * p.rdStride + 1);
    } else {
      uint32_t depth = 0;
      p.rdVrf = s.vrf(rd.mem, rd.b, depth);
      if (!p.rdVrf || static_cast<uint64_t>(hi) + p.cols > depth)
        return false;
      const int64_t lo = std::min(p.rdA, hi);
      p.reads.emplace_back(p.rdVrf + lo * n, p.rdVrf + (hi + p.cols) * n);
    }
  }
  uint64_t w = p.cols;
  std::string what;
  for (size_t k = chain.begin + 1; k < chain.end; ++k) {
    const Inst &inst = s.program[k];
    switch (isa::lookup(static_cast<uint8_t>(inst.op))->kind) {
    case isa::Kind::MatVec:
      p.matVec = true;
      p.firstTile = inst.a;
      p.pair = s.reg(SReg::MFmt);
      if (p.rows == 0 || inst.a + static_cast<uint64_t>(p.rows) * p.cols > s.mrf.numTiles() ||
          p.pair >= s.mrf.numFormats() || !s.mrf.checkTiles(inst.a, p.rows, p.cols, p.pair, what))
        return false;
      w = p.rows;
      break;
    case isa::Kind::MfuAddSub:
    case isa::Kind::MfuMul: {
      const bool mul = isa::lookup(static_cast<uint8_t>(inst.op))->kind == isa::Kind::MfuMul;
      uint32_t depth = 0;
      const float *base = s.vrf(mul ? MemSpace::MulVrf : MemSpace::AsVrf, chain.mfuOfOp[k - chain.begin], depth);
      int64_t a = 0, step = 0;
      if (!base || !addressRange(s, inst, count, a, step, hi) || static_cast<uint64_t>(hi) + w > depth)
        return false;
      p.ops.push_back({inst.op, base + static_cast<size_t>(a) * n, step * static_cast<int64_t>(n)});
      p.reads.emplace_back(base + static_cast<size_t>(std::min(a, hi)) * n, base + (static_cast<size_t>(hi) + w) * n);
      ++p.pointwise;
      break;
    }
    case isa::Kind::MfuAct:
      p.ops.push_back({inst.op, nullptr});
      ++p.pointwise;
      break;
    case isa::Kind::ChainWrite: {
      Write wr{inst.mem, inst.b, 0, 0, w * n};
      if (!addressRange(s, inst, count, wr.a, wr.step, hi))
        return false;
      if (inst.mem == MemSpace::Dram) {
        const uint64_t len = s.reg(SReg::WrLen) ? s.reg(SReg::WrLen) : w * n;
        if (len > w * n || static_cast<uint64_t>(hi) + len > s.dram.size())
          return false;
        wr.lanes = len;
        p.written.emplace_back(s.dram.data() + std::min(wr.a, hi), s.dram.data() + hi + len);
      } else {
        uint32_t depth = 0;
        const float *base = s.vrf(inst.mem, inst.b, depth);
        if (!base || static_cast<uint64_t>(hi) + w > depth)
          return false;
        p.written.emplace_back(base + std::min(wr.a, hi) * n, base + (hi + w) * n);
      }
      p.outLanes = std::max(p.outLanes, wr.lanes);
      p.writes.push_back(wr);
      break;
    }
    default: // end_chain
      break;
    }
  }
  return true;
}

/// Gathers iteration i's input into x: lanes [0, valid) are written, the
/// caller keeps the rest zero.
void readIteration(const State &s, const Plan &p, uint64_t i, float *x, uint64_t valid) {
  if (p.walk) {
    const float *map = s.dram.data() + p.rd->a;
    const uint64_t pixel = p.pixBase + ((p.rd->flags & isa::kVIter) ? i : 0); // as WindowRead.cpp's pixelOf
    if (const uint8_t pool = p.rd->flags & isa::kVPoolMask)
      p.walk->pool(map, pixel, 1, pool, x, 0);
    else
      p.walk->gather(map, pixel, 1, x, 0);
    return;
  }
  const int64_t addr = p.rdA + static_cast<int64_t>(i) * p.rdStep;
  if (p.rdVrf) {
    std::memcpy(x, p.rdVrf + static_cast<size_t>(addr) * s.n, valid * sizeof(float));
    return;
  }
  const float *src = s.dram.data() + addr;
  if (p.rdStride == 1) {
    std::memcpy(x, src, valid * sizeof(float));
  } else if (p.rdStride == 0) {
    std::fill(x, x + valid, src[0]);
  } else {
    for (uint64_t j = 0; j < valid; ++j)
      x[j] = src[j * p.rdStride];
  }
}

/// Gathers iterations [i0, i0 + size)'s inputs into x + j x xStride, as
/// readIteration gathers each: a window read walks its pixels in one go.
void readBatch(const State &s, const Plan &p, uint64_t i0, uint32_t size, float *x, uint64_t xStride, uint64_t valid) {
  if (!p.walk || !(p.rd->flags & isa::kVIter)) {
    for (uint32_t j = 0; j < size; ++j)
      readIteration(s, p, i0 + j, x + j * xStride, valid);
    return;
  }
  const float *map = s.dram.data() + p.rd->a;
  if (const uint8_t pool = p.rd->flags & isa::kVPoolMask)
    p.walk->pool(map, p.pixBase + i0, size, pool, x, xStride);
  else
    p.walk->gather(map, p.pixBase + i0, size, x, xStride);
}

/// The blocks of a convolution's map quantized once (see the file comment):
/// map block i (elements [i x K, (i + 1) x K) from the map's start) is piece
/// i - first of s.mapBlocks, for i in [first, first + count).
struct MapBlocks {
  size_t k = 0;           ///< the input format's block size
  size_t perTap = 0;      ///< blocks per tap: IN_C / K
  size_t rowBlocks = 0;   ///< blocks per map row: IN_W x perTap
  int64_t firstRow = 0;   ///< the map row of piece 0
  int64_t first = 0;      ///< the map block of piece 0: firstRow x rowBlocks
  size_t count = 0;       ///< blocks quantized
  size_t srcStride = 0;   ///< entries of s.blockSrc per iteration: COLS x N / K
  size_t validBlocks = 0; ///< entries an iteration fills (the rest are -1: zeros)
  int kShift = -1;        ///< log2 K when K is a power of two: a shift per tap, not a division
  int64_t reach = 0;      ///< blocks from an interior pixel's first block to its window's end
};

/// MapBlocks::reach of a window with blocks of k, perTap per tap.
int64_t reachOf(const WindowWalk &walk, size_t k, size_t perTap) {
  const std::vector<int64_t> &taps = walk.tapOffsets();
  const int64_t last = taps.empty() ? 0 : *std::max_element(taps.begin(), taps.end());
  return last / static_cast<int64_t>(k) + static_cast<int64_t>(perTap);
}

/// Whether loop `p` reads its input as whole blocks of the map, often
/// enough to quantize them once; if so, quantizes them into s.mapBlocks
/// (with `valuesOnly`, as floats only when it can: numerics::
/// prepareBlockValues, what a depthwise matrix reads; then none yet, see
/// roundBlocksFor).
bool quantizeMapBlocks(State &s, const Plan &p, uint64_t valid, MapBlocks &mb, bool valuesOnly) {
  if (!p.walk || (p.rd->flags & isa::kVPoolMask) || !(p.rd->flags & isa::kVIter) || !p.matVec ||
      !s.mrf.gridCompact(p.firstTile, p.rows, p.cols, p.pair))
    return false;
  const isa::Window &w = p.walk->window();
  const artifact::FormatPair &fmt = s.mrf.format(p.pair);
  const size_t k = fmt.input.blockSize;
  if (k == 0 || w.winC != w.inC || w.inC % k != 0 || s.n % k != 0 || w.upH != 1 || w.upW != 1)
    return false;
  // The map rows the loop's windows reach.
  const int64_t ohFirst = p.pixBase / w.outW, ohLast = (int64_t{p.pixBase} + p.count - 1) / w.outW;
  const int64_t ihLo = std::max<int64_t>(0, ohFirst * w.strideH - w.padT);
  const int64_t ihHi = std::min<int64_t>(w.inH - 1, ohLast * w.strideH - w.padT + int64_t{w.kH - 1} * w.dilH);
  if (ihHi < ihLo)
    return false;
  const size_t perTap = w.inC / k, rowBlocks = size_t{w.inW} * perTap;
  const size_t count = static_cast<size_t>(ihHi - ihLo + 1) * rowBlocks;
  const uint64_t reads = uint64_t{p.count} * w.kH * w.kW * perTap;
  // Blocks read fewer than 1.5 times on average: quantizing the windows
  // costs less. (Block sources are int32.)
  if (2 * reads < 3 * count || count > INT32_MAX)
    return false;
  mb = {k,
        perTap,
        rowBlocks,
        ihLo,
        ihLo * static_cast<int64_t>(rowBlocks),
        count,
        p.inLanes / k,
        valid / k,
        (k & (k - 1)) == 0 ? __builtin_ctzll(k) : -1,
        reachOf(*p.walk, k, perTap)};
  const float *map = s.dram.data() + p.rd->a + static_cast<size_t>(mb.first) * k;
  if (valuesOnly &&
      numerics::prepareBlockValues(map, count, fmt.input, s.target.rounding, fmt.weight.mantissaBits, s.mapBlocks, 0))
    return true;
  return numerics::prepareCompactBatch(map, k, count, k, k, fmt.input, s.target.rounding, fmt.weight.mantissaBits,
                                       s.mapBlocks);
}

/// Rounds the blocks of a values-only map (numerics::extendBlockValues) that
/// iterations up to `last` read, and some more: a map larger than the cache
/// is rounded a few rows ahead of the windows that read it, not all before
/// them. When a block cannot be rounded so, quantizes the map in full.
void roundBlocksFor(State &s, const Plan &p, uint64_t valid, MapBlocks &mb, uint64_t last) {
  constexpr size_t kAhead = 1024; // blocks rounded ahead per call: 64 KB of floats
  const isa::Window &w = p.walk->window();
  const int64_t oh = (int64_t{p.pixBase} + static_cast<int64_t>(last)) / w.outW;
  const int64_t ih = std::min<int64_t>(w.inH - 1, oh * w.strideH - w.padT + int64_t{w.kH - 1} * w.dilH);
  const size_t need = static_cast<size_t>(std::max<int64_t>(0, ih + 1 - mb.firstRow)) * mb.rowBlocks;
  numerics::MsfpCompactBatch &blocks = s.mapBlocks;
  if (need <= blocks.valuesReady)
    return;
  const float *map = s.dram.data() + p.rd->a + static_cast<size_t>(mb.first) * mb.k;
  if (!numerics::extendBlockValues(map, std::max(need, blocks.valuesReady + kAhead), s.target.rounding, blocks))
    quantizeMapBlocks(s, p, valid, mb, false);
}

/// Fills iteration i's entries of the batch's block sources (`src`,
/// mb.srcStride of them): the map block of each input block, -1 for zeros.
/// False when a block falls outside the quantized ones, [0, ready) (not
/// expected: the caller then gathers this batch as floats).
bool blockSources(const Plan &p, const MapBlocks &mb, size_t ready, uint64_t i, int32_t *src) {
  const uint64_t pixel = p.pixBase + i;
  const int64_t limit = static_cast<int64_t>(ready);
  bool inside = true;
  auto tap = [&](uint64_t t, int64_t offset) {
    int32_t *dst = src + t * mb.perTap;
    if (offset < 0) {
      std::fill(dst, dst + mb.perTap, -1);
      return;
    }
    const int64_t at = (mb.kShift >= 0 ? offset >> mb.kShift : offset / static_cast<int64_t>(mb.k)) - mb.first;
    if (at < 0 || at + static_cast<int64_t>(mb.perTap) > limit) {
      inside = false;
      return;
    }
    for (size_t m = 0; m < mb.perTap; ++m)
      dst[m] = static_cast<int32_t>(at + static_cast<int64_t>(m));
  };
  const int64_t base = p.walk->interiorBase(pixel);
  if (base >= 0) {
    const std::vector<int64_t> &taps = p.walk->tapOffsets();
    for (size_t t = 0; t < taps.size(); ++t)
      tap(t, base + taps[t]);
  } else {
    p.walk->window().forEachTap(pixel, tap);
  }
  std::fill(src + mb.validBlocks, src + mb.srcStride, -1);
  return inside;
}

/// The offset of each input block of an interior pixel's window from the
/// pixel's first block (its base), -1 for the blocks past the window: the
/// same for every interior pixel.
void windowBlockOffsets(const Plan &p, const MapBlocks &mb, std::vector<int32_t> &offsets) {
  const std::vector<int64_t> &taps = p.walk->tapOffsets();
  offsets.assign(mb.srcStride, -1);
  for (size_t t = 0; t < taps.size(); ++t)
    for (size_t m = 0; m < mb.perTap; ++m)
      offsets[t * mb.perTap + m] = static_cast<int32_t>(taps[t] / static_cast<int64_t>(mb.k) + static_cast<int64_t>(m));
}

/// A border pixel's window (numerics::BorderWindow) over the blocks of
/// s.mapBlocks; none (kh1 = 0) for an upsampled map, a pixel with no tap
/// inside the map, or one that reads a block before `mb.first` or from
/// `ready` on.
numerics::BorderWindow borderWindow(const Plan &p, const MapBlocks &mb, int64_t ready, uint64_t oh, uint64_t ow) {
  const isa::Window &w = p.walk->window();
  numerics::BorderWindow b;
  if (w.upH != 1 || w.upW != 1 || w.kH > 255 || w.kW > 255)
    return b;
  const int64_t ih0 = static_cast<int64_t>(oh * w.strideH) - w.padT,
                iw0 = static_cast<int64_t>(ow * w.strideW) - w.padL;
  uint32_t kh0 = w.kH, kh1 = 0, kw0 = w.kW, kw1 = 0;
  for (uint32_t kh = 0; kh < w.kH; ++kh) {
    const int64_t ih = ih0 + int64_t{kh} * w.dilH;
    if (ih >= 0 && ih < int64_t{w.inH}) {
      kh0 = std::min(kh0, kh);
      kh1 = kh + 1;
    }
  }
  for (uint32_t kw = 0; kw < w.kW; ++kw) {
    const int64_t iw = iw0 + int64_t{kw} * w.dilW;
    if (iw >= 0 && iw < int64_t{w.inW}) {
      kw0 = std::min(kw0, kw);
      kw1 = kw + 1;
    }
  }
  if (kh1 == 0 || kw1 == 0)
    return b;
  // IN_C is whole blocks (MapBlocks::perTap), so every tap starts a block.
  const int64_t rowElems = int64_t{w.inW} * w.inC, k = static_cast<int64_t>(mb.k);
  const auto block = [&](int64_t ih, int64_t iw) { return (ih * rowElems + iw * w.inC) / k - mb.first; };
  if (block(ih0 + int64_t{kh0} * w.dilH, iw0 + int64_t{kw0} * w.dilW) < 0 ||
      block(ih0 + int64_t{kh1 - 1} * w.dilH, iw0 + int64_t{kw1 - 1} * w.dilW) + static_cast<int64_t>(mb.perTap) > ready)
    return b;
  b.base = block(ih0, iw0);
  b.kh0 = static_cast<uint8_t>(kh0);
  b.kh1 = static_cast<uint8_t>(kh1);
  b.kw0 = static_cast<uint8_t>(kw0);
  b.kw1 = static_cast<uint8_t>(kw1);
  return b;
}

/// blockSources for iterations [i0, i0 + size), iteration j's entries at
/// src + j x mb.srcStride: an interior pixel after one of the same output
/// row reads the blocks of the one before, STRIDE_W x IN_C / K further on.
/// bases[j]: an interior pixel's first block (of s.mapBlocks), else -1.
/// Without `interiorSrc`, an interior pixel's entries are left unset (the
/// depthwise kernels read its blocks from its base; see BlockBases). With
/// `border` (the dense depthwise kernels take the windows), border[j] is a
/// border pixel's window (borderWindow), and without `interiorSrc` a border
/// pixel with a window gets no entries either.
bool batchSources(const Plan &p, const MapBlocks &mb, size_t ready, uint64_t i0, uint32_t size, int32_t *src,
                  int64_t *bases, bool interiorSrc, numerics::BorderWindow *border) {
  const uint32_t outW = p.walk->window().outW;
  const int32_t shift = static_cast<int32_t>(p.walk->window().strideW * mb.perTap);
  const int64_t limit = static_cast<int64_t>(ready);
  uint64_t oh = (p.pixBase + i0) / outW, ow = (p.pixBase + i0) % outW;
  bool follows = false; // the previous iteration was an interior pixel
  for (uint32_t j = 0; j < size; ++j, ++ow) {
    if (ow == outW) {
      ow = 0;
      ++oh;
    }
    int32_t *dst = src + j * mb.srcStride;
    const int64_t base = p.walk->interiorBase(static_cast<uint32_t>(oh), static_cast<uint32_t>(ow));
    const bool interior = base >= 0;
    // A shift, not a division, per pixel when K is a power of two (base >= 0).
    bases[j] = !interior ? -1 : (mb.kShift >= 0 ? base >> mb.kShift : base / static_cast<int64_t>(mb.k)) - mb.first;
    if (interior && !interiorSrc) {
      if (bases[j] < 0 || bases[j] + mb.reach > limit)
        return false;
      follows = false;
      continue;
    }
    if (follows && interior && ow != 0) {
      const int32_t *prev = dst - mb.srcStride;
      int32_t hi = 0;
      for (size_t e = 0; e < mb.validBlocks; ++e) {
        dst[e] = prev[e] + shift; // below INT32_MAX: at most the map's block count
        hi = std::max(hi, dst[e]);
      }
      std::fill(dst + mb.validBlocks, dst + mb.srcStride, -1);
      if (hi >= limit)
        return false;
      continue;
    }
    if (border && !interior) {
      border[j] = borderWindow(p, mb, limit, oh, ow);
      if (!interiorSrc && border[j].kh1 != 0) {
        follows = false;
        continue;
      }
    }
    if (!blockSources(p, mb, ready, i0 + j, dst))
      return false;
    follows = interior;
  }
  return true;
}

/// Whether no iteration writes what any iteration reads.
bool readsNothingWritten(const Plan &p) {
  for (const auto &w : p.written)
    for (const auto &r : p.reads)
      if (w.first < r.second && r.first < w.second)
        return false;
  return true;
}

/// Iterations per batch: 1 when some iteration writes what one reads
/// (`independent`: readsNothingWritten); else enough to share the per-call
/// work, with the batch's inputs (`xStride` floats each) kept to about 64 KB.
uint32_t batchSize(bool independent, uint64_t xStride) {
  if (!independent)
    return 1;
  return static_cast<uint32_t>(std::clamp<uint64_t>(16384 / xStride, 1, 256));
}

/// Restores the stale DRAM (State::dramStale) the loop reads, and that
/// between rows it writes with gaps: at once, not split row by row as the
/// writes would.
void settleLoopDram(State &s, const Plan &p) {
  if (s.dramStale.empty())
    return;
  const float *dram = s.dram.data(), *dramEnd = dram + s.dram.size();
  const auto settle = [&](const std::pair<const float *, const float *> &r) {
    if (r.first >= dram && r.second <= dramEnd) // not a VRF
      s.settleDram(static_cast<uint64_t>(r.first - dram), static_cast<uint64_t>(r.second - dram));
  };
  for (const auto &r : p.reads)
    settle(r);
  for (size_t i = 0; i < p.writes.size(); ++i) // p.written[i] is p.writes[i]'s range
    if (p.writes[i].mem == MemSpace::Dram && static_cast<uint64_t>(std::abs(p.writes[i].step)) > p.writes[i].lanes)
      settle(p.written[i]);
}

} // namespace

bool runChainLoop(State &s, size_t pc, size_t &nextPc) {
  const uint32_t count = s.program[pc].a;
  const size_t end = s.plan.loopEnd[pc];
  if (count == 0 || pc + 1 >= end || s.chainAt[pc + 1] < 0)
    return false;
  const isa::ChainPlan &chain = s.plan.chains[static_cast<size_t>(s.chainAt[pc + 1])];
  if (chain.end != end)
    return false; // the body holds more than one chain
  Plan p;
  if (!decode(s, chain, count, p))
    return false;
  settleLoopDram(s, p);

  const numerics::NumberFormat &mfuFormat = s.target.mfuFormat;
  const numerics::Rounding rounding = s.target.rounding;
  const uint64_t n = s.n;
  // Lanes of the input that an iteration writes; the ones after stay zero.
  // Without mv_mul only the stored lanes are read.
  // A window read writes all the lanes it gathers, even those no v_wr stores.
  const uint64_t written = p.walk ? p.walk->window().lanesFilled(p.rd->flags & isa::kVPoolMask) : 0;
  uint64_t valid = p.walk ? written : p.rdVrf ? p.inLanes : p.rdLen;
  if (!p.matVec)
    valid = std::min(valid, p.outLanes);
  // Iteration j of a batch reads into x + j * xStride; its result is at
  // y + j * yStride (x itself without mv_mul: the ops run in place). A
  // one-column product on a compact pair reads only the valid lanes, so the
  // batch's inputs sit close together (a convolution's window is often a
  // few dozen lanes of the N).
  const bool packed = p.matVec && p.cols == 1 && s.mrf.compactPair(p.pair);
  // Without mv_mul the ops run in place over the stored lanes (and the read
  // needs room for what it writes).
  const uint64_t xStride = packed     ? (valid + 15) / 16 * 16
                           : p.matVec ? p.inLanes
                                      : (std::max(p.outLanes, written) + 15) / 16 * 16;
  // One output vector of a compact pair: the results are packed too, at the
  // lanes the tiles and the writes reach (MatrixRegisterFile::rowsReached).
  const uint64_t yStride =
      !p.matVec ? xStride
      : packed && p.rows == 1
          ? std::min<uint64_t>(n, (std::max<uint64_t>(p.outLanes, s.mrf.rowsReached(p.firstTile, 1, 1)) + 15) / 16 * 16)
          : static_cast<uint64_t>(p.rows) * n;
  MapBlocks mb;
  const bool independent = readsNothingWritten(p);
  // A depthwise matrix multiplies the map's blocks as floats, one fused
  // multiply-add per block; with float diagonals in every tile, the map is
  // rounded straight to floats (numerics::prepareBlockValues).
  const bool depthwise = independent && s.mrf.depthwiseGrid(p.firstTile, p.rows, p.cols, p.pair);
  const bool mapped =
      independent &&
      quantizeMapBlocks(s, p, valid, mb, depthwise && s.mrf.depthwiseValuesGrid(p.firstTile, p.rows, p.cols));
  if (mapped && depthwise)
    numerics::dequantizeBlocks(s.mapBlocks);
  // Gathered inputs take a byte per lane where floats take four; depthwise
  // ones none (the kernels read the map's blocks), and longer batches give
  // them longer runs of pixels (numerics::DepthwiseDense) and fewer calls
  // per map: up to 512 pixels (several rows of a large map), where other
  // gathered batches stop at 64 (measured on MobileNetV2: its depthwise
  // layers and their epilogues about 5% faster than at 64).
  const uint32_t batch = mapped ? static_cast<uint32_t>(std::clamp<uint64_t>((depthwise ? 262144 : 65536) / p.inLanes,
                                                                             1, depthwise ? 512 : 64))
                                : std::min(count, batchSize(independent, xStride));
  s.batchIn.resize(batch * xStride);
  if (p.matVec)
    s.batchOut.resize(batch * yStride);
  float *x = s.batchIn.data();
  float *y = p.matVec ? s.batchOut.data() : x;
  // Lanes past `valid` must read as zero; matVecBatch never reads them for
  // compact pairs, past `nonZero`. Packed inputs are cleared once (a few
  // lanes each), so their blocks are whole: [valid, xStride) stays zero. So
  // are the rows without mv_mul (the ops see [0, outLanes), and outLanes <=
  // xStride). Only those lanes: the reads write the others.
  if (packed || !p.matVec) {
    for (uint32_t j = 0; j < batch; ++j)
      zeroFloats(x + j * xStride + valid, xStride - valid);
  } else if (!s.mrf.compactPair(p.pair)) {
    std::fill(s.batchIn.begin(), s.batchIn.end(), 0.0f);
  }
  const uint64_t nonZero = packed ? std::min(xStride, p.inLanes) : valid;

  if (mapped) {
    s.blockSrc.resize(size_t{batch} * mb.srcStride);
    s.blockBases.resize(batch);
    s.blockBorder.resize(batch);
    windowBlockOffsets(p, mb, s.blockOffsets);
  }
  const isa::Window *win = p.walk ? &p.walk->window() : nullptr;
  BlockBases at{s.blockBases.data(),
                &s.blockOffsets,
                win ? win->kH : 0,
                win ? win->kW : 0,
                win ? win->strideW : 0,
                win ? win->dilW : 0,
                static_cast<uint32_t>(mb.perTap)};
  // Otherwise a packed convolution's windows are read straight from a
  // padded copy of the map into the registers that quantize them
  // (WindowRuns.h), without gathering them as floats first.
  bool direct = !mapped && independent && packed && p.walk && (p.rd->flags & isa::kVIter) &&
                !(p.rd->flags & isa::kVPoolMask) &&
                s.windowRuns.prepare(p.walk->window(), s.dram.data() + p.rd->a, p.pixBase, count, xStride);
  if (direct)
    s.windowBases.resize(batch);
  // fp32 ops and one DRAM write: masked registers per row (RowEpilogue.h).
  bool rowEpilogue =
      mfuFormat.isFp32() && p.writes.size() == 1 && p.writes[0].mem == MemSpace::Dram && rowEpilogueLanes(p.outLanes);
  for (const Op &op : p.ops)
    rowEpilogue = rowEpilogue && rowEpilogueOp(op.op);

  // When the dense depthwise kernels take the map, they take its border
  // pixels' windows too (which then need no source lists).
  numerics::BorderWindow *border =
      mapped && depthwise && s.mrf.depthwiseDenseGrid(p.firstTile, p.rows, p.cols, at) ? s.blockBorder.data() : nullptr;
  at.border = border;

  s.loops.push_back({pc + 1, count, 0});
  for (uint32_t i0 = 0; i0 < count; i0 += batch) {
    const uint32_t size = std::min(batch, count - i0);
    bool gathered = mapped;
    if (mapped && s.mapBlocks.valuesOnly)
      roundBlocksFor(s, p, valid, mb, i0 + size - 1);
    const size_t ready = s.mapBlocks.valuesOnly ? s.mapBlocks.valuesReady : mb.count;
    // A map rounded to values goes to the depthwise kernels only, which read
    // interior pixels' blocks from their bases.
    const bool valuesOnly = s.mapBlocks.valuesOnly;
    gathered =
        gathered && batchSources(p, mb, ready, i0, size, s.blockSrc.data(), s.blockBases.data(), !valuesOnly, border);
    if (direct) {
      s.windowRuns.bases(uint64_t{p.pixBase} + i0, size, s.windowBases.data());
      direct = s.mrf.matVecBatchRuns(
          p.firstTile, p.rows, s.windowRuns.source(), s.windowBases.data(), size, s.windowRuns.blocks(),
          s.windowRuns.runs(), s.windowRuns.runStart(),
          [&](size_t j) {
            readIteration(s, p, i0 + j, x + j * xStride, valid);
            return x + j * xStride;
          },
          y, yStride, p.outLanes, p.pair);
    }
    if (!direct && gathered) {
      const auto multiply = [&] {
        return s.mrf.matVecBatchGathered(
            p.firstTile, p.rows, p.cols, s.mapBlocks, s.blockSrc.data(), mb.srcStride, size, nonZero,
            [&](size_t j) {
              readIteration(s, p, i0 + j, x + j * xStride, valid);
              return x + j * xStride;
            },
            y, yStride, p.outLanes, p.pair, &at);
      };
      if (!multiply()) {
        // The depthwise kernels refused the map's values alone (scales out
        // of their range with these weights): the map in full, the same
        // blocks, for this batch and the rest, with the integer products
        // (no values: the float kernels were refused). prepareCompactBatch
        // takes every map prepareBlockValues takes. The interior pixels'
        // sources, left out for the values, are filled in first.
        quantizeMapBlocks(s, p, valid, mb, false);
        gathered =
            batchSources(p, mb, mb.count, i0, size, s.blockSrc.data(), s.blockBases.data(), true, border) && multiply();
      }
    }
    if (!direct && !gathered) {
      readBatch(s, p, i0, size, x, xStride, valid);
      if (!p.matVec) // the ops ran in place on x: lanes [valid, outLanes) must read as zero again
        for (uint32_t j = 0; j < size; ++j)
          std::fill(x + j * xStride + valid, x + j * xStride + p.outLanes, 0.0f);
      if (p.matVec)
        s.mrf.matVecBatch(p.firstTile, p.rows, p.cols, x, xStride, size, nonZero, y, yStride, p.outLanes, p.pair);
    }
    if (rowEpilogue) {
      const Write &wr = p.writes[0];
      runRowEpilogue(p.ops.data(), p.ops.size(), y, yStride, size, i0, p.outLanes,
                     s.dram.data() + wr.a + static_cast<int64_t>(i0) * wr.step, wr.step, wr.lanes);
      const uint64_t first = static_cast<uint64_t>(wr.a + static_cast<int64_t>(i0) * wr.step);
      if (wr.step == static_cast<int64_t>(wr.lanes))
        s.markDramWritten(first, first + size * wr.lanes);
      else
        for (uint32_t j = 0; j < size; ++j)
          s.markDramWritten(first + j * wr.step, first + j * wr.step + wr.lanes);
      s.loops.back().iteration = i0 + size - 1;
      continue;
    }
    // The MFU format is scalar (fp32, bf16, fp16): rounding and the ops are
    // lane by lane, so they run op by op over the batch's results.
    if (!mfuFormat.isFp32())
      for (uint32_t j = 0; j < size; ++j)
        numerics::roundTrip(y + j * yStride, p.outLanes, mfuFormat, rounding);
    for (const Op &op : p.ops) {
      if (op.step == 0) {
        applyPointwiseRows(op.op, y, yStride, size, op.operand, p.outLanes, mfuFormat, rounding);
        continue;
      }
      for (uint32_t j = 0; j < size; ++j) // an iter operand: a row of its own per iteration
        applyPointwise(op.op, y + j * yStride, op.operand + static_cast<int64_t>(i0 + j) * op.step, p.outLanes,
                       mfuFormat, rounding);
    }
    for (uint32_t j = 0; j < size; ++j) {
      const uint32_t i = i0 + j;
      s.loops.back().iteration = i; // what the window's pixel and the iter addresses use
      float *yi = y + j * yStride;
      for (const Write &wr : p.writes) {
        const uint64_t addr = static_cast<uint64_t>(wr.a + static_cast<int64_t>(i) * wr.step);
        if (wr.mem == MemSpace::Dram) {
          copyFloats(s.dram.data() + addr, yi, wr.lanes);
          s.markDramWritten(addr, addr + wr.lanes);
        } else {
          uint32_t depth = 0;
          std::memcpy(s.vrf(wr.mem, wr.mfu, depth) + addr * n, yi, wr.lanes * sizeof(float));
          s.markVrfWritten(wr.mem, wr.mfu, addr, wr.lanes / n);
        }
      }
    }
  }
  s.loops.pop_back();

  // As the ordinary path counts: the loop, then per iteration the chain and end_loop.
  const uint64_t tiles = p.matVec ? static_cast<uint64_t>(p.rows) * p.cols : 0;
  s.counters.instructions += 1 + static_cast<uint64_t>(count) * (chain.end - chain.begin + 1);
  s.counters.chains += count;
  s.counters.pointwiseOps += count * p.pointwise;
  s.counters.mvMulTileOps += count * tiles;
  s.counters.macs += count * tiles * n * n;
  nextPc = end + 1;
  return true;
}

} // namespace softnpu::sim::detail
