//===- Fuse.cpp - Fold bias adds and point-wise ops into fpga.linear -----===//
//
// Rewrite patterns rooted at the consumer, when the linear has no other
// user: add(linear, row bias) -> linear with bias; activation(linear) ->
// linear with that activation; leaky_relu(linear) -> linear with
// leaky_alpha; max(linear, one-element constant) -> linear with max_floor;
// min(linear, one-element constant) -> linear with min_ceiling (the last
// four also through reshape / transpose views); add(linear, tensor of its
// shape) -> linear with residual (a ResNet block's add, through the views
// too: the other operand gets the inverse views, which fpga-cancel-layout
// then cancels against the views it came through). A step is added only when
// the target's MFUs can run the longer chain. Applied in one forward walk
// (no folding, no dead-code removal), so linear -> add -> add -> relu -> max
// -> min folds into one linear. mul(x, sigmoid(x)) (SiLU, two ONNX nodes)
// becomes the activation silu (v_silu), itself folded into x's linear.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "compiler/ConstantValues.h"
#include "compiler/transforms/ViewChain.h"
#include "compiler/transforms/lowering/Chains.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <type_traits>

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
/// activation, leaky relu, floor or ceiling yet (the bias and the activation come
/// before them in its chain).
fpga::LinearOp fusableLinear(Value v) {
  auto linear = v.getDefiningOp<fpga::LinearOp>();
  if (!linear || !linear.getY().hasOneUse() || linear.getActivation() != fpga::Activation::none ||
      linear.getLeakyAlpha() || linear.getMaxFloor() || linear.getMinCeiling())
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
    auto fused = fpga::LinearOp::create(
        rewriter, loc, linear.getY().getType(), linear.getX(), linear.getW(), other, linear.getResidual(),
        linear.getTransposeX(), linear.getTransposeW(), linear.getAlpha(), APFloat(1.0f), linear.getActivation(),
        linear.getTileGridAttr(), linear.getWeightFormatAttr(), linear.getInputFormatAttr(), linear.getLeakyAlphaAttr(),
        linear.getMaxFloorAttr(), linear.getMinCeilingAttr());
    rewriter.replaceOp(add, fused.getY());
    rewriter.eraseOp(linear);
    return success();
  }
};

/// Replaces `consumer` (an element-wise op reading `linear` through the
/// single-use `views`) by a copy of `linear` at the fused location, changed
/// by `change`; the views are rebuilt on the copy.
template <class Change>
void foldIntoLinear(PatternRewriter &rewriter, Operation *consumer, fpga::LinearOp linear, ArrayRef<Operation *> views,
                    Change change) {
  auto fused = cast<fpga::LinearOp>(rewriter.clone(*linear));
  fused->setLoc(rewriter.getFusedLoc({linear.getLoc(), consumer->getLoc()}));
  change(fused);
  replaceThroughViews(rewriter, consumer, views, fused.getY());
  rewriter.eraseOp(linear);
}

/// linear(no activation) + activation -> linear(activation). An element-wise
/// activation commutes with data movement, so it also folds through a chain
/// of single-use fpga.reshape / fpga.transpose views between the two (a
/// convolution's linear is followed by the transpose back to NCHW): the
/// views are rebuilt on the fused linear.
/// Folds `act` into the linear behind its operand's single-use views, if
/// there is one that can take it.
bool foldActivation(PatternRewriter &rewriter, fpga::ActivationOp act) {
  Value v;
  const SmallVector<Operation *, 4> views = singleUseViews(act.getX(), /*stopAtTranspose=*/false, v);
  fpga::LinearOp linear = fusableLinear(v);
  if (!linear)
    return false;
  const fpga::Activation kind = act.getKind();
  foldIntoLinear(rewriter, act, linear, views, [&](fpga::LinearOp f) { f.setActivation(kind); });
  return true;
}

struct FuseActivation : OpRewritePattern<fpga::ActivationOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::ActivationOp act, PatternRewriter &rewriter) const override {
    if (!foldActivation(rewriter, act))
      return rewriter.notifyMatchFailure(act, "operand is not a linear without activation and other users");
    return success();
  }
};

