//===- OnnxToFpga.cpp - onnx dialect -> tensor-level fpga ops -------------===//
//
// Dialect conversion driven by the lowering table (OnnxToFpgaPatterns.h):
// every entry becomes a conversion pattern rooted at its op name. The
// ConversionTarget makes fpga, arith and func legal and decides for each onnx
// op through one placement predicate: ops it places on the host stay onnx
// ops (legal); the others are lowered to the NPU. Those are of unknown
// legality to the driver, so a node the NPU cannot run does not stop the
// conversion: every such node is reported, by name, after it.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpga.h"

#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace softnpu {
#define GEN_PASS_DEF_CONVERTONNXTOFPGA
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;
using namespace softnpu::conversion;

InFlightDiagnostic softnpu::conversion::refuse(Operation *op, const Twine &why) {
  return op->emitError() << describeOp(op) << ": " << why;
}

Lowering softnpu::conversion::findLowering(StringRef opName) {
  static const llvm::StringMap<Lowering> byName = [] {
    llvm::StringMap<Lowering> m;
    for (auto family : {linearLowerings(), elementwiseLowerings(), viewLowerings(), recurrentLowerings(),
                        convLowerings(), poolLowerings()})
      for (const LoweringEntry &e : family)
        m[e.opName] = e.lower;
    return m;
  }();
  auto it = byName.find(opName);
  return it == byName.end() ? nullptr : it->second;
}

namespace {

bool isF32Tensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

/// Operands that are not float32 by definition.
bool isIntegerOperand(Operation *op, Value v) {
  if (llvm::isa<onnx_d::ReshapeOp, onnx_d::SqueezeOp, onnx_d::UnsqueezeOp, onnx_d::GatherOp>(op))
    return v == op->getOperand(1);
  if (llvm::isa<onnx_d::SliceOp>(op))
    return v != op->getOperand(0);
  if (auto r = dyn_cast<onnx_d::ResizeOp>(op)) // the output sizes
    return v == r.getSizes();
  if (auto l = dyn_cast<onnx_d::LSTMOp>(op))
    return v == l.getSequenceLens();
  if (auto g = dyn_cast<onnx_d::GRUOp>(op))
    return v == g.getSequenceLens();
  if (auto r = dyn_cast<onnx_d::RNNOp>(op))
    return v == r.getSequenceLens();
  return false;
}

/// One table entry as a conversion pattern. Ops it refuses (reported) are
/// recorded in `refused`.
class TableLoweringPattern : public ConversionPattern {
public:
  TableLoweringPattern(MLIRContext *ctx, StringRef opName, Lowering lower, llvm::DenseSet<Operation *> &refused)
      : ConversionPattern(opName, /*benefit=*/1, ctx), lower(lower), refused(refused) {}

  LogicalResult matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                                ConversionPatternRewriter &rewriter) const override {
    if (!llvm::isa<onnx_d::ConstantOp>(op))
      for (Value v : op->getOperands())
        if (!isF32Tensor(v) && !isIntegerOperand(op, v)) {
          refuse(op, "operand of type ") << v.getType() << " is not float32; the NPU runs float32 tensors";
          refused.insert(op);
          return failure();
        }
    SmallVector<Value> replacements = lower(op, operands, rewriter);
    if (replacements.empty()) {
      refused.insert(op);
      return failure();
    }
    rewriter.replaceOp(op, replacements);
    return success();
  }

private:
  Lowering lower;
  llvm::DenseSet<Operation *> &refused;
};

struct ConvertOnnxToFpgaPass : softnpu::impl::ConvertOnnxToFpgaBase<ConvertOnnxToFpgaPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    llvm::DenseSet<Operation *> refused;
    RewritePatternSet patterns(ctx);
    populateOnnxToFpgaPatterns(patterns, refused);
    ConversionTarget target(*ctx);
    // Nodes onnx-place put on the host stay onnx ops.
    configureOnnxToFpgaTarget(target, [](Operation *op) {
      auto where = op->getAttrOfType<StringAttr>(fpga::FpgaDialect::kPlacementAttrName);
      return where && where.getValue() == "host";
    });
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      return signalPassFailure();
    if (failed(reportUnconverted(getOperation(), target, refused)))
      return signalPassFailure();
    // Shape operands of reshapes are dead now.
    getOperation().walk([](arith::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace

void softnpu::conversion::populateOnnxToFpgaPatterns(RewritePatternSet &patterns,
                                                     llvm::DenseSet<Operation *> &refused) {
  for (auto family : {linearLowerings(), elementwiseLowerings(), viewLowerings(), recurrentLowerings(), convLowerings(),
                      poolLowerings()})
    for (const LoweringEntry &e : family)
      patterns.add<TableLoweringPattern>(patterns.getContext(), e.opName, e.lower, refused);
}

void softnpu::conversion::configureOnnxToFpgaTarget(ConversionTarget &target, HostPlacement placeOnHost) {
  target.addLegalDialect<fpga::FpgaDialect, arith::ArithDialect, func::FuncDialect>();
  target.addDynamicallyLegalDialect<onnx_d::OnnxDialect>([placeOnHost](Operation *op) -> std::optional<bool> {
    if (placeOnHost && placeOnHost(op))
      return true;       // stays an onnx op and runs on the host
    return std::nullopt; // lowered to the NPU; what cannot be is reported after the conversion
  });
}

LogicalResult softnpu::conversion::reportUnconverted(Operation *root, const ConversionTarget &target,
                                                     const llvm::DenseSet<Operation *> &refused) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (op->getDialect() == nullptr || !llvm::isa<onnx_d::OnnxDialect>(op->getDialect()) || target.isLegal(op))
      return;
    ok = false;
    if (refused.contains(op))
      return; // already reported by its lowering
    if (!findLowering(op->getName().getStringRef()))
      refuse(op, "no lowering to the NPU for this op");
    else
      refuse(op, "could not be lowered to the NPU");
  });
  return success(ok);
}
