//===- Bfp.h - Block floating point: quantize, pack, dot product ----------===//
//
// The one implementation of the NPU's block-floating-point arithmetic. The
// compiler's weight packing and the simulator's matrix-vector unit both call
// it; nothing else may round to BFP. Rules (docs/numerics.md):
//
//  * A block is `blockSize` consecutive elements (the last block of a vector
//    may be short; it is treated as zero-padded).
//  * Shared exponent E = max over the block of floor(log2|x|) for finite
//    non-zero x, clamped to [kMinExp, kMaxExp]. An all-zero block has E =
//    kMinExp and all-zero mantissas.
//  * Element i is q_i = round(x_i / 2^(E - m + 1)) using the rounding mode,
//    then saturated to [-(2^m - 1), 2^m - 1]. Its value is q_i * 2^(E-m+1).
//  * NaN or +-Inf anywhere in a block makes the whole block NaN (flag `nan`).
//  * Dot product of two BFP vectors: per block, an exact integer sum of
//    q_w * q_x, scaled exactly by 2^(Ew + Ex - 2(m-1)) into float; the block
//    results are accumulated in fp32 in increasing block order, starting
//    from the `init` value.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_NUMERICS_BFP_H
#define SOFTNPU_NUMERICS_BFP_H

#include "softnpu/numerics/Format.h"

#include <cstdint>
#include <vector>

namespace softnpu::numerics {

constexpr int kMinExp = -126;
constexpr int kMaxExp = 127;

/// A quantized vector: ceil(n / blockSize) blocks.
struct BfpVector {
  unsigned mantissaBits = 0;
  unsigned blockSize = 0;
  std::vector<int8_t> exponents;  ///< one per block
  std::vector<uint8_t> nanBlocks; ///< one per block, 1 = block is NaN
  std::vector<int16_t> mantissas; ///< numBlocks * blockSize, signed, zero-padded
  size_t size() const { return mantissas.size(); }
};

/// Quantizes `n` floats.
BfpVector quantize(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding);
/// Writes the values a BfpVector represents (n elements) to `out`.
void dequantize(const BfpVector &v, size_t n, float *out);
/// Round-trip convenience: quantize then dequantize in place. For fp32, no-op.
void roundTrip(float *x, size_t n, const NumberFormat &fmt, Rounding rounding);

/// Dot product of two BFP vectors of the same format and length, in the
/// documented order, added to `init` in fp32.
float dot(const BfpVector &w, size_t wOffset, const BfpVector &x, size_t xOffset, size_t n, float init);

/// fp32 reference dot product in the documented order: acc += w[i] * x[i],
/// i increasing, no fused multiply-add.
float dotFp32(const float *w, const float *x, size_t n, float init);

/// Weight-image packing of one matrix row of n elements (docs/artifact-format.md):
///  fp32: n little-endian IEEE floats.
///  BFP : per block, 1 byte biased exponent (E + 127; 0xFF marks a NaN block),
///        then blockSize mantissas, two's complement, 1 byte each when
///        mantissaBits <= 7, else 2 bytes little endian.
size_t packedRowBytes(const NumberFormat &fmt, size_t n);
void packRow(const float *x, size_t n, const NumberFormat &fmt, Rounding rounding, uint8_t *out);
/// Inverse of packRow for BFP formats.
BfpVector unpackRowBfp(const uint8_t *in, size_t n, const NumberFormat &fmt);
/// Inverse of packRow for any format, as floats.
void unpackRow(const uint8_t *in, size_t n, const NumberFormat &fmt, float *out);

} // namespace softnpu::numerics

#endif // SOFTNPU_NUMERICS_BFP_H
