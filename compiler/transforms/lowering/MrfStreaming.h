//===- MrfStreaming.h - The MRF streaming plan of the lowering -*- C++ -*-===//
//
// Weights that fpga-tile left in DRAM (`streamed`) reach the MRF panel by
// panel: `panel_rows` tile rows at a time, into scratch buffers after the
// pinned tiles (the module's `fpga.mrf_scratch`: first tile, tiles per
// buffer, buffers). With two buffers the next panel, or the next streamed
// layer's first one, is moved in while this panel's chains run. Run-time
// matrices (m_rd) use the first scratch buffer.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_MRFSTREAMING_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_MRFSTREAMING_H

#include "dialects/fpga/FpgaDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <map>

namespace softnpu::lowering {

/// Part of a matrix's tile grid that is in the MRF at once: all of it
/// (pinned or run-time matrices), or a panel of whole tile rows of a
/// streamed matrix.
struct Panel {
  int64_t firstRowTile = 0, rowTiles = 0;
  int64_t tile = 0; ///< MRF tile holding the panel's first tile
};

class MrfStreaming {
public:
  MrfStreaming(mlir::ModuleOp module, int64_t nativeDim);

  /// The panels of a streamed matrix of `rows` tile rows.
  static llvm::SmallVector<Panel> panelsOf(fpga::WeightsOp w, int64_t rows);
  /// First MRF tile of the scratch area (run-time matrices go there).
  int64_t scratchBase() const { return scratchBase_; }
  /// True when two scratch buffers alternate (prefetch across layers).
  bool doubleBuffered() const { return buffers_ >= 2; }

  /// Moves panel `pi` into the next scratch buffer with an m_rd stream at
  /// `b`, once; `matrixIndex` gives (declaring on first use) its entry in
  /// the matrix table. Returns the panel's first tile.
  int64_t prefetch(mlir::OpBuilder &b, mlir::Location loc, fpga::WeightsOp w, size_t pi,
                   llvm::function_ref<int64_t()> matrixIndex);
  /// Panel `pi` in the MRF for use now (moved in earlier, or now).
  int64_t streamIn(mlir::OpBuilder &b, mlir::Location loc, fpga::WeightsOp w, size_t pi,
                   llvm::function_ref<int64_t()> matrixIndex);

private:
  int64_t takeScratchBuffer();

  int64_t scratchBase_ = 0, tilesPerBuffer_ = 0, buffers_ = 0;
  int64_t nextBuffer_ = 0;
  std::map<std::pair<mlir::Operation *, size_t>, int64_t> loadedAt_; ///< prefetched -> tile
};

} // namespace softnpu::lowering

#endif
