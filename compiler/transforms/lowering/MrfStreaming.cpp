//===- MrfStreaming.cpp - Panels of streamed weights and scratch buffers --===//
#include "compiler/transforms/lowering/MrfStreaming.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

namespace softnpu::lowering {

MrfStreaming::MrfStreaming(mlir::ModuleOp module, int64_t n) {
  if (auto scratch = module->getAttrOfType<mlir::DenseI64ArrayAttr>(fpga::FpgaDialect::kMrfScratchAttrName)) {
    scratchBase_ = scratch[0];
    tilesPerBuffer_ = scratch[1];
    buffers_ = scratch[2];
    return;
  }
  // Without fpga-tile's record: the tiles after the pinned ones.
  module.walk([&](fpga::WeightsOp w) {
    if (w.getMrfTile()) {
      auto s = mlir::cast<mlir::RankedTensorType>(w.getType()).getShape();
      scratchBase_ = std::max<int64_t>(scratchBase_, *w.getMrfTile() + llvm::divideCeilSigned(s[0], n) *
                                                                           llvm::divideCeilSigned(s[1], n));
    }
  });
}

llvm::SmallVector<Panel> MrfStreaming::panelsOf(fpga::WeightsOp w, int64_t rows) {
  int64_t per = rows;
  if (std::optional<uint64_t> panelRows = w.getPanelRows())
    per = std::max<int64_t>(1, static_cast<int64_t>(*panelRows));
  llvm::SmallVector<Panel> panels;
  for (int64_t first = 0; first < rows; first += per)
    panels.push_back({first, std::min(per, rows - first), 0});
  return panels;
}

int64_t MrfStreaming::takeScratchBuffer() {
  if (buffers_ == 0)
    return scratchBase_;
  const int64_t buffer = nextBuffer_;
  nextBuffer_ = (nextBuffer_ + 1) % std::max<int64_t>(1, buffers_);
  return scratchBase_ + buffer * tilesPerBuffer_;
}

int64_t MrfStreaming::prefetch(mlir::OpBuilder &b, mlir::Location loc, fpga::WeightsOp w, size_t pi,
                               llvm::function_ref<int64_t()> matrixIndex) {
  auto key = std::make_pair(w.getOperation(), pi);
  if (auto it = loadedAt_.find(key); it != loadedAt_.end())
    return it->second;
  const int64_t tile = takeScratchBuffer();
  fpga::MRdStreamOp::create(b, loc, matrixIndex(), tile);
  loadedAt_[key] = tile;
  return tile;
}

int64_t MrfStreaming::streamIn(mlir::OpBuilder &b, mlir::Location loc, fpga::WeightsOp w, size_t pi,
                               llvm::function_ref<int64_t()> matrixIndex) {
  const int64_t tile = prefetch(b, loc, w, pi, matrixIndex);
  loadedAt_.erase(std::make_pair(w.getOperation(), pi));
  return tile;
}

} // namespace softnpu::lowering
