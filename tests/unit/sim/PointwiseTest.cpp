//===- PointwiseTest.cpp - v_tanh / v_sigm over padded vectors ------------===//
//
// applyPointwise computes an activation once for a vector's trailing run of
// equal lanes (its padding) and copies the result: every lane must still be
// the activation of its own input, for every run length and position.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include "softnpu/numerics/Activations.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace softnpu::sim::detail {
namespace {

uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

TEST(Pointwise, ActivationOfEveryLaneWhateverThePadding) {
  for (isa::Opcode op : {isa::Opcode::VTanh, isa::Opcode::VSigm})
    for (size_t lanes = 0; lanes <= 40; ++lanes)
      for (size_t valid = 0; valid <= lanes; ++valid) {
        std::vector<float> x(lanes, 0.0f);
        for (size_t i = 0; i < valid; ++i)
          x[i] = 0.3f * static_cast<float>(i % 7) - 0.9f; // repeats inside the valid part too
        const std::vector<float> in = x;
        applyPointwise(op, x.data(), nullptr, lanes, numerics::NumberFormat::fp32(), numerics::Rounding::NearestEven);
        for (size_t i = 0; i < lanes; ++i) {
          const float want = op == isa::Opcode::VTanh ? numerics::tanhScalar(in[i]) : numerics::sigmoidScalar(in[i]);
          ASSERT_EQ(bitsOf(x[i]), bitsOf(want)) << "lanes " << lanes << " valid " << valid << " lane " << i;
        }
      }
}

} // namespace
} // namespace softnpu::sim::detail
