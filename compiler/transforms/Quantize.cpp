//===- Quantize.cpp - Formats from the target; constant weights rounded ---===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "dialects/fpga/FpgaTarget.h"

#include "softnpu/numerics/Bfp.h"

#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGAQUANTIZE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// The constant a value holds, if it is a dense f32 constant.
DenseElementsAttr constantOf(Value v) {
  DenseElementsAttr attr;
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    attr = dyn_cast<DenseElementsAttr>(c.getValue());
  return attr && attr.getElementType().isF32() ? attr : DenseElementsAttr();
}

struct FpgaQuantizePass : softnpu::impl::FpgaQuantizeBase<FpgaQuantizePass> {
  using FpgaQuantizeBase::FpgaQuantizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<target::Target> t = fpga::getTarget(module);
    if (!t)
      return signalPassFailure();
    if (!precision.empty()) {
      std::string err;
      auto fmt = numerics::NumberFormat::parse(precision, &err);
      if (!fmt) {
        module.emitError() << "bad precision '" << precision << "': " << err;
        return signalPassFailure();
      }
      *t = t->withPrecision(*fmt);
      if (auto bad = t->validate()) {
        module.emitError() << "precision '" << precision << "' does not fit target '" << t->name
                           << "': " << *bad;
        return signalPassFailure();
      }
      fpga::setTarget(module, *t);
    }
    module.walk([&](fpga::LinearOp op) { quantizeLinear(op, *t); });
    // The unrounded originals are dead now.
    module.walk([](arith::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }

  /// Constant w -> fpga.weights holding alpha * W' (W' in [out, in] layout)
  /// rounded row by row to the weight format; constant bias -> beta * bias.
  void quantizeLinear(fpga::LinearOp op, const target::Target &t) {
    OpBuilder b(op);
    if (DenseElementsAttr w = constantOf(op.getW())) {
      int64_t p = op.getNumOutputs(), k = op.getReductionSize();
      auto values = llvm::to_vector(w.getValues<float>());
      int64_t wCols = cast<RankedTensorType>(w.getType()).getDimSize(1);
      float alpha = op.getAlpha().convertToFloat();
      std::vector<float> wt(static_cast<size_t>(p * k));
      for (int64_t i = 0; i < p; ++i)
        for (int64_t j = 0; j < k; ++j) {
          float v = op.getTransposeW() ? values[j * wCols + i] : values[i * wCols + j];
          wt[i * k + j] = alpha == 1.0f ? v : alpha * v;
        }
      for (int64_t i = 0; i < p; ++i)
        numerics::roundTrip(&wt[i * k], static_cast<size_t>(k), t.weightFormat, t.rounding);
      auto fmt = fpga::FormatAttr::get(op.getContext(), t.weightFormat.name());
      auto type = RankedTensorType::get({p, k}, b.getF32Type(), fmt);
      auto plain = RankedTensorType::get({p, k}, b.getF32Type());
      auto weights = fpga::WeightsOp::create(b, op.getW().getLoc(), type,
                                             DenseElementsAttr::get(plain, llvm::ArrayRef<float>(wt)),
                                             nullptr);
      op.getWMutable().assign(weights);
      op.setTransposeW(false);
      op.setAlpha(APFloat(1.0f));
    }
    if (Value bias = op.getBias()) {
      float beta = op.getBeta().convertToFloat();
      DenseElementsAttr c = constantOf(bias);
      if (c && beta != 1.0f) {
        auto scaled = llvm::map_to_vector(c.getValues<float>(), [&](float v) { return beta * v; });
        auto folded = arith::ConstantOp::create(
            b, bias.getLoc(), DenseElementsAttr::get(c.getType(), llvm::ArrayRef<float>(scaled)));
        op.getBiasMutable().assign(folded);
        op.setBeta(APFloat(1.0f));
      }
    }
  }
};

} // namespace
