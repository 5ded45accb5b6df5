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
// transpose in front of them move behind them (SinkElementwise; a constant
// operand is re-laid out to match), and so does an add or product of two
// tensors behind the same transpose (SinkBinary: a residual block's skip
// connection), a product or sum of such a tensor and a computed [1, C, 1, 1]
// per-channel tensor (SinkChannelwise: a squeeze-and-excitation block's
// scale), and a concatenation of channels (SinkConcat).
//
//===----------------------------------------------------------------------===//
#include "compiler/ConstantValues.h"
#include "compiler/Passes.h"

#include "compiler/transforms/ViewChain.h"
#include "dialects/FloatData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

/// `k` (of shape `kShape`) broadcast to `shape`, row-major.
std::vector<float> broadcastTo(ArrayRef<float> k, ArrayRef<int64_t> kShape, ArrayRef<int64_t> shape) {
  const size_t rank = shape.size();
  SmallVector<int64_t> stride(rank, 0); // of k, aligned at the last dimension; 0 where it broadcasts
  for (int64_t i = static_cast<int64_t>(kShape.size()) - 1, s = 1; i >= 0; --i) {
    const size_t d = rank - kShape.size() + static_cast<size_t>(i);
    stride[d] = kShape[static_cast<size_t>(i)] == 1 ? 0 : s;
    s *= kShape[static_cast<size_t>(i)];
  }
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  std::vector<float> out(static_cast<size_t>(count));
  SmallVector<int64_t> idx(rank, 0);
  for (float &e : out) {
    int64_t at = 0;
    for (size_t d = 0; d < rank; ++d)
      at += idx[d] * stride[d];
    e = k[static_cast<size_t>(at)];
    for (size_t d = rank; d-- > 0;) // next index, row-major
      if (++idx[d] < shape[d])
        break;
      else
        idx[d] = 0;
  }
  return out;
}

/// y = transpose(x, perm) undone: the row-major data of x from that of y.
std::vector<float> untranspose(ArrayRef<float> y, ArrayRef<int64_t> xShape, ArrayRef<int64_t> perm) {
  const size_t rank = xShape.size();
  SmallVector<int64_t> xStride(rank, 1);
  for (size_t d = rank; d-- > 1;)
    xStride[d - 1] = xStride[d] * xShape[d];
  std::vector<float> x(y.size());
  SmallVector<int64_t> idx(rank, 0); // over y, whose dimension i is x's perm[i]
  for (float e : y) {
    int64_t at = 0;
    for (size_t i = 0; i < rank; ++i)
      at += idx[i] * xStride[static_cast<size_t>(perm[i])];
    x[static_cast<size_t>(at)] = e;
    for (size_t i = rank; i-- > 0;)
      if (++idx[i] < xShape[static_cast<size_t>(perm[i])])
        break;
      else
        idx[i] = 0;
  }
  return x;
}

/// The constant operand `k` of an element-wise op whose other operand is
/// views(transpose(x)), re-expressed for an op on x itself: broadcast to the
/// op's shape, the views and the transpose undone, then as small as its
/// values allow (one element, one row of x's last dimension, or all of x).
Value constantForRoot(PatternRewriter &rewriter, Location loc, const FloatData &k, ArrayRef<int64_t> kShape,
                      ArrayRef<int64_t> opShape, fpga::TransposeOp transpose) {
  std::vector<float> full = broadcastTo(k.values(), kShape, opShape); // views keep the row-major order
  auto xType = cast<RankedTensorType>(transpose.getX().getType());
  std::vector<float> x = untranspose(full, xType.getShape(), transpose.getPerm());
  const int64_t row = xType.getRank() ? xType.getShape().back() : 1;
  auto allEqual = [&](size_t period) {
    for (size_t i = period; i < x.size(); ++i)
      if (x[i] != x[i - period])
        return false;
    return true;
  };
  SmallVector<int64_t> shape(xType.getShape());
  if (allEqual(1))
    shape = {1};
  else if (row > 0 && allEqual(static_cast<size_t>(row)))
    shape = {row};
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  x.resize(static_cast<size_t>(type.getNumElements()));
  return arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(floatConstant(type, x, "sunk_constant")));
}

