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

/// A prepared graph. Every name a node reads or writes is a Value: a slot
/// when some node produces it, and what it is before that (the caller's
/// tensor of that name, else a constant, else the enclosing graph's value
/// for an If branch), found as the old name-by-name lookup found it.
struct HostProgram::Impl {
  struct Value {
    std::string name;
    int slot = -1;                        ///< produced by a node: index into slots
    const HostTensor *constant = nullptr; ///< the graph's initializer of that name
    const HostTensor *given = nullptr;    ///< this run: the caller's tensor of that name
  };
  struct Step {
    const HostNode *node = nullptr;
    const KernelFn *kernel = nullptr;        ///< nullptr for If
    std::vector<int> inputs, outputs;        ///< Value indices; -1 for an omitted one
    std::vector<const ValueDecl *> declared; ///< per output, or nullptr
    std::unique_ptr<KernelState> state;
    std::map<const HostGraph *, std::unique_ptr<Impl>> branches; ///< If: prepared on first use
  };

  const HostGraph &graph;
  const Impl *outer = nullptr; ///< the graph an If branch is in
  std::vector<Value> values;
  std::map<std::string, int> valueOf;
  std::vector<Step> steps;
  std::vector<HostTensor> slots;
  std::vector<uint8_t> produced;                            ///< per slot, this run
  const std::map<std::string, HostTensor> *given = nullptr; ///< this run: the caller's tensors

  Impl(const HostGraph &g, const Impl *enclosing) : graph(g), outer(enclosing) {
    auto valueIndex = [&](const std::string &name) {
      auto [it, fresh] = valueOf.emplace(name, static_cast<int>(values.size()));
      if (fresh) {
        Value v;
        v.name = name;
        if (auto c = graph.constants.find(name); c != graph.constants.end())
          v.constant = &c->second;
        values.push_back(std::move(v));
      }
      return it->second;
    };
    for (const HostNode &node : graph.nodes) {
      Step step;
      step.node = &node;
      if (auto k = kernels().find(node.opType); k != kernels().end())
        step.kernel = &k->second;
      for (const std::string &in : node.inputs)
        step.inputs.push_back(in.empty() ? -1 : valueIndex(in));
      for (const std::string &out : node.outputs) {
        if (out.empty()) {
          step.outputs.push_back(-1);
          step.declared.push_back(nullptr);
          continue;
        }
        const int v = valueIndex(out);
        if (values[v].slot < 0) {
          values[v].slot = static_cast<int>(slots.size());
          slots.emplace_back();
        }
        step.outputs.push_back(v);
        auto d = graph.declared.find(out);
        step.declared.push_back(d == graph.declared.end() ? nullptr : &d->second);
      }
      steps.push_back(std::move(step));
    }
    produced.assign(slots.size(), 0);
  }

  /// The tensor `name` stands for now, as a node reads it; nullptr when none.
  const HostTensor *find(const std::string &name) const {
    auto it = valueOf.find(name);
    if (it != valueOf.end())
      return current(values[static_cast<size_t>(it->second)]);
    if (given)
      if (auto g = given->find(name); g != given->end())
        return &g->second;
    if (auto c = graph.constants.find(name); c != graph.constants.end())
      return &c->second;
    return outer ? outer->find(name) : nullptr;
  }

  const HostTensor *current(const Value &v) const {
    if (v.slot >= 0 && produced[static_cast<size_t>(v.slot)])
      return &slots[static_cast<size_t>(v.slot)];
    if (v.given)
      return v.given;
    if (v.constant)
      return v.constant;
    return outer ? outer->find(v.name) : nullptr;
  }

  bool run(const std::map<std::string, HostTensor> *callerValues, std::string &error, std::vector<NodeTime> *times);
  bool runIf(Step &step, KernelContext &ctx);
};

namespace {

/// The declared type of an output disagrees with what the kernel produced:
/// a kernel bug or a model whose declared types are wrong; either way say so.
bool checkDeclared(const ValueDecl &d, const HostTensor &t, std::string &why) {
  if (d.dtype != t.dtype) {
    why = "output '" + d.name + "' is " + artifact::dtypeName(t.dtype) + ", the model declares " +
          artifact::dtypeName(d.dtype);
    return false;
  }
  if (!d.hasShape)
    return true;
  bool same = d.shape.size() == t.shape.size();
  for (size_t i = 0; same && i < d.shape.size(); ++i)
    same = d.shape[i] < 0 || d.shape[i] == t.shape[i];
  if (!same) {
    why = "output '" + d.name + "' has shape " + shapeText(t.shape) + ", the model declares " + shapeText(d.shape);
    return false;
  }
  return true;
}

} // namespace

