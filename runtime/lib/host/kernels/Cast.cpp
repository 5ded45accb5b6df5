//===- Cast.cpp - Host kernels: Cast and CastLike between every dtype -------===//
//
// Element conversions follow convertValue (Kernel.h): floats truncate toward
// zero into integers, integers wrap, anything nonzero (NaN too) is true.
// Strings and the other dtypes softnpu does not carry are refused.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

namespace softnpu::host {

namespace {

/// ctx.outputs[0] = ctx.in(0) converted to `to`.
bool castTo(KernelContext &ctx, DType to) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (x->dtype == to) {
    ctx.outputs[0] = *x;
    return true;
  }
  HostTensor out(to, x->shape);
  const int64_t n = x->numElements();
  dispatch(x->dtype, [&](auto fromTag) {
    using F = decltype(fromTag);
    const F *px = x->data<F>();
    if (to == DType::Bool) {
      uint8_t *po = out.data<uint8_t>();
      for (int64_t i = 0; i < n; ++i)
        po[i] = static_cast<ComputeOf<F>>(px[i]) != 0 ? 1 : 0;
      return;
    }
    dispatch(to, [&](auto toTag) {
      using T = decltype(toTag);
      T *po = out.data<T>();
      for (int64_t i = 0; i < n; ++i)
        po[i] = convertValue<T>(px[i]);
    });
  });
  ctx.outputs[0] = std::move(out);
  return true;
}

bool cast(KernelContext &ctx) {
  const HostAttr *to = ctx.node.attr("to");
  if (!to || to->kind != HostAttr::Kind::Int)
    return ctx.fail("needs an integer attribute 'to'");
  const std::optional<DType> t = artifact::dtypeFromOnnx(static_cast<int>(to->i));
  if (!t)
    return ctx.fail("cannot cast to ONNX element type " + std::to_string(to->i) +
                    (to->i == 8 ? " (string), which softnpu does not support" : ", which softnpu does not support"));
  return castTo(ctx, *t);
}

bool castLike(KernelContext &ctx) {
  if (!ctx.in(1))
    return ctx.fail("needs input and target_type inputs");
  return castTo(ctx, ctx.in(1)->dtype);
}

} // namespace

void addCastKernels(KernelTable &t) {
  t["Cast"] = cast;
  t["CastLike"] = castLike;
}

} // namespace softnpu::host
