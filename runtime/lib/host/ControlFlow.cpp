//===- ControlFlow.cpp - If, Loop, Scan and SequenceMap on the host -------===//
#include "ControlFlow.h"

namespace softnpu::host {

namespace {

/// The graph attribute `key` of the node, or nullptr after ctx.fail.
const HostGraph *graphAttr(KernelContext &ctx, const char *key) {
  const HostAttr *a = ctx.node.attr(key);
  if (!a || a->kind != HostAttr::Kind::Graph || !a->graph) {
    ctx.fail(std::string("has no graph attribute '") + key + "'");
    return nullptr;
  }
  return a->graph.get();
}

/// Runs `body` in a scope of its own over `outer`, its inputs bound in order
/// to `args`, and returns its outputs in order in `results`. `what` names the
/// body in messages ("its body", "its then_branch").
bool runBody(KernelContext &ctx, const HostGraph &body, const Scope &outer, std::vector<HostValue> args,
             std::vector<HostValue> &results, const std::string &what) {
  if (args.size() != body.inputs.size())
    return ctx.fail(what + " has " + std::to_string(body.inputs.size()) + " inputs, the op gives it " +
                    std::to_string(args.size()));
  std::map<std::string, HostValue> local;
  for (size_t i = 0; i < args.size(); ++i)
    local[body.inputs[i].name] = std::move(args[i]);
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

/// If: runs the branch the condition picks; its outputs become the node's.
bool runIf(const Scope &scope, KernelContext &ctx) {
  const HostTensor *cond = ctx.in(0);
  if (!cond || cond->numElements() != 1 || artifact::dtypeSize(cond->dtype) != 1)
    return ctx.fail("the condition must be one bool");
  const char *key = cond->bytes[0] ? "then_branch" : "else_branch";
  const HostGraph *branch = graphAttr(ctx, key);
  if (!branch)
    return false;
  if (branch->outputs.size() != ctx.results.size())
    return ctx.fail(std::string("its ") + key + " has " + std::to_string(branch->outputs.size()) + " outputs for " +
                    std::to_string(ctx.results.size()));
  return runBody(ctx, *branch, scope, {}, ctx.results, std::string("its ") + key);
}

} // namespace

const std::map<std::string, ControlFn> &controlFlowOps() {
  static const std::map<std::string, ControlFn> ops = {
      {"If", runIf},
  };
  return ops;
}

} // namespace softnpu::host
