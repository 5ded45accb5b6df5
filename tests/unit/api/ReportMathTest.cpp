//===- ReportMathTest.cpp - npu-run's error statistics, argmax and labels --===//
//
// Hand-computed values: SNR = 10 log10(sum ref^2 / sum err^2), the special
// cases ErrorStats documents (exact, all-zero reference, NaN/Inf), argmax
// ties and NaN, and the label checks of the dataset accuracy mode.
//
//===----------------------------------------------------------------------===//
#include "ErrorStats.h"
#include "Top1.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace softnpu;
using namespace softnpu::tools;

TEST(ErrorStats, SnrMaxAbsMaxRelAndRms) {
  const float ref[] = {1.0f, 2.0f, -4.0f, 0.5f};
  const float got[] = {1.0f, 3.0f, -4.5f, 0.5f};
  ErrorStats s;
  s.add(got, ref, 4);
  // signal 1 + 4 + 16 + 0.25 = 21.25, noise 1 + 0.25 = 1.25
  EXPECT_NEAR(s.snrDb(), 10.0 * std::log10(21.25 / 1.25), 1e-12);
  EXPECT_DOUBLE_EQ(s.maxAbs, 1.0);
  EXPECT_DOUBLE_EQ(s.maxRel, 0.5);
  EXPECT_DOUBLE_EQ(s.refRms(), std::sqrt(21.25 / 4));
  EXPECT_EQ(dbText(s.snrDb()), "12.30");
}

TEST(ErrorStats, AccumulatesAcrossCallsLikeOneCall) {
  const float ref[] = {3.0f, -1.0f, 2.0f, 7.0f, 0.25f, -6.0f};
  const float got[] = {2.5f, -1.0f, 2.5f, 6.0f, 0.0f, -6.5f};
  ErrorStats whole, parts, merged, a, b;
  whole.add(got, ref, 6);
  parts.add(got, ref, 2);
  parts.add(got + 2, ref + 2, 4);
  a.add(got, ref, 3);
  b.add(got + 3, ref + 3, 3);
  merged.merge(a);
  merged.merge(b);
  for (const ErrorStats *s : {&parts, &merged}) {
    EXPECT_DOUBLE_EQ(s->snrDb(), whole.snrDb());
    EXPECT_DOUBLE_EQ(s->maxAbs, whole.maxAbs);
    EXPECT_DOUBLE_EQ(s->maxRel, whole.maxRel);
    EXPECT_EQ(s->elements, 6u);
  }
}

TEST(ErrorStats, SpecialCases) {
  const float ref[] = {1.0f, -2.0f};
  ErrorStats exact;
  exact.add(ref, ref, 2);
  EXPECT_EQ(exact.snrDb(), INFINITY);
  EXPECT_EQ(dbText(exact.snrDb()), "inf");

  const float zeros[] = {0.0f, 0.0f}, small[] = {0.0f, 1e-3f};
  ErrorStats zeroExact, zeroNoisy;
  zeroExact.add(zeros, zeros, 2);
  EXPECT_EQ(zeroExact.snrDb(), INFINITY);
  EXPECT_EQ(zeroExact.refRms(), 0.0);
  zeroNoisy.add(small, zeros, 2);
  EXPECT_EQ(zeroNoisy.snrDb(), -INFINITY);
  EXPECT_EQ(zeroNoisy.maxRel, INFINITY);
  EXPECT_EQ(dbText(zeroNoisy.snrDb()), "-inf");

  const float nanRef[] = {NAN, INFINITY, 2.0f}, nanSame[] = {NAN, INFINITY, 2.0f}, nanDiff[] = {1.0f, INFINITY, 2.0f};
  ErrorStats same, diff;
  same.add(nanSame, nanRef, 3);
  EXPECT_EQ(same.snrDb(), INFINITY);
  EXPECT_EQ(same.maxAbs, 0.0);
  EXPECT_DOUBLE_EQ(same.refRms(), 2.0); // only the finite pair counts
  diff.add(nanDiff, nanRef, 3);
  EXPECT_EQ(diff.snrDb(), -INFINITY);
  EXPECT_EQ(diff.maxAbs, INFINITY);
}

TEST(Top1, ArgmaxTakesFirstMaximumAndSkipsNan) {
  const float a[] = {0.5f, 2.0f, 2.0f, -1.0f};
  EXPECT_EQ(argmax(a, 4), 1u);
  const float b[] = {NAN, -3.0f, -2.0f};
  EXPECT_EQ(argmax(b, 3), 2u);
  const float c[] = {NAN, NAN};
  EXPECT_EQ(argmax(c, 2), 0u);
}

namespace {
artifact::Artifact classifier(std::vector<int64_t> outShape) {
  artifact::Artifact a;
  artifact::TensorSig out;
  out.name = "logits";
  out.shape = std::move(outShape);
  a.outputs = {out};
  return a;
}
} // namespace

TEST(Top1, CountsAccuracyAndAgreement) {
  artifact::Artifact a = classifier({2, 3}); // two rows of three classes per run
  api::Tensor labels{{4}, {2, 0, 1, 1}};
  std::string err;
  ASSERT_TRUE(Top1::check(a, 2, labels, err)) << err;
  Top1 t(a, labels.data);
  TensorMap run1{{"logits", api::Tensor{{2, 3}, {0, 1, 5, /**/ 9, 1, 1}}}};  // predicts 2, 0
  TensorMap ref1{{"logits", api::Tensor{{2, 3}, {0, 1, 5, /**/ 1, 9, 1}}}};  // predicts 2, 1
  TensorMap run2{{"logits", api::Tensor{{2, 3}, {0, 1, -5, /**/ 3, 2, 1}}}}; // predicts 1, 0
  TensorMap ref2{{"logits", api::Tensor{{2, 3}, {0, 1, -5, /**/ 0, 1, 0}}}}; // predicts 1, 1
  t.add(run1, &ref1);
  t.add(run2, &ref2);
  EXPECT_DOUBLE_EQ(t.accuracy(), 75.0); // 2,0,1 right; 0 != 1
  char buf[256] = {};
  std::FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  ASSERT_TRUE(f);
  t.print(f);
  std::fclose(f);
  EXPECT_STREQ(buf, "NPU top-1: 75.00% (3/4)\nfp32 top-1: 75.00% (3/4)\nagreement: 50.00% (2/4)\n");
}

TEST(Top1, RejectsBadLabels) {
  artifact::Artifact a = classifier({1, 10});
  std::string err;
  EXPECT_FALSE(Top1::check(a, 5, api::Tensor{{4}, {1, 2, 3, 4}}, err));
  EXPECT_NE(err.find("4 labels"), std::string::npos) << err;
  EXPECT_NE(err.find("5 predictions"), std::string::npos) << err;
  EXPECT_FALSE(Top1::check(a, 2, api::Tensor{{2}, {1.5f, 2}}, err));
  EXPECT_NE(err.find("label 0"), std::string::npos) << err;
  EXPECT_FALSE(Top1::check(a, 2, api::Tensor{{2}, {1, 10}}, err));
  EXPECT_NE(err.find("label 1"), std::string::npos) << err;
  EXPECT_FALSE(Top1::check(a, 1, api::Tensor{{1}, {-1}}, err));
  EXPECT_TRUE(Top1::check(a, 2, api::Tensor{{2, 1}, {0, 9}}, err)) << err;
}