/// Whether `linear`'s chain can take one more step `inst` after its
/// epilogue: the MFUs can run it, and the operands of the epilogue (each a
/// splat of ceil(P / N) vectors, LowerLinear.cpp) fit their VRFs.
bool canAppendStep(fpga::LinearOp linear, const char *inst) {
  const target::Target &t = fpga::getTarget(linear);
  const int64_t rows = llvm::divideCeil(linear.getNumOutputs(), static_cast<int64_t>(t.nativeDim));
  if (3 * rows > static_cast<int64_t>(t.mulvrfDepth) || 3 * rows > static_cast<int64_t>(t.asvrfDepth))
    return false;
  lowering::LinearEpilogue e = lowering::LinearEpilogue::of(linear);
  e.steps.push_back({inst, 0});
  return lowering::canPlaceSteps(t, /*matVec=*/true, e.steps);
}

/// linear(no activation) + leaky_relu -> linear(leaky_alpha), also through
/// single-use views (as FuseActivation).
struct FuseLeakyRelu : OpRewritePattern<fpga::LeakyReluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::LeakyReluOp lr, PatternRewriter &rewriter) const override {
    Value v;
    const SmallVector<Operation *, 4> views = singleUseViews(lr.getX(), /*stopAtTranspose=*/false, v);
    fpga::LinearOp linear = fusableLinear(v);
    if (!linear || !canAppendStep(linear, "vv_prelu"))
      return rewriter.notifyMatchFailure(lr, "operand is not a linear that can take a leaky relu step");
    foldIntoLinear(rewriter, lr, linear, views, [&](fpga::LinearOp f) { f.setLeakyAlphaAttr(lr.getAlphaAttr()); });
    return success();
  }
};

/// linear + max(., one-element constant) -> linear(max_floor), and
/// linear + min(., one-element constant) -> linear(min_ceiling): the last
/// steps of a chain, after any activation or leaky relu, the floor before the
/// ceiling; also through single-use views.
template <class BoundOp> struct FuseBound : OpRewritePattern<BoundOp> {
  using OpRewritePattern<BoundOp>::OpRewritePattern;
  static constexpr bool kFloor = std::is_same_v<BoundOp, fpga::MaxOp>;

  LogicalResult matchAndRewrite(BoundOp op, PatternRewriter &rewriter) const override {
    for (auto [side, other] : {std::pair{op.getLhs(), op.getRhs()}, std::pair{op.getRhs(), op.getLhs()}}) {
      std::optional<FloatData> bound = constantFloats(other);
      if (!bound || bound->size() != 1 || side.getType() != op.getResult().getType())
        continue;
      Value v;
      const SmallVector<Operation *, 4> views = singleUseViews(side, /*stopAtTranspose=*/false, v);
      auto linear = v.getDefiningOp<fpga::LinearOp>();
      if (!linear || !linear.getY().hasOneUse() || linear.getMinCeiling() || (kFloor && linear.getMaxFloor()) ||
          !canAppendStep(linear, kFloor ? "vv_max" : "vv_min"))
        continue;
      FloatAttr value = rewriter.getF32FloatAttr(bound->data()[0]);
      foldIntoLinear(rewriter, op, linear, views, [&](fpga::LinearOp f) {
        if constexpr (kFloor)
          f.setMaxFloorAttr(value);
        else
          f.setMinCeilingAttr(value);
      });
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a linear and a one-element constant");
  }
};

/// `v` seen through the inverse of `views` (nearest first, as singleUseViews
/// gives them): in the layout of the value the views start from.
Value undoViews(PatternRewriter &rewriter, Location loc, ArrayRef<Operation *> views, Value v) {
  for (Operation *view : views) {
    Type from = view->getOperand(0).getType();
    if (auto t = dyn_cast<fpga::TransposeOp>(view)) {
      ArrayRef<int64_t> perm = t.getPerm();
      SmallVector<int64_t> inverse(perm.size());
      for (size_t k = 0; k < perm.size(); ++k)
        inverse[perm[k]] = static_cast<int64_t>(k);
      v = fpga::TransposeOp::create(rewriter, loc, from, v, inverse);
    } else {
      v = fpga::ReshapeOp::create(rewriter, loc, from, v);
    }
  }
  return v;
}

/// linear(no residual, no activation yet) + add(., tensor of the same type)
/// -> linear(residual), also through single-use views (the other operand is
/// viewed back to the linear's [R, P] layout). With a linear on both sides
/// (a ResNet block with a projection shortcut), the one defined later takes
/// the other as its residual.
struct FuseResidual : OpRewritePattern<fpga::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::AddOp add, PatternRewriter &rewriter) const override {
    Type type = add.getResult().getType();
    if (add.getLhs().getType() != type || add.getRhs().getType() != type || add.getLhs() == add.getRhs())
      return rewriter.notifyMatchFailure(add, "not an add of two tensors of one shape");
    struct Candidate {
      fpga::LinearOp linear;
      SmallVector<Operation *, 4> views;
      Value other;
    };
    SmallVector<Candidate, 2> candidates;
    for (auto [side, other] : {std::pair{add.getLhs(), add.getRhs()}, std::pair{add.getRhs(), add.getLhs()}}) {
      Value root;
      SmallVector<Operation *, 4> views = singleUseViews(side, /*stopAtTranspose=*/false, root);
      fpga::LinearOp linear = fusableLinear(root);
      if (linear && !linear.getResidual() && canAppendResidual(linear))
        candidates.push_back({linear, std::move(views), other});
    }
    if (candidates.empty())
      return rewriter.notifyMatchFailure(add, "no linear that can take a residual step");
    if (candidates.size() == 2 && candidates[0].linear->isBeforeInBlock(candidates[1].linear))
      std::swap(candidates[0], candidates[1]);
    Candidate &c = candidates[0];
    Value residual = undoViews(rewriter, add.getLoc(), c.views, c.other);
    foldIntoLinear(rewriter, add, c.linear, c.views,
                   [&](fpga::LinearOp f) { f.getResidualMutable().assign(residual); });
    return success();
  }

  /// The chain takes one more add, and the ASVRF holds the epilogue's
  /// operands and at least one row of the residual (LowerLinear.cpp).
  static bool canAppendResidual(fpga::LinearOp linear) {
    const target::Target &t = fpga::getTarget(linear);
    const int64_t rows = llvm::divideCeil(linear.getNumOutputs(), static_cast<int64_t>(t.nativeDim));
    return 4 * rows <= static_cast<int64_t>(t.asvrfDepth) && canAppendStep(linear, "vv_add");
  }
};

