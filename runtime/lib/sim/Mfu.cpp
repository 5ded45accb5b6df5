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

#include <cmath>
#include <cstring>

namespace softnpu::sim::detail {

namespace {

/// x[i] = f(x[i]), calling f once per run of equal lanes (equal bits): the
/// padding lanes of a vector hold one value, and a libm call per lane is
/// most of a sigmoid's time.
template <typename F> void mapRepeated(float *x, size_t lanes, F f) {
  uint32_t lastBits = 0;
  float lastValue = 0.0f;
  for (size_t i = 0; i < lanes; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &x[i], sizeof bits);
    if (i == 0 || bits != lastBits) {
      lastBits = bits;
      lastValue = f(x[i]);
    }
    x[i] = lastValue;
  }
}

} // namespace

void applyPointwise(isa::Opcode op, float *x, const float *v, size_t lanes, const numerics::NumberFormat &mfuFormat,
                    numerics::Rounding rounding) {
  using isa::Opcode;
  switch (op) {
  case Opcode::VvAdd:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = x[i] + v[i];
    break;
  case Opcode::VvASubB:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = x[i] - v[i];
    break;
  case Opcode::VvBSubA:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = v[i] - x[i];
    break;
  case Opcode::VvMax:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = std::fmax(x[i], v[i]);
    break;
  case Opcode::VvMul:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = x[i] * v[i];
    break;
  case Opcode::VRelu:
    for (size_t i = 0; i < lanes; ++i)
      x[i] = x[i] > 0.0f ? x[i] : 0.0f;
    break;
  case Opcode::VSigm:
    mapRepeated(x, lanes, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    break;
  case Opcode::VTanh:
    mapRepeated(x, lanes, [](float v) { return std::tanh(v); });
    break;
  default: // v_pass, and non point-wise opcodes (never passed here)
    break;
  }
  if (!mfuFormat.isFp32()) // fp32: nothing to round (roundTrip would only find that out, per op)
    numerics::roundTrip(x, lanes, mfuFormat, rounding);
}

} // namespace softnpu::sim::detail
