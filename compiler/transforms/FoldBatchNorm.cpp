//===- FoldBatchNorm.cpp - BatchNormalization into the Conv/Gemm before it -===//
//
// An inference BatchNormalization is y = (x - mean) * s + beta per channel,
// with s = scale / sqrt(var + epsilon). After a Conv or Gemm with constant
// weights it folds into them: the weights of output channel c are multiplied
// by s[c] and the bias becomes (bias[c] - mean[c]) * s[c] + beta[c]. This is
// done in fp32 (products in double, rounded once) before quantization, so
// the NPU sees one matrix product and never the normalisation.
//
//===----------------------------------------------------------------------===//
#include "compiler/BatchNormAffine.h"
#include "compiler/ConstantValues.h"
#include "compiler/Passes.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_ONNXFOLDBATCHNORM
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

Value floatConstantOf(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<double> values, StringRef name) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  FloatBuffer buf(values.size());
  for (auto [i, v] : llvm::enumerate(values))
    buf.values()[i] = static_cast<float>(v);
  return onnx_d::ConstantOp::create(b, loc, type, floatConstant(type, std::move(buf), name));
}

/// Replaces operand `index` of `op` by `v`, erasing the constant it was when
/// nothing else reads it.
void replaceConstantOperand(Operation *op, unsigned index, Value v) {
  Operation *old = op->getOperand(index).getDefiningOp();
  op->setOperand(index, v);
  if (old && old->use_empty())
    old->erase();
}

/// Conv(x, W, B) -> BN: W[c, ...] * s[c]; B[c] -> (B[c] - mean[c]) * s[c] + beta[c].
bool foldIntoConv(onnx_d::BatchNormalizationOp bn, onnx_d::ConvOp conv) {
  auto wType = dyn_cast<RankedTensorType>(conv.getW().getType());
  if (!wType || !wType.getElementType().isF32() || wType.getRank() < 1)
    return false;
  const int64_t cout = wType.getDimSize(0), perChannel = wType.getNumElements() / cout;
  std::optional<std::vector<double>> w = constantDoubles(conv.getW(), wType.getNumElements());
  std::optional<std::vector<double>> bias = conv.getB()
                                                ? constantDoubles(conv.getB(), cout)
                                                : std::optional<std::vector<double>>(std::vector<double>(cout, 0.0));
  std::optional<BatchNormAffine> a = batchNormAffine(bn, cout);
  if (!w || !bias || !a)
    return false;
  for (int64_t c = 0; c < cout; ++c) {
    for (int64_t k = 0; k < perChannel; ++k)
      (*w)[c * perChannel + k] *= a->factor[c];
    (*bias)[c] = (*bias)[c] * a->factor[c] + a->shift[c];
  }
  OpBuilder b(conv);
  replaceConstantOperand(conv, 1, floatConstantOf(b, conv.getLoc(), wType.getShape(), *w, "bn_folded_w"));
  Value newBias = floatConstantOf(b, conv.getLoc(), {cout}, *bias, "bn_folded_b");
  if (conv.getB())
    replaceConstantOperand(conv, 2, newBias);
  else
    conv->insertOperands(2, newBias);
  return true;
}

/// Gemm(A, B, C) [M, N] -> BN over N: the columns of op(B) scaled by s, and C
/// (absent, a scalar, [N] or [1, N]) -> (beta * C - mean) * s + shift.
bool foldIntoGemm(onnx_d::BatchNormalizationOp bn, onnx_d::GemmOp gemm) {
  auto bType = dyn_cast<RankedTensorType>(gemm.getB().getType());
  auto yType = dyn_cast<RankedTensorType>(gemm.getY().getType());
  if (!bType || !yType || yType.getRank() != 2 || !bType.getElementType().isF32())
    return false;
  const int64_t n = yType.getDimSize(1), k = bType.getNumElements() / n;
  std::optional<std::vector<double>> w = constantDoubles(gemm.getB(), bType.getNumElements());
  std::optional<BatchNormAffine> a = batchNormAffine(bn, n);
  if (!w || !a)
    return false;
  std::vector<double> c(n, 0.0);
  if (Value cv = gemm.getC()) {
    auto cType = dyn_cast<RankedTensorType>(cv.getType());
    if (!cType || (cType.getNumElements() != n && cType.getNumElements() != 1) ||
        (cType.getRank() == 2 && cType.getDimSize(0) != 1))
      return false;
    std::optional<std::vector<double>> cs = constantDoubles(cv, cType.getNumElements());
    if (!cs)
      return false;
    for (int64_t j = 0; j < n; ++j)
      c[j] = gemm.getBeta().convertToDouble() * (*cs)[cs->size() == 1 ? 0 : j];
  }
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < k; ++i) // op(B) is [K, N]: B[j, i] when transposed, else B[i, j]
      (*w)[gemm.getTransB() ? j * k + i : i * n + j] *= a->factor[j];
    c[j] = c[j] * a->factor[j] + a->shift[j];
  }
  OpBuilder b(gemm);
  replaceConstantOperand(gemm, 1, floatConstantOf(b, gemm.getLoc(), bType.getShape(), *w, "bn_folded_w"));
  Value newC = floatConstantOf(b, gemm.getLoc(), {n}, c, "bn_folded_c");
  if (gemm.getC())
    replaceConstantOperand(gemm, 2, newC);
  else
    gemm->insertOperands(2, newC);
  gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
  return true;
}

struct OnnxFoldBatchNormPass : softnpu::impl::OnnxFoldBatchNormBase<OnnxFoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<onnx_d::BatchNormalizationOp> bns;
    getOperation().walk([&](onnx_d::BatchNormalizationOp bn) { bns.push_back(bn); });
    for (onnx_d::BatchNormalizationOp bn : bns) {
      Operation *producer = bn.getX().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        continue;
      bool folded = false;
      if (auto conv = dyn_cast<onnx_d::ConvOp>(producer))
        folded = foldIntoConv(bn, conv);
      else if (auto gemm = dyn_cast<onnx_d::GemmOp>(producer))
        folded = foldIntoGemm(bn, gemm);
      if (!folded)
        continue;
      bn.getY().replaceAllUsesWith(producer->getResult(0));
      SmallVector<Operation *> params;
      for (Value v : bn->getOperands().drop_front())
        params.push_back(v.getDefiningOp());
      bn.erase();
      for (Operation *p : params)
        if (p && p->use_empty())
          p->erase();
    }
  }
};

} // namespace
