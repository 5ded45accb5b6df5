//===- npu-sweep/main.cpp - Compile and profile one model for several targets ===//
//
//   npu-sweep model.onnx --targets A,B,FILE.json [--precision P]
//             [--input NAME=FILE ...] [--seed S] [--report=json|text]
//
// For each target: compile in-process (compiler/driver/Driver.h, the same
// compile as npu-compile), run once on the simulator with a cycle profile and
// measure the memory footprint (Measure.h), then print one table row per
// target (SweepReport.h; docs/reports.md "npu-sweep"). A target that does not
// load, compile or run becomes an "error: ..." row and the sweep goes on; the
// exit code is then 1 (2 for command-line usage errors). Inputs come from
// --input files or are synthesised uniform in [-1, 1) from --seed. On a
// terminal, stderr shows one progress line per target, erased when done.
//
//===----------------------------------------------------------------------===//
#include "Measure.h"
#include "SweepReport.h"
#include "TensorArgs.h"

#include "compiler/driver/Driver.h"
#include "tools/common/ProgressLine.h"

#include "softnpu/target/Target.h"

#include "tools/common/FatalError.h"
#include "tools/common/OneLine.h"
#include "tools/common/ParseArgs.h"
#include "tools/common/Version.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <random>
#include <sstream>

using namespace softnpu;
using namespace softnpu::tools;

namespace {

constexpr const char *kTool = "npu-sweep";

int usage(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s (run with --help for usage)\n", kTool, softnpu::tools::oneLine(message).c_str());
  return 2;
}

/// Splits "a,b,c" (several --targets options add up); empty names are an error.
bool splitTargets(const std::vector<std::string> &args, std::vector<std::string> &out, std::string &error) {
  for (const std::string &arg : args) {
    std::stringstream ss(arg);
    std::string name;
    while (std::getline(ss, name, ',')) {
      if (name.empty()) {
        error = "--targets '" + arg + "': empty target name";
        return false;
      }
      out.push_back(name);
    }
    if (!arg.empty() && arg.back() == ',') {
      error = "--targets '" + arg + "': empty target name";
      return false;
    }
  }
  if (out.empty()) {
    error = "--targets: no target given";
    return false;
  }
  return true;
}

/// Uniform [-1, 1) values for every input of the signature, the same for
/// every target (seeded per input by its position).
TensorMap synthInputs(const std::vector<artifact::TensorSig> &sigs, unsigned seed) {
  TensorMap inputs;
  for (size_t i = 0; i < sigs.size(); ++i) {
    std::mt19937 rng(seed + static_cast<unsigned>(i));
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    api::Tensor &t = inputs[sigs[i].name];
    t.shape = sigs[i].shape;
    t.data.resize(sigs[i].numElements());
    for (float &v : t.data)
      v = dist(rng);
  }
  return inputs;
}

} // namespace

int main(int argc, char **argv) {
  softnpu::tools::installFatalErrorHandler(kTool);
  CLI::App app{"Compile an ONNX model for several NPU targets, run each once on the simulator with the\n"
               "timing model and compare them: latency (us and cycles), effective TOPS, MVU\n"
               "utilisation, MRF tiles (pinned + scratch / capacity), VRF high-water marks and\n"
               "weight-image bytes, one row per target (docs/reports.md). A target that fails to\n"
               "load, compile or run gets an 'error: ...' row; the sweep continues and exits 1.\n\n"
               "  npu-sweep model.onnx --targets tiny,brainwave-s10,my.json [--precision msfp12]\n"
               "            [--input x=x.npy] [--report=json]",
               kTool};
  std::string model, precision, report = "text";
  std::vector<std::string> targetArgs, inputArgs;
  unsigned seed = 0;
  app.add_option("model", model, "ONNX model file (.onnx)")->required();
  app.add_option("--targets", targetArgs, "Comma-separated target preset names and/or target JSON files")
      ->type_name("A,B,FILE.json")
      ->required()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--precision", precision,
                 "Number format for every target (as npu-compile --precision); default: each target's own");
  app.add_option("-i,--input", inputArgs,
                 "Input tensor NAME=FILE (.npy or .pb), repeatable; default: uniform [-1, 1) from --seed")
      ->type_name("NAME=FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  std::vector<std::string> shapeArgs;
  app.add_option("--input-shape", shapeArgs,
                 "Fix a graph input's shape, e.g. x=1x3x224x224, repeatable (as npu-compile --input-shape)")
      ->type_name("NAME=DIMS")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--seed", seed, "Seed of the synthesised inputs")->capture_default_str();
  app.add_option("--report", report, "Output format: text (a table) or json")
      ->type_name("json|text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  if (std::optional<int> exitCode = tools::parseArgs(app, argc, argv, kTool))
    return *exitCode;
  std::vector<std::string> targets;
  std::string error;
  if (!splitTargets(targetArgs, targets, error))
    return usage(error);
  import::InputShapes inputShapes;
  for (const std::string &spec : shapeArgs)
    if (!import::parseInputShape(spec, inputShapes, error))
      return usage(error);

  SweepInfo info{model, precision, inputArgs.empty() ? "random, seed " + std::to_string(seed) : "files"};
  std::vector<SweepRow> rows;
  ProgressLine progress;
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string step = "[" + std::to_string(i + 1) + "/" + std::to_string(targets.size()) + "] ";
    SweepRow row;
    row.target = targets[i];
    rows.push_back(row);
    SweepRow &r = rows.back();
    progress.show(step + "compiling for " + r.target + "...");

    std::optional<target::Target> t = target::Target::load(r.target, r.error);
    if (!t)
      continue;
    r.targetName = t->name;
    driver::CompileOptions opts;
    // A sweep compares NPU configurations: the whole model on the NPU, or an
    // error naming each node it cannot take there.
    opts.pipeline.placement = "npu";
    opts.pipeline.precision = precision;
    opts.inputShapes = inputShapes;
    opts.producer = std::string(kTool) + " " + softnpu::tools::kVersion + " (" + model + ")";
    if (progress.enabled())
      opts.onPass = [&](const std::string &pass) {
        progress.show(step + "compiling for " + r.target + ": " + pass + "...");
      };
    std::vector<std::string> errors;
    std::optional<artifact::Artifact> a =
        driver::compileOnnx(model, *t, opts, [&](driver::Severity s, const std::string &message) {
          if (s == driver::Severity::Error)
            errors.push_back(message);
          else if (s == driver::Severity::Note && i == 0 && message.find("--input-shape") != std::string::npos) {
            progress.clear(); // a defaulted input dimension: said once, for the first target
            std::fprintf(stderr, "%s: note: %s\n", kTool, softnpu::tools::oneLine(message).c_str());
          }
        });
    if (!a) {
      r.error = errors.empty() ? "compilation failed" : errors.front();
      continue;
    }

    progress.show(step + "running on " + r.target + "...");
    TensorMap inputs;
    if (inputArgs.empty()) {
      inputs = synthInputs(a->inputs, seed);
    } else {
      std::map<std::string, std::string> files;
      if (!bindArgs(inputArgs, a->inputs, "--input", "input", files, r.error) || !readTensors(files, inputs, r.error))
        continue;
    }
    if (!measure(*a, inputs, r.m, r.error) && r.error.empty())
      r.error = "the run failed";
  }
  progress.clear();

  const std::string text = report == "json" ? sweepJson(info, rows) : sweepTable(info, rows);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  for (const SweepRow &r : rows)
    if (!r.ok())
      return 1;
  return 0;
}
