//===- SegmentedSessionTest.cpp - Sessions over artifacts with host segments ==//
//
// A format-3 artifact built in code: a host segment (an ONNX model made with
// ONNX's protobuf classes) feeding an NPU segment (a relu program on the
// "tiny" target). Checks the values through both, runs of one session with
// new inputs, the file round trip, the data-flow validation, typed
// (non-float32) inputs and outputs, a host kernel's run-time error, and the
// host segments refused up front (a sequence at a boundary, a subgraph op
// without a kernel).
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/api/Session.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

/// An ONNX model of one node `op` from `in` (dtype `type`, shape dims) to
/// `out`, serialized.
std::string oneNodeModel(const std::string &op, const std::string &in, const std::string &out, int type,
                         const std::vector<int64_t> &dims, const std::string &extraInput = "") {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto &g = *m.mutable_graph();
  onnx::NodeProto &n = *g.add_node();
  n.set_op_type(op);
  n.set_name(op + "_node");
  n.add_input(in);
  if (!extraInput.empty())
    n.add_input(extraInput);
  n.add_output(out);
  auto declare = [&](onnx::ValueInfoProto &vi, const std::string &name) {
    vi.set_name(name);
    auto *tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    for (int64_t d : dims)
      tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  declare(*g.add_input(), in);
  declare(*g.add_output(), out);
  return m.SerializeAsString();
}

artifact::Segment hostSegment(std::string model, std::vector<std::string> in, std::vector<std::string> out) {
  artifact::Segment s;
  s.kind = artifact::Segment::Kind::Host;
  s.hostModel = std::move(model);
  s.hostInputs = std::move(in);
  s.hostOutputs = std::move(out);
  return s;
}

/// y = relu(-x): host Neg x -> "neg", then an NPU relu "neg" -> y.
artifact::Artifact negRelu() {
  artifact::Artifact npu = vectorInOutArtifact(64, 32);
  npu.inputs[0].name = "neg";
  Program p;
  p.vrd(isa::MemSpace::Dram, 0);
  p.op(isa::Opcode::VRelu);
  p.vwr(isa::MemSpace::Dram, 32);
  p.end();
  setProgram(npu, p.insts);

  artifact::Artifact a;
  a.target = npu.target;
  a.inputs = {{"x", artifact::DType::F32, {1, kTinyDim}, 0}};
  a.outputs = {{"y", artifact::DType::F32, {1, kTinyDim}, 0}};
  a.segments.push_back(
      hostSegment(oneNodeModel("Neg", "x", "neg", onnx::TensorProto::FLOAT, {1, kTinyDim}), {"x"}, {"neg"}));
  artifact::Segment s;
  s.kind = artifact::Segment::Kind::Npu;
  s.npu = std::make_shared<const artifact::Artifact>(npu);
  a.segments.push_back(s);
  return a;
}

std::map<std::string, api::Tensor> runOrFail(const artifact::Artifact &a,
                                             const std::map<std::string, api::Tensor> &in) {
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  EXPECT_TRUE(model) << err;
  if (!model)
    return {};
  auto session = api::Session::create(*model, err);
  EXPECT_TRUE(session) << err;
  std::map<std::string, api::Tensor> out;
  if (session)
    EXPECT_TRUE(session->run(in, out, err)) << err;
  return out;
}

} // namespace

TEST(SegmentedSession, HostThenNpu) {
  artifact::Artifact a = negRelu();
  std::string err;
  ASSERT_TRUE(artifact::validate(a, err)) << err;
  api::Tensor x{{1, kTinyDim}, randomVector(kTinyDim, 7)};
  auto out = runOrFail(a, {{"x", x}});
  ASSERT_EQ(out.count("y"), 1u);
  for (unsigned i = 0; i < kTinyDim; ++i)
    EXPECT_EQ(out["y"].data[i], -x.data[i] > 0 ? -x.data[i] : 0.0f) << i;

  // The profile splits NPU, network, host and transfer time: "neg" crosses
  // from the host to the NPU (one transfer); y, a graph output, leaves
  // through the network queues (one request). The host's Neg is on the host
  // cpu track, before the NPU's chains.
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  timing::Profile profile;
  std::map<std::string, api::Tensor> outs;
  ASSERT_TRUE(session->run({{"x", x}}, outs, err, nullptr, &profile)) << err;
  EXPECT_GT(profile.cycles, 0u);
  EXPECT_EQ(profile.transfers, 1u);
  EXPECT_GT(profile.transferUs, a.target.hostLinkLatencyUs - 1e-9);
  EXPECT_EQ(profile.networkPieces, 1u);
  EXPECT_GT(profile.hostUs, 0.0);
  ASSERT_EQ(profile.tracks.back(), "host cpu");
  const unsigned hostTrack = static_cast<unsigned>(profile.tracks.size() - 1);
  uint64_t hostEnd = 0, npuBegin = UINT64_MAX;
  for (const timing::Profile::Event &e : profile.events) {
    if (e.track == hostTrack) {
      EXPECT_EQ(profile.nodes[e.node].name, "Neg_node");
      hostEnd = std::max(hostEnd, e.end);
    } else {
      npuBegin = std::min(npuBegin, e.begin);
    }
  }
  EXPECT_GT(hostEnd, 0u);
  EXPECT_LE(hostEnd, npuBegin);
}

