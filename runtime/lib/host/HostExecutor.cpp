//===- HostExecutor.cpp - Run a host segment node by node -----------------===//
#include "softnpu/host/HostExecutor.h"

#include "ControlFlow.h"
#include "Kernel.h"
#include "Scope.h"

#include "softnpu/timing/HostCost.h"

#include <algorithm>
#include <chrono>

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

/// `v` is not of the type `d` the model declares for value `name`: a kernel
/// bug or a model whose declared types are wrong; either way say so. The
/// shapes of a sequence's tensors are not checked: ONNX's own models declare
/// some their sequences do not have (test_loop16_seq_none).
bool checkType(const ValueType &d, const HostValue &v, const std::string &name, std::string &why) {
  auto mismatch = [&] {
    why = "output '" + name + "' is " + typeText(v) + ", the model declares " + typeText(d);
    return false;
  };
  switch (d.kind) {
  case ValueType::Kind::Unknown:
    return true;
  case ValueType::Kind::Sequence: {
    const HostSequence *s = v.sequence();
    if (!s)
      return mismatch();
    const ValueType *e = d.element.get();
    return !e || e->kind != ValueType::Kind::Tensor || e->dtype == s->elemType || mismatch();
  }
  case ValueType::Kind::Optional:
    if (v.kind() != HostValue::Kind::Optional)
      return mismatch();
    return !v.element() || !d.element || checkType(*d.element, *v.element(), name, why);
  case ValueType::Kind::Tensor:
    break;
  }
  const HostTensor *t = v.tensor();
  if (!t)
    return mismatch();
  if (d.dtype != t->dtype) {
    why = "output '" + name + "' is " + artifact::dtypeName(t->dtype) + ", the model declares " +
          artifact::dtypeName(d.dtype);
    return false;
  }
  if (!d.hasShape)
    return true;
  bool same = d.shape.size() == t->shape.size();
  for (size_t i = 0; same && i < d.shape.size(); ++i)
    same = d.shape[i] < 0 || d.shape[i] == t->shape[i];
  if (!same) {
    why = "output '" + name + "' has shape " + shapeText(t->shape) + ", the model declares " + shapeText(d.shape);
    return false;
  }
  return true;
}

bool checkDeclared(const HostGraph &g, const std::string &name, const HostValue &v, std::string &why) {
  auto it = g.declared.find(name);
  return it == g.declared.end() || checkType(it->second.type, v, name, why);
}

/// How a node runs: a tensor kernel, a value kernel, or control flow.
struct Runner {
  const KernelFn *kernel = nullptr;
  ControlFn control = nullptr;
  bool takesValues = false; ///< a value kernel or control flow: sees every kind of value, fills results
};

Runner runnerFor(const std::string &opType) {
  if (auto c = controlFlowOps().find(opType); c != controlFlowOps().end())
    return {nullptr, c->second, true};
  if (auto v = valueKernels().find(opType); v != valueKernels().end())
    return {&v->second, nullptr, true};
  if (auto k = tensorKernels().find(opType); k != tensorKernels().end())
    return {&k->second, nullptr, false};
  return {};
}

/// The node's profile entry: its wall time and its work from the shapes of
/// its tensors (a sequence or an optional counts as no work).
NodeTime timeOf(const HostNode &node, const KernelContext &ctx, bool takesValues, double seconds) {
  NodeTime t{node.name, node.opType, seconds, 0, 0};
  std::vector<timing::Shape> operands, results;
  for (const HostTensor *in : ctx.inputs)
    operands.push_back(in ? in->shape : timing::Shape());
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    const HostTensor *out = takesValues ? ctx.results[i].tensor() : &ctx.outputs[i];
    results.push_back(out ? out->shape : timing::Shape());
    t.elementOps += out ? static_cast<uint64_t>(out->numElements()) : 0;
  }
  t.macs = timing::opMacs(node.opType, operands, results, node.attrInt("transA", 0) != 0);
  return t;
}

} // namespace

ValueRef Scope::find(const std::string &name) const {
  if (auto v = values.find(name); v != values.end()) {
    if (const HostTensor *t = v->second.tensor())
      return {t, nullptr};
    return {nullptr, &v->second};
  }
  if (auto c = graph.constants.find(name); c != graph.constants.end())
    return {&c->second, nullptr};
  return outer ? outer->find(name) : ValueRef();
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

bool runGraph(const Scope &scope, std::string &error, std::vector<NodeTime> *times) {
  const HostGraph &graph = scope.graph;
  for (const HostNode &node : graph.nodes) {
    const std::string what = "node '" + node.name + "' (" + node.opType + ")";
    const Runner runner = runnerFor(node.opType);
    if (!runner.kernel && !runner.control) {
      error = what + ": the host has no kernel for this op";
      return false;
    }
    KernelContext ctx{node, graph.opset, {}, {}, {}, {}, {}};
    for (const std::string &in : node.inputs) {
      const ValueRef v = in.empty() ? ValueRef() : scope.find(in);
      if (!in.empty() && !v) {
        error = what + ": input '" + in + "' is not available";
        return false;
      }
      if (v.value && !runner.takesValues) {
        error = what + ": input '" + in + "' is " + typeText(*v.value) + "; the op takes tensors only";
        return false;
      }
      ctx.inputs.push_back(v.tensor);
      ctx.values.push_back(v.value);
    }
    if (runner.takesValues)
      ctx.results.resize(node.outputs.size());
    else
      ctx.outputs.resize(node.outputs.size());
    const auto start = std::chrono::steady_clock::now();
    bool ok;
    try {
      ok = runner.control ? runner.control(scope, ctx) : (*runner.kernel)(ctx);
    } catch (const std::bad_alloc &) {
      ok = ctx.fail("out of memory");
    } catch (const std::exception &e) {
      ok = ctx.fail(e.what());
    }
    if (!ok) {
      error = what + ": " + (ctx.error.empty() ? "the host kernel failed" : ctx.error);
      return false;
    }
    if (times)
      times->push_back(timeOf(node, ctx, runner.takesValues,
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i].empty())
        continue;
      HostValue out = runner.takesValues ? std::move(ctx.results[i]) : HostValue(std::move(ctx.outputs[i]));
      std::string why;
      if (!checkDeclared(graph, node.outputs[i], out, why)) {
        error = what + ": " + why;
        return false;
      }
      scope.values[node.outputs[i]] = std::move(out);
    }
  }
  return true;
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
  Scope scope{graph, values, nullptr};
  return runGraph(scope, error, times);
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

} // namespace softnpu::host
