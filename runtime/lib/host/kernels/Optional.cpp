//===- Optional.cpp - Host kernels: Optional and what reads one ----------===//
//
// Optional, OptionalHasElement and OptionalGetElement.
// Also Identity, which passes on a value of any kind (a tensor, a sequence
// or an optional) as it is.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

namespace softnpu::host {

namespace {

bool identity(KernelContext &ctx) {
  if (!ctx.has(0))
    return ctx.fail("needs an input");
  ctx.results[0] = ctx.copyOf(0);
  return true;
}

/// Optional: the input wrapped, or an empty optional of attribute 'type'
/// when the input is omitted.
bool optional(KernelContext &ctx) {
  if (!ctx.has(0)) {
    if (!ctx.node.attr("type"))
      return ctx.fail("needs an input or attribute 'type'");
    ctx.results[0] = HostValue::none();
    return true;
  }
  if (ctx.value(0) && ctx.value(0)->kind() == HostValue::Kind::Optional)
    return ctx.fail("cannot wrap an optional in an optional");
  ctx.results[0] = HostValue::optional(ctx.copyOf(0));
  return true;
}

/// The optional input 0, or nullptr after ctx.fail.
const HostValue *optionalInput(KernelContext &ctx) {
  const HostValue *v = ctx.value(0);
  if (!v || v->kind() != HostValue::Kind::Optional) {
    ctx.fail("input 0 must be an optional");
    return nullptr;
  }
  return v;
}

bool optionalHasElement(KernelContext &ctx) {
  const HostValue *v = optionalInput(ctx);
  if (!v)
    return false;
  HostTensor out(DType::Bool, {});
  out.bytes[0] = v->element() ? 1 : 0;
  ctx.results[0] = std::move(out);
  return true;
}

bool optionalGetElement(KernelContext &ctx) {
  const HostValue *v = optionalInput(ctx);
  if (!v)
    return false;
  if (!v->element())
    return ctx.fail("the optional is empty");
  ctx.results[0] = *v->element();
  return true;
}

} // namespace

void addOptionalKernels(KernelTable &t) {
  t["Identity"] = identity;
  t["Optional"] = optional;
  t["OptionalHasElement"] = optionalHasElement;
  t["OptionalGetElement"] = optionalGetElement;
}

} // namespace softnpu::host
