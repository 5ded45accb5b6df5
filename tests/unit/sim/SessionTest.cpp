//===- SessionTest.cpp - api::Session over hand-built artifacts -----------===//
//
// The Session API runs an artifact built in code (a relu over 16 lanes on
// the "tiny" target) and checks inputs, outputs and error messages.
//
//===----------------------------------------------------------------------===//
#include "softnpu/api/Session.h"
#include "common/TestArtifacts.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

using namespace softnpu;
using namespace softnpu::testing;

namespace {
std::unique_ptr<api::Model> reluModel() {
  artifact::Artifact a = vectorInOutArtifact(64, 32);
  Program p;
  p.vrd(MemSpace::Dram, 0);
  p.op(Opcode::VRelu);
  p.vwr(MemSpace::Dram, 32);
  p.end();
  setProgram(a, p.insts);
  a.producer = "SimulatorTest";
  std::string err;
  auto model = api::Model::fromArtifact(a, err);
  EXPECT_TRUE(model) << err;
  return model;
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
  std::string err;
  EXPECT_FALSE(api::Model::fromArtifact(a, err));
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
