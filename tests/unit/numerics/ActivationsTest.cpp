//===- ActivationsTest.cpp - tanh / sigmoid: fast lanes vs portable -------===//
//
// numerics::tanhLanes / sigmoidLanes (AVX2 where the CPU has it) against the
// portable scalar definitions on special values, every float of a few binades
// around the interesting ranges, random bit patterns and every tail length;
// and against the host libm where it is the definition (x86-64 glibc 2.36). The
// exhaustive check of all 2^32 inputs is ActivationsExhaustiveTest.cpp.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <gnu/libc-version.h>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace softnpu::numerics {
namespace {

uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
float floatOf(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

std::vector<float> samples() {
  std::vector<float> xs = {0.0f,
                           -0.0f,
                           1.0f,
                           -1.0f,
                           22.0f,
                           -22.0f,
                           88.0f,
                           -88.0f,
                           0x1p-55f,
                           -0x1p-55f,
                           0x1p-25f,
                           0x1.62e42ep6f,
                           -0x1.9fe368p6f,
                           -0x1.9d1d9ep6f,
                           0x1p-149f,
                           -0x1p-149f,
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::max(),
                           -std::numeric_limits<float>::max(),
                           floatOf(0x7fc00000u),
                           floatOf(0xffc00001u),
                           floatOf(0x7f800001u),
                           floatOf(0xff812345u)};
  // Every float with |x| in [0.25, 2) and in [16, 128): tanhf's and expf's branch points.
  for (uint32_t u = 0x3e800000u; u < 0x40000000u; u += 97)
    for (uint32_t s : {0u, 0x80000000u})
      xs.push_back(floatOf(u | s));
  for (uint32_t u = 0x41800000u; u < 0x43000000u; u += 89)
    for (uint32_t s : {0u, 0x80000000u})
      xs.push_back(floatOf(u | s));
  std::mt19937 rng(7);
  for (int i = 0; i < (1 << 18); ++i)
    xs.push_back(floatOf(static_cast<uint32_t>(rng())));
  return xs;
}

void expectSame(const std::vector<float> &want, const std::vector<float> &got, const std::vector<float> &in,
                const char *what) {
  size_t bad = 0;
  for (size_t i = 0; i < in.size(); ++i)
    if (bitsOf(want[i]) != bitsOf(got[i]) && ++bad <= 5)
      ADD_FAILURE() << what << std::hex << ": input 0x" << bitsOf(in[i]) << " want 0x" << bitsOf(want[i]) << " got 0x"
                    << bitsOf(got[i]);
  EXPECT_EQ(bad, 0u) << what;
}

TEST(Activations, LanesMatchPortableDefinition) {
  const std::vector<float> in = samples();
  std::vector<float> fast = in, port = in;
  tanhLanes(fast.data(), fast.size());
  detail::tanhLanesPortable(port.data(), port.size());
  expectSame(port, fast, in, "tanh");
  fast = in;
  port = in;
  sigmoidLanes(fast.data(), fast.size());
  detail::sigmoidLanesPortable(port.data(), port.size());
  expectSame(port, fast, in, "sigmoid");
}

TEST(Activations, EveryTailLengthIsComputedAndNothingBeyond) {
  for (size_t n = 0; n <= 19; ++n) {
    std::vector<float> x(n + 1);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = 0.37f * static_cast<float>(i) - 2.0f;
    const float guard = x[n];
    std::vector<float> t = x, s = x;
    tanhLanes(t.data(), n);
    sigmoidLanes(s.data(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(bitsOf(t[i]), bitsOf(tanhScalar(x[i])));
      EXPECT_EQ(bitsOf(s[i]), bitsOf(sigmoidScalar(x[i])));
    }
    EXPECT_EQ(bitsOf(t[n]), bitsOf(guard));
    EXPECT_EQ(bitsOf(s[n]), bitsOf(guard));
  }
}

TEST(Activations, MatchHostLibmOnSamples) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "host libm is not x86-64 glibc 2.36";
#endif
  if (std::string(gnu_get_libc_version()) != "2.36")
    GTEST_SKIP() << "host libm is not x86-64 glibc 2.36";
  const std::vector<float> in = samples();
  std::vector<float> want(in.size()), got(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    want[i] = std::tanh(in[i]);
    got[i] = tanhScalar(in[i]);
  }
  expectSame(want, got, in, "tanh vs tanhf");
#if defined(__x86_64__)
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    GTEST_SKIP() << "expf's FMA variant needs an AVX2 + FMA CPU";
#endif
  for (size_t i = 0; i < in.size(); ++i) {
    want[i] = std::exp(in[i]);
    got[i] = expScalar(in[i]);
  }
  expectSame(want, got, in, "exp vs expf");
}

// The only inputs where glibc 2.36's two x86-64 expf builds (FMA, plain)
// differ, found by an exhaustive comparison: the definition is the FMA one,
// and the sigmoids of their negations are the same under either.
TEST(Activations, ExpfBuildsDifferOnlyWhereSigmoidDoesNot) {
  EXPECT_EQ(bitsOf(expScalar(0x1.04845ep+5f)), bitsOf(0x1.f93e38p+46f));  // plain: 0x1.f93e36p+46
  EXPECT_EQ(bitsOf(expScalar(-0x1.f8cbb2p+5f)), bitsOf(0x1.f45326p-92f)); // plain: 0x1.f45324p-92
  EXPECT_EQ(bitsOf(sigmoidScalar(-0x1.04845ep+5f)), bitsOf(1.0f / (1.0f + 0x1.f93e36p+46f)));
  EXPECT_EQ(bitsOf(sigmoidScalar(0x1.f8cbb2p+5f)), bitsOf(1.0f / (1.0f + 0x1.f45324p-92f)));
}

} // namespace
} // namespace softnpu::numerics
