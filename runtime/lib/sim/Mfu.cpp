//===- Mfu.cpp - Point-wise ops of the multifunction units ----------------===//
//
// Lane-by-lane fp32 semantics of every MfuAddSub / MfuMul / MfuAct
// instruction (docs/execution-model.md, "Chains", step 3). Which MFU, and so
// which local VRF supplies the second operand, is decided by
// isa::planProgram; this file only does the arithmetic: fp32 on operands
// that are already MFU-format values, the result rounded to the target's MFU
// format (fp32: unchanged; bf16 / fp16: numerics::roundScalar).
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include "softnpu/numerics/Activations.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace softnpu::sim::detail {

namespace {

uint32_t bitsOf(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

/// c ? a : b by bit masks. Written `x = c ? a : x`, a select becomes a
/// conditional store, which does not vectorise well; this does.
inline float pick(bool c, float a, float b) {
  const uint32_t m = c ? ~0u : 0u, r = (bitsOf(a) & m) | (bitsOf(b) & ~m);
  float f;
  std::memcpy(&f, &r, sizeof f);
  return f;
}

/// f (numerics::tanhLanes or sigmoidLanes) over the lanes: computed up to the
/// first lane of the trailing run of equal lanes (equal bits), its result
/// copied to the rest; a vector's padding lanes hold one value, often most
/// of them, so the run is found 8 lanes at a time.
void mapPadded(float *x, size_t lanes, void (*f)(float *, size_t)) {
  if (lanes == 0)
    return;
  const uint32_t last = bitsOf(x[lanes - 1]);
  size_t run = lanes - 1; // x[run, lanes) all hold `last`
  for (; run >= 8; run -= 8) {
    uint32_t block[8], diff = 0;
    std::memcpy(block, x + run - 8, sizeof block);
    for (uint32_t b : block)
      diff |= b ^ last;
    if (diff != 0)
      break;
  }
  while (run > 0 && bitsOf(x[run - 1]) == last)
    --run;
  f(x, run + 1);
  std::fill(x + run + 1, x + lanes, x[run]);
}

} // namespace

namespace {

/// f(x[i], v[i]) -> x[i] over `lanes` lanes of `count` rows (row r at x + r
/// x stride; the same operand v for every row). x is the chain's vector, v
/// a VRF's: they never overlap (restrict spares a per-row overlap test).
template <class F>
__attribute__((always_inline)) inline void eachLane(float *__restrict x, size_t stride, size_t count,
                                                    const float *__restrict v, size_t lanes, F f) {
  for (size_t r = 0; r < count; ++r, x += stride)
    for (size_t i = 0; i < lanes; ++i)
      x[i] = f(x[i], v ? v[i] : 0.0f);
}

/// The element-wise ops (not the activations, not the rounding); any other
/// opcode changes nothing. Compiled twice: for the baseline and for AVX2 (wider
/// vectors, the same IEEE operations, so the same bits).
__attribute__((always_inline)) inline void elementwise(isa::Opcode op, float *x, size_t stride, size_t count,
                                                       const float *v, size_t lanes) {
  using isa::Opcode;
  switch (op) {
  case Opcode::VvAdd:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return a + b; });
    break;
  case Opcode::VvASubB:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return a - b; });
    break;
  case Opcode::VvBSubA:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return b - a; });
    break;
  // NaN propagates through max, min and relu as in ONNX (docs/execution-model.md).
  case Opcode::VvMax:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return a != a || b != b ? a + b : std::fmax(a, b); });
    break;
  case Opcode::VvMin:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return a != a || b != b ? a + b : std::fmin(a, b); });
    break;
  case Opcode::VvMul:
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return a * b; });
    break;
  case Opcode::VvPrelu: // NaN and -0 are not below 0: they pass unchanged
    eachLane(x, stride, count, v, lanes, [](float a, float b) { return pick(a < 0.0f, a * b, a); });
    break;
  case Opcode::VRelu:
    eachLane(x, stride, count, nullptr, lanes, [](float a, float) { return pick(a > 0.0f || a != a, a, 0.0f); });
    break;
  case Opcode::VHswish: // the decomposition's operations: vv_mul, vv_add, v_relu, vv_min, vv_mul
    eachLane(x, stride, count, nullptr, lanes, [](float a, float) {
      const float t = a * (1.0f / 6.0f) + 0.5f;            // two roundings: no contraction (-ffp-contract=off)
      return a * std::fmin(pick(t > 0.0f, t, 0.0f), 1.0f); // NaN only from a NaN x: then a * gate is NaN
    });
    break;
  default:
    break;
  }
}

void elementwiseBaseline(isa::Opcode op, float *x, size_t stride, size_t count, const float *v, size_t lanes) {
  elementwise(op, x, stride, count, v, lanes);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2"))) void elementwiseAvx2(isa::Opcode op, float *x, size_t stride, size_t count,
                                                     const float *v, size_t lanes) {
  elementwise(op, x, stride, count, v, lanes);
}
#endif

void elementwiseBest(isa::Opcode op, float *x, size_t stride, size_t count, const float *v, size_t lanes) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    elementwiseAvx2(op, x, stride, count, v, lanes);
    return;
  }
#endif
  elementwiseBaseline(op, x, stride, count, v, lanes);
}

} // namespace

void applyPointwiseRows(isa::Opcode op, float *x, size_t stride, size_t count, const float *v, size_t lanes,
                        const numerics::NumberFormat &mfuFormat, numerics::Rounding rounding) {
  using isa::Opcode;
  switch (op) {
  case Opcode::VSigm:
    for (size_t r = 0; r < count; ++r)
      mapPadded(x + r * stride, lanes, numerics::sigmoidLanes);
    break;
  case Opcode::VTanh:
    for (size_t r = 0; r < count; ++r)
      mapPadded(x + r * stride, lanes, numerics::tanhLanes);
    break;
  case Opcode::VSilu: {
    thread_local std::vector<float> gate;
    gate.resize(lanes);
    for (size_t r = 0; r < count; ++r) {
      float *row = x + r * stride;
      std::copy(row, row + lanes, gate.begin());
      mapPadded(gate.data(), lanes, numerics::sigmoidLanes);
      for (size_t i = 0; i < lanes; ++i)
        row[i] *= gate[i];
    }
    break;
  }
  default: // the element-wise ops; v_pass and non point-wise opcodes (never passed here) change nothing
    elementwiseBest(op, x, stride, count, v, lanes);
    break;
  }
  if (!mfuFormat.isFp32()) // fp32: nothing to round (roundTrip would only find that out, per op)
    for (size_t r = 0; r < count; ++r)
      numerics::roundTrip(x + r * stride, lanes, mfuFormat, rounding);
}

void applyPointwise(isa::Opcode op, float *x, const float *v, size_t lanes, const numerics::NumberFormat &mfuFormat,
                    numerics::Rounding rounding) {
  applyPointwiseRows(op, x, 0, 1, v, lanes, mfuFormat, rounding);
}

} // namespace softnpu::sim::detail
