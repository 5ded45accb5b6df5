//===- CompactMsfpX86.cpp - AVX2 / AVX-VNNI kernels of matVecCompactMsfp --===//
//
// Compiled for the baseline target like the rest of the library; the kernels
// carry __attribute__((target(...))) and run only after a CPU check
// (__builtin_cpu_supports). The code is CompactMsfpX86.inc, included once
// per instruction set.
//
//===----------------------------------------------------------------------===//
#include "CompactMsfpDetail.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_COMPACT_X86 1
#include <immintrin.h>
#endif

namespace softnpu::numerics::detail {

#if defined(SOFTNPU_COMPACT_X86)

namespace {
#define KERNEL_NS avx2
#define KERNEL_TARGET "avx2"
#define KERNEL_VNNI 0
#include "CompactMsfpX86.inc"
#undef KERNEL_NS
#undef KERNEL_TARGET
#undef KERNEL_VNNI

#define KERNEL_NS avx2vnni
#define KERNEL_TARGET "avx2,avxvnni"
#define KERNEL_VNNI 1
#include "CompactMsfpX86.inc"
#undef KERNEL_NS
#undef KERNEL_TARGET
#undef KERNEL_VNNI

/// Whether vpmaddubsw's int16 pair sums cannot saturate: |w + 2^mw| <=
/// 2^(mw+1) - 1, |x| <= 2^mx - 1 (false only for m = 7 on both sides).
bool pairsFitInt16(unsigned mw, unsigned mx) { return 2 * ((2 << mw) - 1) * ((1 << mx) - 1) <= 32767; }
} // namespace

bool compactAvx2Supported() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

bool compactAvx2VnniSupported() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni");
  return ok;
}

void compactKernelAvx2(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  if (pairsFitInt16(w.mantissaBits, static_cast<unsigned>(2 - in.base - static_cast<int>(w.mantissaBits))))
    avx2::runMode<0>(w, in, acc);
  else
    avx2::runMode<1>(w, in, acc);
}

void compactKernelAvx2Vnni(const MsfpCompactMatrix &w, const InputView &in, float *acc) {
  avx2vnni::runMode<2>(w, in, acc);
}

void compactBatchAvx2(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  if (pairsFitInt16(w.mantissaBits, static_cast<unsigned>(2 - in.base - static_cast<int>(w.mantissaBits))))
    avx2::runModeBatch<0>(w, in, acc, stride);
  else
    avx2::runModeBatch<1>(w, in, acc, stride);
}

void compactBatchAvx2Vnni(const MsfpCompactMatrix &w, const MsfpCompactBatch &in, float *acc, size_t stride) {
  avx2vnni::runModeBatch<2>(w, in, acc, stride);
}

#else

bool compactAvx2Supported() { return false; }
bool compactAvx2VnniSupported() { return false; }
void compactKernelAvx2(const MsfpCompactMatrix &, const InputView &, float *) {}
void compactKernelAvx2Vnni(const MsfpCompactMatrix &, const InputView &, float *) {}
void compactBatchAvx2(const MsfpCompactMatrix &, const MsfpCompactBatch &, float *, size_t) {}
void compactBatchAvx2Vnni(const MsfpCompactMatrix &, const MsfpCompactBatch &, float *, size_t) {}

#endif

} // namespace softnpu::numerics::detail
