//===- LayerReportTest.cpp - npu-run's layer report: pairing, order, JSON --===//
//
// Two hand-made artifacts whose tensor records differ (a node only in one, a
// node with another shape): the report pairs the rest by node name in
// program order, accumulates errors over runs like one long run, and writes
// JSON with "inf" for an exact node.
//
//===----------------------------------------------------------------------===//
#include "LayerReport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace softnpu;
using namespace softnpu::tools;

namespace {

/// An artifact whose program has one instruction per node name, in the
/// given order, and one tensor record per (name, shape).
artifact::Artifact withRecords(const std::vector<std::string> &programOrder,
                               const std::vector<std::pair<std::string, std::vector<int64_t>>> &records) {
  artifact::Artifact a;
  a.nodeNames = programOrder;
  for (uint32_t i = 0; i < programOrder.size(); ++i) {
    a.program.push_back({isa::Opcode::EndChain, isa::MemSpace::None, 0, 0, 0});
    a.instNode.push_back(i);
  }
  for (const auto &[name, shape] : records) {
    uint32_t node = artifact::kNoNode;
    for (uint32_t i = 0; i < programOrder.size(); ++i)
      if (programOrder[i] == name)
        node = i;
    a.tensors.push_back(artifact::TensorRecord{node, 0, shape});
  }
  artifact::TensorSig out;
  out.name = "y";
  out.shape = {2};
  a.outputs = {out};
  return a;
}

api::Tensor t(std::vector<int64_t> shape, std::vector<float> data) {
  return api::Tensor{std::move(shape), std::move(data)};
}

} // namespace

TEST(LayerReport, PairsByNameInProgramOrderAndAccumulates) {
  // Program order B, A, E, C in the model; records listed in another order.
  artifact::Artifact model = withRecords({"B", "A", "E", "C"}, {{"A", {2}}, {"C", {1}}, {"B", {3}}, {"E", {2}}});
  artifact::Artifact ref = withRecords({"A", "B", "D", "E"}, {{"A", {2}}, {"B", {3}}, {"D", {1}}, {"E", {4}}});
  LayerReport report(model, ref);
  ASSERT_EQ(report.nodes().size(), 2u);
  EXPECT_EQ(report.nodes()[0].name, "B");
  EXPECT_EQ(report.nodes()[1].name, "A");

  // Run 1: A exact, B off by 1 in one element. Run 2: A off by 0.5.
  report.add({{"A", t({2}, {1, 2})}, {"B", t({3}, {3, 0, 1})}, {"C", t({1}, {9})}, {"E", t({2}, {1, 1})}},
             {{"y", t({2}, {1, 1})}},
             {{"A", t({2}, {1, 2})}, {"B", t({3}, {2, 0, 1})}, {"D", t({1}, {0})}, {"E", t({4}, {1, 1, 1, 1})}},
             {{"y", t({2}, {1, 1})}});
  report.add({{"A", t({2}, {1.5f, 2})}, {"B", t({3}, {2, 0, 1})}}, {{"y", t({2}, {1, 1})}},
             {{"A", t({2}, {1, 2})}, {"B", t({3}, {2, 0, 1})}}, {{"y", t({2}, {1, 1})}});
  const LayerReport::Row &b = report.nodes()[0], &a = report.nodes()[1];
  // B: signal 2 * (4 + 1) = 10, noise 1 -> 10 dB.
  EXPECT_NEAR(b.stats.snrDb(), 10.0, 1e-12);
  EXPECT_DOUBLE_EQ(b.stats.maxAbs, 1.0);
  // A: signal 2 * 5 = 10, noise 0.25 -> 10 log10(40).
  EXPECT_NEAR(a.stats.snrDb(), 10.0 * std::log10(40.0), 1e-12);
  ASSERT_EQ(report.outputs().size(), 1u);
  EXPECT_EQ(report.outputs()[0].stats.snrDb(), INFINITY);

  const std::string path =
      (std::filesystem::temp_directory_path() / ("softnpu_layer_report_" + std::to_string(::getpid()) + ".json"))
          .string();
  std::string err;
  ASSERT_TRUE(report.writeJson(path, "m.npu", "r.npu", err)) << err;
  std::ifstream f(path);
  nlohmann::json j = nlohmann::json::parse(f, nullptr, false);
  std::remove(path.c_str());
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["model"], "m.npu");
  EXPECT_EQ(j["reference"], "r.npu");
  EXPECT_EQ(j["runs"], 2);
  ASSERT_EQ(j["nodes"].size(), 2u);
  EXPECT_EQ(j["nodes"][0]["node"], "B");
  EXPECT_EQ(j["nodes"][0]["shape"], (std::vector<int64_t>{3}));
  EXPECT_NEAR(j["nodes"][0]["snr_db"].get<double>(), 10.0, 1e-12);
  EXPECT_EQ(j["outputs"][0]["output"], "y");
  EXPECT_EQ(j["outputs"][0]["snr_db"], "inf");
  EXPECT_EQ(j["missing_in_model"], (std::vector<std::string>{"D"}));
  EXPECT_EQ(j["missing_in_reference"], (std::vector<std::string>{"C"}));
  EXPECT_EQ(j["shape_mismatch"], (std::vector<std::string>{"E"}));

  EXPECT_FALSE(report.writeJson("/nonexistent-dir/x.json", "m", "r", err));
  EXPECT_NE(err.find("/nonexistent-dir/x.json"), std::string::npos);
}

TEST(LayerReport, MissingTensorInARunIsNeverAnExactMatch) {
  artifact::Artifact model = withRecords({"A"}, {{"A", {2}}});
  LayerReport report(model, model);
  report.add({}, {{"y", t({2}, {1, 1})}}, {{"A", t({2}, {1, 2})}}, {{"y", t({2}, {1, 1})}});
  EXPECT_EQ(report.nodes()[0].stats.snrDb(), -INFINITY);
}
