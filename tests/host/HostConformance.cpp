//===- HostConformance.cpp - ONNX backend tests on the host executor alone ===//
//
//   host-conformance [--expected-failures FILE] [--verbose] TEST_DIR...
//   host-conformance --list-kernels
//
// Runs each ONNX backend test directory (model.onnx, test_data_set_*/
// input_N.pb and output_N.pb) through runtime/lib/host with no compiler in
// between: the whole model is one host segment. A .pb file holds a
// TensorProto, a SequenceProto or an OptionalProto, as the model declares the
// value. Outputs are compared the way ONNX's backend runner does (rtol 1e-3,
// atol 1e-7; exact for integers and bool; NaN equals NaN), a sequence tensor
// by tensor. This is the kernels' own conformance check; the
// compiler's (placement, NPU segments, host segments) is run_conformance.py.
//
// A test listed for mode "host" in the expected-failures file must fail (so
// the file cannot go stale), every other test must pass. Exit status 0 when both hold.
//
//===----------------------------------------------------------------------===//
#include "softnpu/host/ElementTypes.h"
#include "softnpu/host/HostExecutor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

using namespace softnpu::host;
namespace fs = std::filesystem;

namespace {

bool readBytes(const fs::path &p, std::string &out) {
  std::ifstream f(p, std::ios::binary);
  if (!f)
    return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

double valueAt(const HostTensor &t, int64_t i) {
  return dispatch(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    return static_cast<double>(static_cast<ComputeOf<T>>(t.data<T>()[i]));
  });
}

bool isFloat(DType t) { return t == DType::F32 || t == DType::F64 || t == DType::F16 || t == DType::BF16; }

/// Empty when `got` matches `want`, else why not.
std::string compare(const HostTensor &got, const HostTensor &want) {
  if (got.dtype != want.dtype)
    return std::string("dtype ") + softnpu::artifact::dtypeName(got.dtype) + ", expected " +
           softnpu::artifact::dtypeName(want.dtype);
  if (got.shape != want.shape)
    return "shape " + shapeText(got.shape) + ", expected " + shapeText(want.shape);
  for (int64_t i = 0, n = got.numElements(); i < n; ++i) {
    const double g = valueAt(got, i), w = valueAt(want, i);
    if (g == w || (std::isnan(w) && std::isnan(g))) // equal infinities too
      continue;
    const bool ok = isFloat(got.dtype) ? std::fabs(g - w) <= 1e-7 + 1e-3 * std::fabs(w) : g == w;
    if (!ok || std::isnan(g) != std::isnan(w))
      return "element " + std::to_string(i) + " is " + std::to_string(g) + ", expected " + std::to_string(w);
  }
  return "";
}

/// compare() for values of any kind.
std::string compareValues(const HostValue &got, const HostValue &want) {
  if (got.kind() != want.kind())
    return typeText(got) + ", expected " + typeText(want);
  if (const HostTensor *t = got.tensor())
    return compare(*t, *want.tensor());
  if (const HostSequence *s = got.sequence()) {
    const std::vector<HostTensor> &w = want.sequence()->tensors;
    if (s->tensors.size() != w.size())
      return "a sequence of " + std::to_string(s->tensors.size()) + " tensors, expected " + std::to_string(w.size());
    for (size_t i = 0; i < w.size(); ++i)
      if (std::string why = compare(s->tensors[i], w[i]); !why.empty())
        return "tensor " + std::to_string(i) + " of the sequence: " + why;
    return "";
  }
  if (!got.element() || !want.element())
    return got.element() || want.element() ? typeText(got) + ", expected " + typeText(want) : "";
  return compareValues(*got.element(), *want.element());
}

/// Empty when the test passes, else why it fails.
std::string runTest(const fs::path &dir) {
  std::string bytes, error;
  if (!readBytes(dir / "model.onnx", bytes))
    return "cannot read model.onnx";
  std::optional<HostGraph> g = parseHostModel(bytes, error);
  if (!g)
    return error;
  std::vector<const ValueDecl *> inputs; // graph inputs that are not initializers
  for (const ValueDecl &d : g->inputs)
    if (!g->constants.count(d.name))
      inputs.push_back(&d);
  std::vector<fs::path> sets;
  for (const auto &e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty())
    return "no test_data_set_*";
  for (const fs::path &set : sets) {
    std::map<std::string, HostValue> values;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const fs::path p = set / ("input_" + std::to_string(i) + ".pb");
      if (!fs::exists(p))
        break; // an optional input the test leaves out
      if (!readBytes(p, bytes))
        return "cannot read " + p.string();
      std::optional<HostValue> v = parseHostValue(bytes, inputs[i]->type, error);
      if (!v)
        return p.filename().string() + ": " + error;
      values[inputs[i]->name] = std::move(*v);
    }
    if (!runHostGraph(*g, values, error))
      return error;
    for (size_t i = 0; i < g->outputs.size(); ++i) {
      const fs::path p = set / ("output_" + std::to_string(i) + ".pb");
      if (!readBytes(p, bytes))
        return "cannot read " + p.string();
      std::optional<HostValue> want = parseHostValue(bytes, g->outputs[i].type, error);
      if (!want)
        return p.filename().string() + ": " + error;
      auto got = values.find(g->outputs[i].name);
      if (got == values.end())
        return "output '" + g->outputs[i].name + "' was not produced";
      std::string why = compareValues(got->second, *want);
      if (!why.empty())
        return "output '" + g->outputs[i].name + "': " + why;
    }
  }
  return "";
}

