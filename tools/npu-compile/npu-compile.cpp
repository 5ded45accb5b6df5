//===- npu-compile.cpp - ONNX model -> softnpu artifact -------------------===//
//
//   npu-compile model.onnx -o model.npu [--target NAME|FILE] [--precision P]
//               [--precision-for PATTERN=FORMAT ...] [--auto-precision BOUND
//               [--sample NAME=FILE ...]] [--emit=onnx|fpga|isa|artifact]
//               [--input-shape NAME=DIMS ...] [--keep-intermediates]
//               [--mlir-timing] [--mlir-print-ir-before-all]
//               [--mlir-print-ir-after-all] [--mlir-print-ir-after-failure]
//               [--mlir-print-debuginfo]
//
// The compile itself is compiler/driver/Driver.h (shared with npu-sweep). On a
// terminal, a compile that takes more than half a second shows the running
// pass on one stderr line, erased when done (not with the --mlir-* flags,
// whose output goes to stderr as in mlir-opt).
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/Driver.h"
#include "tools/common/FatalError.h"
#include "tools/common/OneLine.h"
#include "tools/common/ParseArgs.h"
#include "tools/common/ProgressLine.h"
#include "tools/common/Version.h"

#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/target/Target.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <malloc.h>

namespace {

constexpr const char *kTool = "npu-compile";

int fail(const std::string &msg) {
  std::fprintf(stderr, "%s: error: %s\n", kTool, softnpu::tools::oneLine(msg).c_str());
  return 1;
}

std::string defaultOutput(const std::string &input) {
  std::string base = input;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".onnx") == 0)
    base.resize(base.size() - 5);
  return base + ".npu";
}

/// Large weights pass through many buffers of a few hundred KB (protobuf
/// strings, attribute storage, per-layer scratch). glibc would map and unmap
/// each one, faulting its pages in afresh every time; keeping them in the
/// heap lets the next buffer reuse pages already touched.
void keepFreedMemory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's largest: buffers below 32 MB come from the heap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // and freed heap memory is kept for reuse
}

} // namespace

