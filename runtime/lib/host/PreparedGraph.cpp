//===- PreparedGraph.cpp - Run a graph's nodes in order -------------------===//
#include "Scope.h"

#include "softnpu/timing/HostCost.h"

#include <algorithm>
#include <chrono>

namespace softnpu::host {

struct PreparedGraph::Step {
  const HostNode *node = nullptr;
  Runner runner;
  std::vector<int> inputs, outputs;        ///< value indices; -1 for an omitted one
  std::vector<const ValueType *> declared; ///< per output: the type the graph declares, or nullptr
  std::unique_ptr<KernelState> state;
};

namespace {

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

PreparedGraph::PreparedGraph(const HostGraph &g, const Scope *enclosing) : Scope(g, enclosing) {
  // The graph's inputs and outputs are named first, so that bind() and
  // output() know them even when no node reads or writes them.
  for (const ValueDecl &d : graph.inputs)
    valueIndex(d.name);
  for (const HostNode &node : graph.nodes) {
    Step step;
    step.node = &node;
    step.runner = runnerFor(node.opType);
    for (const std::string &in : node.inputs)
      step.inputs.push_back(in.empty() ? -1 : valueIndex(in));
    for (const std::string &out : node.outputs) {
      if (out.empty()) {
        step.outputs.push_back(-1);
        step.declared.push_back(nullptr);
        continue;
      }
      const int v = valueIndex(out);
      if (values_[static_cast<size_t>(v)].slot < 0) {
        values_[static_cast<size_t>(v)].slot = static_cast<int>(slots_.size());
        slots_.emplace_back();
      }
      step.outputs.push_back(v);
      auto d = graph.declared.find(out);
      step.declared.push_back(d == graph.declared.end() ? nullptr : &d->second.type);
    }
    steps_.push_back(std::move(step));
  }
  for (const ValueDecl &d : graph.outputs)
    valueIndex(d.name);
  produced_.assign(slots_.size(), 0);
}

PreparedGraph::~PreparedGraph() = default;

int PreparedGraph::valueIndex(const std::string &name) {
  auto [it, fresh] = valueOf_.emplace(name, static_cast<int>(values_.size()));
  if (fresh) {
    Value v;
    v.name = name;
    if (auto c = graph.constants.find(name); c != graph.constants.end())
      v.constant = &c->second;
    values_.push_back(std::move(v));
  }
  return it->second;
}

void PreparedGraph::clearBindings() {
  for (Value &v : values_)
    v.bound = ValueRef();
}

void PreparedGraph::bind(const std::string &name, ValueRef v) {
  if (auto it = valueOf_.find(name); it != valueOf_.end())
    values_[static_cast<size_t>(it->second)].bound = v;
}

ValueRef PreparedGraph::current(const Value &v) const {
  if (v.slot >= 0 && produced_[static_cast<size_t>(v.slot)])
    return ValueRef::of(slots_[static_cast<size_t>(v.slot)]);
  if (v.bound)
    return v.bound;
  if (v.constant)
    return {v.constant, nullptr};
  return outer ? outer->find(v.name) : ValueRef();
}

ValueRef PreparedGraph::find(const std::string &name) const {
  if (auto it = valueOf_.find(name); it != valueOf_.end())
    return current(values_[static_cast<size_t>(it->second)]);
  if (auto c = graph.constants.find(name); c != graph.constants.end())
    return {&c->second, nullptr};
  return outer ? outer->find(name) : ValueRef();
}

bool PreparedGraph::output(const std::string &name, bool keep, HostValue &out) {
  auto it = valueOf_.find(name);
  if (it != valueOf_.end() && !keep) {
    const Value &v = values_[static_cast<size_t>(it->second)];
    if (v.slot >= 0 && produced_[static_cast<size_t>(v.slot)]) {
      produced_[static_cast<size_t>(v.slot)] = 0;
      out = std::move(slots_[static_cast<size_t>(v.slot)]);
      return true;
    }
  }
  const ValueRef v = find(name);
  if (!v)
    return false;
  out = v.tensor ? HostValue(*v.tensor) : *v.value;
  return true;
}

bool PreparedGraph::run(std::string &error, std::vector<NodeTime> *times) {
  std::fill(produced_.begin(), produced_.end(), 0);
  bool ok = true;
  for (Step &step : steps_)
    if (!(ok = runStep(step, error, times)))
      break;
  return ok;
}

bool PreparedGraph::runStep(Step &step, std::string &error, std::vector<NodeTime> *times) {
  const HostNode &node = *step.node;
  const Runner &runner = step.runner;
  const auto what = [&] { return "node '" + node.name + "' (" + node.opType + ")"; };
  if (!runner.kernel && !runner.control) {
    error = what() + ": the host has no kernel for this op";
    return false;
  }
  KernelContext ctx{node, graph.opset, {}, {}, {}, {}, &step.state, {}, {}};
  ctx.inputs.reserve(step.inputs.size());
  ctx.values.reserve(step.inputs.size());
  for (size_t i = 0; i < step.inputs.size(); ++i) {
    const ValueRef v = step.inputs[i] < 0 ? ValueRef() : current(values_[static_cast<size_t>(step.inputs[i])]);
    if (step.inputs[i] >= 0 && !v) {
      error = what() + ": input '" + node.inputs[i] + "' is not available";
      return false;
    }
    if (v.value && !runner.takesValues) {
      error = what() + ": input '" + node.inputs[i] + "' is " + typeText(*v.value) + "; the op takes tensors only";
      return false;
    }
    ctx.inputs.push_back(v.tensor);
    ctx.values.push_back(v.value);
  }
  if (runner.takesValues) {
    ctx.results.resize(node.outputs.size());
  } else {
    ctx.outputs.resize(node.outputs.size());
    ctx.spare.resize(node.outputs.size());
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] < 0)
        continue;
      // The last run's storage, unless a node wrote the value in this run
      // (then an input may point at it).
      const size_t slot = static_cast<size_t>(values_[static_cast<size_t>(step.outputs[i])].slot);
      if (HostTensor *t = slots_[slot].tensor(); t && !produced_[slot])
        ctx.spare[i] = std::move(*t);
    }
  }
  const auto start = times ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
  bool ok;
  try {
    ok = runner.control ? runner.control(*this, ctx) : (*runner.kernel)(ctx);
  } catch (const std::bad_alloc &) {
    ok = ctx.fail("out of memory");
  } catch (const std::exception &e) {
    ok = ctx.fail(e.what());
  }
  if (!ok) {
    error = what() + ": " + (ctx.error.empty() ? "the host kernel failed" : ctx.error);
    return false;
  }
  if (times)
    times->push_back(timeOf(node, ctx, runner.takesValues,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
  for (size_t i = 0; i < step.outputs.size(); ++i) {
    if (step.outputs[i] < 0)
      continue;
    HostValue out = runner.takesValues ? std::move(ctx.results[i]) : HostValue(std::move(ctx.outputs[i]));
    std::string why;
    if (step.declared[i] && !checkType(*step.declared[i], out, node.outputs[i], why)) {
      error = what() + ": " + why;
      return false;
    }
    const size_t slot = static_cast<size_t>(values_[static_cast<size_t>(step.outputs[i])].slot);
    slots_[slot] = std::move(out);
    produced_[slot] = 1;
  }
  return true;
}

} // namespace softnpu::host
