//===- OnnxPlace.cpp - The onnx-place pass: NPU or host, and why ----------===//
//
// onnx-to-fpga's patterns, run in analysis mode, say which nodes the NPU can
// take. A pattern that refuses a node reports why as an error diagnostic;
// here those diagnostics are caught and become the node's placement reason
// instead of errors.
//
//===----------------------------------------------------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/conversion/OnnxToFpga.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseSet.h"

namespace softnpu {
#define GEN_PASS_DEF_ONNXPLACE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

struct OnnxPlacePass : softnpu::impl::OnnxPlaceBase<OnnxPlacePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = getOperation();
    // The first refusal reported at each node's location.
    llvm::DenseMap<Location, std::string> refusals;
    LogicalResult analysed = failure();
    {
      ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &d) {
        if (d.getSeverity() != DiagnosticSeverity::Error)
          return failure(); // not ours: passed on
        refusals.try_emplace(d.getLocation(), d.str());
        return success();
      });
      llvm::DenseSet<Operation *> refused, legalizable;
      RewritePatternSet patterns(ctx);
      conversion::populateOnnxToFpgaPatterns(patterns, refused);
      ConversionTarget target(*ctx);
      conversion::configureOnnxToFpgaTarget(target, /*placeOnHost=*/nullptr);
      ConversionConfig config;
      config.legalizableOps = &legalizable;
      analysed = applyAnalysisConversion(module, target, std::move(patterns), config);
      if (succeeded(analysed))
        mark(module, legalizable, refusals);
    }
    if (failed(analysed)) {
      module.emitError("onnx-place: the analysis conversion failed");
      signalPassFailure();
    }
  }

  static void mark(ModuleOp module, const llvm::DenseSet<Operation *> &legalizable,
                   const llvm::DenseMap<Location, std::string> &refusals) {
    Builder b(module.getContext());
    module.walk([&](Operation *op) {
      if (!llvm::isa_and_nonnull<onnx_d::OnnxDialect>(op->getDialect()) || llvm::isa<onnx_d::ConstantOp>(op))
        return;
      const bool npu = legalizable.contains(op);
      op->setAttr(fpga::FpgaDialect::kPlacementAttrName, b.getStringAttr(npu ? "npu" : "host"));
      if (npu)
        return;
      std::string why = "no lowering to the NPU for this op";
      if (auto it = refusals.find(op->getLoc()); it != refusals.end()) {
        // The refusal reads "<node>: <why>": keep the why.
        const std::string prefix = describeOp(op) + ": ";
        why = llvm::StringRef(it->second).starts_with(prefix) ? it->second.substr(prefix.size()) : it->second;
      }
      op->setAttr(fpga::FpgaDialect::kPlacementReasonAttrName, b.getStringAttr(why));
    });
  }
};

} // namespace