/// If: runs the branch the condition picks, in a scope of its own over this
/// one; the branch's outputs become the node's.
bool HostProgram::Impl::runIf(Step &step, KernelContext &ctx) {
  const HostNode &node = *step.node;
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
  std::unique_ptr<Impl> &prepared = step.branches[&g];
  if (!prepared)
    prepared = std::make_unique<Impl>(g, this);
  Impl &inner = *prepared;
  std::string why;
  if (!inner.run(nullptr, why, nullptr))
    return ctx.fail("in its branch: " + why);
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const HostTensor *out = inner.find(g.outputs[i].name);
    if (!out)
      return ctx.fail("its branch does not produce '" + g.outputs[i].name + "'");
    ctx.outputs[i] = *out;
  }
  return true;
}

bool HostProgram::Impl::run(const std::map<std::string, HostTensor> *callerValues, std::string &error,
                            std::vector<NodeTime> *times) {
  std::fill(produced.begin(), produced.end(), 0);
  for (Value &v : values)
    v.given = nullptr;
  given = callerValues;
  if (given)
    for (const auto &[name, tensor] : *given)
      if (auto it = valueOf.find(name); it != valueOf.end())
        values[static_cast<size_t>(it->second)].given = &tensor;
  for (Step &step : steps) {
    const HostNode &node = *step.node;
    const auto what = [&] { return "node '" + node.name + "' (" + node.opType + ")"; };
    const bool isIf = node.opType == "If";
    if (!isIf && !step.kernel) {
      error = what() + ": the host has no kernel for this op";
      return false;
    }
    KernelContext ctx{node, graph.opset, {}, {}, &step.state, {}, {}};
    ctx.inputs.reserve(step.inputs.size());
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      if (step.inputs[i] < 0) {
        ctx.inputs.push_back(nullptr);
        continue;
      }
      const HostTensor *t = current(values[static_cast<size_t>(step.inputs[i])]);
      if (!t) {
        error = what() + ": input '" + node.inputs[i] + "' is not available";
        return false;
      }
      ctx.inputs.push_back(t);
    }
    ctx.outputs.resize(node.outputs.size());
    ctx.spare.resize(node.outputs.size());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] < 0)
        continue;
      // The last run's storage, unless a node wrote the value in this run
      // (then an input may point at it).
      const size_t slot = static_cast<size_t>(values[static_cast<size_t>(step.outputs[i])].slot);
      if (!produced[slot])
        ctx.spare[i] = std::move(slots[slot]);
    }
    const auto start = times ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    bool ok;
    try {
      ok = isIf ? runIf(step, ctx) : (*step.kernel)(ctx);
    } catch (const std::bad_alloc &) {
      ok = ctx.fail("out of memory");
    } catch (const std::exception &e) {
      ok = ctx.fail(e.what());
    }
    if (!ok) {
      error = what() + ": " + (ctx.error.empty() ? "the host kernel failed" : ctx.error);
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
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] < 0)
        continue;
      std::string why;
      if (step.declared[i] && !checkDeclared(*step.declared[i], ctx.outputs[i], why)) {
        error = what() + ": " + why;
        return false;
      }
      const size_t slot = static_cast<size_t>(values[static_cast<size_t>(step.outputs[i])].slot);
      slots[slot] = std::move(ctx.outputs[i]);
      produced[slot] = 1;
    }
  }
  return true;
}

HostProgram::HostProgram(const HostGraph &graph) : impl_(std::make_unique<Impl>(graph, nullptr)) {}
HostProgram::~HostProgram() = default;
HostProgram::HostProgram(HostProgram &&) noexcept = default;
HostProgram &HostProgram::operator=(HostProgram &&) noexcept = default;

bool HostProgram::run(std::map<std::string, HostTensor> &values, std::string &error, std::vector<NodeTime> *times,
                      bool allValues) {
  Impl &p = *impl_;
  if (!p.run(&values, error, times))
    return false;
  // The produced values (or the outputs), moved out in the order the nodes
  // wrote them.
  auto give = [&](const Impl::Value &v) {
    const size_t slot = static_cast<size_t>(v.slot);
    if (v.slot >= 0 && p.produced[slot]) {
      values[v.name] = std::move(p.slots[slot]);
      p.produced[slot] = 0;
    }
  };
  if (allValues) {
    for (const Impl::Value &v : p.values)
      give(v);
  } else {
    for (const ValueDecl &out : p.graph.outputs)
      if (auto it = p.valueOf.find(out.name); it != p.valueOf.end())
        give(p.values[static_cast<size_t>(it->second)]);
  }
  return true;
}

bool runHostGraph(const HostGraph &graph, std::map<std::string, HostTensor> &values, std::string &error,
                  std::vector<NodeTime> *times) {
  return HostProgram(graph).run(values, error, times, true);
}

} // namespace softnpu::host
