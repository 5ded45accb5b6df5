//===- HostExecutor.cpp - Run a host segment node by node -----------------===//
#include "softnpu/host/HostExecutor.h"

#include "Kernel.h"

#include "softnpu/timing/HostCost.h"

#include <algorithm>
#include <chrono>

namespace softnpu::host {

namespace {

const KernelTable &kernels() {
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

/// The declared type of `out` disagrees with what the kernel produced: a
/// kernel bug or a model whose declared types are wrong; either way say so.
bool checkDeclared(const HostGraph &g, const std::string &name, const HostTensor &t, std::string &why) {
  auto it = g.declared.find(name);
  if (it == g.declared.end())
    return true;
  const ValueDecl &d = it->second;
  if (d.dtype != t.dtype) {
    why = "output '" + name + "' is " + artifact::dtypeName(t.dtype) + ", the model declares " +
          artifact::dtypeName(d.dtype);
    return false;
  }
  if (!d.hasShape)
    return true;
  bool same = d.shape.size() == t.shape.size();
  for (size_t i = 0; same && i < d.shape.size(); ++i)
    same = d.shape[i] < 0 || d.shape[i] == t.shape[i];
  if (!same) {
    why = "output '" + name + "' has shape " + shapeText(t.shape) + ", the model declares " + shapeText(d.shape);
    return false;
  }
  return true;
}

} // namespace

bool hasHostKernel(const std::string &opType) { return opType == "If" || kernels().count(opType) != 0; }

std::vector<std::string> hostKernelOps() {
  std::vector<std::string> ops;
  for (const auto &[name, fn] : kernels())
    ops.push_back(name);
  ops.push_back("If"); // control flow: the executor runs the branch (runIf)
  std::sort(ops.begin(), ops.end());
  return ops;
}

namespace {

/// The values a graph's nodes may read: its own, its constants, then the
/// enclosing graphs' (an If branch reads the graph around it).
struct Scope {
  const HostGraph &graph;
  std::map<std::string, HostTensor> &values;
  const Scope *outer;

  const HostTensor *find(const std::string &name) const {
    if (auto v = values.find(name); v != values.end())
      return &v->second;
    if (auto c = graph.constants.find(name); c != graph.constants.end())
      return &c->second;
    return outer ? outer->find(name) : nullptr;
  }
};

bool runGraph(const Scope &scope, std::string &error, std::vector<NodeTime> *times);

/// If: runs the branch the condition picks, in a scope of its own over this
/// one; the branch's outputs become the node's.
bool runIf(const HostNode &node, const Scope &scope, KernelContext &ctx) {
  const HostTensor *cond = ctx.in(0);
  if (!cond || cond->numElements() != 1 || artifact::dtypeSize(cond->dtype) != 1)
    return ctx.fail("the condition must be one bool");
  const HostAttr *branch = node.attr(cond->bytes[0] ? "then_branch" : "else_branch");
  if (!branch || branch->kind != HostAttr::Kind::Graph || !branch->graph)
    return ctx.fail("has no then_branch / else_branch graph");
  const HostGraph &g = *branch->graph;
  if (g.outputs.size() != node.outputs.size())
    return ctx.fail("its branch has " + std::to_string(g.outputs.size()) + " outputs for " +
                    std::to_string(node.outputs.size()));
  std::map<std::string, HostTensor> local;
  Scope inner{g, local, &scope};
  std::string why;
  if (!runGraph(inner, why, nullptr))
    return ctx.fail("in its branch: " + why);
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const HostTensor *out = inner.find(g.outputs[i].name);
    if (!out)
      return ctx.fail("its branch does not produce '" + g.outputs[i].name + "'");
    ctx.outputs[i] = *out;
  }
  return true;
}

bool runGraph(const Scope &scope, std::string &error, std::vector<NodeTime> *times) {
  const HostGraph &graph = scope.graph;
  for (const HostNode &node : graph.nodes) {
    const std::string what = "node '" + node.name + "' (" + node.opType + ")";
    const bool isIf = node.opType == "If";
    auto kernel = kernels().find(node.opType);
    if (!isIf && kernel == kernels().end()) {
      error = what + ": the host has no kernel for this op";
      return false;
    }
    KernelContext ctx{node, graph.opset, {}, {}, {}};
    for (const std::string &in : node.inputs) {
      if (in.empty()) {
        ctx.inputs.push_back(nullptr);
        continue;
      }
      const HostTensor *t = scope.find(in);
      if (!t) {
        error = what + ": input '" + in + "' is not available";
        return false;
      }
      ctx.inputs.push_back(t);
    }
    ctx.outputs.resize(node.outputs.size());
    const auto start = std::chrono::steady_clock::now();
    bool ok;
    try {
      ok = isIf ? runIf(node, scope, ctx) : kernel->second(ctx);
    } catch (const std::bad_alloc &) {
      ok = ctx.fail("out of memory");
    } catch (const std::exception &e) {
      ok = ctx.fail(e.what());
    }
    if (!ok) {
      error = what + ": " + (ctx.error.empty() ? "the host kernel failed" : ctx.error);
      return false;
    }
    if (times) {
      NodeTime t{node.name, node.opType,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0, 0};
      std::vector<timing::Shape> operands, results;
      for (const HostTensor *in : ctx.inputs)
        operands.push_back(in ? in->shape : timing::Shape());
      for (const HostTensor &out : ctx.outputs) {
        results.push_back(out.shape);
        t.elementOps += static_cast<uint64_t>(out.numElements());
      }
      t.macs = timing::opMacs(node.opType, operands, results, node.attrInt("transA", 0) != 0);
      times->push_back(std::move(t));
    }
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i].empty())
        continue;
      std::string why;
      if (!checkDeclared(graph, node.outputs[i], ctx.outputs[i], why)) {
        error = what + ": " + why;
        return false;
      }
      scope.values[node.outputs[i]] = std::move(ctx.outputs[i]);
    }
  }
  return true;
}

} // namespace

bool runHostGraph(const HostGraph &graph, std::map<std::string, HostTensor> &values, std::string &error,
                  std::vector<NodeTime> *times) {
  Scope scope{graph, values, nullptr};
  return runGraph(scope, error, times);
}

} // namespace softnpu::host