/// mul(x, sigmoid(x)) -> activation silu(x) when the sigmoid has no other
/// reader and the target's MFUs have v_silu; then, as FuseActivation, into
/// the linear behind x's single-use views (the walk does not revisit the
/// new op).
struct FuseSilu : OpRewritePattern<fpga::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::MulOp mul, PatternRewriter &rewriter) const override {
    if (!fpga::getTarget(mul).mfuConfig().implements[static_cast<uint8_t>(isa::Opcode::VSilu)])
      return rewriter.notifyMatchFailure(mul, "the target's MFUs have no v_silu");
    for (auto [x, s] : {std::pair{mul.getLhs(), mul.getRhs()}, std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto sigmoid = s.getDefiningOp<fpga::ActivationOp>();
      if (!sigmoid || sigmoid.getKind() != fpga::Activation::sigmoid || sigmoid.getX() != x || !sigmoid->hasOneUse() ||
          x.getType() != mul.getResult().getType())
        continue;
      Location loc = rewriter.getFusedLoc({sigmoid.getLoc(), mul.getLoc()});
      auto silu = fpga::ActivationOp::create(rewriter, loc, mul.getResult().getType(), x, fpga::Activation::silu);
      rewriter.replaceOp(mul, silu.getY());
      rewriter.eraseOp(sigmoid);
      rewriter.setInsertionPoint(silu);
      foldActivation(rewriter, silu);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not x * sigmoid(x)");
  }
};

struct FpgaFusePass : softnpu::impl::FpgaFuseBase<FpgaFusePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBias, FuseResidual, FuseActivation, FuseSilu, FuseLeakyRelu, FuseBound<fpga::MaxOp>,
                 FuseBound<fpga::MinOp>>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
