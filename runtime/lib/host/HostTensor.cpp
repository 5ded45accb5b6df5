//===- HostTensor.cpp - Host tensors and the 16-bit float conversions -----===//
#include "softnpu/host/HostTensor.h"

namespace softnpu::host {

namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

} // namespace

Half::Half(float f) {
  const uint32_t u = bitsOf(f);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t absBits = u & 0x7FFFFFFFu;
  if (absBits >= 0x7F800000u) { // inf or NaN
    bits = static_cast<uint16_t>(sign | 0x7C00u | (absBits > 0x7F800000u ? 0x200u : 0u));
    return;
  }
  if (absBits >= 0x477FF000u) { // rounds past the largest half: inf
    bits = static_cast<uint16_t>(sign | 0x7C00u);
    return;
  }
  if (absBits < 0x38800000u) { // below the smallest normal half: subnormal or zero
    // Scale into the subnormal grid (2^-24 per step) with the FPU's rounding.
    const float scaled = floatOf(absBits) * 16777216.0f; // * 2^24, exact
    bits = static_cast<uint16_t>(sign | static_cast<uint32_t>(__builtin_nearbyintf(scaled)));
    return;
  }
  uint32_t mant = absBits & 0x7FFFFFu;
  uint32_t exp = (absBits >> 23) - 112; // rebias 127 -> 15
  uint32_t h = (exp << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
    ++h; // may carry into the exponent, which is the right result
  bits = static_cast<uint16_t>(sign | h);
}

Half::operator float() const {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1Fu;
  const uint32_t mant = bits & 0x3FFu;
  if (exp == 0) {
    const float v = static_cast<float>(mant) * (1.0f / 16777216.0f); // 2^-24
    return sign ? -v : v;
  }
  if (exp == 31)
    return floatOf(sign | 0x7F800000u | (mant << 13));
  return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
}

BFloat16::BFloat16(float f) {
  uint32_t u = bitsOf(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) { // NaN stays NaN
    bits = static_cast<uint16_t>((u >> 16) | 0x40u);
    return;
  }
  u += 0x7FFFu + ((u >> 16) & 1u);
  bits = static_cast<uint16_t>(u >> 16);
}

BFloat16::operator float() const { return floatOf(static_cast<uint32_t>(bits) << 16); }

int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d < 0 ? 0 : d;
  return n;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

HostTensor::HostTensor(DType t, std::vector<int64_t> dims)
    : dtype(t), shape(std::move(dims)), bytes(static_cast<size_t>(elementCount(shape)) * artifact::dtypeSize(t)) {}

int64_t HostTensor::numElements() const { return elementCount(shape); }

} // namespace softnpu::host
