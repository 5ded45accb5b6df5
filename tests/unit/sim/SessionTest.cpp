//===- SessionTest.cpp - api::Session over hand-built artifacts -----------===//
//
// The Session API runs an artifact built in code (a relu over 16 lanes on
// the "tiny" target) and checks inputs, outputs and error messages.
//
//===----------------------------------------------------------------------===//
#include "softnpu/api/Session.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <unistd.h>

using namespace softnpu;
using isa::Inst;
using isa::MemSpace;
using isa::Opcode;

namespace {

target::Target tinyFp32Target() {
  std::string err;
  std::optional<target::Target> t = target::Target::load("tiny", err);
  EXPECT_TRUE(t) << err;
  return t ? t->withPrecision(numerics::NumberFormat::fp32()) : target::Target{};
}

std::vector<float> randomVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

struct Program {
  std::vector<Inst> insts;
  void vrd(MemSpace m, uint32_t a) { insts.push_back({Opcode::VRd, m, 0, a, 0}); }
  void vwr(MemSpace m, uint32_t a) { insts.push_back({Opcode::VWr, m, 0, a, 0}); }
  void op(Opcode o) { insts.push_back({o, MemSpace::None, 0, 0, 0}); }
  void end() { op(Opcode::EndChain); }
};

} // namespace

namespace {
std::unique_ptr<api::Model> reluModel() {
  artifact::Artifact a;
  a.target = tinyFp32Target();
  a.formats = {{a.target.weightFormat, a.target.inputFormat}};
  a.dramElements = 64;
  artifact::TensorSig in, out;
  in.name = "x";
  in.shape = {1, 16};
  in.dramAddr = 0;
  out.name = "y";
  out.shape = {1, 16};
  out.dramAddr = 32;
  a.inputs = {in};
  a.outputs = {out};
  Program p;
  p.vrd(MemSpace::Dram, 0);
  p.op(Opcode::VRelu);
  p.vwr(MemSpace::Dram, 32);
  p.end();
  a.program = p.insts;
  a.instNode.assign(a.program.size(), artifact::kNoNode);
  a.producer = "SimulatorTest";
  return api::Model::fromArtifact(a);
}
} // namespace

TEST(SessionTest, RunsAndChecksInputs) {
  auto model = reluModel();
  std::string err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;

  api::Tensor x{{1, 16}, randomVector(16, 16)};
  std::map<std::string, api::Tensor> outs;
  ASSERT_TRUE(session->run({{"x", x}}, outs, err)) << err;
  ASSERT_EQ(outs.count("y"), 1u);
  EXPECT_EQ(outs["y"].shape, (std::vector<int64_t>{1, 16}));
  for (size_t i = 0; i < 16; ++i)
    EXPECT_EQ(outs["y"].data[i], x.data[i] > 0 ? x.data[i] : 0.0f);

  EXPECT_FALSE(session->run({}, outs, err));
  EXPECT_EQ(err, "missing input 'x' (expected shape [1,16])");

  EXPECT_FALSE(session->run({{"x", x}, {"z", x}}, outs, err));
  EXPECT_NE(err.find("unknown input 'z'"), std::string::npos) << err;

  api::Tensor bad{{2, 8}, std::vector<float>(16, 1.0f)};
  EXPECT_FALSE(session->run({{"x", bad}}, outs, err));
  EXPECT_EQ(err, "input 'x' has shape [2,8], expected [1,16]");

  api::Tensor shortData{{1, 16}, std::vector<float>(3, 1.0f)};
  EXPECT_FALSE(session->run({{"x", shortData}}, outs, err));
  EXPECT_NE(err.find("3 values"), std::string::npos) << err;
}

TEST(SessionTest, CreateReportsInvalidPrograms) {
  artifact::Artifact a = reluModel()->artifact();
  a.program.pop_back(); // drop end_chain
  a.instNode.pop_back();
  auto model = api::Model::fromArtifact(a);
  std::string err;
  EXPECT_FALSE(api::Session::create(*model, err));
  EXPECT_NE(err.find("end_chain"), std::string::npos) << err;
  EXPECT_FALSE(api::Model::load("/nonexistent/model.npu", err));
  EXPECT_FALSE(err.empty());
}

TEST(SessionTest, LoadsAWrittenArtifact) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("softnpu_sim_test_" + std::to_string(::getpid()) + ".npu")).string();
  std::string err;
  ASSERT_TRUE(artifact::writeFile(reluModel()->artifact(), path, err)) << err;
  auto model = api::Model::load(path, err);
  std::remove(path.c_str());
  ASSERT_TRUE(model) << err;
  auto session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;
  api::Tensor x{{1, 16}, randomVector(16, 17)};
  std::map<std::string, api::Tensor> outs;
  ASSERT_TRUE(session->run({{"x", x}}, outs, err)) << err;
  for (size_t i = 0; i < 16; ++i)
    EXPECT_EQ(outs["y"].data[i], x.data[i] > 0 ? x.data[i] : 0.0f);
}
