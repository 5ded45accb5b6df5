//===- CancelLayout.cpp - Layout changes that undo each other, removed -----===//
//
// Each convolution and pooling layer changes layout at both ends (NCHW ->
// [H, W, C] in, [pixels, C] -> NCHW out; docs/cnn.md), so between two NPU
// layers a transpose meets the transpose that undoes it, with only reshapes
// (views) between. The second is replaced by the first's operand, and the
// views and transposes that no one reads any more are erased: between NPU
// layers the activations stay channels innermost, and the layout changes
// only where the model's NCHW tensors enter or leave. Element-wise ops
// between two layers (a LeakyRelu, a max with a constant) first let the
// transpose in front of them move behind them (SinkElementwise), and so does
// an add of two tensors behind the same transpose (SinkAdd: a residual
// block's skip connection).
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "compiler/transforms/ViewChain.h"

#include "mlir/IR/IRMapping.h"
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

/// The transpose and views in front of an element-wise op move behind it, so
/// that they meet the next layer's transpose: op(views(transpose(x))) ->
/// views(transpose(op(x))) when each of them has only this reader. The ops:
/// fpga.leaky_relu, fpga.activation, and fpga.max / fpga.min with a
/// one-element operand (which broadcasts over any shape).
struct SinkElementwise : RewritePattern {
  explicit SinkElementwise(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    Value other; // fpga.max's / fpga.min's one-element operand
    if (llvm::isa<fpga::MaxOp, fpga::MinOp>(op)) {
      auto isScalar = [](Value v) { return cast<RankedTensorType>(v.getType()).getNumElements() == 1; };
      if (!isScalar(op->getOperand(1)) || op->getOperand(0).getType() != op->getResult(0).getType())
        return failure();
      other = op->getOperand(1);
    } else if (!llvm::isa<fpga::LeakyReluOp, fpga::ActivationOp>(op)) {
      return failure();
    }
    Value v;
    const SmallVector<Operation *, 4> views = singleUseViews(op->getOperand(0), /*stopAtTranspose=*/true, v);
    if (views.empty() || !llvm::isa<fpga::TransposeOp>(views.back()))
      return rewriter.notifyMatchFailure(op, "no transpose in front");
    Location loc = op->getLoc();
    Operation *moved;
    if (other) {
      auto scalar = fpga::ReshapeOp::create(rewriter, loc, RankedTensorType::get({1}, rewriter.getF32Type()), other);
      moved = llvm::isa<fpga::MaxOp>(op) ? fpga::MaxOp::create(rewriter, loc, v.getType(), v, scalar).getOperation()
                                         : fpga::MinOp::create(rewriter, loc, v.getType(), v, scalar).getOperation();
    } else {
      IRMapping map;
      map.map(op->getOperand(0), v);
      moved = rewriter.clone(*op, map);
      moved->getResult(0).setType(v.getType());
    }
    replaceThroughViews(rewriter, op, views, moved->getResult(0));
    return success();
  }
};

/// A same-shape add of two tensors that are both the same views of a
/// transpose moves in front of them: add(views(T(x)), views(T(y))) ->
/// views(T(add(x, y))) when x and y have one type, the two transposes the
/// same permutation and the two view chains the same types, each view
/// read only by the next. A residual block's add of the convolution's result
/// and the skip tensor then works channels innermost, and so does the relu
/// after it, with no layout change between the blocks.
struct SinkAdd : OpRewritePattern<fpga::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::AddOp add, PatternRewriter &rewriter) const override {
    Value x, y;
    const SmallVector<Operation *, 4> lhs = singleUseViews(add.getLhs(), /*stopAtTranspose=*/true, x);
    const SmallVector<Operation *, 4> rhs = singleUseViews(add.getRhs(), /*stopAtTranspose=*/true, y);
    if (lhs.empty() || lhs.size() != rhs.size() || x.getType() != y.getType() ||
        add.getLhs().getType() != add.getResult().getType() || add.getRhs().getType() != add.getResult().getType())
      return rewriter.notifyMatchFailure(add, "not two operands with the same views");
    auto lt = dyn_cast<fpga::TransposeOp>(lhs.back()), rt = dyn_cast<fpga::TransposeOp>(rhs.back());
    if (!lt || !rt || lt.getPerm() != rt.getPerm())
      return rewriter.notifyMatchFailure(add, "the operands are not views of the same transpose");
    for (size_t i = 0; i < lhs.size(); ++i)
      if (lhs[i]->getName() != rhs[i]->getName() || lhs[i]->getResult(0).getType() != rhs[i]->getResult(0).getType())
        return rewriter.notifyMatchFailure(add, "the operands' views differ");
    auto moved = fpga::AddOp::create(rewriter, add.getLoc(), x.getType(), x, y);
    replaceThroughViews(rewriter, add, lhs, moved.getResult());
    for (Operation *view : rhs)
      rewriter.eraseOp(view);
    return success();
  }
};

struct FpgaCancelLayoutPass : softnpu::impl::FpgaCancelLayoutBase<FpgaCancelLayoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkElementwise, SinkAdd, CancelTransposes>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
