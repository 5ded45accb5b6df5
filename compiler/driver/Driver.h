//===- Driver.h - Compile an ONNX file in-process (npu-compile, npu-sweep) -===//
//
// The whole compile behind npu-compile, as a function other tools can call in
// a loop: import the .onnx file, attach a target, run the pass pipeline
// (Pipeline.h) and encode the artifact (emit/ArtifactEmitter.h). Every
// diagnostic (import errors included) goes to a callback as one line, so a
// tool decides whether to print it or to keep it (npu-sweep keeps it as the
// error row of a target).
//
//   std::vector<std::string> errors;
//   auto a = softnpu::driver::compileOnnx("m.onnx", target, {}, [&](auto sev, const std::string &m) {
//     if (sev == softnpu::driver::Severity::Error) errors.push_back(m);
//   });
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_DRIVER_H
#define SOFTNPU_COMPILER_DRIVER_H

#include "compiler/Pipeline.h"
#include "compiler/import/InputShapes.h"
#include "compiler/partition/PlacementReport.h"

#include "softnpu/artifact/Artifact.h"
#include "softnpu/target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/OwningOpRef.h"

#include <functional>
#include <optional>
#include <string>

namespace softnpu::driver {

enum class Severity { Error, Warning, Note };

/// Receives each diagnostic of a compile as one line without a tool prefix.
/// Errors and warnings from the pipeline start with "<model path>: "; import
/// errors name the file themselves; notes are the passes' remarks.
using DiagnosticFn = std::function<void(Severity, const std::string &message)>;

/// Called with a pass's argument name (e.g. "fpga-tile") when it starts; once
/// per pass even when it runs on several functions.
using PassFn = std::function<void(const std::string &pass)>;

/// How far compileToModule goes: the imported onnx dialect, the tensor-level
/// fpga dialect (after quantize and tile), or fpga.program (after lowering).
enum class Stage { Onnx, Fpga, Isa };

/// MLIR's debugging aids, as mlir-opt's --mlir-* flags (npu-compile has the
/// same flags). Everything goes to stderr. IR is printed at module scope (the
/// whole module, target attribute included), which turns off the context's
/// multithreading.
struct DebugOptions {
  bool timing = false;              ///< --mlir-timing: import, each pass, emit
  bool printIrBeforeAll = false;    ///< --mlir-print-ir-before-all
  bool printIrAfterAll = false;     ///< --mlir-print-ir-after-all
  bool printIrAfterFailure = false; ///< --mlir-print-ir-after-failure (only then)
  bool printDebugInfo = false;      ///< --mlir-print-debuginfo: locations in printed IR

  bool printsIr() const { return printIrBeforeAll || printIrAfterAll || printIrAfterFailure; }
  bool any() const { return timing || printsIr(); }
};

struct CompileOptions {
  PipelineOptions pipeline;
  std::string producer = "softnpu"; ///< stored in the artifact (Artifact::producer)
  PassFn onPass;                    ///< progress callback (empty: none)
  DebugOptions debug;
  import::InputShapes inputShapes; ///< --input-shape NAME=DIMS (import/InputShapes.h)
  /// When set, receives the placement of every node (--placement-report).
  partition::PlacementReport *placementReport = nullptr;
};

/// How to print IR under `debug` (--mlir-print-debuginfo), for IR a tool
/// prints itself (npu-compile --emit=...).
mlir::OpPrintingFlags printingFlags(const DebugOptions &debug);

/// Loads the dialects a compile needs (onnx, fpga, func, arith) into `ctx`.
void loadDialects(mlir::MLIRContext &ctx);

/// Imports `path` into `ctx` (its dialects loaded with loadDialects), attaches
/// `target` and runs the pipeline up to `stage`. Returns a null ref on
/// failure; the reasons went to `diag`.
mlir::OwningOpRef<mlir::ModuleOp> compileToModule(const std::string &path, const target::Target &target, Stage stage,
                                                  const CompileOptions &options, mlir::MLIRContext &ctx,
                                                  const DiagnosticFn &diag);

/// The whole compile, in a context of its own: the artifact, or nullopt with
/// at least one Error diagnostic sent to `diag`.
std::optional<artifact::Artifact> compileOnnx(const std::string &path, const target::Target &target,
                                              const CompileOptions &options, const DiagnosticFn &diag);

/// The whole compile in `ctx` (its dialects loaded with loadDialects), for a
/// caller that compiles many models and pays for a context once (fuzz_compile:
/// creating a context and loading the onnx dialect's ops is most of the cost
/// of rejecting a bad file). The context keeps what the compile uniqued, so
/// such a caller replaces it now and then.
std::optional<artifact::Artifact> compileOnnx(const std::string &path, const target::Target &target,
                                              const CompileOptions &options, const DiagnosticFn &diag,
                                              mlir::MLIRContext &ctx);

} // namespace softnpu::driver

#endif // SOFTNPU_COMPILER_DRIVER_H
