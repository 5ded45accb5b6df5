//===- TargetTest.cpp - Presets, JSON round trip, validation, loading ----===//
#include "softnpu/target/Target.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

namespace softnpu::target {
namespace {

using numerics::NumberFormat;
using numerics::Rounding;

Target tiny() {
  std::string error;
  std::optional<Target> t = Target::load("tiny", error);
  EXPECT_TRUE(t) << error;
  return t.value_or(Target{});
}

bool sameTarget(const Target &a, const Target &b) {
  return a.name == b.name && a.nativeDim == b.nativeDim && a.tileEngines == b.tileEngines && a.lanes == b.lanes &&
         a.numMfus == b.numMfus && a.ivrfDepth == b.ivrfDepth && a.asvrfDepth == b.asvrfDepth &&
         a.mulvrfDepth == b.mulvrfDepth && a.mrfTiles == b.mrfTiles && a.dramBytes == b.dramBytes &&
         a.clockMHz == b.clockMHz && a.weightFormat == b.weightFormat && a.inputFormat == b.inputFormat &&
         a.mfuFormat == b.mfuFormat && a.rounding == b.rounding && a.dramBandwidthGBps == b.dramBandwidthGBps &&
         a.dramLatencyCycles == b.dramLatencyCycles && a.latencies == b.latencies &&
         a.mfuOperations == b.mfuOperations && a.networkQueueDepth == b.networkQueueDepth &&
         a.hostGflops == b.hostGflops && a.hostLinkGBps == b.hostLinkGBps && a.hostLinkLatencyUs == b.hostLinkLatencyUs;
}

/// A valid JSON target text with one field replaced by raw JSON text `value`
/// (or removed when `value` is empty).
std::string tinyJsonWith(const std::string &key, const std::string &value) {
  std::string text = tiny().toJson();
  const std::string needle = "\"" + key + "\": ";
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << key;
  size_t end = text.find_first_of(",\n", at);
  if (value.empty()) {
    // Remove the line including its separator; fix a trailing comma if it was last.
    size_t lineStart = text.rfind('\n', at);
    text.erase(lineStart, text.find('\n', at) - lineStart);
    size_t close = text.rfind('}');
    size_t lastComma = text.rfind(',', close);
    if (text.find_first_not_of(" \n", lastComma + 1) == close)
      text.erase(lastComma, 1);
  } else {
    text.replace(at + needle.size(), end - at - needle.size(), value);
  }
  return text;
}

std::string parseError(const std::string &text) {
  std::string error;
  std::optional<Target> t = Target::fromJson(text, "x.json", error);
  EXPECT_FALSE(t) << text;
  return error;
}

TEST(TargetTest, PresetsAreListedAndValid) {
  const std::vector<std::string> names = presetNames();
  EXPECT_EQ(names, (std::vector<std::string>{"brainwave-s10", "cnn-n128", "fpga-npu", "tiny"}));
  EXPECT_STREQ(defaultTargetName(), "brainwave-s10");
  for (const std::string &name : names) {
    std::string error;
    std::optional<Target> t = Target::load(name, error);
    ASSERT_TRUE(t) << name << ": " << error;
    EXPECT_EQ(t->name, name);
    EXPECT_EQ(t->validate(), std::nullopt) << name;
  }
}

TEST(TargetTest, PresetFieldsFollowTheirDocumentation) {
  std::string error;
  std::optional<Target> bw = Target::load("brainwave-s10", error);
  ASSERT_TRUE(bw);
  // Published shape: 6 tile engines x 400 rows x 40 lanes = 96,000 MACs.
  EXPECT_EQ(uint64_t{bw->tileEngines} * bw->nativeDim * bw->lanes, 96000u);
  EXPECT_EQ(bw->weightFormat.name(), "msfp15");
  std::optional<Target> fpga = Target::load("fpga-npu", error);
  ASSERT_TRUE(fpga);
  EXPECT_EQ(fpga->nativeDim % fpga->weightFormat.blockSize, 0u);
  EXPECT_EQ(fpga->mrfTiles, 7u * 1024u);
}

TEST(TargetTest, JsonRoundTripOfEveryPreset) {
  for (const std::string &name : presetNames()) {
    std::string error;
    Target t = *Target::load(name, error);
    std::optional<Target> back = Target::fromJson(t.toJson(), name + ".json", error);
    ASSERT_TRUE(back) << error;
    EXPECT_TRUE(sameTarget(*back, t)) << name;
    EXPECT_EQ(back->toJson(), t.toJson());
    EXPECT_EQ(back->hash(), t.hash());
  }
}

TEST(TargetTest, JsonRoundTripOfNonDefaultValues) {
  Target t = tiny();
  t.name = "custom \"quoted\"";
  t.clockMHz = 123.456;
  t.dramBytes = (uint64_t{1} << 39) + 4; // beyond 32 bits
  t.rounding = Rounding::TowardZero;
  t.dramBandwidthGBps = 12.5;
  t.dramLatencyCycles = 77;
  t.latencies.mfuStage = 9;
  t.latencies.chainIssue = 0;
  t.hostGflops = 123.25;
  t.hostLinkGBps = 0.5;
  t.hostLinkLatencyUs = 0;
  t = t.withPrecision(NumberFormat::bfp(11, 8));
  ASSERT_EQ(t.validate(), std::nullopt);
  std::string error;
  std::optional<Target> back = Target::fromJson(t.toJson(), "t", error);
  ASSERT_TRUE(back) << error;
  EXPECT_TRUE(sameTarget(*back, t));
}

TEST(TargetTest, JsonKeysAreInCanonicalOrder) {
  const std::string text = tiny().toJson();
  const char *keys[] = {"name",         "native_dim", "tile_engines",        "lanes",
                        "num_mfus",     "ivrf_depth", "asvrf_depth",         "mulvrf_depth",
                        "mrf_tiles",    "dram_bytes", "clock_mhz",           "weight_format",
                        "input_format", "rounding",   "dram_bandwidth_gbps", "dram_latency_cycles",
                        "latencies",    "multiplier", "write_back",          "chain_issue",
                        "scalar_issue"};
  size_t last = 0;
  for (const char *k : keys) {
    size_t at = text.find(std::string("\"") + k + "\"");
    ASSERT_NE(at, std::string::npos) << k;
    EXPECT_GT(at, last) << k;
    last = at;
  }
  EXPECT_NE(text.find("\"msfp15\""), std::string::npos);
  EXPECT_NE(text.find("\"nearest-even\""), std::string::npos);
}

TEST(TargetTest, RoundingIsOptionalAndDefaultsToNearestEven) {
  std::string error;
  std::optional<Target> t = Target::fromJson(tinyJsonWith("rounding", ""), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->rounding, Rounding::NearestEven);
  t = Target::fromJson(tinyJsonWith("rounding", "\"nearest-away\""), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->rounding, Rounding::NearestAway);
}

/// tiny's JSON edited as a document: `edit` changes it before it is dumped.
std::string tinyJsonEdited(const std::function<void(nlohmann::json &)> &edit) {
  nlohmann::json j = nlohmann::json::parse(tiny().toJson());
  edit(j);
  return j.dump(2);
}

TEST(TargetTest, TimingFieldsAreOptionalWithDocumentedDefaults) {
  std::string error;
  std::optional<Target> t = Target::fromJson(tinyJsonEdited([](nlohmann::json &j) {
                                               j.erase("dram_bandwidth_gbps");
                                               j.erase("dram_latency_cycles");
                                               j.erase("latencies");
                                             }),
                                             "x.json", error);
  ASSERT_TRUE(t) << error;
  // docs/targets.md: 16 GB/s, 100 cycles, intel/fpga-npu latencies.
  EXPECT_EQ(t->dramBandwidthGBps, 16.0);
  EXPECT_EQ(t->dramLatencyCycles, 100u);
  const Latencies &l = t->latencies;
  EXPECT_EQ(l.multiplier, 2u);
  EXPECT_EQ(l.adder, 1u);
  EXPECT_EQ(l.rfRead, 1u);
  EXPECT_EQ(l.rfWrite, 1u);
  EXPECT_EQ(l.mrfToDpe, 8u);
  EXPECT_EQ(l.vrfToDpe, 8u);
  EXPECT_EQ(l.mvuAccumulate, 4u);
  EXPECT_EQ(l.reduction, 5u);
  EXPECT_EQ(l.mfuStage, 3u);
  EXPECT_EQ(l.writeBack, 5u);
  EXPECT_EQ(l.chainIssue, 4u);
  EXPECT_EQ(l.scalarIssue, 1u);

  // A partial latencies object sets only its keys.
  t = Target::fromJson(tinyJsonEdited([](nlohmann::json &j) { j["latencies"] = {{"mfu_stage", 7}}; }), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->latencies.mfuStage, 7u);
  EXPECT_EQ(t->latencies.writeBack, 5u);
}

TEST(TargetTest, TimingFieldRulesNameTheirField) {
  const std::pair<std::function<void(nlohmann::json &)>, const char *> cases[] = {
      {[](nlohmann::json &j) { j["dram_bandwidth_gbps"] = 0; }, "field 'dram_bandwidth_gbps' must be a positive"},
      {[](nlohmann::json &j) { j["dram_bandwidth_gbps"] = "fast"; }, "field 'dram_bandwidth_gbps' must be a number"},
      {[](nlohmann::json &j) { j["dram_latency_cycles"] = -1; }, "field 'dram_latency_cycles' must not be negative"},
      {[](nlohmann::json &j) { j["latencies"] = 3; }, "field 'latencies' must be a JSON object"},
      {[](nlohmann::json &j) { j["latencies"] = {{"mfu_stages", 3}}; },
       "field 'latencies' has unknown key 'mfu_stages'"},
      {[](nlohmann::json &j) { j["latencies"] = {{"adder", -1}}; },
       "field 'latencies' key 'adder' must not be negative"},
      {[](nlohmann::json &j) { j["latencies"] = {{"adder", 1.5}}; },
       "field 'latencies' key 'adder' must be an integer"},
      {[](nlohmann::json &j) { j["latencies"] = {{"adder", 4000000000u}}; },
       "field 'latencies' key 'adder' is out of range"},
  };
  for (const auto &[edit, expected] : cases) {
    const std::string error = parseError(tinyJsonEdited(edit));
    EXPECT_EQ(error.rfind("target 'x.json': ", 0), 0u) << error;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }
}

struct BadField {
  const char *key;
  const char *value; // raw JSON; "" removes the key
  const char *expectedText;
};

TEST(TargetTest, EachRuleNamesItsField) {
  const BadField cases[] = {
      {"name", "\"\"", "field 'name'"},
      {"name", "3", "field 'name' must be a string"},
      {"native_dim", "0", "field 'native_dim' must be positive"},
      {"native_dim", "-16", "field 'native_dim' must not be negative"},
      {"native_dim", "16.5", "field 'native_dim' must be an integer"},
      {"native_dim", "\"16\"", "field 'native_dim' must be an integer"},
      {"native_dim", "4294967296", "field 'native_dim' is out of range"},
      {"native_dim", "", "field 'native_dim' is missing"},
      {"tile_engines", "0", "field 'tile_engines' must be positive"},
      {"lanes", "0", "field 'lanes' must be positive"},
      {"num_mfus", "0", "field 'num_mfus' must be 1..8"},
      {"num_mfus", "9", "field 'num_mfus' must be 1..8"},
      {"ivrf_depth", "0", "field 'ivrf_depth' must be positive"},
      {"asvrf_depth", "0", "field 'asvrf_depth' must be positive"},
      {"mulvrf_depth", "0", "field 'mulvrf_depth' must be positive"},
      {"mrf_tiles", "0", "field 'mrf_tiles' must be positive"},
      {"dram_bytes", "0", "field 'dram_bytes' must be a positive multiple of 4"},
      {"dram_bytes", "1022", "field 'dram_bytes' must be a positive multiple of 4"},
      {"clock_mhz", "0", "field 'clock_mhz' must be a positive finite number"},
      {"clock_mhz", "-250.5", "field 'clock_mhz' must be a positive finite number"},
      {"clock_mhz", "null", "field 'clock_mhz' must be a number"},
      {"weight_format", "\"msfp99\"", "field 'weight_format' is invalid: unknown number format 'msfp99'"},
      {"weight_format", "\"bfp:m=16,k=16\"", "field 'weight_format' is invalid"},
      {"weight_format", "\"fp32\"",
       "field 'input_format' does not pair with weight_format: weight format 'fp32' "
       "and input format 'msfp15' must both be fp32 or both be block formats"},
      {"input_format", "\"fp32\"", "must both be fp32 or both be block formats"},
      {"input_format", "\"mxfp4\"", "must have the same block size"},
      {"weight_format", "\"bf16\"", "field 'weight_format' must be fp32 or a block format (is 'bf16')"},
      {"input_format", "\"fp16\"", "field 'input_format' must be fp32 or a block format (is 'fp16')"},
      {"mfu_format", "\"msfp15\"", "field 'mfu_format' must be fp32, bf16 or fp16 (is 'msfp15')"},
      {"mfu_format", "\"fp8\"", "field 'mfu_format' is invalid: unknown number format 'fp8'"},
      {"mfu_format", "16", "field 'mfu_format' must be a string"},
      {"input_format", "[]", "field 'input_format' must be a string"},
      {"rounding", "\"up\"", "field 'rounding' is 'up'"},
  };
  for (const BadField &c : cases) {
    const std::string error = parseError(tinyJsonWith(c.key, c.value));
    EXPECT_EQ(error.rfind("target 'x.json': ", 0), 0u) << error;
    EXPECT_NE(error.find(c.expectedText), std::string::npos) << c.key << "=" << c.value << " -> " << error;
  }
}

TEST(TargetTest, ValidateChecksTheStructDirectly) {
  Target t = tiny();
  t.numMfus = 9;
  std::optional<std::string> e = t.validate();
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, "target 'tiny': field 'num_mfus' must be 1..8");

