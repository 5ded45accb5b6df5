//===- SessionNodeTensorsTest.cpp - Session::run hands back node tensors --===//
//
// A hand-built two-chain artifact for the "tiny" target at fp32 (relu, then
// sigmoid) with a TensorRecord per node: Session::run must return each
// node's tensor, keyed by node name, with the record's shape and the values
// the definitions in docs/execution-model.md give.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/api/Session.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = 16;

artifact::Artifact twoNodeArtifact() {
  artifact::Artifact a = vectorInOutArtifact(64, 48);
  a.nodeNames = {"relu_node", "sigmoid_node"};
  auto inst = [&](Opcode o, MemSpace m, uint32_t addr, uint32_t node) {
    a.program.push_back({o, m, 0, addr, 0});
    a.instNode.push_back(node);
  };
  inst(Opcode::VRd, MemSpace::Dram, 0, 0);
  inst(Opcode::VRelu, MemSpace::None, 0, 0);
  inst(Opcode::VWr, MemSpace::Dram, 32, 0);
  inst(Opcode::EndChain, MemSpace::None, 0, 0);
  inst(Opcode::VRd, MemSpace::Dram, 32, 1);
  inst(Opcode::VSigm, MemSpace::None, 0, 1);
  inst(Opcode::VWr, MemSpace::Dram, 48, 1);
  inst(Opcode::EndChain, MemSpace::None, 0, 1);
  // The relu tensor viewed as [4,4], the sigmoid tensor as the output.
  a.tensors = {artifact::TensorRecord{0, 32, {4, 4}}, artifact::TensorRecord{1, 48, {1, 16}}};
  a.producer = "SessionNodeTensorsTest";
  return a;
}

} // namespace

TEST(SessionNodeTensors, ReturnsEveryRecordByNodeName) {
  std::string err;
  auto model = api::Model::fromArtifact(twoNodeArtifact(), err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  api::Tensor x{{1, 16}, randomVector(16, 3, 3.0f)};
  std::map<std::string, api::Tensor> outs, nodes;
  nodes["stale"] = api::Tensor{{1}, {1.0f}};
  ASSERT_TRUE(session->run({{"x", x}}, outs, err, &nodes)) << err;
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_EQ(nodes.count("relu_node"), 1u);
  ASSERT_EQ(nodes.count("sigmoid_node"), 1u);
  const api::Tensor &relu = nodes["relu_node"], &sig = nodes["sigmoid_node"];
  EXPECT_EQ(relu.shape, (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(sig.shape, (std::vector<int64_t>{1, 16}));
  ASSERT_EQ(relu.data.size(), 16u);
  ASSERT_EQ(sig.data.size(), 16u);
  for (size_t i = 0; i < N; ++i) {
    const float r = x.data[i] > 0 ? x.data[i] : 0.0f;
    EXPECT_EQ(relu.data[i], r) << i;
    EXPECT_NEAR(sig.data[i], 1.0 / (1.0 + std::exp(-static_cast<double>(r))), 1e-6) << i;
    EXPECT_EQ(sig.data[i], outs["y"].data[i]) << i; // the last node's tensor is the output
  }
}

TEST(SessionNodeTensors, NodeTensorsAreOptionalAndFollowEachRun) {
  std::string err;
  auto model = api::Model::fromArtifact(twoNodeArtifact(), err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  std::map<std::string, api::Tensor> outs, nodes;
  api::Tensor x1{{1, 16}, randomVector(16, 4, 3.0f)}, x2{{1, 16}, randomVector(16, 5, 3.0f)};
  ASSERT_TRUE(session->run({{"x", x1}}, outs, err)) << err; // no node tensors requested
  ASSERT_TRUE(session->run({{"x", x2}}, outs, err, &nodes)) << err;
  for (size_t i = 0; i < N; ++i)
    EXPECT_EQ(nodes["relu_node"].data[i], x2.data[i] > 0 ? x2.data[i] : 0.0f) << i;
  // A failed run (bad input) reports the error and does not crash.
  EXPECT_FALSE(session->run({{"x", api::Tensor{{2, 8}, std::vector<float>(16)}}}, outs, err, &nodes));
  EXPECT_EQ(err, "input 'x' has shape [2,8], expected [1,16]");
}

TEST(SessionNodeTensors, RecordWithoutNodeIsKeyedByIndexAndRefusedByValidation) {
  artifact::Artifact a = twoNodeArtifact();
  a.tensors.push_back(artifact::TensorRecord{artifact::kNoNode, 0, {16}});
  EXPECT_EQ(api::tensorRecordName(a, 0), "relu_node");
  EXPECT_EQ(api::tensorRecordName(a, 2), "tensor#2");
  // A Model is always validated: such a record never reaches a Session.
  std::string err;
  EXPECT_FALSE(api::Model::fromArtifact(a, err));
  EXPECT_NE(err.find("tensor record 2 names node"), std::string::npos) << err;
}

TEST(SessionNodeTensors, NoRecordsGiveAnEmptyMap) {
  artifact::Artifact a = twoNodeArtifact();
  a.tensors.clear();
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  std::map<std::string, api::Tensor> outs, nodes{{"old", api::Tensor{}}};
  ASSERT_TRUE(session->run({{"x", api::Tensor{{1, 16}, randomVector(16, 7, 3.0f)}}}, outs, err, &nodes)) << err;
  EXPECT_TRUE(nodes.empty());
}
