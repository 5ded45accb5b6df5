//===- Bytes.h - memcpy that allows the empty tensor ------------*- C++ -*-===//
//
// memcpy's pointers must be valid even when it copies nothing, but an empty
// std::vector's data() may be null: an empty tensor's storage. Every copy of
// tensor storage goes through copyBytes, which copies nothing for n == 0.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_BYTES_H
#define SOFTNPU_BYTES_H

#include <cstddef>
#include <cstring>

namespace softnpu {

inline void copyBytes(void *dst, const void *src, size_t n) {
  if (n != 0)
    std::memcpy(dst, src, n);
}

} // namespace softnpu

#endif // SOFTNPU_BYTES_H
