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

#include <fnmatch.h>

namespace softnpu {
#define GEN_PASS_DEF_ONNXPLACE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

struct OnnxPlacePass : softnpu::impl::OnnxPlaceBase<OnnxPlacePass> {
  using OnnxPlaceBase::OnnxPlaceBase;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ModuleOp module = getOperation();
    if (placement != "auto" && placement != "npu" && placement != "host") {
      module.emitError() << "onnx-place: placement '" << placement << "' is not one of auto, npu, host";
      return signalPassFailure();
    }
    std::vector<std::pair<std::string, bool>> rules; // GLOB, on the host?
    for (const std::string &o : overrides) {
      const size_t eq = o.rfind('=');
      const std::string where = eq == std::string::npos ? "" : o.substr(eq + 1);
      if (eq == std::string::npos || eq == 0 || (where != "host" && where != "npu")) {
        module.emitError() << "onnx-place: --place '" << o << "' is not GLOB=host or GLOB=npu";
        return signalPassFailure();
      }
      rules.emplace_back(o.substr(0, eq), where == "host");
    }
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
      return signalPassFailure();
    }
    if (failed(applyControls(module, rules)))
      signalPassFailure();
  }

  /// --placement=host|npu and --place GLOB=host|npu on top of the legality
  /// marks. A node the NPU cannot run never goes there: asking for it is an
  /// error naming the node and the reason.
  LogicalResult applyControls(ModuleOp module, const std::vector<std::pair<std::string, bool>> &rules) {
    Builder b(module.getContext());
    unsigned refusedNpu = 0;
    module.walk([&](Operation *op) {
      auto where = op->getAttrOfType<StringAttr>(fpga::FpgaDialect::kPlacementAttrName);
      if (!where)
        return;
      const std::string name = nodeNameOf(op->getLoc());
      std::optional<bool> host;
      std::string rule;
      for (const auto &[glob, onHost] : rules)
        if (fnmatch(glob.c_str(), name.c_str(), 0) == 0) {
          host = onHost;
          rule = "--place " + glob + "=" + (onHost ? "host" : "npu");
        }
      if (!host && placement == "host") {
        host = true;
        rule = "--placement=host";
      }
      const bool legal = where.getValue() == "npu";
      if (host && *host && legal) {
        op->setAttr(fpga::FpgaDialect::kPlacementAttrName, b.getStringAttr("host"));
        op->setAttr(fpga::FpgaDialect::kPlacementReasonAttrName, b.getStringAttr("placed by " + rule));
        return;
      }
      const bool wantNpu = (host && !*host) || (!host && placement == "npu");
      if (wantNpu && legal && !rule.empty()) {
        // The user's choice: the cost model leaves it alone (OnnxPartition.cpp).
        op->setAttr(fpga::FpgaDialect::kPlacementReasonAttrName, b.getStringAttr("placed by " + rule));
        return;
      }
      if (wantNpu && !legal) {
        auto why = op->getAttrOfType<StringAttr>(fpga::FpgaDialect::kPlacementReasonAttrName);
        op->emitError() << describeOp(op) << " cannot run on the NPU ("
                        << (rule.empty() ? std::string("--placement=npu") : rule)
                        << "): " << (why ? why.getValue() : "no lowering");
        ++refusedNpu;
      }
    });
    return success(refusedNpu == 0);
  }

  static void mark(ModuleOp module, const llvm::DenseSet<Operation *> &legalizable,
                   const llvm::DenseMap<Location, std::string> &refusals) {
    Builder b(module.getContext());
    module.walk([&](Operation *op) {
      if (!llvm::isa_and_nonnull<onnx_d::OnnxDialect>(op->getDialect()) || llvm::isa<onnx_d::ConstantOp>(op))
        return;
      bool npu = legalizable.contains(op);
      // An integer operand (a shape, axes) is folded into the NPU program,
      // so it must be a constant; one computed at run time keeps the node
      // on the host.
      std::string runtimeOperand;
      for (auto [i, v] : llvm::enumerate(op->getOperands())) {
        auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
        if (npu && t && !t.getElementType().isF32() && !v.getDefiningOp<onnx_d::ConstantOp>()) {
          npu = false;
          runtimeOperand = "operand " + std::to_string(i) +
                           " is an integer tensor computed at run time; the NPU needs it to be a constant";
        }
      }
      op->setAttr(fpga::FpgaDialect::kPlacementAttrName, b.getStringAttr(npu ? "npu" : "host"));
      if (npu)
        return;
      if (!runtimeOperand.empty()) {
        op->setAttr(fpga::FpgaDialect::kPlacementReasonAttrName, b.getStringAttr(runtimeOperand));
        return;
      }
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
