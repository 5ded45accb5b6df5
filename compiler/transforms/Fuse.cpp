//===- Fuse.cpp - Fold bias adds and activations into fpga.linear --------===//
//
// Two rewrite patterns, rooted at the consumer: add(linear, row bias) ->
// linear with bias, activation(linear) -> linear with that activation (also
// through reshape / transpose views), when the linear has no other user. Applied in one forward walk (no folding, no
// dead-code removal), so linear -> add -> activation folds into one linear.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "compiler/transforms/ViewChain.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGAFUSE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// A bias the matrix chain can add: one value per output column ([P] or [1, P]).
bool isRowBias(Value bias, int64_t numOutputs) {
  auto t = cast<RankedTensorType>(bias.getType());
  ArrayRef<int64_t> s = t.getShape();
  return (s.size() == 1 && s[0] == numOutputs) || (s.size() == 2 && s[0] == 1 && s[1] == numOutputs);
}

/// A linear whose only user is the op being matched and that has no
/// activation yet (nothing may run after the activation in its chain).
fpga::LinearOp fusableLinear(Value v) {
  auto linear = v.getDefiningOp<fpga::LinearOp>();
  if (!linear || !linear.getY().hasOneUse() || linear.getActivation() != fpga::Activation::none)
    return nullptr;
  return linear;
}

/// linear(no bias) + add(row bias) -> linear(bias). With a linear on both
/// sides, the one defined first is tried first.
struct FuseBias : OpRewritePattern<fpga::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::AddOp add, PatternRewriter &rewriter) const override {
    SmallVector<fpga::LinearOp, 2> candidates;
    for (Value v : {add.getLhs(), add.getRhs()})
      if (fpga::LinearOp linear = fusableLinear(v); linear && !linear.getBias())
        candidates.push_back(linear);
    if (candidates.size() == 2 && candidates[1]->isBeforeInBlock(candidates[0]))
      std::swap(candidates[0], candidates[1]);
    for (fpga::LinearOp linear : candidates)
      if (succeeded(fuse(linear, add, rewriter)))
        return success();
    return rewriter.notifyMatchFailure(add, "no bias-free linear with a row bias to absorb");
  }

  static LogicalResult fuse(fpga::LinearOp linear, fpga::AddOp add, PatternRewriter &rewriter) {
    Value other = add.getLhs() == linear.getY() ? add.getRhs() : add.getLhs();
    if (other == linear.getY() || !isRowBias(other, linear.getNumOutputs()) ||
        add.getResult().getType() != linear.getY().getType())
      return failure();
    Location loc = rewriter.getFusedLoc({linear.getLoc(), add.getLoc()});
    auto fused = fpga::LinearOp::create(rewriter, loc, linear.getY().getType(), linear.getX(), linear.getW(), other,
                                        linear.getTransposeX(), linear.getTransposeW(), linear.getAlpha(),
                                        APFloat(1.0f), linear.getActivation(), linear.getTileGridAttr(),
                                        linear.getWeightFormatAttr(), linear.getInputFormatAttr());
    rewriter.replaceOp(add, fused.getY());
    rewriter.eraseOp(linear);
    return success();
  }
};

/// linear(no activation) + activation -> linear(activation). An element-wise
/// activation commutes with data movement, so it also folds through a chain
/// of single-use fpga.reshape / fpga.transpose views between the two (a
/// convolution's linear is followed by the transpose back to NCHW): the
/// views are rebuilt on the fused linear.
struct FuseActivation : OpRewritePattern<fpga::ActivationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::ActivationOp act, PatternRewriter &rewriter) const override {
    Value v;
    const SmallVector<Operation *, 4> views = singleUseViews(act.getX(), /*stopAtTranspose=*/false, v);
    fpga::LinearOp linear = fusableLinear(v);
    if (!linear)
      return rewriter.notifyMatchFailure(act, "operand is not a linear without activation and other users");
    Location loc = rewriter.getFusedLoc({linear.getLoc(), act.getLoc()});
    auto fused = fpga::LinearOp::create(rewriter, loc, linear.getY().getType(), linear.getX(), linear.getW(),
                                        linear.getBias(), linear.getTransposeX(), linear.getTransposeW(),
                                        linear.getAlpha(), linear.getBeta(), act.getKind(), linear.getTileGridAttr(),
                                        linear.getWeightFormatAttr(), linear.getInputFormatAttr());
    replaceThroughViews(rewriter, act, views, fused.getY());
    rewriter.eraseOp(linear);
    return success();
  }
};

struct FpgaFusePass : softnpu::impl::FpgaFuseBase<FpgaFusePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBias, FuseActivation>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
