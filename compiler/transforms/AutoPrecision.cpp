//===- AutoPrecision.cpp - Narrowest per-layer format within an error bound ===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/analysis/ReferenceEvaluator.h"
#include "dialects/fpga/FpgaTarget.h"

#include "softnpu/io/TensorFile.h"
#include "softnpu/numerics/Bfp.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

namespace softnpu {
#define GEN_PASS_DEF_FPGAAUTOPRECISION
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// Formats the search may choose, in increasing storage bits per element
/// (NumberFormat::bitsPerElement: 4.25, 4.5, 5.5, 6.25, 6.25, 6.5, 7.5, 8.25 x3, 8.5).
const char *const kCandidates[] = {"mxfp4",  "msfp12",     "msfp13",     "mxfp6_e2m3", "mxfp6_e3m2", "msfp14",
                                   "msfp15", "mxfp8_e4m3", "mxfp8_e5m2", "mxint8",     "msfp16"};
constexpr int kSynthesisedSamples = 4;

int64_t numElements(Value v) { return cast<RankedTensorType>(v.getType()).getNumElements(); }

struct FpgaAutoPrecisionPass : softnpu::impl::FpgaAutoPrecisionBase<FpgaAutoPrecisionPass> {
  using FpgaAutoPrecisionBase::FpgaAutoPrecisionBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const target::Target &t = fpga::getTarget(module);
    FailureOr<func::FuncOp> single = getSingleFunction(module, "fpga-auto-precision");
    if (failed(single))
      return signalPassFailure();
    func::FuncOp func = *single;
    FailureOr<std::vector<std::vector<std::vector<float>>>> sampleSets = loadSamples(func);
    if (failed(sampleSets))
      return signalPassFailure();
    std::vector<analysis::Values> refs;
    for (const auto &inputs : *sampleSets) {
      FailureOr<analysis::Values> v = analysis::evaluate(func, inputs);
      if (failed(v))
        return signalPassFailure();
      refs.push_back(std::move(*v));
    }

    std::vector<numerics::NumberFormat> candidates;
    for (const char *name : kCandidates)
      candidates.push_back(*numerics::NumberFormat::parse(name));

    func.walk([&](fpga::LinearOp op) { choose(op, t, candidates, refs); });
    func.walk([&](fpga::RnnOp op) { choose(op, t, candidates, refs); });
  }

  /// One list of argument buffers per sample.
  FailureOr<std::vector<std::vector<std::vector<float>>>> loadSamples(func::FuncOp func) {
    size_t numArgs = func.getNumArguments();
    std::vector<std::vector<std::vector<float>>> sets;
    if (samples.empty()) {
      std::mt19937 rng(0);
      std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
      for (int s = 0; s < kSynthesisedSamples; ++s) {
        std::vector<std::vector<float>> inputs;
        for (BlockArgument a : func.getArguments()) {
          std::vector<float> data(static_cast<size_t>(numElements(a)));
          for (float &e : data)
            e = dist(rng);
          inputs.push_back(std::move(data));
        }
        sets.push_back(std::move(inputs));
      }
      return sets;
    }
    std::map<std::string, std::string> files;
    for (const std::string &spec : samples) {
      size_t eq = spec.find('=');
      if (eq == std::string::npos)
        return func.emitError() << "bad sample '" << spec << "': expected NAME=FILE";
      files[spec.substr(0, eq)] = spec.substr(eq + 1);
    }
    // Each file may hold several samples stacked along a leading dimension.
    int64_t count = -1;
    std::vector<std::vector<float>> data(numArgs);
    for (BlockArgument a : func.getArguments()) {
      auto nameAttr = func.getArgAttrOfType<StringAttr>(a.getArgNumber(), "onnx.name");
      std::string name = nameAttr ? nameAttr.str() : "input" + std::to_string(a.getArgNumber());
      auto it = files.find(name);
      if (it == files.end())
        return func.emitError() << "no sample for input '" << name << "' (give --sample " << name << "=FILE)";
      std::string err;
      auto tensor = io::readTensorFile(it->second, err);
      if (!tensor)
        return func.emitError() << "sample for '" << name << "': " << err;
      int64_t n = numElements(a), total = static_cast<int64_t>(tensor->data.size());
      if (total == 0 || total % n != 0 || (count >= 0 && total / n != count))
        return func.emitError() << "sample '" << it->second << "' holds " << total
                                << " values, not a whole number of inputs of " << n
                                << " elements (the same number for every input)";
      count = total / n;
      data[a.getArgNumber()] = std::move(tensor->data);
      files.erase(it);
    }
    if (!files.empty())
      return func.emitError() << "sample for unknown input '" << files.begin()->first << "'";
    for (int64_t s = 0; s < count; ++s) {
      std::vector<std::vector<float>> inputs;
      for (BlockArgument a : func.getArguments()) {
        int64_t n = numElements(a);
        const auto &d = data[a.getArgNumber()];
        inputs.emplace_back(d.begin() + s * n, d.begin() + (s + 1) * n);
      }
      sets.push_back(std::move(inputs));
    }
    return sets;
  }

