//===- Driver.cpp - Compile an ONNX file in-process -----------------------===//
#include "compiler/driver/Driver.h"

#include "compiler/emit/ArtifactEmitter.h"
#include "compiler/import/OnnxImporter.h"
#include "compiler/partition/HostExport.h"
#include "compiler/partition/Segments.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <mutex>

namespace softnpu::driver {

namespace {

/// Reports each pass once as it starts (nested pipelines run a pass once per
/// function, possibly on several threads).
class PassProgress : public mlir::PassInstrumentation {
public:
  explicit PassProgress(PassFn fn) : fn_(std::move(fn)) {}
  void runBeforePass(mlir::Pass *pass, mlir::Operation *) override {
    llvm::StringRef arg = pass->getArgument();
    if (arg.empty()) // pass-manager adaptors
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (arg == last_)
      return;
    last_ = arg.str();
    fn_(last_);
  }

private:
  PassFn fn_;
  std::mutex mutex_;
  std::string last_;
};

/// Routes the context's diagnostics to `diag` while it lives. Only the first
/// error is shown (a pass that fails on every node of a 2,000-node model
/// would print 2,000 lines); the others are counted in one note at the end.
/// Counts errors so a failure without a message can still be reported.
class DiagnosticRoute {
public:
  DiagnosticRoute(mlir::MLIRContext &ctx, const std::string &path, const DiagnosticFn &diag)
      : diag_(diag), handler_(&ctx, [this, path](mlir::Diagnostic &d) {
          switch (d.getSeverity()) {
          case mlir::DiagnosticSeverity::Error:
            if (errors_++ == 0)
              send(Severity::Error, path + ": " + d.str());
            else
              ++hidden_;
            break;
          case mlir::DiagnosticSeverity::Warning:
            send(Severity::Warning, path + ": " + d.str());
            break;
          case mlir::DiagnosticSeverity::Remark:
            send(Severity::Note, d.str());
            break;
          case mlir::DiagnosticSeverity::Note:
            break;
          }
          return mlir::success();
        }) {
    // Notes are dropped above, so the one MLIR attaches to every diagnostic
    // of an op ("see current operation") is not wanted: printing the op
    // numbers every value of its function, once per diagnostic, which made
    // a 2,500-layer model's stream remarks take 1.4 s.
    ctx.printOpOnDiagnostic(false);
  }
  ~DiagnosticRoute() {
    if (hidden_)
      send(Severity::Note,
           std::to_string(hidden_) + " more error" + (hidden_ == 1 ? "" : "s") + " after the first, not shown");
  }
  void send(Severity s, const std::string &message) {
    if (diag_)
      diag_(s, message);
  }
  /// Reports `message` unless an error was already reported.
  void failed(const std::string &message) {
    if (errors_ == 0)
      send(Severity::Error, message);
    ++errors_;
  }

private:
  const DiagnosticFn &diag_;
  unsigned errors_ = 0, hidden_ = 0;
  mlir::ScopedDiagnosticHandler handler_;
};

/// The --mlir-* debugging aids on `pm`: IR printing as mlir-opt does it (at
/// module scope), and timing nested under `timing`, added last so that it
/// does not time the other instrumentations.
void enableDebugging(mlir::PassManager &pm, const DebugOptions &debug, mlir::TimingScope &timing) {
  if (debug.printsIr()) {
    pm.getContext()->disableMultithreading(); // module scope needs it
    auto always = [](mlir::Pass *, mlir::Operation *) { return true; };
    auto never = [](mlir::Pass *, mlir::Operation *) { return false; };
    using Filter = std::function<bool(mlir::Pass *, mlir::Operation *)>;
    pm.enableIRPrinting(debug.printIrBeforeAll ? Filter(always) : Filter(never),
                        debug.printIrAfterAll || debug.printIrAfterFailure ? Filter(always) : Filter(never),
                        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false,
                        /*printAfterOnlyOnFailure=*/debug.printIrAfterFailure, llvm::errs(), printingFlags(debug));
  }
  if (debug.timing)
    pm.enableTiming(timing);
}

mlir::OwningOpRef<mlir::ModuleOp> importModule(const std::string &path, const target::Target &target,
                                               const CompileOptions &options, mlir::MLIRContext &ctx,
                                               DiagnosticRoute &route, mlir::TimingScope &timing) {
  std::string err;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  {
    mlir::TimingScope importTiming = timing.nest("Import ONNX");
    std::vector<std::string> notes;
    module = import::importOnnxFile(path, ctx, err, options.inputShapes, &notes);
    for (const std::string &note : notes)
      route.send(Severity::Note, path + ": " + note);
  }
  if (!module) {
    route.failed(err.empty() ? path + ": cannot import the model" : err);
    return nullptr;
  }
  fpga::setTarget(*module, target);
  return module;
}

/// Runs the passes `build` adds on `module`, with the driver's progress and
/// debugging instrumentation; --mlir-timing reports them under `label`.
bool runPasses(mlir::ModuleOp module, const std::string &path, const CompileOptions &options, DiagnosticRoute &route,
               mlir::TimingScope &timing, const std::string &label,
               const std::function<void(mlir::OpPassManager &)> &build) {
  mlir::PassManager pm(module.getContext());
  if (options.onPass)
    pm.addInstrumentation(std::make_unique<PassProgress>(options.onPass));
  mlir::TimingScope scope = timing.nest(label);
  enableDebugging(pm, options.debug, scope);
  build(pm);
  if (mlir::failed(pm.run(module))) {
    route.failed(path + ": the compiler pipeline failed");
    return false;
  }
  return true;
}

mlir::OwningOpRef<mlir::ModuleOp> runToModule(const std::string &path, const target::Target &target, Stage stage,
                                              const CompileOptions &options, mlir::MLIRContext &ctx,
                                              DiagnosticRoute &route, mlir::TimingScope &timing) {
  mlir::OwningOpRef<mlir::ModuleOp> module = importModule(path, target, options, ctx, route, timing);
  if (!module || stage == Stage::Onnx)
    return module;
  const PipelineStage stop = stage == Stage::Fpga ? PipelineStage::Fpga : PipelineStage::Isa;
  if (!runPasses(*module, path, options, route, timing, "Pipeline",
                 [&](mlir::OpPassManager &pm) { buildPipeline(pm, stop, options.pipeline); }))
    return nullptr;
  return module;
}

/// The graph's inputs and outputs (names, dtypes, shapes) from the model's
/// function.
void graphSignature(mlir::ModuleOp module, artifact::Artifact &a) {
  auto f = *module.getOps<mlir::func::FuncOp>().begin();
  auto sig = [](llvm::StringRef name, mlir::Type t) {
    auto ranked = mlir::cast<mlir::RankedTensorType>(t);
    artifact::TensorSig s;
    s.name = name.str();
    s.dtype = artifact::dtypeFromOnnx(partition::onnxTypeOf(ranked.getElementType())).value_or(artifact::DType::F32);
    s.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
    return s;
  };
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    if (auto n = f.getArgAttrOfType<mlir::StringAttr>(i, "onnx.name"))
      a.inputs.push_back(sig(n.getValue(), f.getArgument(i).getType()));
  for (unsigned i = 0; i < f.getNumResults(); ++i)
    if (auto n = f.getResultAttrOfType<mlir::StringAttr>(i, "onnx.name"))
      a.outputs.push_back(sig(n.getValue(), f.getResultTypes()[i]));
}

/// A model with host nodes: each NPU segment compiled on its own into a
/// format-2 program, each host segment stored as an ONNX model (format 3).
std::optional<artifact::Artifact> compileSegments(mlir::ModuleOp module, const std::string &path,
                                                  const target::Target &target, const CompileOptions &options,
                                                  DiagnosticRoute &route, mlir::TimingScope &timing) {
  std::vector<partition::SegmentPiece> pieces;
  if (mlir::failed(partition::splitSegments(module, pieces))) {
    route.failed(path + ": cannot split the model into segments");
    return std::nullopt;
  }
  if (pieces.empty()) { // no node at all, and outputs the NPU cannot copy (not float32)
    route.failed(path + ": the model has no nodes: its outputs are its inputs, which only a float32 model can "
                        "hand through");
    return std::nullopt;
  }
  artifact::Artifact a;
  a.target = target;
  a.producer = options.producer;
  graphSignature(module, a);
  for (partition::SegmentPiece &piece : pieces) {
    artifact::Segment seg;
    if (piece.host) {
      seg.kind = artifact::Segment::Kind::Host;
      seg.hostModel = std::move(piece.hostModel);
      seg.hostInputs = piece.inputs;
      seg.hostOutputs = piece.outputs;
    } else {
      const std::string label = "NPU segment " + std::to_string(a.segments.size());
      if (!runPasses(*piece.npu, path, options, route, timing, label,
                     [&](mlir::OpPassManager &pm) { buildNpuPipeline(pm, PipelineStage::Isa, options.pipeline); }))
        return std::nullopt;
      std::optional<artifact::Artifact> npu = emit::emitArtifact(*piece.npu, options.producer);
      if (!npu) {
        route.failed(path + ": cannot encode an NPU segment");
        return std::nullopt;
      }
      seg.npu = std::make_shared<const artifact::Artifact>(std::move(*npu));
    }
    a.segments.push_back(std::move(seg));
  }
  // fpga-quantize gave the NPU segments the target at the chosen precision
  // (--precision); the artifact is for that target too.
  for (const artifact::Segment &s : a.segments)
    if (s.npu) {
      a.target = s.npu->target;
      break;
    }
  return a;
}

} // namespace

mlir::OpPrintingFlags printingFlags(const DebugOptions &debug) {
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(debug.printDebugInfo, /*prettyForm=*/false);
  return flags;
}

void loadDialects(mlir::MLIRContext &ctx) {
  ctx.loadDialect<onnx_d::OnnxDialect, fpga::FpgaDialect, mlir::func::FuncDialect, mlir::arith::ArithDialect>();
}

mlir::OwningOpRef<mlir::ModuleOp> compileToModule(const std::string &path, const target::Target &target, Stage stage,
                                                  const CompileOptions &options, mlir::MLIRContext &ctx,
                                                  const DiagnosticFn &diag) {
  DiagnosticRoute route(ctx, path, diag);
  mlir::DefaultTimingManager tm; // with --mlir-timing, reports to stderr when destroyed
  tm.setEnabled(options.debug.timing);
  mlir::TimingScope timing = tm.getRootScope();
  return runToModule(path, target, stage, options, ctx, route, timing);
}

std::optional<artifact::Artifact> compileOnnx(const std::string &path, const target::Target &target,
                                              const CompileOptions &options, const DiagnosticFn &diag) {
  mlir::MLIRContext ctx;
  loadDialects(ctx);
  return compileOnnx(path, target, options, diag, ctx);
}

std::optional<artifact::Artifact> compileOnnx(const std::string &path, const target::Target &target,
                                              const CompileOptions &options, const DiagnosticFn &diag,
                                              mlir::MLIRContext &ctx) {
  DiagnosticRoute route(ctx, path, diag);
  mlir::DefaultTimingManager tm; // with --mlir-timing, reports to stderr when destroyed
  tm.setEnabled(options.debug.timing);
  mlir::TimingScope timing = tm.getRootScope();
  mlir::OwningOpRef<mlir::ModuleOp> module = importModule(path, target, options, ctx, route, timing);
  if (!module || !runPasses(*module, path, options, route, timing, "Placement",
                            [&](mlir::OpPassManager &pm) { buildPlacementPipeline(pm, options.pipeline); }))
    return std::nullopt;
  if (options.placementReport)
    *options.placementReport = partition::buildPlacementReport(*module, target);
  if (partition::needsSegments(*module))
    return compileSegments(*module, path, target, options, route, timing);
  if (!runPasses(*module, path, options, route, timing, "NPU pipeline",
                 [&](mlir::OpPassManager &pm) { buildNpuPipeline(pm, PipelineStage::Isa, options.pipeline); }))
    return std::nullopt;
  std::optional<artifact::Artifact> a;
  {
    mlir::TimingScope emitTiming = timing.nest("Emit artifact");
    a = emit::emitArtifact(*module, options.producer);
  }
  if (!a)
    route.failed(path + ": cannot encode the artifact");
  return a;
}

} // namespace softnpu::driver
