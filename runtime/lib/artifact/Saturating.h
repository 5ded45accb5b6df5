//===- Saturating.h - Size arithmetic that saturates instead of wrapping --===//
//
// Sizes computed from an artifact's own (untrusted) counts: a product or sum
// that would overflow becomes kSaturated, which no bound check accepts.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_RUNTIME_LIB_ARTIFACT_SATURATING_H
#define SOFTNPU_RUNTIME_LIB_ARTIFACT_SATURATING_H

#include <cstdint>
#include <limits>

namespace softnpu::artifact::detail {

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

/// a * b, saturating instead of wrapping.
inline uint64_t mulSat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kSaturated : r;
}

/// a + b, saturating instead of wrapping.
inline uint64_t addSat(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kSaturated : r;
}

} // namespace softnpu::artifact::detail

#endif
