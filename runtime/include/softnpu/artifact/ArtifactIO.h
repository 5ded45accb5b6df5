//===- ArtifactIO.h - Write and read .npu artifacts -----------------------===//
#ifndef SOFTNPU_ARTIFACT_ARTIFACTIO_H
#define SOFTNPU_ARTIFACT_ARTIFACTIO_H

#include "softnpu/artifact/Artifact.h"

#include <optional>
#include <string>
#include <vector>

namespace softnpu::artifact {

std::vector<uint8_t> serialize(const Artifact &a);
/// Validates every offset, size, count, the checksum, magic and version, and
/// the instruction stream (decodable, chains well formed for the target,
/// addresses within the target's memories) before returning. On failure
/// returns nullopt and sets `error` to one line.
std::optional<Artifact> deserialize(const std::vector<uint8_t> &bytes, std::string &error);

/// What one run of a valid one-segment artifact costs, known statically
/// (loop counts and registers are immediates): the instructions it executes,
/// loops unrolled, and the elements its instructions read, write or multiply
/// (docs/limits.md). Zero for a segmented artifact.
struct RunCost {
  uint64_t instructions = 0, elements = 0;
};

/// The semantic checks deserialize() runs after parsing (target valid, every
/// index, offset and size in range, program decodable and well chained,
/// static address checks, the limits of softnpu/Limits.h), for artifacts
/// built in memory. On failure returns false and sets `error` to one line.
/// `cost`, when given, receives the cost of one run.
bool validate(const Artifact &a, std::string &error, RunCost *cost = nullptr);

bool writeFile(const Artifact &a, const std::string &path, std::string &error);
std::optional<Artifact> readFile(const std::string &path, std::string &error);

} // namespace softnpu::artifact

#endif
