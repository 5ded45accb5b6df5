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

bool runSubgraph(KernelContext &ctx, const HostGraph &body, const Scope &outer, std::vector<HostValue> args,
                 std::vector<HostValue> &results, const std::string &what) {
  if (args.size() != body.inputs.size())
    return ctx.fail(what + " has " + std::to_string(body.inputs.size()) + " inputs, the op gives it " +
                    std::to_string(args.size()));
  std::map<std::string, HostValue> local;
  for (size_t i = 0; i < args.size(); ++i)
    local[body.inputs[i].name] = asDeclared(std::move(args[i]), body.inputs[i].type);
  Scope inner{body, local, &outer};
  std::string why;
  if (!runGraph(inner, why, nullptr))
    return ctx.fail("in " + what + ": " + why);
  results.clear();
  for (size_t i = 0; i < body.outputs.size(); ++i) {
    const std::string &name = body.outputs[i].name;
    // The body's own values move out, unless a later output names one again.
    auto own = local.find(name);
    bool again = false;
    for (size_t j = i + 1; j < body.outputs.size() && !again; ++j)
      again = body.outputs[j].name == name;
    if (own != local.end() && !again) {
      results.push_back(std::move(own->second));
      continue;
    }
    const ValueRef v = inner.find(name);
    if (!v)
      return ctx.fail(what + " does not produce '" + name + "'");
    results.push_back(v.tensor ? HostValue(*v.tensor) : *v.value);
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
