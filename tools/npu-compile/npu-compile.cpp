//===- npu-compile.cpp - ONNX model -> softnpu artifact -------------------===//
//
//   npu-compile model.onnx -o model.npu [--target NAME|FILE] [--precision P]
//               [--precision-for PATTERN=FORMAT ...] [--auto-precision BOUND
//               [--sample NAME=FILE ...]] [--emit=onnx|fpga|isa|artifact]
//
//===----------------------------------------------------------------------===//
#include "compiler/Pipeline.h"
#include "compiler/emit/ArtifactEmitter.h"
#include "compiler/import/OnnxImporter.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/onnx/OnnxDialect.h"

#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/target/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace {

constexpr const char *kVersion = "0.1.0";

int fail(const std::string &msg) {
  std::fprintf(stderr, "npu-compile: error: %s\n", msg.c_str());
  return 1;
}

std::string defaultOutput(const std::string &input) {
  std::string base = input;
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".onnx") == 0)
    base.resize(base.size() - 5);
  return base + ".npu";
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"npu-compile: compile an ONNX model into a softnpu artifact (instruction stream + "
               "weight image) for a soft NPU target."};
  std::string input, output, targetSpec = softnpu::target::defaultTargetName(), precision;
  std::string emit = "artifact";
  bool listTargets = false;
  app.add_option("model", input, "ONNX model file (.onnx)");
  app.add_option("-o,--output", output, "output file (default: <model>.npu; for --emit other than "
                                        "artifact, stdout)");
  app.add_option("--target", targetSpec, "target preset name or target JSON file")
      ->capture_default_str();
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
                                                 : "--auto-precision needs a positive bound, got '" +
                                                       text + "'";
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
  app.add_flag("--list-targets", listTargets, "list the target presets and exit");
  app.set_version_flag("--version", std::string("npu-compile ") + kVersion);
  CLI11_PARSE(app, argc, argv);

  if (listTargets) {
    for (const std::string &name : softnpu::target::presetNames())
      std::printf("%s\n", name.c_str());
    return 0;
  }
  if (input.empty())
    return fail("no input model given (usage: npu-compile model.onnx -o model.npu)");

  std::string err;
  auto target = softnpu::target::Target::load(targetSpec, err);
  if (!target)
    return fail(err);

  mlir::MLIRContext ctx;
  ctx.loadDialect<softnpu::onnx_d::OnnxDialect, softnpu::fpga::FpgaDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  // Every diagnostic becomes one line naming the model file.
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      std::fprintf(stderr, "npu-compile: error: %s: %s\n", input.c_str(), d.str().c_str());
    else if (d.getSeverity() == mlir::DiagnosticSeverity::Warning)
      std::fprintf(stderr, "npu-compile: warning: %s: %s\n", input.c_str(), d.str().c_str());
    else if (d.getSeverity() == mlir::DiagnosticSeverity::Remark)
      std::fprintf(stderr, "npu-compile: note: %s\n", d.str().c_str());
    return mlir::success();
  });

  mlir::OwningOpRef<mlir::ModuleOp> module = softnpu::import::importOnnxFile(input, ctx, err);
  if (!module)
    return fail(err);
  softnpu::fpga::setTarget(*module, *target);

  auto print = [&](mlir::ModuleOp m) {
    if (output.empty()) {
      m.print(llvm::outs());
      llvm::outs() << "\n";
      return 0;
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(output, ec);
    if (ec)
      return fail("cannot write '" + output + "': " + ec.message());
    m.print(os);
    os << "\n";
    return 0;
  };
  if (emit == "onnx")
    return print(*module);

  mlir::PassManager pm(&ctx);
  softnpu::PipelineOptions opts;
  opts.precision = precision;
  opts.precisionFor = precisionFor;
  opts.samples = samples;
  if (autoPrecision > 0)
    opts.autoPrecision = autoPrecision;
  else if (!samples.empty())
    return fail("--sample is only used with --auto-precision");
  softnpu::buildPipeline(pm, emit == "fpga" ? softnpu::PipelineStage::Fpga : softnpu::PipelineStage::Isa,
                         opts);
  if (mlir::failed(pm.run(*module)))
    return 1;
  if (emit == "fpga" || emit == "isa")
    return print(*module);

  auto artifact = softnpu::emit::emitArtifact(*module, std::string("npu-compile ") + kVersion +
                                                           " (" + input + ")");
  if (!artifact)
    return 1;
  if (output.empty())
    output = defaultOutput(input);
  if (!softnpu::artifact::writeFile(*artifact, output, err))
    return fail(err);
  std::printf("npu-compile: wrote %s: target %s, %s, %zu instructions, %zu-byte weight image\n",
              output.c_str(), artifact->target.name.c_str(),
              artifact->target.weightFormat.name().c_str(), artifact->program.size(),
              artifact->weightImage.size());
  return 0;
}
