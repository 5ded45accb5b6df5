//===- DramPermSessionTest.cpp - The runtime permutes inputs and outputs --===//
//
// An NPU segment whose input and output sit in DRAM permuted (TensorSig::
// dramPerm, format 2.2): a program that copies one DRAM vector to another
// shows the layout the simulator saw, and the session gives the output back
// in its ONNX layout.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/api/Session.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

/// x [1, 2, 8] at DRAM 0 stored as [1, 8, 2] (perm {0, 2, 1}); the program
/// copies those 16 elements to DRAM 16, where output `y` is declared with
/// `outShape` and `outPerm`.
artifact::Artifact copyArtifact(std::vector<int64_t> outShape, std::vector<int64_t> outPerm) {
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 32);
  a.inputs = {tensorSig("x", {1, 2, 8}, 0)};
  a.inputs[0].dramPerm = {0, 2, 1};
  a.outputs = {tensorSig("y", std::move(outShape), 16)};
  a.outputs[0].dramPerm = std::move(outPerm);
  Program p;
  p.vrd(isa::MemSpace::Dram, 0);
  p.vwr(isa::MemSpace::Dram, 16);
  p.end();
  setProgram(a, p.insts);
  return a;
}

std::vector<float> runY(const artifact::Artifact &a, const api::Tensor &x) {
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  EXPECT_TRUE(model) << err;
  if (!model)
    return {};
  auto session = api::Session::create(*model, err);
  EXPECT_TRUE(session) << err;
  std::map<std::string, api::Tensor> out;
  if (session)
    EXPECT_TRUE(session->run({{"x", x}}, out, err)) << err;
  return out.count("y") ? out["y"].data : std::vector<float>();
}

TEST(DramPermSession, InputsArePermutedIntoDramAndOutputsBack) {
  const api::Tensor x{{1, 2, 8}, randomVector(16, 11)};
  // An unpermuted [1, 8, 2] output shows the DRAM layout: y[0, w, c] = x[0, c, w].
  std::vector<float> y = runY(copyArtifact({1, 8, 2}, {}), x);
  ASSERT_EQ(y.size(), 16u);
  for (int c = 0; c < 2; ++c)
    for (int w = 0; w < 8; ++w)
      EXPECT_EQ(y[w * 2 + c], x.data[c * 8 + w]) << c << " " << w;
  // Declared [1, 2, 8] with the same permutation, it comes back as x.
  EXPECT_EQ(runY(copyArtifact({1, 2, 8}, {0, 2, 1}), x), x.data);
}

} // namespace
