//===- ElementTypes.h - C++ types of the DTypes, and dispatch over them ---===//
//
// dispatch(dtype, fn) calls a generic lambda with a value of the dtype's C++
// storage type (Half and BFloat16 for the 16-bit floats, uint8_t for bool);
// ComputeOf<T> is the type arithmetic on T happens in.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_ELEMENTTYPES_H
#define SOFTNPU_HOST_ELEMENTTYPES_H

#include "softnpu/host/HostTensor.h"

#include <type_traits>

namespace softnpu::host {

/// The storage type for each DType; bool is uint8_t.
template <DType> struct StorageOf;
template <> struct StorageOf<DType::F32> {
  using type = float;
};
template <> struct StorageOf<DType::F64> {
  using type = double;
};
template <> struct StorageOf<DType::F16> {
  using type = Half;
};
template <> struct StorageOf<DType::BF16> {
  using type = BFloat16;
};
template <> struct StorageOf<DType::I8> {
  using type = int8_t;
};
template <> struct StorageOf<DType::I16> {
  using type = int16_t;
};
template <> struct StorageOf<DType::I32> {
  using type = int32_t;
};
template <> struct StorageOf<DType::I64> {
  using type = int64_t;
};
template <> struct StorageOf<DType::U8> {
  using type = uint8_t;
};
template <> struct StorageOf<DType::U16> {
  using type = uint16_t;
};
template <> struct StorageOf<DType::U32> {
  using type = uint32_t;
};
template <> struct StorageOf<DType::U64> {
  using type = uint64_t;
};
template <> struct StorageOf<DType::Bool> {
  using type = uint8_t;
};

/// The type arithmetic happens in: float for the 16-bit floats, else the
/// storage type itself.
template <typename T>
using ComputeOf = std::conditional_t<std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float, T>;

template <typename T> constexpr bool isFloatStorage() {
  return std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;
}

/// Calls fn(T{}) with T the storage type of `t`. Bool dispatches as uint8_t;
/// a kernel that must tell bool apart checks the dtype itself.
template <typename Fn> decltype(auto) dispatch(DType t, Fn &&fn) {
  switch (t) {
  case DType::F32:
    return fn(float{});
  case DType::F64:
    return fn(double{});
  case DType::F16:
    return fn(Half{});
  case DType::BF16:
    return fn(BFloat16{});
  case DType::I8:
    return fn(int8_t{});
  case DType::I16:
    return fn(int16_t{});
  case DType::I32:
    return fn(int32_t{});
  case DType::I64:
    return fn(int64_t{});
  case DType::U8:
  case DType::Bool:
    return fn(uint8_t{});
  case DType::U16:
    return fn(uint16_t{});
  case DType::U32:
    return fn(uint32_t{});
  case DType::U64:
    return fn(uint64_t{});
  }
  return fn(float{});
}

} // namespace softnpu::host

#endif
