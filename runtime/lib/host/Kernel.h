//===- Kernel.h - What a host kernel sees, and helpers kernels share ------===//
//
// A kernel is a function of a KernelContext: the node (attributes), its
// input tensors (nullptr for an omitted optional input) and the outputs it
// must fill, one per node output. It returns false after ctx.fail("why");
// the executor prefixes the node's name and op type.
//
// Most kernels take and make tensors only (the executor refuses them a
// sequence or an optional). The kernels of sequences and optionals are
// registered apart (value kernels): they also see the inputs that are not
// tensors, and fill `results`, which may hold any value, instead of
// `outputs`.
//
// Kernels are generic over the element type through dispatch()
// (ElementTypes.h).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_KERNEL_H
#define SOFTNPU_HOST_KERNEL_H

#include "softnpu/host/ElementTypes.h"
#include "softnpu/host/HostGraph.h"
#include "softnpu/host/HostValue.h"

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace softnpu::host {

/// What a kernel keeps for its node between runs of a HostProgram, e.g. the
/// oneDNN primitive it built for the shapes it last saw.
struct KernelState {
  virtual ~KernelState() = default;
};

struct KernelContext {
  const HostNode &node;
  int64_t opset;
  std::vector<const HostTensor *> inputs;        ///< one per node input; nullptr when omitted or not a tensor
  std::vector<HostTensor> outputs;               ///< one per node output, filled by a tensor kernel
  std::vector<const HostValue *> values;         ///< one per node input: a sequence or optional, else nullptr
  std::vector<HostValue> results;                ///< one per node output, filled by a value kernel
  std::unique_ptr<KernelState> *state = nullptr; ///< the node's state, or nullptr when none is kept
  std::vector<HostTensor> spare;                 ///< the node's tensor outputs of its last run: storage for newOutput()

  /// The node's state as a T (default-constructed on first use), or nullptr
  /// when this run keeps none. A node always runs the same kernel, so the
  /// state is always a T.
  template <typename T> T *stateAs() {
    if (!state)
      return nullptr;
    if (!*state)
      *state = std::make_unique<T>();
    return static_cast<T *>(state->get());
  }

  size_t numInputs() const { return inputs.size(); }
  /// Input i, or nullptr when it is omitted, past the end or not a tensor.
  const HostTensor *in(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
  /// Input i when it is a sequence or an optional, else nullptr.
  const HostValue *value(size_t i) const { return i < values.size() ? values[i] : nullptr; }
  /// Whether input i is given (a tensor or another value).
  bool has(size_t i) const { return in(i) || value(i); }
  /// A copy of input i, which must be given, whatever its kind.
  HostValue copyOf(size_t i) const { return in(i) ? HostValue(*in(i)) : *value(i); }
  /// Output i as a tensor of `dtype` and `shape` whose every element the
  /// kernel writes: the storage of the node's output from its last run when
  /// it has the size (no zero fill: the kernel overwrites the old values),
  /// else a new zero-filled tensor.
  HostTensor &newOutput(size_t i, DType dtype, std::vector<int64_t> shape) {
    HostTensor &out = outputs[i];
    const size_t bytes = static_cast<size_t>(elementCount(shape)) * artifact::dtypeSize(dtype);
    if (i >= spare.size() || spare[i].bytes.size() != bytes)
      return out = HostTensor(dtype, std::move(shape));
    out = std::move(spare[i]);
    out.dtype = dtype;
    out.shape = std::move(shape);
    return out;
  }
  /// Sets the error message; returns false for `return ctx.fail(...)`.
  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  std::string error;
};

using KernelFn = std::function<bool(KernelContext &)>;
using KernelTable = std::map<std::string, KernelFn>;

// One registration function per family (kernels/*.cpp); HostExecutor.cpp
// calls them all. Tensor kernels:
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
void addSampleKernels(KernelTable &table);
// Value kernels (they fill `results`):
void addSequenceKernels(KernelTable &table);
void addOptionalKernels(KernelTable &table);

/// Like dispatch(), for kernels defined on floating-point types only; false
/// (with a message) for any other type.
template <typename Fn> bool dispatchFloat(KernelContext &ctx, DType t, Fn &&fn) {
  return dispatch(t, [&](auto tag) -> bool {
    if constexpr (isFloatStorage<decltype(tag)>())
      return fn(tag);
    else
      return ctx.fail(std::string("element type ") + artifact::dtypeName(t) + " is not supported");
  });
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
/// The shape operand b of a binary op broadcasts as: its own, except before
/// opset 7 when the node has broadcast=1 and an axis, which align b's
/// dimensions with a's from that axis on (ONNX's legacy broadcast).
std::vector<int64_t> legacyBroadcastShape(const KernelContext &ctx, const HostTensor &a, const HostTensor &b);
/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape);
/// For each element of `outShape`, the index of the element of a tensor of
/// shape `inShape` (right-aligned, broadcast) it reads.
std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &inShape, const std::vector<int64_t> &outShape);
/// Calls fn(std::integral_constant<size_t, S>) with S the element size of
/// `dtype` (1, 2, 4 or 8): a fixed-size memcpy per element then compiles to
/// one load and store.
template <typename Fn> void withItemSize(DType dtype, Fn &&fn) {
  switch (artifact::dtypeSize(dtype)) {
  case 1:
    return fn(std::integral_constant<size_t, 1>{});
  case 2:
    return fn(std::integral_constant<size_t, 2>{});
  case 4:
    return fn(std::integral_constant<size_t, 4>{});
  default:
    return fn(std::integral_constant<size_t, 8>{});
  }
}
/// Data movement by index, any dtype: element i of `dst` becomes element
/// index[i] of `src` (same dtype; every index in range, index.size() ==
/// dst.numElements()).
void copyElements(const HostTensor &src, const std::vector<int64_t> &index, HostTensor &dst);

/// Concatenates `parts` (one dtype, the same shape but along the axis) along
/// `axis` into `out`, or with `newAxis` stacks them (one shape) along a new
/// axis at `axis`; a negative axis counts from the back. False with a message
/// when they do not fit together.
bool concatTensors(KernelContext &ctx, const std::vector<const HostTensor *> &parts, int64_t axis, bool newAxis,
                   HostTensor &out);
/// Splits `x` along `axis` (in range) into parts of `sizes` (each >= 0, adding
/// up to the axis' size); false with a message otherwise.
bool splitTensor(KernelContext &ctx, const HostTensor &x, size_t axis, const std::vector<int64_t> &sizes,
                 std::vector<HostTensor> &parts);

/// A row-major tensor's elements split by a set of axes, for ops that reduce
/// or normalise over them: `kept` holds the offset of each position of the
/// other axes (in row-major order, i.e. the order of a reduction's output),
/// `reduced` the offset of each position of the set from there. Element
/// (k, r) is at kept[k] + reduced[r].
struct AxisSplit {
  std::vector<int64_t> kept, reduced;
};
/// `isReduced` has one flag per axis of `shape`.
AxisSplit splitAxes(const std::vector<int64_t> &shape, const std::vector<bool> &isReduced);

// --- Element-wise helpers (Elementwise.cpp, Logical.cpp, Cast.cpp) --------

/// Classes of element types, for the types an op accepts.
enum TypeClass : unsigned { kFloat = 1, kSigned = 2, kUnsigned = 4, kBool = 8, kInt = 6, kNumeric = 7, kAnyType = 15 };

inline unsigned typeClassOf(DType t) {
  switch (t) {
  case DType::F32:
  case DType::F64:
  case DType::F16:
  case DType::BF16:
    return kFloat;
  case DType::I8:
  case DType::I16:
  case DType::I32:
  case DType::I64:
    return kSigned;
  case DType::Bool:
    return kBool;
  default:
    return kUnsigned;
  }
}

/// dispatch() over the dtypes in the classes `Set`: another dtype fails with
/// a message, and fn is instantiated only for storage types `Set` allows
/// (uint8_t for kBool), so it may use operations only those types have.
template <unsigned Set, typename Fn> bool dispatchIn(KernelContext &ctx, DType t, Fn &&fn) {
  if (!(typeClassOf(t) & Set))
    return ctx.fail(std::string("element type ") + artifact::dtypeName(t) + " is not supported");
  return dispatch(t, [&](auto tag) -> bool {
    using T = decltype(tag);
    constexpr unsigned cls = isFloatStorage<T>() ? kFloat : std::is_signed_v<T> ? kSigned : kUnsigned;
    if constexpr ((cls & Set) || ((Set & kBool) && std::is_same_v<T, uint8_t>))
      return fn(tag);
    else
      return false; // not reached: typeClassOf rejected the dtype
  });
}

/// Converts one element between storage types as Cast does: floats truncate
/// toward zero into integers through int64, wrapping like NumPy on x86 (NaN
/// gives 0, magnitudes past 64 bits saturate); integers wrap. Converting to
/// bool is not this function's job (Cast tests != 0).
template <typename To, typename From> To convertValue(From v) {
  using CF = ComputeOf<From>;
  const CF c = static_cast<CF>(v);
  if constexpr (std::is_integral_v<To> && !std::is_integral_v<CF>) {
    const double d = static_cast<double>(c);
    if (std::isnan(d))
      return To(0);
    if constexpr (std::is_same_v<To, uint64_t>)
      if (d >= 9223372036854775808.0) // 2^63: past int64 but maybe not uint64
        return d >= 18446744073709551616.0 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(d);
    if (d >= 9223372036854775808.0)
      return static_cast<To>(std::numeric_limits<int64_t>::max());
    if (d < -9223372036854775808.0)
      return static_cast<To>(std::numeric_limits<int64_t>::min());
    return static_cast<To>(static_cast<int64_t>(d));
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(c));
  } else {
    return static_cast<To>(c);
  }
}

