//===- Tile.cpp - Tile grids and MRF placement ----------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGATILE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct FpgaTilePass : softnpu::impl::FpgaTileBase<FpgaTilePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<target::Target> t = fpga::getTarget(module);
    if (!t)
      return signalPassFailure();
    const int64_t n = t->nativeDim;
    int64_t nextTile = 0, scratchTiles = 0;
    bool ok = true;
    module.walk([&](fpga::LinearOp op) {
      int64_t rows = ceilDiv(op.getNumOutputs(), n), cols = ceilDiv(op.getReductionSize(), n);
      op.setTileGridAttr(DenseI64ArrayAttr::get(op.getContext(), {rows, cols}));
      if (cols > t->ivrfDepth) {
        op.emitError() << describeOp(op) << ": an input row of " << op.getReductionSize()
                       << " elements needs " << cols << " native vectors; the IVRF of target '"
                       << t->name << "' holds " << t->ivrfDepth;
        ok = false;
      }
      if (rows > t->asvrfDepth || 2 * rows > t->mulvrfDepth) {
        op.emitError() << describeOp(op) << ": " << op.getNumOutputs()
                       << " outputs need more vector registers than target '" << t->name
                       << "' has";
        ok = false;
      }
      if (auto w = op.getW().getDefiningOp<fpga::WeightsOp>()) {
        if (!w.getMrfTile()) {
          w.setMrfTile(nextTile);
          nextTile += rows * cols;
        }
      } else {
        scratchTiles = std::max(scratchTiles, rows * cols);
      }
    });
    if (!ok)
      return signalPassFailure();
    if (nextTile + scratchTiles > t->mrfTiles) {
      module.emitError() << "the model's matrices need " << nextTile + scratchTiles
                         << " MRF tiles (" << nextTile << " pinned, " << scratchTiles
                         << " for run-time matrices); target '" << t->name << "' has "
                         << t->mrfTiles << " (streaming weights from DRAM is not implemented yet)";
      return signalPassFailure();
    }
  }
};

} // namespace