int main(int argc, char **argv) {
  softnpu::tools::installFatalErrorHandler(kTool);
  keepFreedMemory();
  CLI::App app{"npu-compile: compile an ONNX model into a softnpu artifact (instruction stream + "
               "weight image) for a soft NPU target."};
  std::string input, output, targetSpec = softnpu::target::defaultTargetName(), precision;
  std::string emit = "artifact";
  bool listTargets = false;
  app.add_option("model", input, "ONNX model file (.onnx)");
  app.add_option("-o,--output", output,
                 "output file (default: <model>.npu; for --emit other than "
                 "artifact, stdout)");
  app.add_option("--target", targetSpec, "target preset name or target JSON file")->capture_default_str();
  app.add_option("--precision", precision,
                 "number format of weights and matrix-unit inputs: fp32, msfp12..msfp16, "
                 "bfp:m=M,k=K, mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4, mxint8 "
                 "(default: the target's)");
  std::vector<std::string> precisionFor, samples;
  double autoPrecision = -1;
  app.add_option("--precision-for", precisionFor,
                 "PATTERN=FORMAT: the format of the matrix products of the ONNX nodes whose name "
                 "matches the glob PATTERN (repeatable; the last match wins)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--auto-precision", autoPrecision,
                 "choose per layer the narrowest format whose relative RMS output error on the "
                 "sample inputs is at most BOUND (e.g. 0.01); prints each decision")
      ->check(CLI::Validator(
          [](std::string &text) {
            char *end = nullptr;
            double v = std::strtod(text.c_str(), &end);
            return end && *end == '\0' && v > 0 ? std::string()
                                                : "--auto-precision needs a positive bound, got '" + text + "'";
          },
          "BOUND>0"));
  app.add_option("--sample", samples,
                 "NAME=FILE sample input for --auto-precision (.npy or .pb; several samples may be "
                 "stacked along a leading dimension); default: synthesised uniform [-1, 1) inputs")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--emit", emit,
                 "what to produce: onnx (imported MLIR), fpga (tensor-level fpga dialect after "
                 "quantize and tile), isa (instruction-level fpga.program), artifact")
      ->check(CLI::IsMember({"onnx", "fpga", "isa", "artifact"}))
      ->capture_default_str();
  bool keepIntermediates = false;
  std::vector<std::string> inputShapes;
  app.add_option("--input-shape", inputShapes,
                 "fix a graph input's shape, e.g. x=1x3x224x224 (repeatable); a dynamic leading dimension "
                 "defaults to 1, any other dynamic dimension must be given")
      ->type_name("NAME=DIMS");
  app.add_flag("--keep-intermediates", keepIntermediates,
               "give every node's result its own DRAM place, kept to the end of the run, and keep "
               "nothing on chip: what npu-run --layer-report reads (slower on the NPU)");
  std::string placement = "auto";
  app.add_option("--placement", placement,
                 "auto: the NPU takes every node it can and the host runs the rest; npu: strict, any node "
                 "that would leave the NPU is an error with its reason; host: everything on the host")
      ->check(CLI::IsMember({"auto", "npu", "host"}))
      ->capture_default_str();
  std::vector<std::string> place;
  app.add_option("--place", place,
                 "place the nodes whose name matches GLOB (fnmatch) on the host or the NPU (repeatable; "
                 "the last match wins)")
      ->type_name("GLOB=host|npu");
  std::string placementReport;
  CLI::Option *reportOpt =
      app.add_option("--placement-report", placementReport,
                     "print where each node runs, why, its MACs and modelled time, and a summary; with =FILE.json, "
                     "write it as JSON instead")
          ->expected(0, 1)
          ->type_name("[FILE.json]");
  app.add_flag("--list-targets", listTargets, "list the target presets and exit");
  softnpu::driver::DebugOptions debug; // as in mlir-opt; all print to stderr
  const char *kMlirGroup = "MLIR debugging (as in mlir-opt; to stderr)";
  app.add_flag("--mlir-timing", debug.timing, "print the time of the import, each pass and the emitter")
      ->group(kMlirGroup);
  app.add_flag("--mlir-print-ir-before-all", debug.printIrBeforeAll, "print the module before each pass")
      ->group(kMlirGroup);
  app.add_flag("--mlir-print-ir-after-all", debug.printIrAfterAll, "print the module after each pass")
      ->group(kMlirGroup);
  app.add_flag("--mlir-print-ir-after-failure", debug.printIrAfterFailure,
               "print the module after the pass that failed, and only then")
      ->group(kMlirGroup);
  app.add_flag("--mlir-print-debuginfo", debug.printDebugInfo,
               "print locations (ONNX node names, model file) in printed IR, --emit output included")
      ->group(kMlirGroup);
  if (std::optional<int> exitCode = softnpu::tools::parseArgs(app, argc, argv, kTool))
    return *exitCode;

  if (listTargets) {
    for (const std::string &name : softnpu::target::presetNames())
      std::printf("%s\n", name.c_str());
    return 0;
  }
  if (input.empty()) { // a usage error, like those of parseArgs
    std::fprintf(stderr, "%s: error: no input model given (usage: npu-compile model.onnx -o model.npu)\n", kTool);
    return 2;
  }

  std::string err;
  auto target = softnpu::target::Target::load(targetSpec, err);
  if (!target)
    return fail(err);

  softnpu::driver::CompileOptions opts;
  opts.pipeline.precision = precision;
  opts.pipeline.precisionFor = precisionFor;
  opts.pipeline.samples = samples;
  opts.pipeline.keepIntermediates = keepIntermediates;
  opts.pipeline.placement = placement;
  opts.pipeline.place = place;
  if (autoPrecision > 0)
    opts.pipeline.autoPrecision = autoPrecision;
  else if (!samples.empty())
    return fail("--sample is only used with --auto-precision");
  for (const std::string &spec : inputShapes)
    if (!softnpu::import::parseInputShape(spec, opts.inputShapes, err))
      return fail(err);
  // The model's file name only: the artifact does not depend on the working
  // directory or on how the path was written (docs/reliability.md).
  opts.producer = std::string(kTool) + " " + softnpu::tools::kVersion + " (" +
                  std::filesystem::path(input).filename().string() + ")";
  opts.debug = debug;
  // On a terminal, a compile that takes a while shows the pass it is in
  // (unless --mlir-* output, which would land in the middle of that line).
  softnpu::tools::ProgressLine progress(0.5);
  if (progress.enabled() && !debug.any())
    opts.onPass = [&](const std::string &pass) { progress.show("npu-compile: " + pass + "..."); };
  // Every diagnostic is one line; errors and warnings name the model file.
  auto diag = [&](softnpu::driver::Severity s, const std::string &message) {
    progress.clear();
    const char *kind = s == softnpu::driver::Severity::Error     ? "error"
                       : s == softnpu::driver::Severity::Warning ? "warning"
                                                                 : "note";
    std::fprintf(stderr, "npu-compile: %s: %s\n", kind, softnpu::tools::oneLine(message).c_str());
  };

  auto print = [&](mlir::ModuleOp m) {
    if (output.empty()) {
      m.print(llvm::outs(), softnpu::driver::printingFlags(debug));
      llvm::outs() << "\n";
      return 0;
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(output, ec);
    if (ec)
      return fail("cannot write '" + output + "': " + ec.message());
    m.print(os, softnpu::driver::printingFlags(debug));
    os << "\n";
    return 0;
  };
  if (emit != "artifact") {
    mlir::MLIRContext ctx;
    softnpu::driver::loadDialects(ctx);
    const auto stage = emit == "onnx"   ? softnpu::driver::Stage::Onnx
                       : emit == "fpga" ? softnpu::driver::Stage::Fpga
                                        : softnpu::driver::Stage::Isa;
    mlir::OwningOpRef<mlir::ModuleOp> module = softnpu::driver::compileToModule(input, *target, stage, opts, ctx, diag);
    progress.clear();
    return module ? print(*module) : 1;
  }

  softnpu::partition::PlacementReport report;
  if (reportOpt->count())
    opts.placementReport = &report;
  std::optional<softnpu::artifact::Artifact> artifact = softnpu::driver::compileOnnx(input, *target, opts, diag);
  progress.clear();
  if (!artifact)
    return 1;
  if (reportOpt->count()) {
    report.model = input;
    if (placementReport.empty()) {
      std::fputs(report.text().c_str(), stdout);
    } else {
      std::ofstream out(placementReport);
      out << report.json();
      if (!out)
        return fail("cannot write '" + placementReport + "'");
    }
  }
  if (output.empty())
    output = defaultOutput(input);
  if (!softnpu::artifact::writeFile(*artifact, output, err))
    return fail(err);
  if (artifact->segmented()) {
    size_t npu = 0, insts = 0, weights = 0;
    for (const softnpu::artifact::Segment &s : artifact->segments)
      if (s.npu) {
        ++npu;
        insts += s.npu->program.size();
        weights += s.npu->weightImage.size();
      }
    std::printf("npu-compile: wrote %s: target %s, %s, %zu segments (%zu on the NPU: %zu instructions, %zu-byte "
                "weight image; %zu on the host)\n",
                output.c_str(), artifact->target.name.c_str(), artifact->target.weightFormat.name().c_str(),
                artifact->segments.size(), npu, insts, weights, artifact->segments.size() - npu);
    return 0;
  }
  std::printf("npu-compile: wrote %s: target %s, %s, %zu instructions, %zu-byte weight image\n", output.c_str(),
              artifact->target.name.c_str(), artifact->target.weightFormat.name().c_str(), artifact->program.size(),
              artifact->weightImage.size());
  return 0;
}
