//===- HostTensor.h - A dense tensor of any element type, for the host ----===//
//
// Host segments compute on HostTensors: an element type, a row-major shape
// and the elements' bytes (little endian, bool as one byte 0/1). float16 and
// bfloat16 are stored as their 16-bit patterns (Half, BFloat16) and computed
// in float.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_HOSTTENSOR_H
#define SOFTNPU_HOST_HOSTTENSOR_H

#include "softnpu/artifact/DType.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace softnpu::host {

using artifact::DType;

/// IEEE binary16, stored as bits; converts to and from float (round to
/// nearest even).
struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f); // NOLINT: implicit, like the built-in types
  operator float() const;
};

/// bfloat16 (the high half of a float), stored as bits; round to nearest even.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f); // NOLINT
  operator float() const;
};

struct HostTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes; ///< numElements() * dtypeSize(dtype)

  /// A zero-filled tensor.
  HostTensor(DType t = DType::F32, std::vector<int64_t> dims = {});
  int64_t numElements() const;
  size_t rank() const { return shape.size(); }
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
  template <typename T> const T *data() const { return reinterpret_cast<const T *>(bytes.data()); }
};

/// Element count of `shape` (1 for a scalar).
int64_t elementCount(const std::vector<int64_t> &shape);
/// "[2,3]" ("[]" for a scalar).
std::string shapeText(const std::vector<int64_t> &shape);

} // namespace softnpu::host

#endif
