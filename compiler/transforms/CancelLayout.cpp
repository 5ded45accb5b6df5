//===- CancelLayout.cpp - Layout changes that undo each other, removed -----===//
//
// Each convolution and pooling layer changes layout at both ends (NCHW ->
// [H, W, C] in, [pixels, C] -> NCHW out; docs/cnn.md), so between two NPU
// layers a transpose meets the transpose that undoes it, with only reshapes
// (views) between. The second is replaced by the first's operand, and the
// views and transposes that no one reads any more are erased: between NPU
// layers the activations stay channels innermost, and the layout changes
// only where the model's NCHW tensors enter or leave.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGACANCELLAYOUT
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// transpose(reshape*(transpose(x))) -> x when the reshapes give back the
/// first transpose's own type and the two permutations compose to the
/// identity (then the result has x's type).
struct CancelTransposes : OpRewritePattern<fpga::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::TransposeOp second, PatternRewriter &rewriter) const override {
    Value v = second.getX();
    while (auto r = v.getDefiningOp<fpga::ReshapeOp>())
      v = r.getX();
    auto first = v.getDefiningOp<fpga::TransposeOp>();
    if (!first || first.getY().getType() != second.getX().getType() ||
        first.getX().getType() != second.getY().getType())
      return rewriter.notifyMatchFailure(second, "not the inverse of a transpose");
    ArrayRef<int64_t> p1 = first.getPerm(), p2 = second.getPerm();
    for (size_t k = 0; k < p2.size(); ++k)
      if (p1[static_cast<size_t>(p2[k])] != static_cast<int64_t>(k))
        return rewriter.notifyMatchFailure(second, "the permutations do not compose to the identity");
    Value dead = second.getX();
    rewriter.replaceOp(second, first.getX());
    // The views and the first transpose, if nothing else reads them now.
    while (Operation *def = dead.getDefiningOp()) {
      if (!def->use_empty() || !llvm::isa<fpga::ReshapeOp, fpga::TransposeOp>(def))
        break;
      dead = def->getOperand(0);
      const bool last = def == first.getOperation();
      rewriter.eraseOp(def);
      if (last)
        break;
    }
    return success();
  }
};

struct FpgaCancelLayoutPass : softnpu::impl::FpgaCancelLayoutBase<FpgaCancelLayoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<CancelTransposes>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
