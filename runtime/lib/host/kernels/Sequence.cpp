//===- Sequence.cpp - Host kernels: sequences of tensors ------------------===//
//
// SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceAt,
// SequenceErase, SequenceLength, SplitToSequence and ConcatFromSequence.
// Every tensor of a sequence has its element type; a position counts from
// the back when negative.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

namespace softnpu::host {

namespace {

/// The sequence input 0, or nullptr after ctx.fail.
const HostSequence *sequenceInput(KernelContext &ctx) {
  const HostValue *v = ctx.value(0);
  if (!v || !v->sequence()) {
    ctx.fail("input 0 must be a sequence");
    return nullptr;
  }
  return v->sequence();
}

/// The scalar position input `i` made non-negative: in [-n, last] with
/// n = `size`; false with a message when it is out of range.
bool readPosition(KernelContext &ctx, size_t i, size_t size, int64_t last, int64_t &pos) {
  std::vector<int64_t> v;
  if (!readInts(ctx, *ctx.in(i), v, "position"))
    return false;
  if (v.size() != 1)
    return ctx.fail("position must be a scalar");
  const int64_t n = static_cast<int64_t>(size);
  pos = v[0] < 0 ? v[0] + n : v[0];
  if (pos < 0 || pos > last)
    return ctx.fail("position " + std::to_string(v[0]) + " is out of range for a sequence of " + std::to_string(n) +
                    " tensors");
  return true;
}

bool sequenceEmpty(KernelContext &ctx) {
  const int64_t code = ctx.node.attrInt("dtype", static_cast<int64_t>(DType::F32));
  const std::optional<DType> dtype = artifact::dtypeFromOnnx(static_cast<int>(code));
  if (!dtype)
    return ctx.fail("element type " + std::to_string(code) + " is not supported");
  ctx.results[0] = HostSequence{*dtype, {}};
  return true;
}

bool sequenceConstruct(KernelContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs at least one tensor");
  HostSequence s;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    const HostTensor *t = ctx.in(i);
    if (!t)
      return ctx.fail("input " + std::to_string(i) + " must be a tensor");
    if (i > 0 && t->dtype != s.elemType)
      return ctx.fail(std::string("its tensors mix ") + artifact::dtypeName(s.elemType) + " and " +
                      artifact::dtypeName(t->dtype));
    s.elemType = t->dtype;
    s.tensors.push_back(*t);
  }
  ctx.results[0] = std::move(s);
  return true;
}

bool sequenceInsert(KernelContext &ctx) {
  const HostSequence *in = sequenceInput(ctx);
  if (!in)
    return false;
  const HostTensor *t = ctx.in(1);
  if (!t)
    return ctx.fail("input 1 must be a tensor");
  if (t->dtype != in->elemType)
    return ctx.fail(std::string("cannot insert ") + artifact::dtypeName(t->dtype) + " into a sequence of " +
                    artifact::dtypeName(in->elemType));
  const int64_t back = static_cast<int64_t>(in->tensors.size()); // the default: after the last
  int64_t pos = back;
  if (ctx.in(2) && !readPosition(ctx, 2, in->tensors.size(), back, pos))
    return false;
  HostSequence out = *in;
  out.tensors.insert(out.tensors.begin() + pos, *t);
  ctx.results[0] = std::move(out);
  return true;
}

bool sequenceAt(KernelContext &ctx) {
  const HostSequence *in = sequenceInput(ctx);
  if (!in)
    return false;
  if (!ctx.in(1))
    return ctx.fail("needs a position");
  int64_t pos;
  if (!readPosition(ctx, 1, in->tensors.size(), static_cast<int64_t>(in->tensors.size()) - 1, pos))
    return false;
  ctx.results[0] = in->tensors[static_cast<size_t>(pos)];
  return true;
}

bool sequenceErase(KernelContext &ctx) {
  const HostSequence *in = sequenceInput(ctx);
  if (!in)
    return false;
  const int64_t last = static_cast<int64_t>(in->tensors.size()) - 1;
  int64_t pos = last;
  if (ctx.in(1) && !readPosition(ctx, 1, in->tensors.size(), last, pos))
    return false;
  if (pos < 0)
    return ctx.fail("cannot erase from an empty sequence");
  HostSequence out = *in;
  out.tensors.erase(out.tensors.begin() + pos);
  ctx.results[0] = std::move(out);
  return true;
}

bool sequenceLength(KernelContext &ctx) {
  const HostSequence *in = sequenceInput(ctx);
  if (!in)
    return false;
  HostTensor out(DType::I64, {});
  *out.data<int64_t>() = static_cast<int64_t>(in->tensors.size());
  ctx.results[0] = std::move(out);
  return true;
}

/// SplitToSequence: parts of the sizes `split` lists, or of size `split`
/// (the last one smaller) when it is a scalar, or of size 1 without it,
/// then without the axis unless keepdims.
bool splitToSequence(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("input 0 must be a tensor");
  int64_t axis = ctx.node.attrInt("axis", 0);
  if (!normalizeAxis(ctx, axis, static_cast<int64_t>(x->rank())))
    return false;
  const size_t ax = static_cast<size_t>(axis);
  const int64_t dim = x->shape[ax];
  std::vector<int64_t> sizes;
  const HostTensor *split = ctx.in(1);
  if (split && !readInts(ctx, *split, sizes, "split"))
    return false;
  if (split && split->rank() == 0) {
    const int64_t chunk = sizes[0];
    if (chunk <= 0)
      return ctx.fail("split " + std::to_string(chunk) + " must be positive");
    sizes.clear();
    for (int64_t at = 0; at < dim; at += chunk)
      sizes.push_back(std::min(chunk, dim - at));
  } else if (!split) {
    sizes.assign(static_cast<size_t>(dim), 1);
  }
  HostSequence out{x->dtype, {}};
  if (!splitTensor(ctx, *x, ax, sizes, out.tensors))
    return false;
  if (!split && ctx.node.attrInt("keepdims", 1) == 0)
    for (HostTensor &t : out.tensors)
      t.shape.erase(t.shape.begin() + axis);
  ctx.results[0] = std::move(out);
  return true;
}

/// ConcatFromSequence: Concat of the tensors, or with new_axis their stack.
bool concatFromSequence(KernelContext &ctx) {
  const HostSequence *in = sequenceInput(ctx);
  if (!in)
    return false;
  if (!ctx.node.attr("axis"))
    return ctx.fail("needs attribute 'axis'");
  if (in->tensors.empty())
    return ctx.fail("cannot concatenate an empty sequence");
  std::vector<const HostTensor *> parts;
  for (const HostTensor &t : in->tensors)
    parts.push_back(&t);
  HostTensor out;
  if (!concatTensors(ctx, parts, ctx.node.attrInt("axis", 0), ctx.node.attrInt("new_axis", 0) != 0, out))
    return false;
  ctx.results[0] = std::move(out);
  return true;
}

} // namespace

void addSequenceKernels(KernelTable &t) {
  t["SequenceEmpty"] = sequenceEmpty;
  t["SequenceConstruct"] = sequenceConstruct;
  t["SequenceInsert"] = sequenceInsert;
  t["SequenceAt"] = sequenceAt;
  t["SequenceErase"] = sequenceErase;
  t["SequenceLength"] = sequenceLength;
  t["SplitToSequence"] = splitToSequence;
  t["ConcatFromSequence"] = concatFromSequence;
}

} // namespace softnpu::host