// A session keeps state between runs (the host nodes' output storage and
// kernel state, the simulator's memories): each run must give what a new
// session gives for its inputs.
TEST(SegmentedSession, RunsAgainWithNewInputs) {
  artifact::Artifact a = negRelu();
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  for (uint32_t seed : {3u, 4u, 5u, 3u}) {
    api::Tensor x{{1, kTinyDim}, randomVector(kTinyDim, seed)};
    std::map<std::string, api::Tensor> out;
    ASSERT_TRUE(session->run({{"x", x}}, out, err)) << err;
    auto fresh = runOrFail(a, {{"x", x}});
    ASSERT_EQ(out["y"].data.size(), kTinyDim);
    EXPECT_EQ(std::memcmp(out["y"].data.data(), fresh["y"].data.data(), kTinyDim * sizeof(float)), 0) << seed;
    for (unsigned i = 0; i < kTinyDim; ++i)
      EXPECT_EQ(out["y"].data[i], -x.data[i] > 0 ? -x.data[i] : 0.0f) << seed << " " << i;
  }
}

TEST(SegmentedSession, FileRoundTripIsFormat3) {
  artifact::Artifact a = negRelu();
  std::vector<uint8_t> bytes = artifact::serialize(a);
  EXPECT_EQ(bytes[8] | (bytes[9] << 8), 3); // major version
  std::string err;
  std::optional<artifact::Artifact> back = artifact::deserialize(bytes, err);
  ASSERT_TRUE(back) << err;
  ASSERT_EQ(back->segments.size(), 2u);
  EXPECT_EQ(back->segments[0].hostModel, a.segments[0].hostModel);
  EXPECT_EQ(back->segments[1].npu->program.size(), a.segments[1].npu->program.size());
  api::Tensor x{{1, kTinyDim}, randomVector(kTinyDim, 8)};
  auto first = runOrFail(a, {{"x", x}}), second = runOrFail(*back, {{"x", x}});
  EXPECT_EQ(first["y"].data, second["y"].data);
}

TEST(SegmentedSession, DataFlowIsValidated) {
  std::string err;
  artifact::Artifact a = negRelu();
  std::swap(a.segments[0], a.segments[1]); // the NPU segment now reads "neg" before it exists
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_NE(err.find("reads 'neg', which no graph input or earlier segment provides"), std::string::npos) << err;

  a = negRelu();
  a.outputs[0].name = "z";
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_NE(err.find("output 'z' is written by no segment"), std::string::npos) << err;

  a = negRelu();
  a.segments[0].hostOutputs = {"x"}; // written twice (it is an input)
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_NE(err.find("writes 'x', which is empty or already written"), std::string::npos) << err;
}

