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
template <Opcode O> ROW_FN inline __m512 apply(__m512 a, __m512 b) {
  if constexpr (O == Opcode::VvAdd)
    return _mm512_add_ps(a, b);
  else if constexpr (O == Opcode::VvASubB)
    return _mm512_sub_ps(a, b);
  else if constexpr (O == Opcode::VvBSubA)
    return _mm512_sub_ps(b, a);
  else if constexpr (O == Opcode::VvMul)
    return _mm512_mul_ps(a, b);
  else if constexpr (O == Opcode::VvMax)
    return _mm512_mask_add_ps(_mm512_max_ps(b, a), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  else if constexpr (O == Opcode::VvMin)
    return _mm512_mask_add_ps(_mm512_min_ps(b, a), _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), a, b);
  else if constexpr (O == Opcode::VvPrelu) // a x b below 0; NaN and -0 pass unchanged
    return _mm512_mask_mul_ps(a, _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_LT_OQ), a, b);
  else // VRelu: a above 0 or NaN, else +0
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_NLE_UQ), a);
}

/// The first n of 16 lanes (n may be past 16 or below 0).
ROW_FN inline __mmask16 firstLanes(int64_t n) {
  return n >= 16 ? __mmask16{0xFFFF} : n <= 0 ? __mmask16{0} : static_cast<__mmask16>((1u << n) - 1);
}

/// One op over all rows (op by op, so that the dispatch is per op, not per
/// row and op): lanes [0, lanes) of row j from `in` + j x inStep, 16 at a
/// time, the first `stored` of them to `out` + j x outStep.
template <Opcode O>
ROW_FN void opRows(const Op &op, const float *in, size_t inStep, float *out, int64_t outStep, size_t count, uint32_t i0,
                   size_t lanes, size_t stored) {
  const bool hasOperand = O != Opcode::VRelu;
  if (lanes <= 16) { // one register per row, its masks set once (a convolution's few channels)
    const __mmask16 load = firstLanes(static_cast<int64_t>(lanes)), store = firstLanes(static_cast<int64_t>(stored));
    for (size_t j = 0; j < count; ++j) {
      const __m512 b = hasOperand
                           ? _mm512_maskz_loadu_ps(load, op.operand + (int64_t{i0} + static_cast<int64_t>(j)) * op.step)
                           : _mm512_setzero_ps();
      _mm512_mask_storeu_ps(out + static_cast<int64_t>(j) * outStep, store,
                            apply<O>(_mm512_maskz_loadu_ps(load, in + j * inStep), b));
    }
    return;
  }
  for (size_t j = 0; j < count; ++j) {
    const float *operand = hasOperand ? op.operand + (int64_t{i0} + static_cast<int64_t>(j)) * op.step : nullptr;
    for (size_t k = 0; k < lanes; k += 16) {
      const __mmask16 load = firstLanes(static_cast<int64_t>(lanes - k));
      const __mmask16 store = firstLanes(static_cast<int64_t>(stored) - static_cast<int64_t>(k));
      const __m512 b = hasOperand ? _mm512_maskz_loadu_ps(load, operand + k) : _mm512_setzero_ps();
      const __m512 v = apply<O>(_mm512_maskz_loadu_ps(load, in + j * inStep + k), b);
      _mm512_mask_storeu_ps(out + static_cast<int64_t>(j) * outStep + static_cast<int64_t>(k), store, v);
    }
  }
}

ROW_FN void rowsAvx512(const Op *ops, size_t opCount, float *y, size_t yStride, size_t count, uint32_t i0, size_t lanes,
                       float *dst, int64_t dstStep, size_t stored) {
  if (opCount == 0) {
    for (size_t j = 0; j < count; ++j)
      for (size_t k = 0; k < stored; k += 16) {
        const __mmask16 m = firstLanes(static_cast<int64_t>(stored - k));
        _mm512_mask_storeu_ps(dst + static_cast<int64_t>(j) * dstStep + static_cast<int64_t>(k), m,
                              _mm512_maskz_loadu_ps(m, y + j * yStride + k));
      }
    return;
  }
  for (size_t k = 0; k < opCount; ++k) {
    // In place over y, the last op straight into DRAM.
    const bool last = k + 1 == opCount;
    float *out = last ? dst : y;
    const int64_t outStep = last ? dstStep : static_cast<int64_t>(yStride);
    const size_t keep = last ? stored : lanes;
    switch (ops[k].op) {
    case Opcode::VvAdd:
      opRows<Opcode::VvAdd>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvASubB:
      opRows<Opcode::VvASubB>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvBSubA:
      opRows<Opcode::VvBSubA>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvMul:
      opRows<Opcode::VvMul>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvMax:
      opRows<Opcode::VvMax>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvMin:
      opRows<Opcode::VvMin>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    case Opcode::VvPrelu:
      opRows<Opcode::VvPrelu>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    default: // VRelu (rowEpilogueOp admits nothing else)
      opRows<Opcode::VRelu>(ops[k], y, yStride, out, outStep, count, i0, lanes, keep);
      break;
    }
  }
}

#undef ROW_FN

bool haveAvx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}

} // namespace

bool rowEpilogueLanes(uint64_t lanes) { return lanes >= 1 && haveAvx512(); }

void runRowEpilogue(const Op *ops, size_t opCount, float *y, size_t yStride, size_t count, uint32_t i0, size_t lanes,
                    float *dst, int64_t dstStep, size_t stored) {
  rowsAvx512(ops, opCount, y, yStride, count, i0, lanes, dst, dstStep, stored);
}

#else

bool rowEpilogueLanes(uint64_t) { return false; }
void runRowEpilogue(const Op *, size_t, float *, size_t, size_t, uint32_t, size_t, float *, int64_t, size_t) {}

#endif

} // namespace softnpu::sim::detail
