//===- PointwiseTest.cpp - MFU point-wise ops: v_tanh / v_sigm, vv_prelu, vv_min -===//
//
// applyPointwise computes an activation once for a vector's trailing run of
// equal lanes (its padding) and copies the result: every lane must still be
// the activation of its own input, for every run length and position.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"

#include "softnpu/numerics/Activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
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

namespace softnpu::sim::detail {

TEST(Pointwise, PreluScalesOnlyTheLanesBelowZero) {
  // vv_prelu: x < 0 ? x * v : x, lane by lane; NaN, -0 and +0 are not below 0.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {-2.0f, 3.0f, -0.0f, 0.0f, nan, -inf, inf, -1e-45f};
  const std::vector<float> v = {0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 0.1f, 0.1f, 0.5f};
  applyPointwise(isa::Opcode::VvPrelu, x.data(), v.data(), x.size(), numerics::NumberFormat::fp32(),
                 numerics::Rounding::NearestEven);
  EXPECT_EQ(x[0], -0.5f);
  EXPECT_EQ(x[1], 3.0f);
  EXPECT_TRUE(x[2] == 0.0f && std::signbit(x[2])); // -0 passes unchanged
  EXPECT_TRUE(x[3] == 0.0f && !std::signbit(x[3]));
  EXPECT_TRUE(std::isnan(x[4]));
  EXPECT_EQ(x[5], -inf);
  EXPECT_EQ(x[6], inf);
  EXPECT_TRUE(x[7] == 0.0f && std::signbit(x[7])); // the smallest subnormal times 0.5 rounds to -0
}

} // namespace softnpu::sim::detail

namespace softnpu::sim::detail {

TEST(Pointwise, MinMaxAndReluPropagateNaN) {
  // NaN propagates as in ONNX (Max, Min, Clip, Relu and MaxPool give NaN for
  // a NaN input; docs/execution-model.md): vv_min / vv_max are fmin / fmax
  // on numbers and NaN when either side is NaN; v_relu keeps a NaN.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<float> in = {-2.0f, 7.5f, 6.0f, nan, -inf, inf, 1e-45f, 3.0f};
  const std::vector<float> v = {6.0f, 6.0f, 6.0f, 6.0f, 6.0f, 6.0f, 0.0f, nan};
  std::vector<float> lo = in, hi = in, relu = in;
  applyPointwise(isa::Opcode::VvMin, lo.data(), v.data(), lo.size(), numerics::NumberFormat::fp32(),
                 numerics::Rounding::NearestEven);
  applyPointwise(isa::Opcode::VvMax, hi.data(), v.data(), hi.size(), numerics::NumberFormat::fp32(),
                 numerics::Rounding::NearestEven);
  applyPointwise(isa::Opcode::VRelu, relu.data(), nullptr, relu.size(), numerics::NumberFormat::fp32(),
                 numerics::Rounding::NearestEven);
  const std::vector<float> wantLo = {-2.0f, 6.0f, 6.0f, nan, -inf, 6.0f, 0.0f, nan};
  const std::vector<float> wantHi = {6.0f, 7.5f, 6.0f, nan, 6.0f, inf, 1e-45f, nan};
  const std::vector<float> wantRelu = {0.0f, 7.5f, 6.0f, nan, 0.0f, inf, 1e-45f, 3.0f};
  auto same = [](float a, float b) { return (std::isnan(a) && std::isnan(b)) || bitsOf(a) == bitsOf(b); };
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_TRUE(same(lo[i], wantLo[i])) << "vv_min lane " << i << ": " << lo[i];
    EXPECT_TRUE(same(hi[i], wantHi[i])) << "vv_max lane " << i << ": " << hi[i];
    EXPECT_TRUE(same(relu[i], wantRelu[i])) << "v_relu lane " << i << ": " << relu[i];
  }
}

} // namespace softnpu::sim::detail

namespace softnpu::sim::detail {

TEST(Pointwise, SiluAndHardSwishAreTheirDecompositions) {
  // v_silu = v_sigm on a copy, then vv_mul by it; v_hswish = vv_mul 1/6,
  // vv_add 0.5, v_relu, vv_min 1, vv_mul by x: in an fp32 MFU the same bits,
  // lane by lane, for random lanes and the special values. In a bf16 MFU the
  // fused op rounds once, its result.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, -0.0f, nan, inf, -inf, 1e-45f, -3.0f, 3.0f, -2.9999998f, 88.0f, -88.0f, -104.0f};
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-12.0f, 12.0f);
  while (x.size() < 1000)
    x.push_back(dist(rng));
  const numerics::NumberFormat fp32 = numerics::NumberFormat::fp32();
  const numerics::Rounding ne = numerics::Rounding::NearestEven;
  auto splat = [&](float v) { return std::vector<float>(x.size(), v); };

  std::vector<float> silu = x, gate = x, twoOps = x;
  applyPointwise(isa::Opcode::VSilu, silu.data(), nullptr, silu.size(), fp32, ne);
  applyPointwise(isa::Opcode::VSigm, gate.data(), nullptr, gate.size(), fp32, ne);
  applyPointwise(isa::Opcode::VvMul, twoOps.data(), gate.data(), twoOps.size(), fp32, ne);

  std::vector<float> hswish = x, t = x, fiveOps = x;
  applyPointwise(isa::Opcode::VHswish, hswish.data(), nullptr, hswish.size(), fp32, ne);
  applyPointwise(isa::Opcode::VvMul, t.data(), splat(1.0f / 6.0f).data(), t.size(), fp32, ne);
  applyPointwise(isa::Opcode::VvAdd, t.data(), splat(0.5f).data(), t.size(), fp32, ne);
  applyPointwise(isa::Opcode::VRelu, t.data(), nullptr, t.size(), fp32, ne);
  applyPointwise(isa::Opcode::VvMin, t.data(), splat(1.0f).data(), t.size(), fp32, ne);
  applyPointwise(isa::Opcode::VvMul, fiveOps.data(), t.data(), fiveOps.size(), fp32, ne);
  // NaN's sign and payload are not part of the contract (which NaN operand
  // x86 passes on depends on operand order): a NaN matches any NaN.
  auto same = [](float p, float q) { return (std::isnan(p) && std::isnan(q)) || bitsOf(p) == bitsOf(q); };
  for (size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(same(silu[i], twoOps[i])) << "v_silu of " << x[i] << ": " << silu[i] << " vs " << twoOps[i];
    ASSERT_TRUE(same(hswish[i], fiveOps[i])) << "v_hswish of " << x[i] << ": " << hswish[i] << " vs " << fiveOps[i];
  }
  EXPECT_EQ(hswish[6], -0.0f); // -3: the gate is 0
  EXPECT_EQ(hswish[7], 3.0f);  // 3: the gate is 1

  const numerics::NumberFormat bf16 = numerics::NumberFormat::bf16();
  std::vector<float> narrow = x, rounded = silu;
  applyPointwise(isa::Opcode::VSilu, narrow.data(), nullptr, narrow.size(), bf16, ne);
  numerics::roundTrip(rounded.data(), rounded.size(), bf16, ne);
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(bitsOf(narrow[i]), bitsOf(rounded[i])) << "bf16 v_silu of " << x[i];
}

} // namespace softnpu::sim::detail