/// Calls fn(o, in) for every element o (row-major) of `outShape`, with in[k]
/// the element of input k (shape *inShapes[k], right-aligned and broadcast)
/// it reads. Inputs of the output's shape cost no index arithmetic; otherwise
/// axes that are contiguous in every input merge and the innermost runs as a
/// plain strided loop.
template <size_t N, typename Fn>
void forEachBroadcast(const std::vector<int64_t> &outShape, const std::array<const std::vector<int64_t> *, N> &inShapes,
                      Fn &&fn) {
  const int64_t n = elementCount(outShape);
  std::array<int64_t, N> at{};
  bool same = true;
  for (const std::vector<int64_t> *s : inShapes)
    same = same && *s == outShape;
  if (same || n <= 1) {
    for (int64_t o = 0; o < n; ++o) {
      at.fill(same ? o : 0);
      fn(o, at);
    }
    return;
  }
  // Operands that are a single element or whole (every axis their own: the
  // elements in the output's order), as in x op scalar: loops whose index
  // pattern the compiler sees, and vectorises.
  if constexpr (N == 1) {
    const int64_t c0 = elementCount(*inShapes[0]);
    if (c0 == n || c0 == 1) {
      for (int64_t o = 0; o < n; ++o)
        fn(o, std::array<int64_t, 1>{c0 == 1 ? 0 : o});
      return;
    }
  }
  if constexpr (N == 2) {
    const int64_t c0 = elementCount(*inShapes[0]), c1 = elementCount(*inShapes[1]);
    if (c0 == n && c1 == 1) {
      for (int64_t o = 0; o < n; ++o)
        fn(o, std::array<int64_t, 2>{o, 0});
      return;
    }
    if (c0 == 1 && c1 == n) {
      for (int64_t o = 0; o < n; ++o)
        fn(o, std::array<int64_t, 2>{0, o});
      return;
    }
  }
  // dims[d] and step[k][d] (0 along broadcast axes), merged from the inside.
  std::vector<int64_t> dims;
  std::vector<std::array<int64_t, N>> step;
  std::array<int64_t, N> stride{};
  stride.fill(1);
  for (size_t d = outShape.size(); d-- > 0;) {
    std::array<int64_t, N> s{};
    for (size_t k = 0; k < N; ++k) {
      const std::vector<int64_t> &in = *inShapes[k];
      const size_t off = outShape.size() - in.size();
      const int64_t dim = d < off ? 1 : in[d - off];
      s[k] = dim == 1 ? 0 : stride[k];
      stride[k] *= dim;
    }
    if (outShape[d] == 1)
      continue;
    bool merge = !dims.empty();
    for (size_t k = 0; merge && k < N; ++k)
      merge = s[k] == step.back()[k] * dims.back();
    if (merge) {
      dims.back() *= outShape[d];
    } else {
      dims.push_back(outShape[d]);
      step.push_back(s);
    }
  } // dims[0] is now the innermost axis
  const int64_t inner = dims[0];
  const std::array<int64_t, N> innerStep = step[0];
  std::vector<int64_t> pos(dims.size(), 0);
  std::array<int64_t, N> base{};
  for (int64_t o = 0; o < n;) {
    for (int64_t j = 0; j < inner; ++j, ++o) {
      for (size_t k = 0; k < N; ++k)
        at[k] = base[k] + j * innerStep[k];
      fn(o, at);
    }
    for (size_t d = 1; d < dims.size(); ++d) {
      for (size_t k = 0; k < N; ++k)
        base[k] += step[d][k];
      if (++pos[d] < dims[d])
        break;
      for (size_t k = 0; k < N; ++k)
        base[k] -= step[d][k] * dims[d];
      pos[d] = 0;
    }
  }
}

} // namespace softnpu::host

#endif
