//===- Tile.cpp - Tile grids and MRF placement ----------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/transforms/RnnLayout.h"
#include "dialects/fpga/FpgaTarget.h"

#include "softnpu/numerics/Bfp.h"
#include "softnpu/timing/CostModel.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGATILE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// Streamed matrices named in a remark each; the MRF summary counts all (a
/// model of thousands of small layers would print a line per layer).
constexpr int64_t kStreamRemarks = 10;

/// A constant matrix and the tile grid of its first user.
struct Matrix {
  fpga::WeightsOp op;
  fpga::LinearOp user;
  int64_t rows = 0, cols = 0; ///< tile grid
  int64_t tiles = 0;
  bool streamed = false;
};

struct FpgaTilePass : softnpu::impl::FpgaTileBase<FpgaTilePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    const target::Target &t = fpga::getTarget(module);
    const int64_t n = t.nativeDim;
    int64_t runtimeTiles = 0;
    SmallVector<Matrix> matrices;
    bool ok = true;
    module.walk([&](fpga::LinearOp op) {
      int64_t rows = llvm::divideCeilSigned(op.getNumOutputs(), n),
              cols = llvm::divideCeilSigned(op.getReductionSize(), n);
      op.setTileGridAttr(DenseI64ArrayAttr::get(op.getContext(), {rows, cols}));
      if (cols > t.ivrfDepth) {
        op.emitError() << describeOp(op) << ": an input row of " << op.getReductionSize() << " elements needs " << cols
                       << " native vectors; the IVRF of target '" << t.name << "' holds " << t.ivrfDepth;
        ok = false;
      }
      if (rows > t.asvrfDepth || 2 * rows > t.mulvrfDepth) {
        op.emitError() << describeOp(op) << ": " << op.getNumOutputs()
                       << " outputs need more vector registers than target '" << t.name << "' has";
        ok = false;
      }
      if (auto w = op.getW().getDefiningOp<fpga::WeightsOp>()) {
        if (llvm::none_of(matrices, [&](const Matrix &m) { return m.op == w; }))
          matrices.push_back({w, op, rows, cols, rows * cols});
      } else {
        runtimeTiles = std::max(runtimeTiles, rows * cols);
      }
    });
    if (!ok)
      return signalPassFailure();
    FailureOr<int64_t> rnnTiles = placeRecurrent(module, t, runtimeTiles);
    if (failed(rnnTiles) || failed(place(module, t, matrices, runtimeTiles, *rnnTiles)))
      return signalPassFailure();
  }

  static bool isConstant(Value v) { return v.getDefiningOp<arith::ConstantOp>() != nullptr; }

  /// Recurrent layers keep their gate matrices in the MRF for the whole
  /// sequence: constant ones are pinned from tile 0 (whatever the target's
  /// weight residency: streaming them every timestep would make the layer
  /// DRAM-bound), run-time ones use the scratch tiles. Returns the tiles
  /// pinned.
  FailureOr<int64_t> placeRecurrent(ModuleOp module, const target::Target &t, int64_t &runtimeTiles) {
    int64_t next = 0;
    bool ok = true;
    module.walk([&](fpga::RnnOp op) {
      const int64_t tiles = rnn::tilesOf(op, t.nativeDim);
      if (!isConstant(op.getW()) || !isConstant(op.getR())) {
        runtimeTiles = std::max(runtimeTiles, tiles);
        return;
      }
      if (next + tiles > static_cast<int64_t>(t.mrfTiles)) {
        op.emitError() << describeOp(op) << ": the recurrent weights need " << tiles << " MRF tiles of " << t.nativeDim
                       << " x " << t.nativeDim << " (" << op.getNumDirections() << " direction(s), " << op.getNumGates()
                       << " gate(s), hidden " << op.getHiddenSize() << ", input " << op.getInputSize() << ") beside "
                       << next << " already pinned; target '" << t.name << "' has " << t.mrfTiles
                       << " (a recurrent layer keeps its weights on chip for the whole sequence)";
        ok = false;
        return;
      }
      op.setMrfTile(next);
      op.emitRemark() << describeOp(op) << ": gate matrices pinned in MRF tiles [" << next << ", " << next + tiles
                      << ")";
      next += tiles;
    });
    if (!ok)
      return failure();
    return next;
  }

  /// Pins every matrix when they fit; otherwise streams the largest ones from
  /// DRAM until the rest fits. Streamed matrices pass through scratch tiles
  /// after the pinned ones in panels of whole tile rows (`panel_rows`), in two
  /// alternating buffers when there is room, so that the next panel's m_rd
  /// overlaps this panel's chains. Reports each choice as a remark.
  LogicalResult place(ModuleOp module, const target::Target &t, SmallVector<Matrix> &matrices, int64_t runtimeTiles,
                      int64_t base) {
    const int64_t capacity = static_cast<int64_t>(t.mrfTiles) - base;
    int64_t pinned = 0, maxCols = 0, maxFull = 0;
    for (const Matrix &m : matrices)
      pinned += m.tiles;
    // The least scratch that works: one tile row of every streamed matrix,
    // and every run-time matrix whole.
    auto need = [&] { return std::max(runtimeTiles, maxCols); };
    // Largest first; equal sizes keep program order (an index tie-break, so a
    // plain sort is stable).
    SmallVector<std::pair<Matrix *, size_t>> bySize;
    for (auto [i, m] : llvm::enumerate(matrices))
      bySize.push_back({&m, i});
    llvm::sort(bySize, [](const auto &a, const auto &b) {
      return a.first->tiles != b.first->tiles ? a.first->tiles > b.first->tiles : a.second < b.second;
    });
    const bool streamAll = t.weightResidency == target::Target::WeightResidency::Stream;
    for (auto [m, index] : bySize) {
      (void)index;
      if (!streamAll && pinned + runtimeTiles <= capacity && maxFull == 0)
        break;
      if (!streamAll && maxFull && pinned + need() <= capacity)
        break;
      m->streamed = true;
      pinned -= m->tiles;
      maxCols = std::max(maxCols, m->cols);
      maxFull = std::max(maxFull, m->tiles);
    }
    if (pinned + need() > capacity) {
      module.emitError() << "the model's matrices do not fit the MRF of target '" << t.name << "' (" << capacity
                         << " tiles) even when streamed: " << need() << " scratch tiles are needed beside " << pinned
                         << " pinned";
      return failure();
    }
    int64_t free = capacity - pinned, want = std::max(maxFull, runtimeTiles);
    int64_t buffers = maxFull && free / 2 >= need() ? 2 : 1;
    int64_t scratch = std::min(free / buffers, want);
    int64_t next = base, reported = 0;
    for (Matrix &m : matrices) {
      if (m.streamed) {
        m.op.setMrfTile(base + pinned);
        m.op.setStreamed(true);
        m.op.setPanelRows(std::min(m.rows, scratch / m.cols));
        if (reported++ < kStreamRemarks) // the summary below counts them all
          reportStream(m, t);
      } else {
        m.op.setMrfTile(next);
        next += m.tiles;
      }
    }
    Builder b(module.getContext());
    module->setAttr(fpga::FpgaDialect::kMrfScratchAttrName, b.getDenseI64ArrayAttr({base + pinned, scratch, buffers}));
    if (maxFull)
      module.emitRemark() << "MRF of target '" << t.name << "': " << pinned << " tiles pinned, "
                          << llvm::count_if(matrices, [](const Matrix &m) { return m.streamed; })
                          << " matrices streamed through " << buffers << " scratch buffer(s) of " << scratch
                          << " tiles, " << capacity << " tiles in all"
                          << (reported > kStreamRemarks
                                  ? " (the first " + std::to_string(kStreamRemarks) + " streamed are named above)"
                                  : std::string());
    return success();
  }

  /// The timing model's view of streaming one matrix: DRAM cycles for its
  /// packed bytes against the matrix-unit cycles of the layer using it.
  void reportStream(Matrix m, const target::Target &t) {
    auto fmt = fpga::getFormat(m.op.getType());
    uint64_t bytes = static_cast<uint64_t>(m.tiles) * t.nativeDim *
                     numerics::packedRowBytes(fmt ? *fmt : t.weightFormat, t.nativeDim);
    uint64_t dram = timing::dramCycles(t, bytes) + t.dramLatencyCycles;
    uint64_t mvu = static_cast<uint64_t>(m.user.getNumRows()) * llvm::divideCeilSigned(m.tiles, t.tileEngines) *
                   timing::cyclesPerVector(t);
    m.user.emitRemark() << describeOp(m.user) << ": "
                        << (t.weightResidency == target::Target::WeightResidency::Stream
                                ? "the target streams every weight matrix; "
                                : "weights do not fit the MRF next to the others; ")
                        << "streamed from DRAM in panels of " << *m.op.getPanelRows() << " tile rows: " << bytes
                        << " bytes, about " << dram << " DRAM cycles per run against " << mvu << " matrix-unit cycles";
  }
};

} // namespace
