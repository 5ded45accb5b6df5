//===- Activations.h - The MFU's tanh and sigmoid, bit for bit ------------===//
//
// The simulator's v_tanh and v_sigm (docs/execution-model.md, "Chains"),
// defined here rather than by the host's libm, so that results do not depend
// on the host's C library or CPU:
//
//  * tanh(x)    = glibc 2.36 tanhf(x) (fdlibm s_tanhf.c over s_expm1f.c, all
//                 fp32 arithmetic);
//  * sigmoid(x) = 1.0f / (1.0f + expf(-x)) in fp32, with expf = glibc 2.36
//                 e_expf.c as built for x86-64 CPUs with FMA (the variant
//                 its libm selects on AVX2 + FMA hosts): a 2^(k/32) table and
//                 a cubic in double, its multiply-adds fused. (The plain
//                 build's expf differs for 2 inputs, its sigmoid for none.)
//
// Every float input (NaN payloads included) gives these bits, on any host;
// tests/unit/numerics/ActivationsExhaustiveTest.cpp checks all 2^32 inputs
// against the host libm where it is that glibc.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_NUMERICS_ACTIVATIONS_H
#define SOFTNPU_NUMERICS_ACTIVATIONS_H

#include <cstddef>

namespace softnpu::numerics {

/// x[i] = tanh(x[i]) for i < n (AVX2 + FMA when the CPU has them).
void tanhLanes(float *x, size_t n);
/// x[i] = sigmoid(x[i]) for i < n (AVX2 + FMA when the CPU has them).
void sigmoidLanes(float *x, size_t n);

/// The portable scalar definitions the lane functions agree with.
float tanhScalar(float x);
float sigmoidScalar(float x);
/// glibc 2.36 expf (FMA variant), the exponential sigmoidScalar uses.
float expScalar(float x);

namespace detail {
/// The portable lane loops, for tests on hosts where a vector path runs.
void tanhLanesPortable(float *x, size_t n);
void sigmoidLanesPortable(float *x, size_t n);
/// The AVX2 + FMA lane loops, for tests on hosts where the AVX-512 path runs
/// (the portable loops on CPUs without AVX2 and FMA).
void tanhLanesAvx2(float *x, size_t n);
void sigmoidLanesAvx2(float *x, size_t n);
} // namespace detail

} // namespace softnpu::numerics

#endif // SOFTNPU_NUMERICS_ACTIVATIONS_H
