//===- UninitializedAllocator.h - Vectors that grow without zeroing -*- C++ -*-===//
//
// A std::allocator whose vectors leave new elements uninitialised when they
// grow without a value (resize). For buffers whose every element is written
// by whoever grows them, where zeroing them first costs as much as the work:
// - the weight image (artifact::ImageBytes): the emitter packs every byte of
//   each matrix (numerics::packRow writes all of a row's bytes), the reader
//   reads the section into it; zeroing hundreds of MB first, on one thread,
//   cost as much as packing it on all of them;
// - a quantized map's float values (numerics::MsfpCompactBatch::values),
//   written in full once per convolution layer;
// - the simulator's chain-loop batch buffers (sim State::batchIn and
//   batchOut), whose lanes the loop clears where it needs them cleared.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_UNINITIALIZEDALLOCATOR_H
#define SOFTNPU_UNINITIALIZEDALLOCATOR_H

#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace softnpu {

template <typename T> struct UninitializedAllocator : std::allocator<T> {
  template <typename U> struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U> UninitializedAllocator(const UninitializedAllocator<U> &) noexcept {}
  template <typename U> void construct(U *p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void *>(p)) U;
  }
  template <typename U, typename... Args> void construct(U *p, Args &&...args) {
    ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
  }
};

/// A vector whose resize() leaves the new elements uninitialised.
template <typename T> using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

} // namespace softnpu

#endif // SOFTNPU_UNINITIALIZEDALLOCATOR_H
