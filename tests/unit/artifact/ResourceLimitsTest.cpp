//===- ResourceLimitsTest.cpp - Declared sizes are refused before use -----===//
//
// The limits of softnpu/Limits.h (docs/limits.md), each at its edge: a
// target field, an artifact's DRAM, a program that would run for ever or do
// more work than the limit. Before these checks each case validated, then
// aborted npu-run (std::bad_alloc) or never finished.
//
//===----------------------------------------------------------------------===//
#include "common/TestArtifacts.h"
#include "softnpu/Limits.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <gtest/gtest.h>

using namespace softnpu;
using namespace softnpu::testing;

namespace {

bool has(const std::string &s, const std::string &part) { return s.find(part) != std::string::npos; }

/// The error of the tiny target's JSON with `field` set to `value`.
std::string targetErrorWith(const std::string &field, const std::string &value) {
  std::string json = tinyTarget().toJson(), err;
  const std::string key = "\"" + field + "\": ";
  const size_t at = json.find(key);
  EXPECT_NE(at, std::string::npos) << field;
  const size_t end = json.find_first_of(",\n}", at + key.size());
  json.replace(at + key.size(), end - at - key.size(), value);
  EXPECT_FALSE(target::Target::fromJson(json, "t.json", err)) << field << "=" << value;
  return err;
}

TEST(ResourceLimits, TargetFieldsHaveUpperBounds) {
  // Each of these validated before and made the simulator allocate gigabytes.
  EXPECT_TRUE(
      has(targetErrorWith("ivrf_depth", "4000000000"), "field 'ivrf_depth' is 4000000000, above the limit of 65536"));
  EXPECT_TRUE(has(targetErrorWith("asvrf_depth", "4000000000"), "field 'asvrf_depth' is 4000000000, above the limit"));
  EXPECT_TRUE(has(targetErrorWith("mrf_tiles", "4000000000"), "field 'mrf_tiles' is 4000000000, above the limit"));
  EXPECT_TRUE(has(targetErrorWith("native_dim", "100000"), "field 'native_dim' is 100000, above the limit of 1024"));
  EXPECT_TRUE(
      has(targetErrorWith("dram_bytes", "1099511627780"), "field 'dram_bytes' is 1099511627780, above the limit"));
  // Within each limit, but together too many bytes of vector registers.
  std::string err;
  target::Target t = tinyTarget();
  t.nativeDim = limits::kMaxNativeDim;
  t.ivrfDepth = t.asvrfDepth = t.mulvrfDepth = limits::kMaxVrfDepth;
  ASSERT_TRUE(t.validate());
  EXPECT_TRUE(has(*t.validate(), "bytes of vector registers, above the limit of 1073741824")) << *t.validate();
  // The presets are well inside.
  for (const std::string &name : target::presetNames()) {
    std::optional<target::Target> p = target::Target::load(name, err);
    ASSERT_TRUE(p) << err;
    EXPECT_EQ(p->validate(), std::nullopt) << name;
  }
}

TEST(ResourceLimits, ArtifactDramIsBounded) {
  target::Target t = tinyTarget(true);
  t.dramBytes = uint64_t{64} << 30; // a target may describe 64 GiB
  ASSERT_EQ(t.validate(), std::nullopt);
  artifact::Artifact a = emptyArtifact(t, limits::kMaxArtifactDramBytes / 4);
  std::string err;
  EXPECT_TRUE(artifact::validate(a, err)) << err;
  a.dramElements += 1;
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_TRUE(has(err, "artifact needs 1073741825 DRAM elements, above the limit of 1073741824")) << err;
}

TEST(ResourceLimits, ExecutedInstructionsAreCountedAndBounded) {
  // Three nested loops of 2^32 - 1: validation walks each body twice, the
  // machine would run about 2^96 instructions.
  Program p;
  for (int k = 0; k < 3; ++k)
    p.loop(UINT32_MAX);
  p.swr(isa::SReg::Cols, 1);
  for (int k = 0; k < 3; ++k)
    p.endLoop();
  artifact::Artifact a = emptyArtifact(tinyTarget(true), 16);
  setProgram(a, p.insts);
  std::string err;
  EXPECT_FALSE(artifact::validate(a, err));
  EXPECT_TRUE(has(err, "executes 18446744073709551615 instructions per run (loops unrolled), above the limit of "
                       "4294967296"))
      << err;

  // The count itself: loop, then per iteration the body and end_loop.
  Program q;
  q.loop(3);                 // 1
  q.swr(isa::SReg::Cols, 1); // 3 x (1 + end_loop)
  q.loop(5);                 // 3 x 1
  q.swr(isa::SReg::Rows, 1); // 3 x 5 x 2
  q.endLoop();
  q.endLoop();
  q.swr(isa::SReg::Cols, 2); // 1
  setProgram(a, q.insts);
  artifact::RunCost cost;
  ASSERT_TRUE(artifact::validate(a, err, &cost)) << err;
  EXPECT_EQ(cost.instructions, 1u + 3 * (1 + 1 + 5 * 2 + 1) + 1);
}

TEST(ResourceLimits, WorkPerRunIsBounded) {
  // 2^27 iterations of a v_rd of 256 vectors of 16 and a v_wr of as many:
  // 2^40 elements, the limit; one more chain crosses it.
  const uint32_t cols = 256;
  auto program = [&](bool oneMore) {
    Program p;
    p.swr(isa::SReg::Cols, cols);
    p.loop(1u << 27);
    p.vrd(isa::MemSpace::Dram, 0);
    p.vwr(isa::MemSpace::Ivrf, 0);
    p.end();
    p.endLoop();
    if (oneMore)
      p.load(0, isa::MemSpace::Ivrf, 0);
    artifact::Artifact a = emptyArtifact(tinyTarget(true), cols * kTinyDim);
    setProgram(a, p.insts);
    return a;
  };
  std::string err;
  EXPECT_TRUE(artifact::validate(program(false), err)) << err;
  EXPECT_FALSE(artifact::validate(program(true), err));
  EXPECT_TRUE(has(err, "moves or multiplies more than 1099511627776 elements per run (the limit)")) << err;
}

} // namespace
