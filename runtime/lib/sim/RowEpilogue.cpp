//===- RowEpilogue.cpp - A chain loop's point-wise ops and store, row by row -===//
#include "RowEpilogue.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_ROW_EPILOGUE_AVX512 1
#include <immintrin.h>

#include <algorithm>
#include <initializer_list>
#include <utility>
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

/// apply<O> for an op known only at run time; the switch is predicted well,
/// as a chain's ops repeat in the same order for every register.
ROW_FN inline __m512 applyOp(Opcode o, __m512 a, __m512 b) {
  switch (o) {
  case Opcode::VvAdd:
    return apply<Opcode::VvAdd>(a, b);
  case Opcode::VvASubB:
    return apply<Opcode::VvASubB>(a, b);
  case Opcode::VvBSubA:
    return apply<Opcode::VvBSubA>(a, b);
  case Opcode::VvMul:
    return apply<Opcode::VvMul>(a, b);
  case Opcode::VvMax:
    return apply<Opcode::VvMax>(a, b);
  case Opcode::VvMin:
    return apply<Opcode::VvMin>(a, b);
  case Opcode::VvPrelu:
    return apply<Opcode::VvPrelu>(a, b);
  default: // VRelu (rowEpilogueOp admits nothing else)
    return apply<Opcode::VRelu>(a, b);
  }
}

/// ops[0, opCount) over lanes [0, lanes) of each row, one register of 16
/// lanes at a time through all the ops (one load and one store per
/// register, not one per op), the first `stored` lanes into dst.
ROW_FN void rowsAvx512(const Op *ops, size_t opCount, const float *y, size_t yStride, size_t count, uint32_t i0,
                       size_t lanes, float *dst, int64_t dstStep, size_t stored) {
  // Whole registers of stored lanes take plain loads and stores (a masked
  // store costs several times a plain one on some CPUs); the last, masked.
  const size_t whole = stored / 16;
  const __mmask16 tailLoad = firstLanes(static_cast<int64_t>(lanes) - static_cast<int64_t>(16 * whole));
  const __mmask16 tailStore = firstLanes(static_cast<int64_t>(stored % 16));
  for (size_t j = 0; j < count; ++j) {
    const int64_t iteration = int64_t{i0} + static_cast<int64_t>(j);
    const float *in = y + j * yStride;
    float *out = dst + static_cast<int64_t>(j) * dstStep;
    for (size_t c = 0; c < whole; ++c) {
      const size_t k = 16 * c;
      __m512 v = _mm512_loadu_ps(in + k);
      for (size_t o = 0; o < opCount; ++o) {
        const Op &op = ops[o];
        v = applyOp(op.op, v, op.operand ? _mm512_loadu_ps(op.operand + iteration * op.step + k) : _mm512_setzero_ps());
      }
      _mm512_storeu_ps(out + k, v);
    }
    if (tailStore) {
      const size_t k = 16 * whole;
      __m512 v = _mm512_maskz_loadu_ps(tailLoad, in + k);
      for (size_t o = 0; o < opCount; ++o) {
        const Op &op = ops[o];
        const __m512 b =
            op.operand ? _mm512_maskz_loadu_ps(tailLoad, op.operand + iteration * op.step + k) : _mm512_setzero_ps();
        v = applyOp(op.op, v, b);
      }
      _mm512_mask_storeu_ps(out + k, tailStore, v);
    }
  }
}

/// The ops of the common chains known at compile time (fixedRows): the same
/// arithmetic as applyOp, without a dispatch per register and op.
template <Opcode O> constexpr bool takesOperand() { return O != Opcode::VRelu; }

template <bool Tail> ROW_FN inline __m512 loadLanes(const float *at, __mmask16 tail) {
  return Tail ? _mm512_maskz_loadu_ps(tail, at) : _mm512_loadu_ps(at);
}

/// v through the ops Os for rows of iteration `iteration`, lanes [k, k + 16):
/// an operand with a step is loaded for the row, one without is `fixed`
/// (loaded once for every row).
template <bool Tail, Opcode... Os, size_t... I>
ROW_FN inline __m512 applyFixed(__m512 v, const Op *ops, const __m512 *fixed, int64_t iteration, size_t k,
                                __mmask16 tail, std::index_sequence<I...>) {
  ((v = apply<Os>(v, !takesOperand<Os>() ? _mm512_setzero_ps()
                     : ops[I].step       ? loadLanes<Tail>(ops[I].operand + iteration * ops[I].step + k, tail)
                                         : fixed[I])),
   ...);
  return v;
}

