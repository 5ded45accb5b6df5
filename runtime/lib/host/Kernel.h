//===- Kernel.h - What a host kernel sees, and helpers kernels share ------===//
//
// A kernel is a function of a KernelContext: the node (attributes), its
// input tensors (nullptr for an omitted optional input) and the outputs it
// must fill, one per node output. It returns false after ctx.fail("why");
// the executor prefixes the node's name and op type.
//
// Kernels are generic over the element type through dispatch()
// (ElementTypes.h).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_KERNEL_H
#define SOFTNPU_HOST_KERNEL_H

#include "softnpu/host/ElementTypes.h"
#include "softnpu/host/HostGraph.h"

#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

namespace softnpu::host {

struct KernelContext {
  const HostNode &node;
  int64_t opset;
  std::vector<const HostTensor *> inputs; ///< one per node input; nullptr when omitted
  std::vector<HostTensor> outputs;        ///< one per node output, filled by the kernel

  size_t numInputs() const { return inputs.size(); }
  /// Input i, or nullptr when it is omitted or past the end.
  const HostTensor *in(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  /// Sets the error message; returns false for `return ctx.fail(...)`.
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  std::string error;
};

using KernelFn = std::function<bool(KernelContext &)>;
using KernelTable = std::map<std::string, KernelFn>;

// One registration function per family (kernels/*.cpp); KernelRegistry.cpp
// calls them all.
void addElementwiseKernels(KernelTable &table);
void addShapeKernels(KernelTable &table);
void addLogicalKernels(KernelTable &table);
void addCastKernels(KernelTable &table);
void addIndexingKernels(KernelTable &table);
void addReduceKernels(KernelTable &table);
void addNormalizationKernels(KernelTable &table);
void addLinearKernels(KernelTable &table);
void addPoolKernels(KernelTable &table);
void addMiscKernels(KernelTable &table);
void addRecurrentKernels(KernelTable &table);
void addQuantizeKernels(KernelTable &table);
void addSignalKernels(KernelTable &table);

/// Like dispatch(), for kernels defined on floating-point types only; false
/// (with a message) for any other type.
template <typename Fn> bool dispatchFloat(KernelContext &ctx, DType t, Fn &&fn) {
  switch (t) {
  case DType::F32:
    return fn(float{});
  case DType::F64:
    return fn(double{});
  case DType::F16:
    return fn(Half{});
  case DType::BF16:
    return fn(BFloat16{});
  default:
    return ctx.fail(std::string("element type ") + artifact::dtypeName(t) + " is not supported");
  }
}

/// The values of an integer tensor (int32 or int64, as int64), e.g. axes or
/// a shape given as an input; false with a message for other types.
bool readInts(KernelContext &ctx, const HostTensor &t, std::vector<int64_t> &out, const char *what);
/// An axis in [-rank, rank) made non-negative; false with a message otherwise.
bool normalizeAxis(KernelContext &ctx, int64_t &axis, int64_t rank, const char *what = "axis");
/// The NumPy broadcast of two shapes; false with a message when they do not
/// broadcast.
bool broadcastShapes(KernelContext &ctx, const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                     std::vector<int64_t> &out);
/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape);
/// For each element of `outShape`, the index of the element of a tensor of
/// shape `inShape` (right-aligned, broadcast) it reads.
std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &inShape, const std::vector<int64_t> &outShape);

} // namespace softnpu::host

#endif
