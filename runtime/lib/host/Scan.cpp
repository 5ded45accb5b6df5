//===- Scan.cpp - Scan on the host: a body run along tensors' axes --------===//
//
// Opset 9 on: N states then M scan inputs; each iteration gets the states
// and one slice of every scan input, its scan outputs are stacked. Opset 8
// adds a batch axis 0 to everything and an optional sequence_lens input.
//
//===----------------------------------------------------------------------===//
#include "ControlFlow.h"
#include "Subgraph.h"

#include <algorithm>

namespace softnpu::host {

namespace {

/// Scan's attributes: per scan input its axis and direction (1: from the
/// back), per scan output the axis it is stacked along and whether each
/// iteration's element is prepended (1) rather than appended.
struct ScanAttrs {
  std::vector<int64_t> inAxes, inReverse, outAxes, outReverse;
};

/// One scan: the body runs once per position along the scan inputs' axes
/// (the inputs sliced there, without that axis), carrying `state`. `out`
/// receives the final state, then the stacked scan outputs.
bool scanOnce(const Scope &scope, KernelContext &ctx, const HostGraph &body, std::vector<HostValue> state,
              const std::vector<const HostTensor *> &inputs, const ScanAttrs &a, std::vector<HostValue> &out) {
  const size_t n = state.size(), k = body.outputs.size() - n;
  std::vector<std::vector<HostTensor>> slices(inputs.size());
  int64_t length = -1;
  for (size_t j = 0; j < inputs.size(); ++j) {
    const HostTensor &x = *inputs[j];
    int64_t axis = a.inAxes[j];
    if (!normalizeAxis(ctx, axis, static_cast<int64_t>(x.rank()), "scan input axis"))
      return false;
    const int64_t len = x.shape[static_cast<size_t>(axis)];
    if (length >= 0 && len != length)
      return ctx.fail("its scan inputs have " + std::to_string(length) + " and " + std::to_string(len) +
                      " positions along their axes");
    length = len;
    if (!splitTensor(ctx, x, static_cast<size_t>(axis), std::vector<int64_t>(static_cast<size_t>(len), 1), slices[j]))
      return false;
    for (HostTensor &s : slices[j])
      s.shape.erase(s.shape.begin() + axis);
    if (a.inReverse[j])
      std::reverse(slices[j].begin(), slices[j].end());
  }
  std::vector<std::vector<HostTensor>> scanned(k);
  std::vector<HostValue> outs;
  for (int64_t t = 0; t < length; ++t) {
    std::vector<HostValue> args;
    for (HostValue &v : state)
      args.push_back(std::move(v));
    for (std::vector<HostTensor> &s : slices)
      args.push_back(std::move(s[static_cast<size_t>(t)]));
    if (!runSubgraph(ctx, body, scope, std::move(args), outs, "its body"))
      return false;
    for (size_t i = 0; i < n; ++i)
      state[i] = std::move(outs[i]);
    for (size_t i = 0; i < k; ++i)
      if (!takeScanned(ctx, outs, n + i, scanned[i]))
        return false;
  }
  out = std::move(state);
  for (size_t i = 0; i < k; ++i) {
    if (a.outReverse[i])
      std::reverse(scanned[i].begin(), scanned[i].end());
    HostTensor stacked;
    if (!stackScanned(ctx, scanned[i], body.outputs[n + i], a.outAxes[i], stacked))
      return false;
    out.push_back(std::move(stacked));
  }
  return true;
}

/// The ints attribute `key` with `count` entries, `dflt` each when absent.
bool scanAttr(KernelContext &ctx, const char *key, size_t count, int64_t dflt, std::vector<int64_t> &out) {
  out = ctx.node.attrInts(key, std::vector<int64_t>(count, dflt));
  if (out.size() != count)
    return ctx.fail(std::string("attribute '") + key + "' has " + std::to_string(out.size()) + " entries for " +
                    std::to_string(count));
  return true;
}

/// Opset 8's Scan: a batch along axis 0 of every input (the states too),
/// each batch scanned along axis 1 for its sequence length (sequence_lens,
/// input 0, or all of it); scan outputs are padded with zeros to the longest.
bool runBatchScan(const Scope &scope, KernelContext &ctx, const HostGraph &body, size_t n, size_t m) {
  ScanAttrs a;
  if (!scanAttr(ctx, "directions", m, 0, a.inReverse))
    return false;
  const size_t k = ctx.results.size() - n;
  a.inAxes.assign(m, 0);
  a.outAxes.assign(k, 0);
  a.outReverse.assign(k, 0);
  // Every state and scan input split along the batch axis.
  std::vector<std::vector<HostTensor>> batches(n + m);
  int64_t batch = -1, maxLength = -1;
  for (size_t i = 0; i < n + m; ++i) {
    const HostTensor &x = *ctx.in(1 + i);
    if (x.rank() < (i < n ? 1u : 2u) || (batch >= 0 && x.shape[0] != batch))
      return ctx.fail("input " + std::to_string(1 + i) + " of shape " + shapeText(x.shape) +
                      " does not have the batch axis of the others");
    batch = x.shape[0];
    if (i >= n && maxLength >= 0 && x.shape[1] != maxLength)
      return ctx.fail("its scan inputs have different sequence lengths");
    if (i >= n)
      maxLength = x.shape[1];
    if (!splitTensor(ctx, x, 0, std::vector<int64_t>(static_cast<size_t>(batch), 1), batches[i]))
      return false;
    for (HostTensor &b : batches[i])
      b.shape.erase(b.shape.begin());
  }
  if (batch == 0)
    return ctx.fail("has an empty batch, whose outputs' shapes are unknown");
  std::vector<int64_t> lengths(static_cast<size_t>(batch), maxLength);
  if (const HostTensor *l = ctx.in(0)) {
    if (!readInts(ctx, *l, lengths, "sequence_lens"))
      return false;
    if (lengths.size() != static_cast<size_t>(batch))
      return ctx.fail("sequence_lens has " + std::to_string(lengths.size()) + " lengths for a batch of " +
                      std::to_string(batch));
  }
  std::vector<std::vector<HostTensor>> perOutput(ctx.results.size());
  for (size_t b = 0; b < static_cast<size_t>(batch); ++b) {
    if (lengths[b] < 0 || lengths[b] > maxLength)
      return ctx.fail("sequence length " + std::to_string(lengths[b]) + " is not in [0, " + std::to_string(maxLength) +
                      "]");
    std::vector<HostValue> state;
    for (size_t i = 0; i < n; ++i)
      state.push_back(std::move(batches[i][b]));
    std::vector<HostTensor> trimmed(m), rest;
    std::vector<const HostTensor *> inputs;
    for (size_t j = 0; j < m; ++j) {
      const HostTensor &x = batches[n + j][b];
      if (!splitTensor(ctx, x, 0, {lengths[b], maxLength - lengths[b]}, rest))
        return false;
      trimmed[j] = std::move(rest[0]);
      inputs.push_back(&trimmed[j]);
    }
    std::vector<HostValue> outs;
    if (!scanOnce(scope, ctx, body, std::move(state), inputs, a, outs))
      return false;
    for (size_t i = 0; i < outs.size(); ++i) {
      HostTensor *t = outs[i].tensor();
      if (!t)
        return ctx.fail("its body's output " + std::to_string(i) + " is " + typeText(outs[i]) + ", not a tensor");
      if (i >= n && lengths[b] < maxLength) { // pad with zeros to the longest sequence
        std::vector<int64_t> padShape = t->shape;
        padShape[0] = maxLength - lengths[b];
        const HostTensor pad(t->dtype, padShape);
        HostTensor padded;
        if (!concatTensors(ctx, {t, &pad}, 0, false, padded))
          return false;
        *t = std::move(padded);
      }
      perOutput[i].push_back(std::move(*t));
    }
  }
  for (size_t i = 0; i < perOutput.size(); ++i) {
    HostTensor out;
    if (!stackScanned(ctx, perOutput[i], body.outputs[i], 0, out))
      return false;
    ctx.results[i] = std::move(out);
  }
  return true;
}

} // namespace

bool runScan(const Scope &scope, KernelContext &ctx) {
  const HostGraph *body = graphAttr(ctx, "body");
  if (!body)
    return false;
  const int64_t numScan = ctx.node.attrInt("num_scan_inputs", 0);
  const size_t first = ctx.opset < 9 ? 1 : 0; // opset 8's sequence_lens
  if (numScan < 1 || static_cast<size_t>(numScan) + first > ctx.numInputs())
    return ctx.fail("attribute num_scan_inputs " + std::to_string(numScan) + " does not fit its " +
                    std::to_string(ctx.numInputs()) + " inputs");
  const size_t m = static_cast<size_t>(numScan), n = ctx.numInputs() - first - m;
  for (size_t i = first; i < ctx.numInputs(); ++i)
    if (!ctx.in(i))
      return ctx.fail("input " + std::to_string(i) + " must be a tensor");
  if (ctx.results.size() < n || body->outputs.size() != ctx.results.size())
    return ctx.fail("its body has " + std::to_string(body->outputs.size()) + " outputs for the node's " +
                    std::to_string(ctx.results.size()) + " (" + std::to_string(n) + " states)");
  if (first)
    return runBatchScan(scope, ctx, *body, n, m);
  const size_t k = ctx.results.size() - n;
  ScanAttrs a;
  if (!scanAttr(ctx, "scan_input_axes", m, 0, a.inAxes) || !scanAttr(ctx, "scan_input_directions", m, 0, a.inReverse) ||
      !scanAttr(ctx, "scan_output_axes", k, 0, a.outAxes) ||
      !scanAttr(ctx, "scan_output_directions", k, 0, a.outReverse))
    return false;
  std::vector<HostValue> state;
  for (size_t i = 0; i < n; ++i)
    state.push_back(*ctx.in(i));
  return scanOnce(scope, ctx, *body, std::move(state),
                  std::vector<const HostTensor *>(ctx.inputs.begin() + n, ctx.inputs.end()), a, ctx.results);
}

} // namespace softnpu::host
