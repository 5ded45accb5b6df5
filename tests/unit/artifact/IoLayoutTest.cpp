//===- IoLayoutTest.cpp - Inputs and outputs stored permuted (format 2.2) -===//
//
// A TensorSig with dramPerm sits in DRAM with its axes reordered; the
// IO_LAYOUT section carries the permutations. permuteAxes is checked against
// index arithmetic written out here, the section round-trips through the
// file, and bad permutations are refused.
//
//===----------------------------------------------------------------------===//
#include "common/FileBytes.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace softnpu;
using namespace softnpu::artifact;
using namespace softnpu::testing;

namespace {

TEST(IoLayout, PermuteAxesMovesEachElementToItsPermutedIndex) {
  // NCHW [1, 3, 4, 5] -> NHWC: out[0, h, w, c] = in[0, c, h, w].
  const std::vector<int64_t> shape = {1, 3, 4, 5};
  const std::vector<float> in = randomVector(60, 3);
  std::vector<float> out(60), back(60);
  permuteAxes(in.data(), out.data(), shape, {0, 2, 3, 1}, /*inverse=*/false);
  for (int c = 0; c < 3; ++c)
    for (int h = 0; h < 4; ++h)
      for (int w = 0; w < 5; ++w)
        ASSERT_EQ(out[(h * 5 + w) * 3 + c], in[(c * 4 + h) * 5 + w]) << c << " " << h << " " << w;
  permuteAxes(out.data(), back.data(), shape, {0, 2, 3, 1}, /*inverse=*/true);
  EXPECT_EQ(back, in);
  // A rank-3 permutation that is not its own inverse: [2, 0, 1].
  const std::vector<int64_t> s3 = {2, 3, 4};
  const std::vector<float> x = randomVector(24, 4);
  std::vector<float> y(24), z(24);
  permuteAxes(x.data(), y.data(), s3, {2, 0, 1}, false); // y [4, 2, 3]: y[k, i, j] = x[i, j, k]
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        ASSERT_EQ(y[(k * 2 + i) * 3 + j], x[(i * 3 + j) * 4 + k]);
  permuteAxes(y.data(), z.data(), s3, {2, 0, 1}, true);
  EXPECT_EQ(z, x);
  permuteAxes(x.data(), z.data(), s3, {}, false); // no permutation: a copy
  EXPECT_EQ(z, x);
  // Rank 2 (a transpose) and rank 1 (the identity), both ways.
  std::vector<float> t(24), u(24);
  permuteAxes(x.data(), t.data(), {6, 4}, {1, 0}, false); // t [4, 6]: t[j, i] = x[i, j]
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 4; ++j)
      ASSERT_EQ(t[j * 6 + i], x[i * 4 + j]);
  permuteAxes(t.data(), u.data(), {6, 4}, {1, 0}, true);
  EXPECT_EQ(u, x);
  permuteAxes(x.data(), u.data(), {24}, {0}, true);
  EXPECT_EQ(u, x);
}

Artifact permutedArtifact() {
  Artifact a = emptyArtifact(tinyTarget(true), 64);
  a.inputs = {tensorSig("x", {1, 2, 8}, 0), tensorSig("u", {4}, 16)};
  a.outputs = {tensorSig("y", {1, 8, 2}, 32)};
  a.inputs[0].dramPerm = {0, 2, 1};
  a.outputs[0].dramPerm = {0, 2, 1};
  return a;
}

TEST(IoLayout, PermutationsRoundTripThroughTheFile) {
  const Artifact a = permutedArtifact();
  std::string err;
  ASSERT_TRUE(validate(a, err)) << err;
  const std::vector<uint8_t> bytes = serialize(a);
  EXPECT_EQ(getLE(bytes, 10, 2), 2u); // format 2.2
  std::optional<Artifact> b = deserialize(bytes, err);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(b->inputs[0].dramPerm, (std::vector<int64_t>{0, 2, 1}));
  EXPECT_TRUE(b->inputs[1].dramPerm.empty());
  EXPECT_EQ(b->outputs[0].dramPerm, (std::vector<int64_t>{0, 2, 1}));
  // Without a permutation there is no IO_LAYOUT section: a 2.1 reader's bytes.
  Artifact plain = a;
  plain.inputs[0].dramPerm.clear();
  plain.outputs[0].dramPerm.clear();
  EXPECT_LT(serialize(plain).size(), bytes.size());
}

TEST(IoLayout, BadPermutationsAreRefused) {
  std::string err;
  Artifact a = permutedArtifact();
  a.inputs[0].dramPerm = {0, 1, 1};
  EXPECT_FALSE(validate(a, err));
  EXPECT_NE(err.find("input 'x''s DRAM permutation is not a permutation of its 3 axes"), std::string::npos) << err;
  a.inputs[0].dramPerm = {0, 3, 1};
  EXPECT_FALSE(validate(a, err));
  // The file: a permutation whose rank is not the tensor's.
  a = permutedArtifact();
  a.outputs[0].dramPerm = {1, 0};
  EXPECT_FALSE(deserialize(serialize(a), err));
  EXPECT_NE(err.find("tensor 'y' has a permutation of 2 axes but rank 3"), std::string::npos) << err;
}

} // namespace