/// Lanes [k, k + 16) of rows [j0, j1) (the last, masked, registers with Tail).
template <bool Tail, Opcode... Os>
ROW_FN inline void fixedLanes(const Op *ops, const float *y, size_t yStride, size_t j0, size_t j1, uint32_t i0,
                              float *dst, int64_t dstStep, size_t k, __mmask16 tailLoad, __mmask16 tailStore) {
  constexpr size_t kOps = sizeof...(Os);
  __m512 fixed[kOps];
  for (size_t o = 0; o < kOps; ++o)
    fixed[o] = ops[o].operand && ops[o].step == 0 ? loadLanes<Tail>(ops[o].operand + k, tailLoad) : _mm512_setzero_ps();
  for (size_t j = j0; j < j1; ++j) {
    const __m512 v =
        applyFixed<Tail, Os...>(loadLanes<Tail>(y + j * yStride + k, tailLoad), ops, fixed,
                                int64_t{i0} + static_cast<int64_t>(j), k, tailLoad, std::make_index_sequence<kOps>());
    float *out = dst + static_cast<int64_t>(j) * dstStep + static_cast<int64_t>(k);
    if (Tail)
      _mm512_mask_storeu_ps(out, tailStore, v);
    else
      _mm512_storeu_ps(out, v);
  }
}

/// Rows go sixteen at a time register by register, so that an operand the
/// same for every row (a bias, a clip vector) is loaded once per register
/// for sixteen rows, not for each (MobileNetV2's Relu6 rows about 15%
/// faster). Only rows whose stores do not overlap: otherwise one at a time, in
/// order, as the ordinary path writes them.
template <Opcode... Os>
ROW_FN void fixedRows(const Op *ops, const float *y, size_t yStride, size_t count, uint32_t i0, size_t lanes,
                      float *dst, int64_t dstStep, size_t stored) {
  const size_t whole = stored / 16;
  const __mmask16 tailLoad = firstLanes(static_cast<int64_t>(lanes) - static_cast<int64_t>(16 * whole));
  const __mmask16 tailStore = firstLanes(static_cast<int64_t>(stored % 16));
  const size_t block = static_cast<uint64_t>(dstStep < 0 ? -dstStep : dstStep) >= stored ? 16 : 1;
  for (size_t j0 = 0; j0 < count; j0 += block) {
    const size_t j1 = std::min(count, j0 + block);
    for (size_t c = 0; c < whole; ++c)
      fixedLanes<false, Os...>(ops, y, yStride, j0, j1, i0, dst, dstStep, 16 * c, 0, 0);
    if (tailStore)
      fixedLanes<true, Os...>(ops, y, yStride, j0, j1, i0, dst, dstStep, 16 * whole, tailLoad, tailStore);
  }
}

/// The kernel for the ops: fixedRows for the chains convolutions end with
/// (bias; bias, Relu; bias, Relu, Min for Relu6; bias and a residual, with
/// or without Relu), rowsAvx512 for the others.
using RowsFn = void (*)(const Op *, const float *, size_t, size_t, uint32_t, size_t, float *, int64_t, size_t);
RowsFn fixedRowsFor(const Op *ops, size_t opCount) {
  const auto is = [&](std::initializer_list<Opcode> want) {
    if (want.size() != opCount)
      return false;
    size_t o = 0;
    for (Opcode w : want)
      if (ops[o++].op != w)
        return false;
    return true;
  };
  using O = Opcode;
  if (is({O::VvAdd}))
    return fixedRows<O::VvAdd>;
  if (is({O::VvAdd, O::VRelu}))
    return fixedRows<O::VvAdd, O::VRelu>;
  if (is({O::VvAdd, O::VRelu, O::VvMin}))
    return fixedRows<O::VvAdd, O::VRelu, O::VvMin>;
  if (is({O::VvAdd, O::VvAdd}))
    return fixedRows<O::VvAdd, O::VvAdd>;
  if (is({O::VvAdd, O::VvAdd, O::VRelu}))
    return fixedRows<O::VvAdd, O::VvAdd, O::VRelu>;
  return nullptr;
}

#undef ROW_FN

bool haveAvx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}

} // namespace

bool rowEpilogueLanes(uint64_t lanes) { return lanes >= 1 && haveAvx512(); }

void runRowEpilogue(const Op *ops, size_t opCount, const float *y, size_t yStride, size_t count, uint32_t i0,
                    size_t lanes, float *dst, int64_t dstStep, size_t stored) {
  if (const RowsFn fixed = fixedRowsFor(ops, opCount))
    fixed(ops, y, yStride, count, i0, lanes, dst, dstStep, stored);
  else
    rowsAvx512(ops, opCount, y, yStride, count, i0, lanes, dst, dstStep, stored);
}

#else

bool rowEpilogueLanes(uint64_t) { return false; }
void runRowEpilogue(const Op *, size_t, const float *, size_t, size_t, uint32_t, size_t, float *, int64_t, size_t) {}

#endif

} // namespace softnpu::sim::detail
