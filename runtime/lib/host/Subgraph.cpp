//===- Subgraph.cpp - Running a node's subgraph, for the control-flow ops -===//
#include "Subgraph.h"

#include <algorithm>

namespace softnpu::host {

const HostGraph *graphAttr(KernelContext &ctx, const char *key) {
  const HostAttr *a = ctx.node.attr(key);
  if (!a || a->kind != HostAttr::Kind::Graph || !a->graph) {
    ctx.fail(std::string("has no graph attribute '") + key + "'");
    return nullptr;
  }
  return a->graph.get();
}

// A loop-carried optional becomes what the body makes of it:
// test_loop16_seq_none carries an optional sequence, which its body returns
// as a plain sequence.
HostValue asDeclared(HostValue v, const ValueType &t) {
  const bool optional = v.kind() == HostValue::Kind::Optional;
  if (t.kind == ValueType::Kind::Optional && !optional)
    return HostValue::optional(std::move(v));
  if ((t.kind == ValueType::Kind::Tensor || t.kind == ValueType::Kind::Sequence) && optional && v.element())
    return HostValue(*v.element());
  return v;
}

namespace {

/// What a control-flow node keeps between runs: its subgraphs, prepared.
struct PreparedSubgraphs : KernelState {
  std::map<const HostGraph *, std::unique_ptr<PreparedGraph>> graphs;
};

} // namespace

bool runSubgraph(KernelContext &ctx, const HostGraph &body, const Scope &outer, std::vector<HostValue> args,
                 std::vector<HostValue> &results, const std::string &what) {
  if (args.size() != body.inputs.size())
    return ctx.fail(what + " has " + std::to_string(body.inputs.size()) + " inputs, the op gives it " +
                    std::to_string(args.size()));
  // The body is prepared once per node (per run when the node keeps no
  // state), then run once per iteration.
  std::unique_ptr<PreparedGraph> once;
  PreparedGraph *inner = nullptr;
  if (auto *cache = ctx.stateAs<PreparedSubgraphs>()) {
    std::unique_ptr<PreparedGraph> &p = cache->graphs[&body];
    if (!p || p->outer != &outer)
      p = std::make_unique<PreparedGraph>(body, &outer);
    inner = p.get();
  } else {
    once = std::make_unique<PreparedGraph>(body, &outer);
    inner = once.get();
  }
  inner->clearBindings();
  for (size_t i = 0; i < args.size(); ++i) {
    args[i] = asDeclared(std::move(args[i]), body.inputs[i].type);
    inner->bind(body.inputs[i].name, ValueRef::of(args[i]));
  }
  std::string why;
  if (!inner->run(why, nullptr))
    return ctx.fail("in " + what + ": " + why);
  results.assign(body.outputs.size(), HostValue());
  for (size_t i = 0; i < body.outputs.size(); ++i) {
    const std::string &name = body.outputs[i].name;
    // The body's own values move out, unless a later output names one again.
    bool again = false;
    for (size_t j = i + 1; j < body.outputs.size() && !again; ++j)
      again = body.outputs[j].name == name;
    if (!inner->output(name, again, results[i]))
      return ctx.fail(what + " does not produce '" + name + "'");
  }
  return true;
}

bool takeScanned(KernelContext &ctx, std::vector<HostValue> &outs, size_t index, std::vector<HostTensor> &into) {
  HostTensor *t = outs[index].tensor();
  if (!t)
    return ctx.fail("its body's output " + std::to_string(index) + " is " + typeText(outs[index]) +
                    "; a scan output must be a tensor");
  into.push_back(std::move(*t));
  return true;
}

bool stackScanned(KernelContext &ctx, const std::vector<HostTensor> &parts, const ValueDecl &decl, int64_t axis,
                  HostTensor &out) {
  if (parts.empty()) {
    const bool tensor = decl.type.kind == ValueType::Kind::Tensor;
    std::vector<int64_t> shape;
    if (tensor && decl.type.hasShape)
      for (int64_t d : decl.type.shape)
        shape.push_back(std::max<int64_t>(d, 0)); // an unknown dimension: nothing is known of it, 0 is as good
    if (!normalizeAxis(ctx, axis, static_cast<int64_t>(shape.size()) + 1, "scan output axis"))
      return false;
    shape.insert(shape.begin() + axis, 0);
    out = HostTensor(tensor ? decl.type.dtype : DType::F32, shape);
    return true;
  }
  std::vector<const HostTensor *> ptrs;
  for (const HostTensor &t : parts)
    ptrs.push_back(&t);
  return concatTensors(ctx, ptrs, axis, true, out);
}

} // namespace softnpu::host
