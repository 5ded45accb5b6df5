//===- ActivationsExhaustiveTest.cpp - tanh / sigmoid over all 2^32 floats ===//
//
// numerics::tanhLanes / sigmoidLanes (AVX-512 or AVX2 where the CPU has it),
// the AVX2 loops, and the portable loops against what the simulator computed before them: the host
// libm's std::tanh and 1 / (1 + std::exp(-x)), for every float bit pattern.
// Runs where the host libm is the definition (x86-64 glibc 2.36: its sigmoid is the
// same with the FMA and the plain expf build), else skips. About a minute per
// function on 2 busy cores.
//
//===----------------------------------------------------------------------===//
#include "softnpu/numerics/Activations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <gnu/libc-version.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace softnpu::numerics {
namespace {

/// glibc 2.36 on x86-64 (elsewhere its compiler may fuse tanhf's fp32 ops).
bool hostLibmIsDefinition() {
#if defined(__x86_64__)
  return std::string(gnu_get_libc_version()) == "2.36";
#else
  return false;
#endif
}

uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

/// Every float through ref (one value), lanes and portable (a chunk each);
/// returns the mismatch count and reports the first few.
template <typename Ref, typename Lanes> uint64_t mismatches(Ref ref, Lanes lanes, void (*portable)(float *, size_t)) {
  constexpr size_t kChunk = size_t{1} << 16;
  std::atomic<uint64_t> next{0}, bad{0};
  std::mutex reportMutex;
  auto worker = [&] {
    std::vector<float> in(kChunk), fast(kChunk), port(kChunk);
    for (uint64_t c; (c = next.fetch_add(1)) < (uint64_t{1} << 32) / kChunk;) {
      for (size_t i = 0; i < kChunk; ++i) {
        const uint32_t u = static_cast<uint32_t>(c * kChunk + i);
        std::memcpy(&in[i], &u, sizeof u);
      }
      fast = in;
      port = in;
      lanes(fast.data(), kChunk);
      portable(port.data(), kChunk);
      for (size_t i = 0; i < kChunk; ++i) {
        const uint32_t want = bitsOf(ref(in[i]));
        if (bitsOf(fast[i]) == want && bitsOf(port[i]) == want)
          continue;
        if (bad.fetch_add(1) < 10) {
          std::lock_guard<std::mutex> lock(reportMutex);
          ADD_FAILURE() << std::hex << "input 0x" << bitsOf(in[i]) << ": libm 0x" << want << ", lanes 0x"
                        << bitsOf(fast[i]) << ", portable 0x" << bitsOf(port[i]);
        }
      }
    }
  };
  std::vector<std::thread> threads;
  const unsigned n = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  for (unsigned t = 0; t < n; ++t)
    threads.emplace_back(worker);
  for (auto &t : threads)
    t.join();
  return bad.load();
}

TEST(ActivationsExhaustive, TanhIsHostTanhfForEveryFloat) {
  if (!hostLibmIsDefinition())
    GTEST_SKIP() << "host libm is not x86-64 glibc 2.36";
  EXPECT_EQ(mismatches([](float v) { return std::tanh(v); }, tanhLanes, detail::tanhLanesPortable), 0u);
}

TEST(ActivationsExhaustive, Avx2TanhAndSigmoidAreHostLibmsForEveryFloat) {
  // tanhLanes takes the AVX-512 loop where the CPU has it: the AVX2 one,
  // which CPUs without AVX-512 run, is checked here.
  if (!hostLibmIsDefinition())
    GTEST_SKIP() << "host libm is not x86-64 glibc 2.36";
  EXPECT_EQ(mismatches([](float v) { return std::tanh(v); }, detail::tanhLanesAvx2, detail::tanhLanesPortable), 0u);
  EXPECT_EQ(mismatches([](float v) { return 1.0f / (1.0f + std::exp(-v)); }, detail::sigmoidLanesAvx2,
                       detail::sigmoidLanesPortable),
            0u);
}

TEST(ActivationsExhaustive, SigmoidIsHostExpfSigmoidForEveryFloat) {
  if (!hostLibmIsDefinition())
    GTEST_SKIP() << "host libm is not x86-64 glibc 2.36";
  EXPECT_EQ(
      mismatches([](float v) { return 1.0f / (1.0f + std::exp(-v)); }, sigmoidLanes, detail::sigmoidLanesPortable), 0u);
}

} // namespace
} // namespace softnpu::numerics