  t = tiny();
  t.inputFormat = NumberFormat::fp32();
  e = t.validate();
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("field 'input_format'"), std::string::npos) << *e;

  t = tiny();
  t.weightFormat = NumberFormat::bfp(0, 16); // not constructible by parse
  t.inputFormat = t.weightFormat;
  e = t.validate();
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("field 'weight_format'"), std::string::npos) << *e;

  t = tiny();
  t.rounding = static_cast<Rounding>(7);
  e = t.validate();
  ASSERT_TRUE(e);
  EXPECT_NE(e->find("field 'rounding'"), std::string::npos) << *e;
}

TEST(TargetTest, UnknownKeysAreRejectedByName) {
  std::string text = tiny().toJson();
  text.insert(text.find('{') + 1, "\"colour\": \"red\", \"native_dims\": 16,");
  const std::string error = parseError(text);
  EXPECT_NE(error.find("'colour'"), std::string::npos) << error;
  EXPECT_NE(error.find("'native_dims'"), std::string::npos) << error;
}

TEST(TargetTest, MalformedJsonIsAnErrorNotACrash) {
  for (const char *text : {"", "{", "[1, 2]", "42", "{\"name\": }", "nul"}) {
    const std::string error = parseError(text);
    EXPECT_EQ(error.rfind("target 'x.json': ", 0), 0u) << error;
  }
  EXPECT_NE(parseError("{\"name\": }").find("invalid JSON"), std::string::npos);
  EXPECT_NE(parseError("[1, 2]").find("expected a JSON object"), std::string::npos);
}

TEST(TargetTest, WithPrecisionSetsBothFormats) {
  const Target t = tiny();
  Target f = t.withPrecision(NumberFormat::fp32());
  EXPECT_TRUE(f.weightFormat.isFp32());
  EXPECT_TRUE(f.inputFormat.isFp32());
  EXPECT_EQ(f.validate(), std::nullopt);
  Target b = t.withPrecision(NumberFormat::bfp(4, 8));
  EXPECT_EQ(b.weightFormat, NumberFormat::bfp(4, 8));
  EXPECT_EQ(b.inputFormat, NumberFormat::bfp(4, 8));
  EXPECT_EQ(b.nativeDim, t.nativeDim);
  EXPECT_EQ(b.validate(), std::nullopt);
  // Blocks need not divide N any more (they restart at every native vector).
  EXPECT_EQ(t.withPrecision(NumberFormat::bfp(4, 32)).validate(), std::nullopt);
  EXPECT_EQ(t.withPrecision(NumberFormat::mx(numerics::Element::E2M1)).validate(), std::nullopt);
  // fp32 also makes the multifunction units fp32; a block format leaves them alone.
  Target bf = t;
  bf.mfuFormat = NumberFormat::bf16();
  EXPECT_EQ(bf.withPrecision(NumberFormat::fp32()).mfuFormat, NumberFormat::fp32());
  EXPECT_EQ(bf.withPrecision(NumberFormat::mx(numerics::Element::Int8)).mfuFormat, NumberFormat::bf16());
  // A scalar MFU format is not a weight format.
  EXPECT_TRUE(t.withPrecision(NumberFormat::bf16()).validate());
}

TEST(TargetTest, MfuFormatIsOptionalAndRoundTrips) {
  // Absent: fp32.
  std::string error;
  std::optional<Target> t = Target::fromJson(tinyJsonWith("mfu_format", ""), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->mfuFormat, NumberFormat::fp32());
  EXPECT_NE(tiny().toJson().find("\"mfu_format\": \"fp32\""), std::string::npos) << tiny().toJson();
  for (const char *name : {"bf16", "fp16"}) {
    t = Target::fromJson(tinyJsonWith("mfu_format", std::string("\"") + name + "\""), "x.json", error);
    ASSERT_TRUE(t) << error;
    EXPECT_EQ(t->mfuFormat.name(), name);
    std::optional<Target> back = Target::fromJson(t->toJson(), "y.json", error);
    ASSERT_TRUE(back) << error;
    EXPECT_TRUE(sameTarget(*t, *back));
    EXPECT_NE(back->hash(), tiny().hash());
  }
  // Mixed block element types with equal block sizes are a valid pair.
  t = Target::fromJson(tinyJsonWith("weight_format", "\"mxfp4\""), "x.json", error);
  EXPECT_FALSE(t); // input msfp15 has block 16
  std::string text = tinyJsonWith("weight_format", "\"mxfp4\"");
  text.replace(text.find("\"msfp15\""), 8, "\"mxfp8_e4m3\"");
  t = Target::fromJson(text, "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->weightFormat, NumberFormat::mx(numerics::Element::E2M1));
  EXPECT_EQ(t->inputFormat, NumberFormat::mx(numerics::Element::E4M3));
}

TEST(TargetTest, HashIsStableAndChangesWithEveryField) {
  const Target t = tiny();
  EXPECT_EQ(t.hash(), tiny().hash());
  // FNV-1a 64 of the canonical text, computed here independently.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : t.toJson())
    h = (h ^ c) * 0x100000001b3ull;
  EXPECT_EQ(t.hash(), h);

  const std::function<void(Target &)> changes[] = {
      [](Target &x) { x.name = "tiny2"; },
      [](Target &x) { x.nativeDim = 32; },
      [](Target &x) { x.tileEngines += 1; },
      [](Target &x) { x.lanes += 1; },
      [](Target &x) { x.numMfus += 1; },
      [](Target &x) { x.ivrfDepth += 1; },
      [](Target &x) { x.asvrfDepth += 1; },
      [](Target &x) { x.mulvrfDepth += 1; },
      [](Target &x) { x.mrfTiles += 1; },
      [](Target &x) { x.dramBytes += 4; },
      [](Target &x) { x.clockMHz += 0.5; },
      [](Target &x) { x.weightFormat = NumberFormat::bfp(7, 16); },
      [](Target &x) { x.inputFormat = NumberFormat::bfp(7, 16); },
      [](Target &x) { x.mfuFormat = NumberFormat::fp16(); },
      [](Target &x) { x.rounding = Rounding::NearestAway; },
      [](Target &x) { x.dramBandwidthGBps *= 2; },
      [](Target &x) { x.dramLatencyCycles += 1; },
      [](Target &x) { x.latencies.multiplier += 1; },
      [](Target &x) { x.latencies.adder += 1; },
      [](Target &x) { x.latencies.rfRead += 1; },
      [](Target &x) { x.latencies.rfWrite += 1; },
      [](Target &x) { x.latencies.mrfToDpe += 1; },
      [](Target &x) { x.latencies.vrfToDpe += 1; },
      [](Target &x) { x.latencies.mvuAccumulate += 1; },
      [](Target &x) { x.latencies.reduction += 1; },
      [](Target &x) { x.latencies.mfuStage += 1; },
      [](Target &x) { x.latencies.writeBack += 1; },
      [](Target &x) { x.latencies.chainIssue += 1; },
      [](Target &x) { x.latencies.scalarIssue += 1; },
      [](Target &x) { x.hostGflops *= 2; },
      [](Target &x) { x.hostLinkGBps *= 2; },
      [](Target &x) { x.hostLinkLatencyUs += 1; },
  };
  for (size_t i = 0; i < std::size(changes); ++i) {
    Target changed = t;
    changes[i](changed);
    EXPECT_NE(changed.hash(), t.hash()) << "change " << i;
  }
}

class TempFile {
public:
  explicit TempFile(const std::string &contents) {
    path_ = ::testing::TempDir() + "softnpu_target_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter_++) + ".json";
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string &path() const { return path_; }

private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(TargetTest, LoadsFromFile) {
  Target t = tiny();
  t.name = "from-file";
  t.numMfus = 3;
  TempFile file(t.toJson());
  std::string error;
  std::optional<Target> loaded = Target::load(file.path(), error);
  ASSERT_TRUE(loaded) << error;
  EXPECT_TRUE(sameTarget(*loaded, t));

  TempFile bad(tinyJsonWith("lanes", "0"));
  EXPECT_FALSE(Target::load(bad.path(), error));
  EXPECT_EQ(error, "target '" + bad.path() + "': field 'lanes' must be positive");
}

TEST(TargetTest, UnknownPresetOrFile) {
  std::string error;
  EXPECT_FALSE(Target::load("no-such-target", error));
  EXPECT_EQ(error, "unknown target 'no-such-target': not a preset (brainwave-s10, cnn-n128, fpga-npu, tiny) "
                   "and no such file");
  EXPECT_FALSE(Target::load(::testing::TempDir(), error)); // a directory
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
}

/// The tiny preset's JSON with "mfu_operations" set to `ops` (raw JSON).
std::string tinyWithMfuOperations(const std::string &ops) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(tiny().toJson());
  j["mfu_operations"] = nlohmann::ordered_json::parse(ops);
  return j.dump(2);
}

TEST(TargetTest, MfuOperationsDefaultToEveryPointwiseInstruction) {
  const Target t = tiny();
  EXPECT_EQ(t.mfuOperations, Target::allMfuOperations());
  const std::vector<std::string> expected = {"vv_add",   "vv_a_sub_b", "vv_b_sub_a", "vv_max", "vv_mul",
                                             "vv_prelu", "vv_min",     "v_relu",     "v_sigm", "v_tanh",
                                             "v_pass",   "v_silu",     "v_hswish"};
  EXPECT_EQ(Target::allMfuOperations(), expected); // the ISA table's point-wise rows, in order
  const isa::MfuConfig c = t.mfuConfig();
  EXPECT_EQ(c.count, t.numMfus);
  EXPECT_TRUE(c.implements[static_cast<uint8_t>(isa::Opcode::VTanh)]);
  EXPECT_FALSE(c.implements[static_cast<uint8_t>(isa::Opcode::MvMul)]);
}

TEST(TargetTest, MfuOperationsRestrictTheChainPlanner) {
  std::string error;
  std::optional<Target> t = Target::fromJson(tinyWithMfuOperations(R"(["vv_add", "v_relu"])"), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->mfuOperations, (std::vector<std::string>{"vv_add", "v_relu"}));
  // Round trip keeps the set (and the hash covers it).
  std::optional<Target> back = Target::fromJson(t->toJson(), "y.json", error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->mfuOperations, t->mfuOperations);
  EXPECT_NE(t->hash(), tiny().hash());

  using isa::Inst;
  using isa::MemSpace;
  using isa::Opcode;
  auto chainWith = [](Opcode op) {
    return std::vector<Inst>{{Opcode::VRd, MemSpace::Dram}, {op}, {Opcode::VWr, MemSpace::Dram}, {Opcode::EndChain}};
  };
  isa::ProgramPlan plan;
  EXPECT_TRUE(isa::planProgram(chainWith(Opcode::VRelu), t->mfuConfig(), plan, error)) << error;
  EXPECT_FALSE(isa::planProgram(chainWith(Opcode::VTanh), t->mfuConfig(), plan, error));
  EXPECT_NE(error.find("instruction 1 (v_tanh): the target's multifunction units do not implement v_tanh"),
            std::string::npos)
      << error;
  // The full preset accepts it.
  EXPECT_TRUE(isa::planProgram(chainWith(Opcode::VTanh), tiny().mfuConfig(), plan, error)) << error;
}

TEST(TargetTest, MfuOperationsAreValidated) {
  EXPECT_NE(parseError(tinyWithMfuOperations(R"(["v_frobnicate"])")).find("field 'mfu_operations'"), std::string::npos);
  EXPECT_NE(parseError(tinyWithMfuOperations(R"(["mv_mul"])")).find("'mv_mul', which is not a point-wise"),
            std::string::npos);
  EXPECT_NE(parseError(tinyWithMfuOperations(R"(["vv_add", "vv_add"])")).find("lists 'vv_add' twice"),
            std::string::npos);
  EXPECT_NE(parseError(tinyWithMfuOperations(R"("vv_add")")).find("must be an array"), std::string::npos);
  EXPECT_NE(parseError(tinyWithMfuOperations(R"([1])")).find("must hold strings"), std::string::npos);
}

TEST(TargetTest, WeightResidencyIsOptionalAndValidated) {
  EXPECT_EQ(tiny().weightResidency, Target::WeightResidency::Pin);
  std::string error;
  std::optional<Target> cnn = Target::load("cnn-n128", error);
  ASSERT_TRUE(cnn) << error;
  EXPECT_EQ(cnn->weightResidency, Target::WeightResidency::Stream); // the CNN configuration streams
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(tiny().toJson());
  EXPECT_EQ(j["weight_residency"], "pin");
  j["weight_residency"] = "stream";
  std::optional<Target> t = Target::fromJson(j.dump(2), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->weightResidency, Target::WeightResidency::Stream);
  EXPECT_NE(t->hash(), tiny().hash());
  j["weight_residency"] = "sometimes";
  EXPECT_NE(parseError(j.dump(2)).find("field 'weight_residency' is 'sometimes': expected pin or stream"),
            std::string::npos);
}

TEST(TargetTest, NetworkQueueDepthIsOptionalPositiveAndHashed) {
  std::string error;
  std::optional<Target> bw = Target::load("brainwave-s10", error);
  ASSERT_TRUE(bw) << error;
  EXPECT_EQ(bw->networkQueueDepth, bw->ivrfDepth); // presets: a VRF's worth of vectors per request
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(bw->toJson());
  EXPECT_EQ(j["network_queue_depth"], bw->networkQueueDepth);
  j.erase("network_queue_depth");
  std::optional<Target> t = Target::fromJson(j.dump(2), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->networkQueueDepth, 512u); // documented default
  j["network_queue_depth"] = 7;
  t = Target::fromJson(j.dump(2), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->networkQueueDepth, 7u);
  EXPECT_NE(t->hash(), bw->hash());
  j["network_queue_depth"] = 0;
  EXPECT_NE(parseError(j.dump(2)).find("field 'network_queue_depth' must be positive"), std::string::npos);
}

TEST(TargetTest, HostFieldsAreOptionalWithDocumentedDefaultsAndValidated) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(tiny().toJson());
  for (const char *k : {"host_gflops", "host_link_gbps", "host_link_latency_us"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    j.erase(k);
  }
  std::string error;
  std::optional<Target> t = Target::fromJson(j.dump(2), "x.json", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->hostGflops, 20.0); // docs/targets.md
  EXPECT_EQ(t->hostLinkGBps, 8.0);
  EXPECT_EQ(t->hostLinkLatencyUs, 2.0);
  const std::pair<const char *, const char *> bad[] = {
      {"host_gflops", "0"},           {"host_gflops", "-1"},    {"host_gflops", "\"fast\""},
      {"host_link_gbps", "0"},        {"host_link_gbps", "-3"}, {"host_link_latency_us", "-0.5"},
      {"host_link_latency_us", "[]"},
  };
  for (const auto &[key, value] : bad) {
    const std::string e = parseError(tinyJsonWith(key, value));
    EXPECT_NE(e.find(std::string("field '") + key + "'"), std::string::npos) << key << "=" << value << ": " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_TRUE(Target::fromJson(tinyJsonWith("host_link_latency_us", "0"), "x.json", error)) << error;
}

} // namespace
} // namespace softnpu::target
