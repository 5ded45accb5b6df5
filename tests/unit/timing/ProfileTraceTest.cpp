//===- ProfileTraceTest.cpp - Session profile, reports and npu-run trace --===//
//
// A hand-built artifact for the "tiny" target at fp32 with two ONNX nodes:
//   0 s_wr COLS 1                         node "load"
//   1 v_rd DRAM 0; v_wr IVRF 0; end       node "load"   (x into the IVRF)
//   4 v_rd IVRF 0; mv_mul 0; v_relu; v_wr DRAM 16; end   node "fc"
// Its schedule, by hand (docs/timing-model.md; tiny: 4 cycles per vector,
// DRAM 16 bytes/cycle, DRAM latency 20, MVU latency 22):
//   s_wr  issue [0,1)
//   load  issue [1,5), start 5, DRAM [5,9) (64 bytes), finish 5 + 25 + 4 = 34
//   fc    issue [5,9), waits for IVRF[0] until 34; MVU [35,39), MFU0 [57,61),
//         DRAM [60,64) (64 bytes written from write-back, 34 + 1 + 22 + 3),
//         finish 34 + (1 + 22 + 3 + 5) + 4 = 69
// The test checks the Session's profile, the JSON report, the Chrome trace
// and the same through the npu-run binary.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/api/Session.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"
#include "softnpu/timing/ProfileReport.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

constexpr unsigned N = 16;

artifact::Artifact fcArtifact() {
  artifact::Artifact a = vectorInOutArtifact(32, 16);
  a.nodeNames = {"load", "fc"};
  auto inst = [&](Opcode o, MemSpace m, uint32_t addr, uint16_t b, uint32_t node) {
    a.program.push_back({o, m, 0, addr, b});
    a.instNode.push_back(node);
  };
  inst(Opcode::SWr, MemSpace::None, 1, static_cast<uint16_t>(isa::SReg::Cols), 0);
  inst(Opcode::VRd, MemSpace::Dram, 0, 0, 0);
  inst(Opcode::VWr, MemSpace::Ivrf, 0, 0, 0);
  inst(Opcode::EndChain, MemSpace::None, 0, 0, 0);
  inst(Opcode::VRd, MemSpace::Ivrf, 0, 0, 1);
  inst(Opcode::MvMul, MemSpace::None, 0, 0, 1);
  inst(Opcode::VRelu, MemSpace::None, 0, 0, 1);
  inst(Opcode::VWr, MemSpace::Dram, 16, 0, 1);
  inst(Opcode::EndChain, MemSpace::None, 0, 0, 1);
  // The identity matrix, pinned at tile 0.
  std::vector<float> identity(N * N, 0.0f);
  for (unsigned i = 0; i < N; ++i)
    identity[i * N + i] = 1.0f;
  addMatrix(a, 0, identity, N, N).node = 1;
  a.producer = "ProfileTraceTest";
  return a;
}

std::map<std::string, api::Tensor> fcInputs() {
  api::Tensor x{{1, 16}, std::vector<float>(16)};
  for (unsigned i = 0; i < 16; ++i)
    x.data[i] = static_cast<float>(i) - 8.0f;
  return {{"x", x}};
}

