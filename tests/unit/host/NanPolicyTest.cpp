//===- NanPolicyTest.cpp - NaN propagates through the host kernels as in ONNX -===//
//
// ONNX's reference (numpy) propagates NaN through Relu, Clip, Max, Min and
// MaxPool: a NaN input gives NaN where it is read, numbers elsewhere. oneDNN's
// max pooling lets a number win over NaN, so MaxPool takes the plain loop when
// its input holds one (docs/execution-model.md, "NaN").
//
//===----------------------------------------------------------------------===//
#include "HostModels.h"

#include <cmath>
#include <limits>

using namespace softnpu::host;
using namespace softnpu::host::testing;

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(NanPolicy, ElementwiseOpsPropagateNaN) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[4] x, float[4] v) => (float[4] r, float[4] c, float[4] mx, float[4] mn) {
      lo = Constant<value = float {0.0}>()
      hi = Constant<value = float {6.0}>()
      r = Relu(x)
      c = Clip(x, lo, hi)
      mx = Max(x, v)
      mn = Min(x, v)
    })");
  std::map<std::string, HostValue> values = {{"x", floats({4}, {-1.0f, kNaN, 7.0f, 2.0f})},
                                             {"v", floats({4}, {0.5f, 1.0f, kNaN, 3.0f})}};
  ASSERT_EQ(run(g, values), "");
  const std::vector<double> r = elementsOf(tensorAt(values, "r")), c = elementsOf(tensorAt(values, "c"));
  const std::vector<double> mx = elementsOf(tensorAt(values, "mx")), mn = elementsOf(tensorAt(values, "mn"));
  EXPECT_EQ(r[0], 0.0);
  EXPECT_TRUE(std::isnan(r[1]));
  EXPECT_TRUE(std::isnan(c[1]));
  EXPECT_EQ(c[2], 6.0);
  for (const std::vector<double> *m : {&mx, &mn}) {
    EXPECT_TRUE(std::isnan((*m)[1])); // NaN in x
    EXPECT_TRUE(std::isnan((*m)[2])); // NaN in v
  }
  EXPECT_EQ(mx[3], 3.0);
  EXPECT_EQ(mn[0], -1.0);
}

TEST(NanPolicy, MaxPoolWindowWithANaNIsNaN) {
  HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
    g (float[1, 1, 4, 4] x) => (float[1, 1, 2, 2] y) {
      y = MaxPool<kernel_shape = [2, 2], strides = [2, 2]>(x)
    })");
  std::vector<float> x(16);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i);
  x[5] = kNaN; // row 1, column 1: the top-left window
  std::map<std::string, HostValue> values = {{"x", floats({1, 1, 4, 4}, x)}};
  ASSERT_EQ(run(g, values), "");
  const std::vector<double> y = elementsOf(tensorAt(values, "y"));
  ASSERT_EQ(y.size(), 4u);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 7.0);
  EXPECT_EQ(y[2], 13.0);
  EXPECT_EQ(y[3], 15.0);
}

} // namespace
