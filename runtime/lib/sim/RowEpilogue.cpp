//===- RowEpilogue.cpp - A chain loop's point-wise ops and store, row by row -===//
#include "RowEpilogue.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_ROW_EPILOGUE_AVX512 1
#include <immintrin.h>
#endif

namespace softnpu::sim::detail {

using isa::Opcode;

bool rowEpilogueOp(Opcode op) {
  switch (op) {
  case Opcode::VvAdd:
  case Opcode::VvASubB:
  case Opcode::VvBSubA:
  case Opcode::VvMul:
  case Opcode::VvMax:
  case Opcode::VvMin:
  case Opcode::VvPrelu:
  case Opcode::VRelu:
    return true;
  default:
    return false;
  }
}

#if defined(SOFTNPU_ROW_EPILOGUE_AVX512)

namespace {

#define ROW_FN __attribute__((target("avx512f")))

/// Mfu.cpp's elementwise for one register of lanes (a: the row, b: the
/// operand). std::fmax(a, b) and std::fmin(a, b) keep a when a == b (glibc),
/// so they are vmaxps(b, a) and vminps(b, a); max and min with a NaN are a + b.
ROW_FN inline __m512 apply(Opcode op, __m512 a, __m512 b) {
  switch (op) {
  case Opcode::VvAdd:
    return _mm512_add_ps(a, b);
  case Opcode::VvASubB:
    return _mm512_sub_ps(a, b);
  case Opcode::VvBSubA:
    return _mm512_sub_ps(b, a);
  case Opcode::VvMul:
    return _mm512_mul_ps(a, b);
  case Opcode::VvMax:
    return _mm512_mask_add_ps(_mm512_max_ps(b, a), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  case Opcode::VvMin:
    return _mm512_mask_add_ps(_mm512_min_ps(b, a), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  case Opcode::VvPrelu: // a x b below 0; NaN and -0 pass unchanged
    return _mm512_mask_mul_ps(a, _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_LT_OQ), a, b);
  case Opcode::VRelu: // a above 0 or NaN, else +0
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NLE_UQ), a);
  default:
    return a;
  }
}

ROW_FN void rowsAvx512(const Op *ops, size_t opCount, float *y, size_t yStride, size_t count, uint32_t i0,
                       size_t lanes, float *dst, int64_t dstStep, size_t stored) {
  const __mmask16 in = static_cast<__mmask16>((1u << lanes) - 1), out = static_cast<__mmask16>((1u << stored) - 1);
  for (size_t j = 0; j < count; ++j) {
    __m512 v = _mm512_maskz_loadu_ps(in, y + j * yStride);
    for (size_t k = 0; k < opCount; ++k) {
      const Op &op = ops[k];
      const __m512 b = op.operand ? _mm512_maskz_loadu_ps(in, op.operand + (int64_t{i0} + static_cast<int64_t>(j)) * op.step)
                                  : _mm512_setzero_ps();
      v = apply(op.op, v, b);
    }
    _mm512_mask_storeu_ps(dst + static_cast<int64_t>(j) * dstStep, out, v);
  }
}

#undef ROW_FN

bool haveAvx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}

} // namespace

bool rowEpilogueLanes(uint64_t lanes) { return lanes >= 1 && lanes <= 16 && haveAvx512(); }

void runRowEpilogue(const Op *ops, size_t opCount, float *y, size_t yStride, size_t count, uint32_t i0, size_t lanes,
                    float *dst, int64_t dstStep, size_t stored) {
  rowsAvx512(ops, opCount, y, yStride, count, i0, lanes, dst, dstStep, stored);
}

#else

bool rowEpilogueLanes(uint64_t) { return false; }
void runRowEpilogue(const Op *, size_t, float *, size_t, size_t, uint32_t, size_t, float *, int64_t, size_t) {}

#endif

} // namespace softnpu::sim::detail