TEST(SegmentedSession, TypedInputsAndOutputs) {
  artifact::Artifact a;
  a.target = tinyTarget(true);
  a.inputs = {{"i", artifact::DType::I64, {4}, 0}};
  a.outputs = {{"o", artifact::DType::I64, {4}, 0}};
  a.segments.push_back(hostSegment(oneNodeModel("Neg", "i", "o", onnx::TensorProto::INT64, {4}), {"i"}, {"o"}));
  api::Tensor i;
  i.dtype = artifact::DType::I64;
  i.shape = {4};
  const int64_t values[4] = {1, -2, 3, -4};
  i.bytes.resize(sizeof values);
  std::memcpy(i.bytes.data(), values, sizeof values);
  auto out = runOrFail(a, {{"i", i}});
  ASSERT_EQ(out["o"].dtype, artifact::DType::I64);
  ASSERT_EQ(out["o"].bytes.size(), sizeof values);
  int64_t got[4];
  std::memcpy(got, out["o"].bytes.data(), sizeof got);
  for (int k = 0; k < 4; ++k)
    EXPECT_EQ(got[k], -values[k]);

  // A float32 tensor for an int64 input is refused, naming both types.
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  std::map<std::string, api::Tensor> outs;
  EXPECT_FALSE(session->run({{"i", api::Tensor{{4}, {1, 2, 3, 4}}}}, outs, err));
  EXPECT_EQ(err, "input 'i' is float32, expected int64");
}

TEST(SegmentedSession, HostKernelErrorNamesTheNode) {
  // Gather with an index out of range: one line naming the node.
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  onnx::GraphProto &g = *m.mutable_graph();
  onnx::NodeProto &n = *g.add_node();
  n.set_op_type("Gather");
  n.set_name("pick");
  n.add_input("data");
  n.add_input("idx");
  n.add_output("y");
  onnx::TensorProto &idx = *g.add_initializer();
  idx.set_name("idx");
  idx.set_data_type(onnx::TensorProto::INT64);
  idx.add_dims(1);
  idx.add_int64_data(9);
  artifact::Artifact a;
  a.target = tinyTarget(true);
  a.inputs = {{"data", artifact::DType::F32, {3}, 0}};
  a.outputs = {{"y", artifact::DType::F32, {1}, 0}};
  a.segments.push_back(hostSegment(m.SerializeAsString(), {"data"}, {"y"}));
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  std::map<std::string, api::Tensor> outs;
  EXPECT_FALSE(session->run({{"data", api::Tensor{{3}, {1, 2, 3}}}}, outs, err));
  EXPECT_EQ(err, "node 'pick' (Gather): index 9 is out of range [-3, 3) on axis 0");
}

TEST(SegmentedSession, HostSegmentBoundariesAreTensors) {
  // A host segment declaring its output a sequence could not hand it on to
  // the next segment: the session refuses it up front, in one line.
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(oneNodeModel("SplitToSequence", "x", "s", onnx::TensorProto::FLOAT, {1, kTinyDim})));
  onnx::TypeProto seq;
  *seq.mutable_sequence_type()->mutable_elem_type() = m.graph().output(0).type();
  *m.mutable_graph()->mutable_output(0)->mutable_type() = seq;
  artifact::Artifact a;
  a.target = tinyTarget(true);
  a.inputs = {{"x", artifact::DType::F32, {1, kTinyDim}, 0}};
  a.outputs = {{"s", artifact::DType::F32, {1, kTinyDim}, 0}};
  a.segments.push_back(hostSegment(m.SerializeAsString(), {"x"}, {"s"}));
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  EXPECT_FALSE(api::Session::create(*model, err));
  EXPECT_EQ(err, "segment 0 (host): output 's' is seq(tensor(float32)); values between segments must be tensors");
}

TEST(SegmentedSession, KernelsOfSubgraphsAreCheckedUpFront) {
  // A Loop whose body has an op the host lacks is refused when the session
  // is made, like a node of the segment itself.
  onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(oneNodeModel("Loop", "m", "y", onnx::TensorProto::INT64, {})));
  onnx::AttributeProto &body = *m.mutable_graph()->mutable_node(0)->add_attribute();
  body.set_name("body");
  body.set_type(onnx::AttributeProto::GRAPH);
  onnx::NodeProto &coin = *body.mutable_g()->add_node();
  coin.set_op_type("Bernoulli");
  coin.set_name("coin");
  artifact::Artifact a;
  a.target = tinyTarget(true);
  a.inputs = {{"m", artifact::DType::I64, {}, 0}};
  a.outputs = {{"y", artifact::DType::I64, {}, 0}};
  a.segments.push_back(hostSegment(m.SerializeAsString(), {"m"}, {"y"}));
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  ASSERT_TRUE(model) << err;
  EXPECT_FALSE(api::Session::create(*model, err));
  EXPECT_EQ(err, "segment 0 (host): node 'coin' (Bernoulli): this runtime has no host kernel for the op");
}
