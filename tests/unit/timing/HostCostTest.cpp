//===- HostCostTest.cpp - The modelled MACs of an op on the host ----------===//
//
// opMacs by hand for each op it knows, and saturation: the shapes of a
// fuzzed model (fuzz_compile found 2,062,590,947,334 x 268,435,461) give
// UINT64_MAX, an op too expensive to place anywhere, never an overflow.
//
//===----------------------------------------------------------------------===//
#include "softnpu/timing/HostCost.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace softnpu::timing;

namespace {

TEST(HostCost, MacsByHand) {
  EXPECT_EQ(opMacs("Gemm", {{4, 8}, {8, 3}}, {{4, 3}}, false), 4u * 3 * 8);
  EXPECT_EQ(opMacs("Gemm", {{8, 4}, {8, 3}}, {{4, 3}}, true), 4u * 3 * 8);
  EXPECT_EQ(opMacs("MatMul", {{2, 4, 8}, {8, 5}}, {{2, 4, 5}}, false), 2u * 4 * 5 * 8);
  // Conv: output elements x (C/group x kernel).
  EXPECT_EQ(opMacs("Conv", {{1, 3, 6, 6}, {8, 3, 3, 3}}, {{1, 8, 6, 6}}, false), 288u * 27);
  // LSTM: T x B x (4H) x (I + H), W [1, 4H, I], R [1, 4H, H].
  EXPECT_EQ(opMacs("LSTM", {{5, 1, 10}, {1, 32, 10}, {1, 32, 8}}, {{5, 1, 1, 8}}, false), 5u * 1 * 1 * 32 * (10 + 8));
  EXPECT_EQ(opMacs("Relu", {{4}, {4}}, {{4}}, false), 0u);
  EXPECT_EQ(opMacs("Gemm", {{4, 8}}, {{4, 3}}, false), 0u); // one operand: unknown
}

TEST(HostCost, AbsurdShapesSaturate) {
  const int64_t big = int64_t{1} << 40;
  EXPECT_EQ(opMacs("Gemm", {{big, big}, {big, big}}, {{big, big}}, false), UINT64_MAX);
  EXPECT_EQ(opMacs("Conv", {{1, 1, big, big}, {big, 1, 3, 3}}, {{1, big, big, big}}, false), UINT64_MAX);
  EXPECT_EQ(opMacs("ConvTranspose", {{1, big, big, big}, {big, big, 3, 3}}, {{1, 1, 1, 1}}, false), UINT64_MAX);
  EXPECT_EQ(opMacs("LSTM", {{big, big, big}, {1, big, big}, {1, big, big}}, {{1}}, false), UINT64_MAX);
  // Dynamic (negative) dims count as 0.
  EXPECT_EQ(opMacs("MatMul", {{-1, 8}, {8, 5}}, {{-1, 5}}, false), 0u);
}

} // namespace
