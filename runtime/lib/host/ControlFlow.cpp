//===- ControlFlow.cpp - If, Loop and SequenceMap on the host -------------===//
#include "ControlFlow.h"

#include "Subgraph.h"

namespace softnpu::host {

namespace {

/// The one bool of `t` (any one-byte type), or false after ctx.fail.
bool readBool(KernelContext &ctx, const HostTensor *t, bool &out, const std::string &what) {
  if (!t || t->numElements() != 1 || artifact::dtypeSize(t->dtype) != 1)
    return ctx.fail(what + " must be one bool");
  out = t->bytes[0] != 0;
  return true;
}

HostTensor scalarI64(int64_t v) {
  HostTensor t(DType::I64, {});
  *t.data<int64_t>() = v;
  return t;
}

HostTensor scalarBool(bool v) {
  HostTensor t(DType::Bool, {});
  t.bytes[0] = v ? 1 : 0;
  return t;
}

/// If: runs the branch the condition picks; its outputs become the node's.
bool runIf(const Scope &scope, KernelContext &ctx) {
  bool cond;
  if (!readBool(ctx, ctx.in(0), cond, "the condition"))
    return false;
  const char *key = cond ? "then_branch" : "else_branch";
  const HostGraph *branch = graphAttr(ctx, key);
  if (!branch)
    return false;
  if (branch->outputs.size() != ctx.results.size())
    return ctx.fail(std::string("its ") + key + " has " + std::to_string(branch->outputs.size()) + " outputs for " +
                    std::to_string(ctx.results.size()));
  return runSubgraph(ctx, *branch, scope, {}, ctx.results, std::string("its ") + key);
}

/// Loop: runs the body while the trip count M and the condition allow (each
/// may be omitted, not both: the loop would never end), carrying N values
/// from one iteration to the next; the body's K scan outputs of every
/// iteration are stacked along a new first axis.
bool runLoop(const Scope &scope, KernelContext &ctx) {
  const HostGraph *body = graphAttr(ctx, "body");
  if (!body)
    return false;
  const size_t carried = ctx.numInputs() > 2 ? ctx.numInputs() - 2 : 0;
  if (ctx.results.size() < carried)
    return ctx.fail("has " + std::to_string(carried) + " loop-carried values but " +
                    std::to_string(ctx.results.size()) + " outputs");
  const size_t scans = ctx.results.size() - carried;
  if (body->outputs.size() != 1 + carried + scans)
    return ctx.fail("its body has " + std::to_string(body->outputs.size()) + " outputs, not 1 + " +
                    std::to_string(carried) + " loop-carried + " + std::to_string(scans) + " scan outputs");
  if (ctx.value(0) || ctx.value(1))
    return ctx.fail("the trip count and the condition must be tensors");
  const HostTensor *m = ctx.in(0);
  const bool hasCond = ctx.in(1) != nullptr;
  if (!m && !hasCond)
    return ctx.fail("has neither a trip count M nor a condition, so it would never end");
  std::vector<int64_t> trips;
  if (m && !readInts(ctx, *m, trips, "the trip count M"))
    return false;
  if (m && trips.size() != 1)
    return ctx.fail("the trip count M must be a scalar");
  bool cond = true;
  if (hasCond && !readBool(ctx, ctx.in(1), cond, "the condition"))
    return false;
  std::vector<HostValue> state;
  for (size_t k = 0; k < carried; ++k) {
    if (!ctx.has(2 + k))
      return ctx.fail("loop-carried input " + std::to_string(k) + " is missing");
    state.push_back(ctx.copyOf(2 + k));
  }
  std::vector<std::vector<HostTensor>> scanned(scans);
  std::vector<HostValue> outs;
  for (int64_t i = 0; (!m || i < trips[0]) && cond; ++i) {
    std::vector<HostValue> args{scalarI64(i), scalarBool(cond)};
    for (HostValue &v : state)
      args.push_back(std::move(v));
    if (!runSubgraph(ctx, *body, scope, std::move(args), outs, "its body"))
      return false;
    if (hasCond && !readBool(ctx, outs[0].tensor(), cond, "its body's condition"))
      return false;
    for (size_t k = 0; k < carried; ++k)
      state[k] = std::move(outs[1 + k]);
    for (size_t j = 0; j < scans; ++j)
      if (!takeScanned(ctx, outs, 1 + carried + j, scanned[j]))
        return false;
  }
  // A value carried as an optional may leave as what the node declares (the
  // initial optional of test_loop16_seq_none when there is no iteration).
  for (size_t k = 0; k < carried; ++k) {
    auto d = scope.graph.declared.find(ctx.node.outputs[k]);
    ctx.results[k] =
        d == scope.graph.declared.end() ? std::move(state[k]) : asDeclared(std::move(state[k]), d->second.type);
  }
  for (size_t j = 0; j < scans; ++j) {
    HostTensor out;
    if (!stackScanned(ctx, scanned[j], body->outputs[1 + carried + j], 0, out))
      return false;
    ctx.results[carried + j] = std::move(out);
  }
  return true;
}

/// SequenceMap: the body once per position of the input sequence; an
/// additional input that is a sequence (of the same length) gives the body
/// its tensor at that position, a tensor is given whole. Output k collects
/// the body's output k of every position.
bool runSequenceMap(const Scope &scope, KernelContext &ctx) {
  const HostGraph *body = graphAttr(ctx, "body");
  if (!body)
    return false;
  const HostValue *first = ctx.value(0);
  if (!first || !first->sequence())
    return ctx.fail("input 0 must be a sequence");
  const size_t length = first->sequence()->tensors.size();
  for (size_t j = 1; j < ctx.numInputs(); ++j) {
    const HostValue *v = ctx.value(j);
    if (!ctx.has(j) || (v && !v->sequence()))
      return ctx.fail("input " + std::to_string(j) + " must be a tensor or a sequence");
    if (v && v->sequence()->tensors.size() != length)
      return ctx.fail("input " + std::to_string(j) + " is a sequence of " +
                      std::to_string(v->sequence()->tensors.size()) + " tensors, input 0 of " + std::to_string(length));
  }
  if (body->outputs.size() != ctx.results.size())
    return ctx.fail("its body has " + std::to_string(body->outputs.size()) + " outputs for " +
                    std::to_string(ctx.results.size()));
  std::vector<HostSequence> out(ctx.results.size());
  for (size_t k = 0; k < out.size(); ++k) {
    const ValueType &t = body->outputs[k].type;
    out[k].elemType = t.kind == ValueType::Kind::Tensor ? t.dtype : DType::F32;
  }
  std::vector<HostValue> outs;
  for (size_t i = 0; i < length; ++i) {
    std::vector<HostValue> args;
    for (size_t j = 0; j < ctx.numInputs(); ++j) {
      const HostValue *v = ctx.value(j);
      args.push_back(v ? HostValue(v->sequence()->tensors[i]) : HostValue(*ctx.in(j)));
    }
    if (!runSubgraph(ctx, *body, scope, std::move(args), outs, "its body"))
      return false;
    for (size_t k = 0; k < out.size(); ++k) {
      HostTensor *t = outs[k].tensor();
      if (!t)
        return ctx.fail("its body's output " + std::to_string(k) + " is " + typeText(outs[k]) + ", not a tensor");
      if (i == 0)
        out[k].elemType = t->dtype;
      else if (t->dtype != out[k].elemType)
        return ctx.fail("its body's output " + std::to_string(k) + " changes element type");
      out[k].tensors.push_back(std::move(*t));
    }
  }
  for (size_t k = 0; k < out.size(); ++k)
    ctx.results[k] = std::move(out[k]);
  return true;
}

} // namespace

const std::map<std::string, ControlFn> &controlFlowOps() {
  static const std::map<std::string, ControlFn> ops = {
      {"If", runIf},
      {"Loop", runLoop},
      {"Scan", runScan},
      {"SequenceMap", runSequenceMap},
  };
  return ops;
}

} // namespace softnpu::host
