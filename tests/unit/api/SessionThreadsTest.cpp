//===- SessionThreadsTest.cpp - One Session run from several threads -------===//
//
// Session::run may be called from several threads at once (Session.h): each
// concurrent run has simulator state of its own. Four threads run one
// session on different inputs, over and over; every output must be bit-equal
// to what a single-threaded run gives for the same input. Under TSan
// (scripts/test.sh --sanitize=thread) this is also the data-race check.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/api/Session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace softnpu;
using namespace softnpu::testing;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

namespace {

constexpr unsigned N = kTinyDim;
constexpr size_t kRows = 2 * N, kCols = 3 * N;

/// y = relu(W x) with W (32 x 48) pinned in the MRF in msfp15: x [1, 48] at
/// DRAM 0, y [1, 32] at DRAM 100.
artifact::Artifact matVecRelu() {
  artifact::Artifact a = emptyArtifact(tinyTarget(), 200);
  addMatrix(a, 5, randomVector(kRows * kCols, 41), kRows, kCols);
  a.inputs = {tensorSig("x", {1, static_cast<int64_t>(kCols)}, 0)};
  a.outputs = {tensorSig("y", {1, static_cast<int64_t>(kRows)}, 100)};
  Program p;
  p.swr(SReg::Cols, 3);
  p.load(0, MemSpace::Ivrf, 7);
  p.swr(SReg::Rows, 2);
  p.vrd(MemSpace::Ivrf, 7);
  p.op(Opcode::MvMul, 5);
  p.op(Opcode::VRelu);
  p.vwr(MemSpace::Dram, 100);
  p.end();
  setProgram(a, p.insts);
  return a;
}

TEST(SessionThreads, ConcurrentRunsMatchASingleThreadedRun) {
  std::string err;
  std::unique_ptr<api::Model> model = api::Model::fromArtifact(matVecRelu(), err);
  ASSERT_TRUE(model) << err;
  std::unique_ptr<api::Session> session = api::Session::create(*model, err);
  ASSERT_TRUE(session) << err;

  constexpr int kInputs = 8, kThreads = 4, kRounds = 100;
  std::vector<api::Tensor> inputs, expected;
  for (int i = 0; i < kInputs; ++i) {
    inputs.push_back(api::Tensor{{1, static_cast<int64_t>(kCols)}, randomVector(kCols, 100 + i, 4.0f)});
    std::map<std::string, api::Tensor> out;
    ASSERT_TRUE(session->run({{"x", inputs.back()}}, out, err)) << err;
    expected.push_back(out.at("y"));
  }
  // The inputs differ enough that a run seeing another's state would show.
  ASSERT_NE(expected[0].data, expected[1].data);

  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const int i = (t + r) % kInputs;
        std::map<std::string, api::Tensor> out;
        std::string e;
        if (!session->run({{"x", inputs[i]}}, out, e))
          ++failures;
        else if (out.at("y").data != expected[i].data)
          ++mismatches;
      }
    });
  for (std::thread &th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

// A thread takes the worker it used last (a hint keyed by the session), so
// threads that switch between sessions, and sessions that come and go, must
// never share or reuse a worker wrongly: every output still matches.
TEST(SessionThreads, ThreadsSwitchingBetweenSessionsKeepTheirResults) {
  std::string err;
  std::unique_ptr<api::Model> model = api::Model::fromArtifact(matVecRelu(), err);
  ASSERT_TRUE(model) << err;
  std::unique_ptr<api::Session> a = api::Session::create(*model, err), b = api::Session::create(*model, err);
  ASSERT_TRUE(a && b) << err;
  ASSERT_TRUE(a->prepareWorkers(4, err)) << err;

  constexpr int kInputs = 8, kThreads = 4, kRounds = 60;
  std::vector<api::Tensor> inputs;
  std::vector<std::vector<float>> expected;
  for (int i = 0; i < kInputs; ++i) {
    inputs.push_back(api::Tensor{{1, static_cast<int64_t>(kCols)}, randomVector(kCols, 300 + i, 4.0f)});
    std::map<std::string, api::Tensor> out;
    ASSERT_TRUE(a->run({{"x", inputs.back()}}, out, err)) << err;
    expected.push_back(out.at("y").data);
  }
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const int i = (t * 3 + r) % kInputs;
        std::map<std::string, api::Tensor> out;
        std::string e;
        // Alternate sessions, and now and then a short-lived third one.
        std::unique_ptr<api::Session> temp = r % 10 == 9 ? api::Session::create(*model, e) : nullptr;
        api::Session &s = temp ? *temp : (r % 2 ? *a : *b);
        if (!s.run({{"x", inputs[i]}}, out, e))
          ++failures;
        else if (out.at("y").data != expected[i])
          ++mismatches;
      }
    });
  for (std::thread &th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
}

} // namespace