/// The transpose and views in front of an element-wise op move behind it, so
/// that they meet the next layer's transpose: op(views(transpose(x))) ->
/// views(transpose(op(x))) when each of them has only this reader. The ops:
/// fpga.leaky_relu, fpga.activation, and fpga.max / min / add / mul / prelu
/// whose second operand has one element (it broadcasts over any shape) or is
/// a constant (re-laid out for x: a batch normalization's per-channel factor
/// becomes one row of x's channels-innermost layout).
struct SinkElementwise : RewritePattern {
  explicit SinkElementwise(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    const bool binary = llvm::isa<fpga::MaxOp, fpga::MinOp, fpga::AddOp, fpga::MulOp, fpga::PreluOp>(op);
    std::optional<FloatData> constant;
    if (binary) {
      Value other = op->getOperand(1);
      if (op->getOperand(0).getType() != op->getResult(0).getType())
        return failure();
      constant = constantFloats(other);
      if (!constant && cast<RankedTensorType>(other.getType()).getNumElements() != 1)
        return failure();
    } else if (!llvm::isa<fpga::LeakyReluOp, fpga::ActivationOp>(op)) {
      return failure();
    }
    Value v;
    const SmallVector<Operation *, 4> views = singleUseViews(op->getOperand(0), /*stopAtTranspose=*/true, v);
    if (views.empty() || !llvm::isa<fpga::TransposeOp>(views.back()))
      return rewriter.notifyMatchFailure(op, "no transpose in front");
    Location loc = op->getLoc();
    IRMapping map;
    map.map(op->getOperand(0), v);
    if (binary) {
      Value other = op->getOperand(1);
      auto otherType = cast<RankedTensorType>(other.getType());
      map.map(other, constant ? constantForRoot(rewriter, loc, *constant, otherType.getShape(),
                                                cast<RankedTensorType>(op->getResult(0).getType()).getShape(),
                                                cast<fpga::TransposeOp>(views.back()))
                              : fpga::ReshapeOp::create(rewriter, loc,
                                                        RankedTensorType::get({1}, rewriter.getF32Type()), other)
                                    .getResult());
    }
    Operation *moved = rewriter.clone(*op, map);
    moved->getResult(0).setType(v.getType());
    replaceThroughViews(rewriter, op, views, moved->getResult(0));
    return success();
  }
};

/// A same-shape add of two tensors that are both the same views of a
/// transpose moves in front of them: add(views(T(x)), views(T(y))) ->
/// views(T(add(x, y))) (and so for a product) when x and y have one type, the two transposes the
/// same permutation and the two view chains the same types, each view
/// read only by the next. A residual block's add of the convolution's result
/// and the skip tensor then works channels innermost, and so does the relu
/// after it, with no layout change between the blocks.
template <class BinaryOp> struct SinkBinary : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(BinaryOp add, PatternRewriter &rewriter) const override {
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
    auto moved = BinaryOp::create(rewriter, add.getLoc(), x.getType(), x, y);
    replaceThroughViews(rewriter, add, lhs, moved.getResult());
    for (Operation *view : rhs)
      rewriter.eraseOp(view);
    return success();
  }
};

