//===- ViewChain.h - Moving an op across the views in front of it -*- C++ -*-===//
//
// fpga-fuse (an activation folded into the linear behind a convolution's
// views back to NCHW) and fpga-cancel-layout (an element-wise op moved in
// front of the transpose before it) both take the chain of single-use
// fpga.reshape / fpga.transpose ops in front of an op, put the op's work
// before them, and rebuild the chain on its result.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_VIEWCHAIN_H
#define SOFTNPU_COMPILER_TRANSFORMS_VIEWCHAIN_H

#include "dialects/fpga/FpgaDialect.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

namespace softnpu {

/// The single-use fpga.reshape / fpga.transpose ops from `v` back towards
/// the value they view, nearest first (after the first transpose when
/// `stopAtTranspose`); `root` receives the value the last one reads (`v`
/// when there are none).
inline llvm::SmallVector<mlir::Operation *, 4> singleUseViews(mlir::Value v, bool stopAtTranspose, mlir::Value &root) {
  llvm::SmallVector<mlir::Operation *, 4> views;
  while (mlir::Operation *def = v.getDefiningOp()) {
    if (!llvm::isa<fpga::ReshapeOp, fpga::TransposeOp>(def) || !v.hasOneUse())
      break;
    views.push_back(def);
    v = def->getOperand(0);
    if (stopAtTranspose && llvm::isa<fpga::TransposeOp>(def))
      break;
  }
  root = v;
  return views;
}

/// Clones `views` (nearest first, as singleUseViews gives them) on top of
/// `result`, replaces `op` with the last clone and erases the originals.
inline void replaceThroughViews(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                                llvm::ArrayRef<mlir::Operation *> views, mlir::Value result) {
  for (mlir::Operation *view : llvm::reverse(views)) {
    mlir::IRMapping map;
    map.map(view->getOperand(0), result);
    result = rewriter.clone(*view, map)->getResult(0);
  }
  rewriter.replaceOp(op, result);
  for (mlir::Operation *view : views)
    rewriter.eraseOp(view);
}

} // namespace softnpu

#endif