const timing::NodeProfile *findNode(const timing::Profile &p, const std::string &name) {
  for (const timing::NodeProfile &n : p.nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

timing::Profile runProfile() {
  std::string err;
  std::unique_ptr<api::Model> model = api::Model::fromArtifact(fcArtifact(), err);
  EXPECT_TRUE(model) << err;
  std::unique_ptr<api::Session> session = api::Session::create(*model, err);
  EXPECT_TRUE(session) << err;
  timing::Profile p;
  if (!session)
    return p;
  std::map<std::string, api::Tensor> outs;
  EXPECT_TRUE(session->run(fcInputs(), outs, err, nullptr, &p)) << err;
  // The run is still functionally right: relu(I x).
  for (unsigned i = 0; i < 16; ++i)
    EXPECT_EQ(outs["y"].data[i], std::max(0.0f, static_cast<float>(i) - 8.0f));
  return p;
}

TEST(ProfileTraceTest, SimulatorDescribesEveryChainAndStandalone) {
  std::string err;
  auto sim = sim::Simulator::create(fcArtifact(), err);
  ASSERT_TRUE(sim) << err;
  std::vector<timing::Work> works;
  std::vector<size_t> begins;
  sim->setWorkObserver([&](const sim::WorkEvent &e) {
    works.push_back(*e.work);
    begins.push_back(e.begin);
  });
  sim->reset();
  ASSERT_TRUE(sim->run(err)) << err;
  ASSERT_EQ(works.size(), 3u);
  EXPECT_EQ(begins, (std::vector<size_t>{0, 1, 4}));
  EXPECT_EQ(works[0].kind, timing::WorkKind::ScalarWrite);
  const timing::Work &load = works[1];
  EXPECT_TRUE(load.sourceDram);
  EXPECT_EQ(load.dramRead, 16u);
  ASSERT_EQ(load.writes.size(), 1u);
  EXPECT_EQ(load.writes[0].mem, timing::Memory::Ivrf);
  EXPECT_EQ(load.writes[0].end, 1u);
  const timing::Work &fc = works[2];
  EXPECT_TRUE(fc.matVec);
  EXPECT_EQ(fc.mfuStages[0], 1u);
  EXPECT_EQ(fc.dramWritten, 16u);
  ASSERT_EQ(fc.reads.size(), 2u);
  EXPECT_EQ(fc.reads[1].mem, timing::Memory::Mrf);
  // Removing the observer stops the calls.
  sim->setWorkObserver(nullptr);
  sim->reset();
  ASSERT_TRUE(sim->run(err)) << err;
  EXPECT_EQ(works.size(), 3u);
}

TEST(ProfileTraceTest, SessionProfileMatchesTheHandSchedule) {
  const timing::Profile p = runProfile();
  EXPECT_EQ(p.cycles, 69u);
  EXPECT_EQ(p.macs, 256u);
  EXPECT_EQ(p.dramBytes, 128u);
  EXPECT_EQ(p.chains, 2u);
  EXPECT_EQ(p.scalarWrites, 1u);
  EXPECT_DOUBLE_EQ(p.latencyUs(), 0.69);
  // T x N x L = 2 x 16 x 4 = 128 MACs per cycle peak.
  EXPECT_EQ(p.peakMacsPerCycle, 128u);
  EXPECT_DOUBLE_EQ(p.mvuUtilisation(), 256.0 / (128.0 * 69.0));
  EXPECT_NEAR(p.effectiveTops(), 2.0 * 256 / 0.69e-6 / 1e12, 1e-15);
  ASSERT_EQ(p.tracks, (std::vector<std::string>{"host", "DRAM", "MVU", "MFU0", "MFU1"}));
  EXPECT_EQ(p.busy, (std::vector<uint64_t>{9, 8, 4, 4, 0}));
  const timing::NodeProfile *load = findNode(p, "load"), *fc = findNode(p, "fc");
  ASSERT_TRUE(load && fc);
  EXPECT_EQ(load->cycles, 34u);
  EXPECT_EQ(fc->cycles, 35u);
  EXPECT_EQ(fc->macs, 256u);
  EXPECT_EQ(fc->dramBytes, 64u);
  EXPECT_EQ(fc->first, 5u);
  EXPECT_EQ(fc->last, 69u);
  // Per-node cycles add up to the total.
  uint64_t sum = 0;
  for (const timing::NodeProfile &n : p.nodes)
    sum += n.cycles;
  EXPECT_EQ(sum, p.cycles);
}

TEST(ProfileTraceTest, JsonReportCarriesTheTotals) {
  const timing::Profile p = runProfile();
  const nlohmann::json j = nlohmann::json::parse(timing::profileJson(p), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["cycles"], 69);
  EXPECT_EQ(j["macs"], 256);
  ASSERT_EQ(j["nodes"].size(), 2u);
  EXPECT_EQ(j["nodes"][1]["name"], "fc");
  EXPECT_EQ(j["nodes"][1]["cycles"], 35);
  EXPECT_EQ(j["units"][2]["name"], "MVU");
  EXPECT_EQ(j["units"][2]["busy_cycles"], 4);
  const std::string text = timing::profileText(p, "profile");
  EXPECT_NE(text.find("total cycles     69"), std::string::npos) << text;
}

/// Checks a Chrome trace: valid JSON, one named thread per track, "X"
/// events named after nodes, durations per track adding up to the unit's busy
/// cycles, nothing after the total.
void checkTrace(const std::string &text, const timing::Profile &p) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "trace is not valid JSON";
  ASSERT_TRUE(j.contains("traceEvents") && j["traceEvents"].is_array());
  std::map<int, std::string> threads;
  std::map<std::string, std::set<std::string>> namesOnTrack;
  std::map<std::string, double> durOnTrack;
  std::set<std::string> names;
  double lastEnd = 0;
  for (const nlohmann::json &e : j["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph"));
    if (e["ph"] == "M" && e["name"] == "thread_name")
      threads[e["tid"].get<int>()] = e["args"]["name"].get<std::string>();
  }
  for (const nlohmann::json &e : j["traceEvents"]) {
    if (e["ph"] != "X")
      continue;
    EXPECT_EQ(e["pid"], 1);
    ASSERT_TRUE(threads.count(e["tid"].get<int>())) << e.dump();
    const double ts = e["ts"].get<double>(), dur = e["dur"].get<double>();
    EXPECT_GE(ts, 0.0);
    EXPECT_GT(dur, 0.0);
    lastEnd = std::max(lastEnd, ts + dur);
    const std::string &track = threads[e["tid"].get<int>()];
    names.insert(e["name"].get<std::string>());
    namesOnTrack[track].insert(e["name"].get<std::string>());
    durOnTrack[track] += dur;
  }
  std::set<std::string> tracks;
  for (const auto &[tid, name] : threads)
    tracks.insert(name);
  EXPECT_EQ(tracks, (std::set<std::string>{"host", "DRAM", "MVU", "MFU0", "MFU1"}));
  EXPECT_EQ(names, (std::set<std::string>{"load", "fc"}));
  EXPECT_EQ(namesOnTrack["MVU"], std::set<std::string>{"fc"});
  EXPECT_EQ(namesOnTrack["MFU0"], std::set<std::string>{"fc"});
  EXPECT_EQ(namesOnTrack["DRAM"], (std::set<std::string>{"load", "fc"}));
  // At 100 MHz a cycle is 0.01 us: host 9, DRAM 8, MVU 4, MFU0 4 cycles busy.
  EXPECT_NEAR(durOnTrack["host"], 0.09, 1e-9);
  EXPECT_NEAR(durOnTrack["DRAM"], 0.08, 1e-9);
  EXPECT_NEAR(durOnTrack["MVU"], 0.04, 1e-9);
  EXPECT_NEAR(durOnTrack["MFU0"], 0.04, 1e-9);
  // The last unit event is fc's DRAM write [60, 64); the run ends at 69 after
  // the write-back latency.
  EXPECT_NEAR(lastEnd, 0.64, 1e-9);
  EXPECT_LE(lastEnd, static_cast<double>(p.cycles) / p.clockMHz + 1e-9);
  EXPECT_EQ(j["otherData"]["total_cycles"], p.cycles);
}

TEST(ProfileTraceTest, ChromeTraceHasOneTrackPerUnit) {
  const timing::Profile p = runProfile();
  checkTrace(timing::chromeTrace(p), p);
}

std::string readText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ProfileTraceTest, NpuRunWritesTraceAndJsonProfile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("softnpu-trace-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string model = (dir / "fc.npu").string(), trace = (dir / "fc.trace.json").string(),
                    report = (dir / "report.json").string(), input = (dir / "x.npy").string();
  std::string err;
  ASSERT_TRUE(artifact::writeFile(fcArtifact(), model, err)) << err;
  // x as a .npy file: float32 [1, 16].
  {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16), }";
    while ((10 + header.size() + 1) % 64)
      header += ' ';
    header += '\n';
    std::ofstream f(input, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = static_cast<uint16_t>(header.size());
    f.put(static_cast<char>(len & 0xff));
    f.put(static_cast<char>(len >> 8));
    f << header;
    const std::map<std::string, api::Tensor> inputs = fcInputs();
    for (const float v : inputs.at("x").data)
      f.write(reinterpret_cast<const char *>(&v), 4);
  }
  const std::string cmd = std::string("'") + NPU_RUN_PATH + "' '" + model + "' --input x='" + input +
                          "' --profile --report=json --trace='" + trace + "' > '" + report + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const timing::Profile p = runProfile();
  checkTrace(readText(trace), p);
  const nlohmann::json j = nlohmann::json::parse(readText(report), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << readText(report);
  EXPECT_EQ(j["cycles"], 69);
  EXPECT_EQ(j["nodes"][0]["name"], "load");
  // --report without --profile is a usage error (exit 2).
  const std::string bad =
      std::string("'") + NPU_RUN_PATH + "' '" + model + "' --input x='" + input + "' --report=json > /dev/null 2>&1";
  const int status = std::system(bad.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  std::filesystem::remove_all(dir);
}

} // namespace

TEST(ProfileTraceTest, BoundIsTheUnitBusyHalfTheSpanElseLatency) {
  const std::vector<std::string> tracks = {"host", "DRAM", "MVU", "MFU0", "MFU1"};
  EXPECT_EQ(timing::boundOf(tracks, {10, 20, 90, 80, 0}, 100), "MVU");
  EXPECT_EQ(timing::boundOf(tracks, {10, 60, 40, 0, 0}, 100), "DRAM");
  EXPECT_EQ(timing::boundOf(tracks, {10, 5, 20, 0, 70}, 100), "MFU"); // either MFU is "MFU"
  EXPECT_EQ(timing::boundOf(tracks, {95, 5, 20, 20, 0}, 100), "control");
  EXPECT_EQ(timing::boundOf(tracks, {50, 49, 0, 0, 0}, 100), "control"); // half the span is enough
  EXPECT_EQ(timing::boundOf(tracks, {49, 30, 40, 40, 0}, 100), "latency");
  EXPECT_EQ(timing::boundOf(tracks, {0, 0, 0, 0, 0}, 0), "latency");
}