/// op(A, S) (a product or sum) of A = reshape(transpose(x)), the NCHW view
/// of a channels-innermost [pixels, C] result x, and a per-channel [1, C, 1,
/// (1)] tensor S computed at run time (a squeeze-and-excitation block's scale,
/// MobileNetV3): the same op of x and S's C values as one [1, C] row,
/// broadcast over the pixels (one staging chain and one loop), then viewed
/// back. A's views stay for its other readers (the block's global pooling),
/// whose own layout changes then cancel against them.
template <class BinaryOp> struct SinkChannelwise : OpRewritePattern<BinaryOp> {
  using OpRewritePattern<BinaryOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(BinaryOp op, PatternRewriter &rewriter) const override {
    auto y = cast<RankedTensorType>(op.getResult().getType());
    if ((y.getRank() != 3 && y.getRank() != 4) || y.getDimSize(0) != 1)
      return rewriter.notifyMatchFailure(op, "not an NCHW tensor of batch 1");
    const int64_t channels = y.getDimSize(1), pixels = y.getNumElements() / channels;
    for (auto [a, s] : {std::pair{op.getLhs(), op.getRhs()}, std::pair{op.getRhs(), op.getLhs()}}) {
      auto st = cast<RankedTensorType>(s.getType());
      if (a.getType() != y || st.getRank() != y.getRank() || st.getNumElements() != channels ||
          st.getDimSize(1) != channels || constantFloats(s))
        continue; // constants: SinkElementwise re-lays them out
      auto view = a.template getDefiningOp<fpga::ReshapeOp>();
      auto t = view ? view.getX().template getDefiningOp<fpga::TransposeOp>() : fpga::TransposeOp();
      if (!t || t.getPerm() != ArrayRef<int64_t>{1, 0})
        continue;
      Value x = t.getX();
      auto xt = cast<RankedTensorType>(x.getType());
      if (xt.getDimSize(0) != pixels || xt.getDimSize(1) != channels)
        continue;
      Location loc = op.getLoc();
      auto f32 = rewriter.getF32Type();
      Value row = fpga::ReshapeOp::create(rewriter, loc, RankedTensorType::get({1, channels}, f32), s);
      Value moved = BinaryOp::create(rewriter, loc, xt, x, row);
      Value back = fpga::TransposeOp::create(rewriter, loc, RankedTensorType::get({channels, pixels}, f32), moved,
                                             ArrayRef<int64_t>{1, 0});
      rewriter.replaceOpWithNewOp<fpga::ReshapeOp>(op, y, back);
      if (view->use_empty()) {
        rewriter.eraseOp(view);
        if (t->use_empty())
          rewriter.eraseOp(t);
      }
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a channels-innermost result and a per-channel tensor");
  }
};

/// A concatenation along the channels of NCHW tensors (batch 1), each the
/// layout change of a channels-innermost [pixels, C_k] result
/// (reshape(transpose(x_k))), becomes one concatenation of the x_k along
/// their last axis, changed once: the channels stay innermost through a
/// DenseNet or Inception block's concat.
struct SinkConcat : OpRewritePattern<fpga::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fpga::ConcatOp cat, PatternRewriter &rewriter) const override {
    auto y = cast<RankedTensorType>(cat.getResult().getType());
    if (y.getRank() < 3 || y.getDimSize(0) != 1 || cat.getAxis() != 1)
      return rewriter.notifyMatchFailure(cat, "not a concatenation of NCHW channels");
    const int64_t pixels = y.getNumElements() / y.getDimSize(1);
    SmallVector<Value> roots;
    SmallVector<Operation *> dead;
    int64_t channels = 0;
    for (Value in : cat.getInputs()) {
      Value x;
      const SmallVector<Operation *, 4> views = singleUseViews(in, /*stopAtTranspose=*/true, x);
      auto t = views.size() == 2 ? dyn_cast<fpga::TransposeOp>(views.back()) : fpga::TransposeOp();
      auto xt = cast<RankedTensorType>(x.getType());
      if (!t || t.getPerm() != ArrayRef<int64_t>{1, 0} || xt.getRank() != 2 || xt.getDimSize(0) != pixels)
        return rewriter.notifyMatchFailure(cat, "an operand is not the layout change of [pixels, C]");
      roots.push_back(x);
      channels += xt.getDimSize(1);
      dead.append(views.begin(), views.end());
    }
    Location loc = cat.getLoc();
    auto f32 = rewriter.getF32Type();
    auto joined = fpga::ConcatOp::create(rewriter, loc, RankedTensorType::get({pixels, channels}, f32), roots, 1);
    auto t = fpga::TransposeOp::create(rewriter, loc, RankedTensorType::get({channels, pixels}, f32), joined,
                                       ArrayRef<int64_t>{1, 0});
    rewriter.replaceOpWithNewOp<fpga::ReshapeOp>(cat, y, t);
    for (Operation *view : dead) // nearest first: each reader is gone before its operand
      rewriter.eraseOp(view);
    return success();
  }
};

struct FpgaCancelLayoutPass : softnpu::impl::FpgaCancelLayoutBase<FpgaCancelLayoutPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkElementwise, SinkBinary<fpga::AddOp>, SinkBinary<fpga::MulOp>, SinkChannelwise<fpga::AddOp>,
                 SinkChannelwise<fpga::MulOp>, SinkConcat, CancelTransposes>(&getContext());
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace
