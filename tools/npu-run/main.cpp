//===- npu-run/main.cpp - Run a compiled .npu model on the simulator ------===//
//
//   npu-run model.npu --input NAME=FILE ... [--batch] [--output-dir DIR]
//           [--compare NAME=FILE ...] [--atol X] [--rtol X]
//           [--reference REF.npu [--layer-report[=FILE.json]]]
//           [--labels LABELS.npy [--min-accuracy PERCENT]]
//           [--profile [--report=json]] [--trace=FILE.json] [--target NAME|FILE]
//
// --target refuses (one error line, exit 1) an artifact compiled for another
// target than the named preset or JSON file (TargetCheck.h).
// Inputs and references are .npy (float32 or int64) or ONNX TensorProto .pb
// files. Outputs go to DIR/<name>.npy, or a short summary is printed.
// --compare checks |got - expected| <= atol + rtol * |expected| element-wise
// (NaN must meet NaN), prints errors and SNR, and exits 1 on any mismatch.
// --batch runs k times on consecutive dim-0 slices when every input is k
// times the model's batch; --threads N runs N of those at once (BatchRun.h), and
// on a terminal a progress line counts them. --reference runs a second artifact of the same
// model (normally compiled with --precision fp32) on the same inputs, for
// --layer-report (per-node SNR, LayerReport.h) and --labels (top-1 accuracy,
// Top1.h). --profile prints the timing model's cycle profile of one run
// (ProfileOutput.h; --report=json prints it as JSON); --trace writes a Chrome
// trace of that run. Every error is one line "npu-run: error: ..." and exit code 1
// (2 for command-line usage errors).
//
//===----------------------------------------------------------------------===//
#include "BatchProgress.h"
#include "BatchRun.h"
#include "Compare.h"
#include "LayerReport.h"
#include "ProfileOutput.h"
#include "TargetCheck.h"
#include "TensorArgs.h"
#include "Top1.h"

#include "softnpu/api/Session.h"
#include "softnpu/host/HostThreads.h"
#include "softnpu/io/Npy.h"
#include "softnpu/io/TensorFile.h"

#include "tools/common/FatalError.h"
#include "tools/common/OneLine.h"
#include "tools/common/ParseArgs.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::tools;

namespace {

constexpr const char *kTool = "npu-run";

int fail(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", kTool, softnpu::tools::oneLine(message).c_str());
  return 1;
}

int usage(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s (run with --help for usage)\n", kTool, softnpu::tools::oneLine(message).c_str());
  return 2;
}

std::string fileNameFor(std::string name) {
  for (char &c : name)
    if (c == '/' || c == '\\')
      c = '_';
  if (name.empty() || name == "." || name == "..")
    name = "_" + name;
  return name + ".npy";
}

/// An output as .npy in its own element type.
bool writeOutput(const std::string &path, const api::Tensor &t, std::string &error) {
  const char *descr = npyDescr(t.dtype);
  if (t.dtype == artifact::DType::F32 || !descr) {
    const api::Tensor f = convertTensor(t, artifact::DType::F32);
    return io::writeNpy(path, f.shape, f.data, error);
  }
  return io::writeNpyRaw(path, t.shape, descr, t.bytes, error);
}

void printSummary(const std::string &name, const api::Tensor &t) {
  std::printf("output '%s': shape %s, %zu values:", name.c_str(), shapeText(t.shape).c_str(), t.data.size());
  const size_t shown = std::min<size_t>(t.data.size(), 8);
  for (size_t i = 0; i < shown; ++i)
    std::printf(" %.6g", t.data[i]);
  std::printf("%s\n", t.data.size() > shown ? " ..." : "");
}

/// True when every number format of the artifact is fp32.
bool allFp32(const artifact::Artifact &a) {
  bool fp32 = a.target.weightFormat.isFp32() && a.target.inputFormat.isFp32() && a.target.mfuFormat.isFp32();
  for (const artifact::FormatPair &f : a.formats)
    fp32 = fp32 && f.weight.isFp32() && f.input.isFp32();
  return fp32;
}

struct Options {
  std::string modelPath, targetSpec, outputDir, referencePath, layerReport, labelsPath, report;
  ProfileOptions profile;
  std::vector<std::string> inputArgs, compareArgs;
  double atol = 1e-5, rtol = 1e-4;
  double minAccuracy = -1;
  bool batch = false;
};

} // namespace

int main(int argc, char **argv) {
  softnpu::tools::installFatalErrorHandler(kTool);
  CLI::App app{"Run a compiled .npu model on the bit-accurate NPU simulator.\n\n"
               "  npu-run model.npu --input NAME=FILE ... [--batch] [--output-dir DIR]\n"
               "          [--compare NAME=FILE ...] [--atol X] [--rtol X]\n"
               "          [--reference REF.npu [--layer-report[=FILE.json]]]\n"
               "          [--labels LABELS.npy [--min-accuracy PERCENT]]\n"
               "          [--profile [--report=json]] [--trace=FILE.json] [--target NAME|FILE]\n\n"
               "Inputs and reference outputs are NumPy .npy files (float32 or int64) or ONNX\n"
               "TensorProto .pb files. Without --output-dir, prints each output's shape and first\n"
               "values. With --compare, prints one line per compared output (max abs/rel error,\n"
               "SNR in dB) and exits 1 if any element differs by more than atol + rtol * |expected|\n"
               "(NaN must match NaN).\n\n"
               "Accuracy reports (exit 0 unless something fails to run; see docs/reports.md):\n"
               "  --reference REF.npu --layer-report[=FILE.json]: per ONNX node, the SNR of this\n"
               "      model's tensor against REF.npu's (the same model compiled with --precision fp32)\n"
               "      on the same inputs, accumulated over all --batch runs; table, and JSON to FILE.\n"
               "  --labels LABELS.npy: top-1 of the first output (argmax over its last dimension)\n"
               "      against the labels; with --reference also the reference's top-1 and agreement.\n\n"
               "Performance (timing model of docs/timing-model.md, at the target's clock):\n"
               "  --profile: total cycles, latency, effective TOPS, MVU utilisation and a per-ONNX-node\n"
               "      table of one run (with --batch every run is the same); --report=json prints it as JSON.\n"
               "  --trace=FILE.json: Chrome trace-event file of one run, one track per unit (host, DRAM,\n"
               "      MVU, MFU0, ...), events named after ONNX nodes; open in Perfetto or chrome://tracing.\n\n"
               "Examples:\n"
               "  npu-run mlp.npu --input x=x.npy --compare y=y.npy\n"
               "  npu-run mlp.npu --input x=test_images.npy --batch --output-dir out/\n"
               "  npu-run mlp.npu --reference mlp_fp32.npu --input x=x.npy --layer-report=layers.json\n"
               "  npu-run mlp.npu --reference mlp_fp32.npu --batch --input x=images.npy --labels labels.npy",
               kTool};
  Options o;
  app.add_option("model", o.modelPath, "Compiled model (.npu)")->required();
  app.add_option("-i,--input", o.inputArgs,
                 "Input tensor NAME=FILE (.npy or .pb); repeat for each input. A bare FILE is "
                 "accepted when the model has one input")
      ->type_name("NAME=FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("-o,--output-dir", o.outputDir,
                 "Write each output to DIR/<output name>.npy ('/' in names becomes '_')")
      ->type_name("DIR");
  app.add_option("-c,--compare", o.compareArgs, "Reference output NAME=FILE to compare against; repeatable")
      ->type_name("NAME=FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--atol", o.atol, "Absolute tolerance of --compare")->capture_default_str();
  app.add_option("--rtol", o.rtol, "Relative tolerance of --compare")->capture_default_str();
  app.add_flag("--batch", o.batch,
               "Accept inputs whose dimension 0 is k times the model's (same k for all inputs): run k "
               "times on consecutive slices and concatenate the outputs along dimension 0");
  app.add_option("--reference", o.referencePath,
                 "The same model compiled with --precision fp32, run on the same inputs for "
                 "--layer-report and --labels")
      ->type_name("REF.npu");
  CLI::Option *layerOpt = app.add_flag("--layer-report{-}", o.layerReport,
                                       "Per-node SNR against --reference as a table; with =FILE.json also as JSON");
  app.add_option("--labels", o.labelsPath,
                 "Class labels (.npy int64 or float), one per row of the first output over all runs: "
                 "print top-1 accuracy")
      ->type_name("LABELS.npy");
  CLI::Option *minOpt =
      app.add_option("--min-accuracy", o.minAccuracy, "With --labels: exit 1 when the top-1 (percent) is lower")
          ->type_name("PERCENT");
  app.add_flag("--profile", o.profile.print,
               "Print the cycle profile of one run: totals and a per-ONNX-node table; with --batch, also the batch "
               "loop's wall time and runs/s (JSON: \"batch\")");
  CLI::Option *reportOpt =
      app.add_option("--report", o.report, "With --profile: 'json' prints the profile as JSON on stdout")
          ->type_name("json|text");
  CLI::Option *traceOpt = app.add_option("--trace", o.profile.tracePath,
                                         "Write a Chrome trace-event JSON of one run (Perfetto, chrome://tracing)")
                              ->type_name("FILE.json");
  app.add_option("--target", o.targetSpec,
                 "Refuse to run unless the model was compiled for this target (preset name or JSON file)")
      ->type_name("NAME|FILE");
  int threads = 1;
  app.add_option("--threads", threads,
                 "With --batch: runs this many of the batch's runs at once (each on one thread; outputs and "
                 "reports are those of one thread). Otherwise: threads for the host segments' kernels (oneDNN)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  if (std::optional<int> exitCode = tools::parseArgs(app, argc, argv, kTool))
    return *exitCode;
  host::setHostThreads(o.batch ? 1 : threads); // with --batch the threads run whole runs
  if (!(o.atol >= 0) || !(o.rtol >= 0))
    return fail("--atol and --rtol must be non-negative numbers");
  const bool wantLayers = layerOpt->count() > 0;
  const std::string layerJson = o.layerReport == "-" ? "" : o.layerReport;
  if (wantLayers && o.referencePath.empty())
    return usage("--layer-report needs --reference REF.npu (the model compiled with --precision fp32)");
  if (wantLayers && o.layerReport.empty())
    return usage("--layer-report=FILE.json: missing file name");
  if (!o.referencePath.empty() && !wantLayers && o.labelsPath.empty())
    return usage("--reference is used by --layer-report and --labels; give one of them");
  if (traceOpt->count() && o.profile.tracePath.empty())
    return usage("--trace=FILE.json: missing file name");
  if (reportOpt->count()) {
    if (!o.profile.print)
      return usage("--report needs --profile");
    std::string why;
    if (!parseReportFormat(o.report, o.profile.json, why))
      return usage(why);
  }
  if (minOpt->count() && o.labelsPath.empty())
    return usage("--min-accuracy needs --labels");
  if (minOpt->count() && !(o.minAccuracy >= 0 && o.minAccuracy <= 100))
    return usage("--min-accuracy must be a percentage in [0, 100]");

  std::string error;
  std::unique_ptr<api::Model> model = api::Model::load(o.modelPath, error);
  if (!model)
    return fail(error);
  const artifact::Artifact &a = model->artifact();
  if (!o.targetSpec.empty()) {
    std::optional<target::Target> expected = target::Target::load(o.targetSpec, error);
    if (!expected)
      return fail("--target: " + error);
    if (!checkTarget(a, o.modelPath, *expected, o.targetSpec, error))
      return fail(error);
  }
  std::unique_ptr<api::Model> refModel;
  if (!o.referencePath.empty()) {
    refModel = api::Model::load(o.referencePath, error);
    if (!refModel)
      return fail(error);
    if (!sameSignature(a, refModel->artifact(), error))
      return fail("--reference " + o.referencePath + " does not match " + o.modelPath + ": " + error);
  }

  std::map<std::string, std::string> inputFiles, compareFiles;
  if (!bindArgs(o.inputArgs, a.inputs, "--input", "input", inputFiles, error) ||
      !bindArgs(o.compareArgs, a.outputs, "--compare", "output", compareFiles, error))
    return fail(error);
  TensorMap inputs;
  NpyFiles batchFiles;
  if ((o.batch && !openBatchInputs(inputFiles, a.inputs, inputs, batchFiles, error)) ||
      !readTensors(inputFiles, inputs, error))
    return fail(error);
  conformToSignature(a.inputs, inputs);
  std::map<std::string, io::TensorData> references;
  for (const auto &[name, file] : compareFiles) {
    std::optional<io::TensorData> t = io::readTensorFile(file, error);
    if (!t)
      return fail(error);
    references[name] = std::move(*t);
  }

  std::string why;
  std::unique_ptr<api::Session> session = api::Session::create(*model, why);
  if (!session)
    return fail(o.modelPath + ": " + why);
  std::unique_ptr<api::Session> refSession;
  if (refModel) {
    refSession = api::Session::create(*refModel, why);
    if (!refSession)
      return fail(o.referencePath + ": " + why);
  }
  int64_t k = 1;
  if (o.batch && !batchFactor(a.inputs, inputs, k, error))
    return fail(error);
  if (!o.batch) { // inputs holding several batches: say how to run them
    int64_t held = 1;
    std::string ignored;
    if (batchFactor(a.inputs, inputs, held, ignored) && held > 1)
      for (const artifact::TensorSig &sig : a.inputs)
        if (inputs.count(sig.name) && inputs.at(sig.name).shape != sig.shape)
          return fail("input '" + sig.name + "' has shape " + shapeText(inputs.at(sig.name).shape) + ", expected " +
                      shapeText(sig.shape) + " (it holds " + std::to_string(held) +
                      " batches: add --batch to run them one after another)");
  }

  std::optional<Top1> top1;
  if (!o.labelsPath.empty()) {
    std::optional<io::TensorData> labels = io::readTensorFile(o.labelsPath, error);
    if (!labels)
      return fail(error);
    api::Tensor t{labels->shape, std::move(labels->data)};
    if (!Top1::check(a, k, t, error))
      return fail(o.labelsPath + ": " + error);
    top1.emplace(a, std::move(t.data), refModel && allFp32(refModel->artifact()) ? "fp32" : "reference");
  }
  std::optional<LayerReport> layers;
  if (wantLayers)
    layers.emplace(a, refModel->artifact());

  // Outputs are kept whole only when written, compared or summarised.
  const bool reportOnly = top1 || layers || o.profile.print;
  const bool keepOutputs = !o.outputDir.empty() || !compareFiles.empty() || !reportOnly;
  const unsigned workers = batchWorkers(k, o.batch ? static_cast<unsigned>(threads) : 1);
  if (!session->prepareWorkers(workers, why) || (refSession && !refSession->prepareWorkers(workers, why)))
    return fail(o.modelPath + ": " + why);
  const BatchSlicer slicer(a.inputs, inputs, batchFiles, k);
  std::vector<BatchSlicer::Slice> slices(workers); // one per worker: no lock
  TensorMap outputs;
  timing::Profile profile;
  // Runs in parallel (--threads), consumed in run order (BatchRun.h).
  auto work = [&](unsigned worker, int64_t b, RunResult &r, std::string &err) {
    const auto where = [&] { return k > 1 ? "batch " + std::to_string(b) + ": " : std::string(); };
    const TensorMap *slice = slicer.slice(b, slices[worker], err);
    if (!slice) {
      err = where() + err;
      return false;
    }
    timing::Profile *wantProfile = o.profile.wanted() && b == 0 ? &profile : nullptr;
    if (!session->run(*slice, r.outputs, err, layers ? &r.nodes : nullptr, wantProfile)) {
      err = where() + err;
      return false;
    }
    if (refSession && !refSession->run(*slice, r.refOutputs, err, layers ? &r.refNodes : nullptr)) {
      err = where() + "reference: " + err;
      return false;
    }
    return true;
  };
  BatchProgress progress(k, a.inputs.empty() || a.inputs[0].shape.empty() ? 1 : a.inputs[0].shape[0]);
  auto consume = [&](int64_t b, RunResult &r, std::string &err) {
    if (layers)
      layers->add(r.nodes, r.outputs, r.refNodes, r.refOutputs);
    if (top1)
      top1->add(r.outputs, refSession ? &r.refOutputs : nullptr);
    if (keepOutputs && !appendOutputs(a.outputs, k, r.outputs, outputs, err))
      return false;
    progress.done(b + 1);
    return true;
  };
  const auto batchStart = std::chrono::steady_clock::now();
  if (!runBatch(k, workers, work, consume, error))
    return fail(error);
  const BatchWallTime batchWall{k, workers,
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - batchStart).count()};
  progress.clear();

  if (!o.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.outputDir, ec);
    if (ec)
      return fail("cannot create output directory '" + o.outputDir + "': " + ec.message());
  }
  for (const artifact::TensorSig &sig : a.outputs) {
    if (!o.outputDir.empty()) {
      const std::string path = (std::filesystem::path(o.outputDir) / fileNameFor(sig.name)).string();
      if (!writeOutput(path, outputs[sig.name], error))
        return fail(error);
    } else if (compareFiles.empty() && !reportOnly) {
      printSummary(sig.name, convertTensor(outputs[sig.name], artifact::DType::F32));
    }
  }

  if (layers) {
    layers->print(stdout, o.modelPath, o.referencePath);
    if (!layerJson.empty()) {
      if (!layers->writeJson(layerJson, o.modelPath, o.referencePath, error))
        return fail(error);
      std::printf("layer report written to %s\n", layerJson.c_str());
    }
  }
  if (o.profile.wanted() && !emitProfile(stdout, profile, o.profile, o.modelPath, batchWall, error))
    return fail(error);
  bool allOk = true;
  if (top1) {
    top1->print(stdout);
    if (minOpt->count() && top1->accuracy() < o.minAccuracy) {
      std::printf("FAIL: NPU top-1 %.2f%% is below --min-accuracy %g%%\n", top1->accuracy(), o.minAccuracy);
      allOk = false;
    }
  }
  for (const artifact::TensorSig &sig : a.outputs) {
    auto ref = references.find(sig.name);
    if (ref != references.end())
      allOk = compareOutput(sig.name, convertTensor(outputs[sig.name], artifact::DType::F32), ref->second, o.atol,
                            o.rtol) &&
              allOk;
  }
  std::fflush(stdout);
  return allOk ? 0 : 1;
}
