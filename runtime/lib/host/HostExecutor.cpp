//===- HostExecutor.cpp - Run a host segment node by node -----------------===//
#include "softnpu/host/HostExecutor.h"

#include "Kernel.h"

#include "softnpu/timing/HostCost.h"

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

bool hasHostKernel(const std::string &opType) { return kernels().count(opType) != 0; }

std::vector<std::string> hostKernelOps() {
  std::vector<std::string> ops;
  for (const auto &[name, fn] : kernels())
    ops.push_back(name);
  return ops;
}

bool runHostGraph(const HostGraph &graph, std::map<std::string, HostTensor> &values, std::string &error,
                  std::vector<NodeTime> *times) {
  for (const HostNode &node : graph.nodes) {
    const std::string what = "node '" + node.name + "' (" + node.opType + ")";
    auto kernel = kernels().find(node.opType);
    if (kernel == kernels().end()) {
      error = what + ": the host has no kernel for this op";
      return false;
    }
    KernelContext ctx{node, graph.opset, {}, {}, {}};
    for (const std::string &in : node.inputs) {
      if (in.empty()) {
        ctx.inputs.push_back(nullptr);
        continue;
      }
      auto v = values.find(in);
      if (v != values.end()) {
        ctx.inputs.push_back(&v->second);
        continue;
      }
      auto c = graph.constants.find(in);
      if (c == graph.constants.end()) {
        error = what + ": input '" + in + "' is not available";
        return false;
      }
      ctx.inputs.push_back(&c->second);
    }
    ctx.outputs.resize(node.outputs.size());
    const auto start = std::chrono::steady_clock::now();
    bool ok;
    try {
      ok = kernel->second(ctx);
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
      values[node.outputs[i]] = std::move(ctx.outputs[i]);
    }
  }
  return true;
}

} // namespace softnpu::host