  /// Relative RMS error of the layer's output when its matrix and input rows
  /// are rounded to `fmt` as the NPU rounds them.
  double layerError(fpga::LinearOp op, const numerics::NumberFormat &fmt, const target::Target &t,
                    const std::vector<analysis::Values> &refs) {
    int64_t rows = op.getNumRows(), k = op.getReductionSize(), p = op.getNumOutputs();
    double noise = 0, signal = 0;
    for (const analysis::Values &v : refs) {
      auto x = analysis::linearRows(v.find(op.getX())->second, rows, k, op.getTransposeX());
      auto w = analysis::linearRows(v.find(op.getW())->second, p, k, op.getTransposeW());
      for (int64_t i = 0; i < rows; ++i)
        numerics::roundTrip(&x[i * k], k, fmt, t.rounding, t.nativeDim);
      for (int64_t j = 0; j < p; ++j)
        numerics::roundTrip(&w[j * k], k, fmt, t.rounding, t.nativeDim);
      const std::vector<float> &y = v.find(op.getY())->second;
      const std::vector<float> *bias = op.getBias() ? &v.find(op.getBias())->second : nullptr;
      const std::vector<float> *residual = op.getResidual() ? &v.find(op.getResidual())->second : nullptr;
      std::vector<float> yq = analysis::evaluateLinear(op, x, w, bias, residual);
      for (size_t e = 0; e < y.size(); ++e) {
        double d = static_cast<double>(yq[e]) - y[e];
        noise += d * d;
        signal += static_cast<double>(y[e]) * y[e];
      }
    }
    if (signal == 0)
      return noise == 0 ? 0 : INFINITY;
    return std::sqrt(noise / signal);
  }

  /// Relative RMS error of a recurrent layer's outputs (every timestep's h,
  /// and the final c of an lstm) when its weights and every matrix-unit input
  /// are rounded to `fmt`.
  double layerError(fpga::RnnOp op, const numerics::NumberFormat &fmt, const target::Target &t,
                    const std::vector<analysis::Values> &refs) {
    auto roundRows = [&](std::vector<float> m, int64_t cols) {
      for (size_t at = 0; at < m.size(); at += static_cast<size_t>(cols))
        numerics::roundTrip(&m[at], static_cast<size_t>(cols), fmt, t.rounding, t.nativeDim);
      return m;
    };
    auto roundInput = [&](float *v, size_t n) { numerics::roundTrip(v, n, fmt, t.rounding, t.nativeDim); };
    double noise = 0, signal = 0;
    for (const analysis::Values &v : refs) {
      auto get = [&](Value x) { return x ? &v.find(x)->second : nullptr; };
      const std::vector<float> w = roundRows(*get(op.getW()), op.getInputSize());
      const std::vector<float> r = roundRows(*get(op.getR()), op.getHiddenSize());
      analysis::RnnOutputs q = analysis::evaluateRnn(op, *get(op.getX()), w, r, get(op.getB()), get(op.getInitialH()),
                                                     get(op.getInitialC()), roundInput);
      auto add = [&](const std::vector<float> &got, const std::vector<float> &want) {
        for (size_t e = 0; e < want.size(); ++e) {
          double d = static_cast<double>(got[e]) - want[e];
          noise += d * d;
          signal += static_cast<double>(want[e]) * want[e];
        }
      };
      add(q.y, *get(op.getY()));
      if (op.getYC())
        add(q.yc, *get(op.getYC()));
    }
    if (signal == 0)
      return noise == 0 ? 0 : INFINITY;
    return std::sqrt(noise / signal);
  }

  template <typename OpT>
  void choose(OpT op, const target::Target &t, const std::vector<numerics::NumberFormat> &candidates,
              const std::vector<analysis::Values> &refs) {
    std::string tried;
    for (const numerics::NumberFormat &fmt : candidates) {
      target::Target layer = t;
      layer.weightFormat = layer.inputFormat = fmt;
      if (layer.validate())
        continue;
      double err = layerError(op, fmt, t, refs);
      std::ostringstream os;
      os.precision(3);
      if (err <= bound) {
        os << describeOp(op) << ": auto-precision chose " << fmt.name() << " (relative RMS error " << err
           << " <= " << bound << ")";
        if (!tried.empty())
          os << "; narrower formats: " << tried;
        set(op, fmt.name());
        op.emitRemark() << os.str();
        return;
      }
      os << (tried.empty() ? "" : ", ") << fmt.name() << " " << err;
      tried += os.str();
    }
    set(op, "fp32");
    std::ostringstream os;
    os.precision(3);
    os << describeOp(op) << ": auto-precision chose fp32: no block format keeps the relative RMS "
       << "error within " << bound << " (" << tried << ")";
    op.emitRemark() << os.str();
  }

  template <typename OpT> static void set(OpT op, StringRef name) {
    auto attr = fpga::FormatAttr::get(op.getContext(), name);
    op.setWeightFormatAttr(attr);
    op.setInputFormatAttr(attr);
  }
};

} // namespace
