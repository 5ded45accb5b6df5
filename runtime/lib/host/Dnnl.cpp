//===- Dnnl.cpp - oneDNN engine, memory helpers and host threads ----------===//
#include "Dnnl.h"

#include "softnpu/host/HostThreads.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

// Debian's oneDNN runs on GNU OpenMP (libgomp); its thread count is the
// calling thread's OpenMP setting. Declared here to avoid depending on a
// particular omp.h (clang's would be libomp's).
extern "C" {
void omp_set_num_threads(int n);
}

namespace softnpu::host {

namespace {

std::atomic<int> requestedThreads{1};

/// Sets the calling thread's OpenMP thread count to the requested one when
/// it changed since this thread last ran a primitive.
void applyThreads() {
  thread_local int applied = 0;
  const int want = requestedThreads.load(std::memory_order_relaxed);
  if (applied != want) {
    omp_set_num_threads(want);
    applied = want;
  }
}

} // namespace

void setHostThreads(int n) { requestedThreads.store(std::max(1, n), std::memory_order_relaxed); }
int hostThreads() { return requestedThreads.load(std::memory_order_relaxed); }

const dnnl::engine &dnnlEngine() {
  // Before any primitive is created: oneDNN sizes its work split by the
  // thread count it sees then.
  applyThreads();
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::memory::desc stridedDesc(const dnnl::memory::dims &dims, const dnnl::memory::dims &strides) {
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

dnnl::memory::desc plainDesc(const dnnl::memory::dims &dims) { return stridedDesc(dims, stridesOf(dims)); }

void appendKey(std::vector<int64_t> &key, const std::vector<int64_t> &shape) {
  key.push_back(static_cast<int64_t>(shape.size()));
  key.insert(key.end(), shape.begin(), shape.end());
}

void runNodePrimitive(KernelContext &ctx, const dnnl::primitive &p, const std::vector<PrimitiveArg> &args) {
  PrimitiveState *state = ctx.stateAs<PrimitiveState>();
  std::unordered_map<int, dnnl::memory> once;
  std::unordered_map<int, dnnl::memory> &memories = state ? state->args : once;
  for (const PrimitiveArg &a : args) {
    void *data = const_cast<void *>(a.data); // oneDNN only reads inputs
    if (auto m = memories.find(a.id); m != memories.end())
      m->second.set_data_handle(data);
    else
      memories.emplace(a.id, dnnl::memory(a.md, dnnlEngine(), data));
  }
  static thread_local dnnl::stream stream(dnnlEngine());
  p.execute(stream, memories);
  stream.wait();
}

std::vector<float> toFloat32(const HostTensor &t) {
  std::vector<float> out(static_cast<size_t>(t.numElements()));
  dispatch(t.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T *p = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<float>(static_cast<ComputeOf<T>>(p[i]));
  });
  return out;
}

HostTensor fromFloat32(DType dtype, const std::vector<int64_t> &shape, const float *values) {
  HostTensor out(dtype, shape);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    T *p = out.data<T>();
    for (int64_t i = 0, n = out.numElements(); i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        const double v = std::nearbyint(static_cast<double>(values[i]));
        const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
        const double hi = static_cast<double>(std::numeric_limits<T>::max());
        p[i] = v != v    ? T(0)
               : v <= lo ? std::numeric_limits<T>::lowest()
               : v >= hi ? std::numeric_limits<T>::max()
                         : T(v);
      } else {
        p[i] = T(values[i]);
      }
    }
  });
  return out;
}

} // namespace softnpu::host
