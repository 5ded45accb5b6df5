//===- InferenceGuards.cpp - Checks in front of ONNX 1.12's shape inference -===//
#include "compiler/import/InferenceGuards.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

#include <limits>
#include <mutex>
#include <string>

namespace softnpu::import {

namespace {

/// The rank of input `i`, or -1 when it is absent or has no shape yet.
int rankOf(onnx::InferenceContext &ctx, size_t i) {
  if (i >= ctx.getNumInputs())
    return -1;
  const onnx::TypeProto *t = ctx.getInputType(i);
  if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape())
    return -1;
  return t->tensor_type().shape().dim_size();
}

/// A convolution's data (input x) and weights (input w) must have the same
/// rank, at least 3 ([N, C, spatial...] and [M, C/group, kernel...]): ONNX
/// derives the kernel from w's dims and indexes x's by them.
void checkConvRanks(onnx::InferenceContext &ctx, size_t x, size_t w) {
  const int xr = rankOf(ctx, x), wr = rankOf(ctx, w);
  if (wr >= 0 && wr < 3)
    fail_shape_inference("the weights have rank ", wr, "; a convolution's weights are [M, C/group, kernel...]");
  if (xr >= 0 && wr >= 0 && xr != wr)
    fail_shape_inference("the input has rank ", xr, " and the weights rank ", wr, "; they must be equal");
}

void guard(const char *op, size_t x, size_t w) {
  // Every version of the op, newest first, each looked up below the last
  // one's since-version (get_all_schemas_with_history copies the whole
  // registry: 20 ms a call).
  for (int below = std::numeric_limits<int>::max(); below > 0;) {
    // The registry hands out const schemas; this is the one place softnpu
    // changes one, once, before any inference runs.
    auto *schema = const_cast<onnx::OpSchema *>(onnx::OpSchemaRegistry::Schema(op, below, ""));
    if (!schema)
      break;
    onnx::InferenceFunction original = schema->GetTypeAndShapeInferenceFunction();
    schema->TypeAndShapeInferenceFunction([original, x, w](onnx::InferenceContext &ctx) {
      checkConvRanks(ctx, x, w);
      if (original)
        original(ctx);
    });
    below = schema->SinceVersion() - 1;
  }
}

} // namespace

void guardShapeInference() {
  static std::once_flag once;
  std::call_once(once, [] {
    guard("Conv", 0, 1);
    guard("ConvTranspose", 0, 1);
    guard("ConvInteger", 0, 1);
    guard("QLinearConv", 0, 3);
  });
}

} // namespace softnpu::import
