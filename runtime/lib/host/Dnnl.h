//===- Dnnl.h - oneDNN for the host kernels: engine, memory, float staging ===//
//
// The heavy host kernels run on oneDNN's CPU engine, one engine for the
// process. Tensors are handed over as-is: plain row-major memory
// descriptors (strides given explicitly), so no reorders happen. A kernel
// builds its primitive through nodePrimitive(), which keeps it for the node's
// next run when the shapes stay the same (building one costs more than
// running it on a small tensor), and runs it with runNodePrimitive(), which
// also applies setHostThreads().
//
// oneDNN computes in float32 here; tensors of other element types are
// staged through float32 copies (toFloat32, fromFloat32).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_DNNL_H
#define SOFTNPU_HOST_DNNL_H

#include "Kernel.h"

#include "softnpu/host/HostThreads.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <unordered_map>

namespace softnpu::host {

/// The process's oneDNN CPU engine.
const dnnl::engine &dnnlEngine();

/// A float32 memory descriptor of `dims`, row-major.
dnnl::memory::desc plainDesc(const dnnl::memory::dims &dims);
/// A float32 memory descriptor of `dims` with the given element strides.
dnnl::memory::desc stridedDesc(const dnnl::memory::dims &dims, const dnnl::memory::dims &strides);
/// A oneDNN primitive a node keeps between runs, with what it was built for
/// and the memory objects of its arguments.
struct PrimitiveState : KernelState {
  std::vector<int64_t> key;
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args; ///< by DNNL_ARG_*, pointed at each run's buffers
};

/// Appends a shape to a primitive key (its rank, then its dimensions).
void appendKey(std::vector<int64_t> &key, const std::vector<int64_t> &shape);

/// The node's primitive for `key` (what the primitive depends on besides the
/// node's attributes: shapes, optional operands), made by make() when the
/// node keeps none for that key and the host thread count. May throw what
/// make() throws.
template <typename Make> dnnl::primitive nodePrimitive(KernelContext &ctx, std::vector<int64_t> key, Make &&make) {
  key.push_back(hostThreads()); // oneDNN splits the work when the primitive is made
  PrimitiveState *state = ctx.stateAs<PrimitiveState>();
  if (state && state->key == key && state->primitive)
    return state->primitive;
  dnnl::primitive p = make();
  if (state) {
    state->key = std::move(key);
    state->primitive = p;
    state->args.clear();
  }
  return p;
}

/// One argument of a primitive: its DNNL_ARG_* id, descriptor and buffer
/// (not owned; oneDNN only reads inputs).
struct PrimitiveArg {
  int id;
  const dnnl::memory::desc &md;
  const void *data;
};

/// Runs `p` (the node's, from nodePrimitive) on `args` and waits for it. The
/// node keeps the arguments' memory objects and points them at this run's
/// buffers: making them costs more than a small Gemm.
void runNodePrimitive(KernelContext &ctx, const dnnl::primitive &p, const std::vector<PrimitiveArg> &args);

/// Calls fn() and turns a dnnl::error into ctx.fail("oneDNN: ...").
template <typename Fn> bool withDnnl(KernelContext &ctx, Fn &&fn) {
  try {
    return fn();
  } catch (const dnnl::error &e) {
    return ctx.fail(std::string("oneDNN: ") + e.what());
  }
}

/// The elements of a floating-point or integer tensor as float32.
std::vector<float> toFloat32(const HostTensor &t);
/// A tensor of element type `dtype` and `shape` from float32 values
/// (rounded; integers saturate).
HostTensor fromFloat32(DType dtype, const std::vector<int64_t> &shape, const float *values);

} // namespace softnpu::host

#endif
