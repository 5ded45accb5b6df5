//===- HostExecutor.cpp - Run a host segment node by node -----------------===//
#include "softnpu/host/HostExecutor.h"

#include "ControlFlow.h"
#include "Kernel.h"
#include "Scope.h"

#include <algorithm>

namespace softnpu::host {

namespace {

/// Kernels of tensors only.
const KernelTable &tensorKernels() {
  static const KernelTable table = [] {
    KernelTable t;
    addElementwiseKernels(t);
    addShapeKernels(t);
    addLogicalKernels(t);
    addCastKernels(t);
    addIndexingKernels(t);
    addReduceKernels(t);
    addNormalizationKernels(t);
    addLinearKernels(t);
    addPoolKernels(t);
    addMiscKernels(t);
    addRecurrentKernels(t);
    addQuantizeKernels(t);
    addSignalKernels(t);
    addSampleKernels(t);
    return t;
  }();
  return table;
}

/// Kernels that also take or make sequences and optionals.
const KernelTable &valueKernels() {
  static const KernelTable table = [] {
    KernelTable t;
    addSequenceKernels(t);
    addOptionalKernels(t);
    return t;
  }();
  return table;
}

} // namespace

Runner runnerFor(const std::string &opType) {
  if (auto c = controlFlowOps().find(opType); c != controlFlowOps().end())
    return {nullptr, c->second, true};
  if (auto v = valueKernels().find(opType); v != valueKernels().end())
    return {&v->second, nullptr, true};
  if (auto k = tensorKernels().find(opType); k != tensorKernels().end())
    return {&k->second, nullptr, false};
  return {};
}

bool hasHostKernel(const std::string &opType) {
  const Runner r = runnerFor(opType);
  return r.kernel || r.control;
}

std::vector<std::string> hostKernelOps() {
  std::vector<std::string> ops;
  for (const auto &[name, fn] : tensorKernels())
    ops.push_back(name);
  for (const auto &[name, fn] : valueKernels())
    ops.push_back(name);
  for (const auto &[name, fn] : controlFlowOps())
    ops.push_back(name);
  std::sort(ops.begin(), ops.end());
  return ops;
}

bool runHostGraph(const HostGraph &graph, std::map<std::string, HostValue> &values, std::string &error,
                  std::vector<NodeTime> *times) {
  // An input of the wrong kind would only fail later, in whichever node
  // reads it; say so up front.
  for (const ValueDecl &d : graph.inputs) {
    auto it = values.find(d.name);
    if (it == values.end() || d.type.kind == ValueType::Kind::Unknown)
      continue;
    const HostValue::Kind want = d.type.kind == ValueType::Kind::Tensor     ? HostValue::Kind::Tensor
                                 : d.type.kind == ValueType::Kind::Sequence ? HostValue::Kind::Sequence
                                                                            : HostValue::Kind::Optional;
    if (it->second.kind() != want) {
      error = "input '" + d.name + "' is " + typeText(it->second) + ", the model declares " + typeText(d.type);
      return false;
    }
  }
  PreparedGraph g(graph, nullptr);
  g.clearBindings();
  for (const auto &[name, v] : values)
    g.bind(name, ValueRef::of(v));
  const bool ok = g.run(error, times);
  // Every value the nodes produced, also those of a failed run.
  g.takeProduced(false, [&](const std::string &name, HostValue v) { values[name] = std::move(v); });
  return ok;
}

bool runHostGraph(const HostGraph &graph, std::map<std::string, HostTensor> &tensors, std::string &error,
                  std::vector<NodeTime> *times) {
  std::map<std::string, HostValue> values;
  for (auto &[name, t] : tensors)
    values.emplace(name, std::move(t));
  const bool ok = runHostGraph(graph, values, error, times);
  for (auto &[name, v] : values)
    if (HostTensor *t = v.tensor())
      tensors[name] = std::move(*t);
  if (!ok)
    return false;
  for (const ValueDecl &d : graph.outputs) {
    auto it = values.find(d.name);
    if (it != values.end() && !it->second.tensor()) {
      error = "output '" + d.name + "' is " + typeText(it->second) + "; a host segment's outputs must be tensors";
      return false;
    }
  }
  return true;
}

struct HostProgram::Impl {
  PreparedGraph prepared;
  explicit Impl(const HostGraph &graph) : prepared(graph, nullptr) {}
};

HostProgram::HostProgram(const HostGraph &graph) : impl_(std::make_unique<Impl>(graph)) {}
HostProgram::~HostProgram() = default;
HostProgram::HostProgram(HostProgram &&) noexcept = default;
HostProgram &HostProgram::operator=(HostProgram &&) noexcept = default;

bool HostProgram::run(std::map<std::string, HostTensor> &values, std::string &error, std::vector<NodeTime> *times) {
  PreparedGraph &p = impl_->prepared;
  p.clearBindings();
  for (const auto &[name, t] : values)
    p.bind(name, {&t, nullptr});
  if (!p.run(error, times))
    return false;
  bool tensors = true;
  p.takeProduced(true, [&](const std::string &name, HostValue v) {
    if (HostTensor *t = v.tensor())
      values[name] = std::move(*t);
    else if (tensors) {
      error = "output '" + name + "' is " + typeText(v) + "; a host segment's outputs must be tensors";
      tensors = false;
    }
  });
  return tensors;
}

} // namespace softnpu::host
