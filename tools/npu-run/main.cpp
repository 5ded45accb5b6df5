//===- npu-run/main.cpp - Run a compiled .npu model on the simulator ------===//
//
//   npu-run model.npu --input NAME=FILE ... [--output-dir DIR]
//           [--compare NAME=FILE ...] [--atol X] [--rtol X] [--batch]
//
// Inputs and references are .npy (float32 or int64) or ONNX TensorProto .pb
// files. Outputs go to DIR/<name>.npy, or a short summary is printed.
// --compare checks |got - expected| <= atol + rtol * |expected| element-wise
// (NaN must meet NaN) and exits 1 on any mismatch. --batch runs k times on
// consecutive dim-0 slices when every input is k times the model's batch.
// Every error is one line "npu-run: error: ..." and exit code 1 (2 for
// command-line usage errors).
//
//===----------------------------------------------------------------------===//
#include "softnpu/api/Session.h"
#include "softnpu/io/Npy.h"
#include "softnpu/io/TensorFile.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace softnpu;

namespace {

constexpr const char *kTool = "npu-run";

int fail(const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", kTool, message.c_str());
  return 1;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string namesText(const std::vector<artifact::TensorSig> &sigs) {
  std::string s;
  for (size_t i = 0; i < sigs.size(); ++i)
    s += (i ? ", '" : "'") + sigs[i].name + "'";
  return s.empty() ? "none" : s;
}

/// Splits "NAME=FILE" against the signature's names. A bare FILE is accepted
/// when the signature has exactly one tensor and it is the only argument.
bool bindArgs(const std::vector<std::string> &args, const std::vector<artifact::TensorSig> &sigs,
              const char *option, const char *kind, std::map<std::string, std::string> &bound,
              std::string &error) {
  for (const std::string &arg : args) {
    std::string name, file;
    const size_t eq = arg.find('=');
    bool named = false;
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      for (const artifact::TensorSig &s : sigs)
        named = named || s.name == name;
    }
    if (named) {
      file = arg.substr(eq + 1);
    } else if (sigs.size() == 1 && args.size() == 1 && (eq == std::string::npos || std::filesystem::exists(arg))) {
      name = sigs[0].name;
      file = arg;
    } else if (eq != std::string::npos) {
      error = "unknown " + std::string(kind) + " '" + name + "' in " + option + " " + arg + " (the model's " +
              kind + "s are " + namesText(sigs) + ")";
      return false;
    } else {
      error = std::string(option) + " " + arg + ": expected NAME=FILE (the model's " + kind + "s are " +
              namesText(sigs) + ")";
      return false;
    }
    if (file.empty()) {
      error = std::string(option) + " " + arg + ": missing file name";
      return false;
    }
    if (!bound.emplace(name, file).second) {
      error = std::string(kind) + " '" + name + "' is given twice";
      return false;
    }
  }
  return true;
}

/// How many model batches each input holds: 1 when shapes match exactly;
/// with --batch, k when every input is k times the model's dim 0.
bool batchFactor(const std::vector<artifact::TensorSig> &sigs, const std::map<std::string, api::Tensor> &inputs,
                 int64_t &k, std::string &error) {
  k = 1;
  std::optional<int64_t> common;
  for (const artifact::TensorSig &sig : sigs) {
    auto it = inputs.find(sig.name);
    if (it == inputs.end())
      continue; // reported by Session::run
    const std::vector<int64_t> &shape = it->second.shape;
    int64_t factor = 0;
    if (shape == sig.shape) {
      factor = 1;
    } else if (!sig.shape.empty() && sig.shape[0] > 0 && shape.size() == sig.shape.size() &&
               std::equal(shape.begin() + 1, shape.end(), sig.shape.begin() + 1) && shape[0] > 0 &&
               shape[0] % sig.shape[0] == 0) {
      factor = shape[0] / sig.shape[0];
    } else {
      error = "--batch: input '" + sig.name + "' has shape " + shapeText(shape) +
              ", expected a multiple of " + shapeText(sig.shape) + " along dimension 0";
      return false;
    }
    if (common && *common != factor) {
      error = "--batch: inputs hold different numbers of batches (" + std::to_string(*common) + " and " +
              std::to_string(factor) + " for '" + sig.name + "')";
      return false;
    }
    common = factor;
  }
  k = common.value_or(1);
  return true;
}

/// Runs the session k times on consecutive slices and concatenates outputs.
bool runBatches(api::Session &session, const std::map<std::string, api::Tensor> &inputs, int64_t k,
                std::map<std::string, api::Tensor> &outputs, std::string &error) {
  const artifact::Artifact &a = session.model().artifact();
  bool complete = true;
  for (const artifact::TensorSig &sig : a.inputs)
    complete = complete && inputs.count(sig.name);
  if (k == 1 || !complete) // a missing input is reported by Session::run
    return session.run(inputs, outputs, error);
  std::map<std::string, api::Tensor> slice;
  for (const artifact::TensorSig &sig : a.inputs)
    slice[sig.name] = api::Tensor{sig.shape, std::vector<float>(sig.numElements())};
  for (const artifact::TensorSig &sig : a.outputs) {
    if (sig.shape.empty()) {
      error = "--batch: output '" + sig.name + "' is a scalar and cannot be concatenated";
      return false;
    }
    api::Tensor &t = outputs[sig.name];
    t.shape = sig.shape;
    t.shape[0] *= k;
    t.data.clear();
    t.data.reserve(sig.numElements() * static_cast<size_t>(k));
  }
  std::map<std::string, api::Tensor> part;
  for (int64_t b = 0; b < k; ++b) {
    for (auto &[name, t] : slice) {
      const std::vector<float> &all = inputs.at(name).data;
      std::copy(all.begin() + b * t.data.size(), all.begin() + (b + 1) * t.data.size(), t.data.begin());
    }
    if (!session.run(slice, part, error)) {
      error = "batch " + std::to_string(b) + ": " + error;
      return false;
    }
    for (auto &[name, t] : part)
      outputs[name].data.insert(outputs[name].data.end(), t.data.begin(), t.data.end());
  }
  return true;
}

std::string fileNameFor(std::string name) {
  for (char &c : name)
    if (c == '/' || c == '\\')
      c = '_';
  if (name.empty() || name == "." || name == "..")
    name = "_" + name;
  return name + ".npy";
}

void printSummary(const std::string &name, const api::Tensor &t) {
  std::printf("output '%s': shape %s, %zu values:", name.c_str(), shapeText(t.shape).c_str(), t.data.size());
  const size_t shown = std::min<size_t>(t.data.size(), 8);
  for (size_t i = 0; i < shown; ++i)
    std::printf(" %.6g", t.data[i]);
  std::printf("%s\n", t.data.size() > shown ? " ..." : "");
}

/// Compares one output; prints the result line. Returns true when all match.
bool compareOutput(const std::string &name, const api::Tensor &got, const io::TensorData &want, double atol,
                   double rtol) {
  double maxAbs = 0, maxRel = 0;
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got.data.size(); ++i) {
    const double g = got.data[i], w = want.data[i];
    bool ok;
    double diff = 0;
    if (std::isnan(g) || std::isnan(w)) {
      ok = std::isnan(g) && std::isnan(w);
      diff = ok ? 0 : INFINITY;
    } else if (std::isinf(g) || std::isinf(w)) {
      ok = g == w;
      diff = ok ? 0 : INFINITY;
    } else {
      diff = std::fabs(g - w);
      ok = diff <= atol + rtol * std::fabs(w);
    }
    maxAbs = std::max(maxAbs, diff);
    if (w != 0 && !std::isnan(w))
      maxRel = std::max(maxRel, diff / std::fabs(w));
    else if (diff > 0)
      maxRel = INFINITY;
    if (!ok && mismatches++ == 0)
      first = i;
  }
  std::printf("output %s: max abs err %.3g, max rel err %.3g, %s (atol %g, rtol %g)\n", name.c_str(), maxAbs,
              maxRel, mismatches ? "FAIL" : "ok", atol, rtol);
  if (mismatches)
    std::printf("  %zu of %zu elements differ; first at index %zu: got %.9g, expected %.9g\n", mismatches,
                got.data.size(), first, static_cast<double>(got.data[first]),
                static_cast<double>(want.data[first]));
  return mismatches == 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"Run a compiled .npu model on the bit-accurate NPU simulator.\n\n"
               "  npu-run model.npu --input NAME=FILE ... [--output-dir DIR]\n"
               "          [--compare NAME=FILE ...] [--atol X] [--rtol X] [--batch]\n\n"
               "Inputs and reference outputs are NumPy .npy files (float32 or int64) or ONNX\n"
               "TensorProto .pb files. Without --output-dir, prints each output's shape and first\n"
               "values. With --compare, prints one line per compared output and exits 1 if any\n"
               "element differs by more than atol + rtol * |expected| (NaN must match NaN).\n\n"
               "Example:\n"
               "  npu-run mlp.npu --input x=x.npy --compare y=y.npy\n"
               "  npu-run mlp.npu --input x=test_images.npy --batch --output-dir out/",
               kTool};
  std::string modelPath, outputDir;
  std::vector<std::string> inputArgs, compareArgs;
  double atol = 1e-5, rtol = 1e-4;
  bool batch = false;
  app.add_option("model", modelPath, "Compiled model (.npu)")->required();
  app.add_option("-i,--input", inputArgs,
                 "Input tensor NAME=FILE (.npy or .pb); repeat for each input. A bare FILE is "
                 "accepted when the model has one input")
      ->type_name("NAME=FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("-o,--output-dir", outputDir, "Write each output to DIR/<output name>.npy ('/' in names becomes '_')")
      ->type_name("DIR");
  app.add_option("-c,--compare", compareArgs, "Reference output NAME=FILE to compare against; repeatable")
      ->type_name("NAME=FILE")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--atol", atol, "Absolute tolerance of --compare")->capture_default_str();
  app.add_option("--rtol", rtol, "Relative tolerance of --compare")->capture_default_str();
  app.add_flag("--batch", batch,
               "Accept inputs whose dimension 0 is k times the model's (same k for all inputs): run k "
               "times on consecutive slices and concatenate the outputs along dimension 0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "%s: error: %s (run with --help for usage)\n", kTool, e.what());
    return 2;
  }
  if (!(atol >= 0) || !(rtol >= 0))
    return fail("--atol and --rtol must be non-negative numbers");

  std::string error;
  std::unique_ptr<api::Model> model = api::Model::load(modelPath, error);
  if (!model)
    return fail(error);
  const artifact::Artifact &a = model->artifact();

  std::map<std::string, std::string> inputFiles, compareFiles;
  if (!bindArgs(inputArgs, a.inputs, "--input", "input", inputFiles, error) ||
      !bindArgs(compareArgs, a.outputs, "--compare", "output", compareFiles, error))
    return fail(error);

  std::map<std::string, api::Tensor> inputs;
  for (const auto &[name, file] : inputFiles) {
    std::optional<io::TensorData> t = io::readTensorFile(file, error);
    if (!t)
      return fail(error);
    inputs[name] = api::Tensor{t->shape, std::move(t->data)};
  }
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
    return fail(modelPath + ": " + why);
  int64_t k = 1;
  if (batch && !batchFactor(a.inputs, inputs, k, error))
    return fail(error);
  std::map<std::string, api::Tensor> outputs;
  if (!runBatches(*session, inputs, k, outputs, error))
    return fail(error);

  if (!outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    if (ec)
      return fail("cannot create output directory '" + outputDir + "': " + ec.message());
  }
  for (const artifact::TensorSig &sig : a.outputs) {
    const api::Tensor &t = outputs[sig.name];
    if (!outputDir.empty()) {
      const std::string path = (std::filesystem::path(outputDir) / fileNameFor(sig.name)).string();
      if (!io::writeNpy(path, t.shape, t.data, error))
        return fail(error);
    } else if (compareFiles.empty()) {
      printSummary(sig.name, t);
    }
  }

  bool allOk = true;
  for (const artifact::TensorSig &sig : a.outputs) {
    auto ref = references.find(sig.name);
    if (ref == references.end())
      continue;
    const api::Tensor &got = outputs[sig.name];
    if (ref->second.data.size() != got.data.size() ||
        (ref->second.shape != got.shape && !(ref->second.shape.empty() && got.data.size() == 1))) {
      std::printf("output %s: shape %s, reference shape %s, FAIL\n", sig.name.c_str(), shapeText(got.shape).c_str(),
                  shapeText(ref->second.shape).c_str());
      allOk = false;
      continue;
    }
    allOk = compareOutput(sig.name, got, ref->second, atol, rtol) && allOk;
  }
  return allOk ? 0 : 1;
}