/// The tests expected to fail in `mode`, from lines "test_name MODES
/// reason..." (MODES: comma-separated host, fp32, bfp, or all); lines starting
/// with '#' are comments (tests/conformance/expected_failures.txt).
std::set<std::string> readExpected(const std::string &path, const std::string &mode, bool &ok) {
  std::set<std::string> names;
  std::ifstream f(path);
  ok = static_cast<bool>(f);
  for (std::string line; std::getline(f, line);) {
    if (line.find_first_not_of(" \t") != std::string::npos && line[line.find_first_not_of(" \t")] == '#')
      continue; // a comment line
    std::istringstream ss(line);
    std::string name, modes;
    if (!(ss >> name >> modes))
      continue;
    std::istringstream ms(modes);
    for (std::string m; std::getline(ms, m, ',');)
      if (m == mode || m == "all")
        names.insert(name);
  }
  return names;
}

} // namespace

int main(int argc, char **argv) {
  std::string expectedPath;
  bool verbose = false;
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--expected-failures" && i + 1 < argc)
      expectedPath = argv[++i];
    else if (a == "--verbose")
      verbose = true;
    else if (a == "--list-kernels") {
      for (const std::string &op : hostKernelOps())
        std::printf("%s\n", op.c_str());
      return 0;
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: host-conformance [--expected-failures FILE] [--verbose] TEST_DIR...\n"
                  "       host-conformance --list-kernels   (the op types the host has a kernel for)\n");
      return 0;
    } else
      dirs.emplace_back(a);
  }
  std::set<std::string> expected;
  if (!expectedPath.empty()) {
    bool ok;
    expected = readExpected(expectedPath, "host", ok);
    if (!ok) {
      std::fprintf(stderr, "host-conformance: cannot read '%s'\n", expectedPath.c_str());
      return 2;
    }
  }
  int passed = 0, failed = 0, unexpected = 0;
  for (const fs::path &dir : dirs) {
    const std::string name = dir.filename().string();
    const std::string why = runTest(dir);
    const bool pass = why.empty();
    pass ? ++passed : ++failed;
    const bool xfail = expected.count(name) != 0;
    if (pass == xfail) {
      ++unexpected;
      std::printf("%s %s%s%s\n", pass ? "UNEXPECTED PASS" : "FAIL", name.c_str(), pass ? "" : ": ", why.c_str());
    } else if (verbose) {
      std::printf("%s %s%s%s\n", pass ? "pass" : "xfail", name.c_str(), pass ? "" : ": ", why.c_str());
    }
  }
  std::printf("host-conformance: %d of %zu pass, %d fail, %d not as expected\n", passed, dirs.size(), failed,
              unexpected);
  return unexpected == 0 ? 0 : 1;
}
