//===- Limits.h - Resource limits every reader checks before it allocates -===//
//
// Models, artifacts, target descriptions and tensor files come from outside.
// Every size they declare is checked against the bytes actually present and
// against these limits before anything is allocated or looped over, so bad
// input is one clear error instead of an out-of-memory or a hang.
// docs/limits.md lists them with the error each one gives; this header is
// their only definition.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIMITS_H
#define SOFTNPU_LIMITS_H

#include <cstdint>

namespace softnpu::limits {

constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB;

// --- Target descriptions (docs/targets.md) ------------------------------------
constexpr unsigned kMaxNativeDim = 1024;
constexpr unsigned kMaxTileEngines = 1024;
constexpr unsigned kMaxLanes = 1024;
constexpr unsigned kMaxVrfDepth = 1u << 16; ///< each of ivrf / asvrf / mulvrf, in native vectors
constexpr unsigned kMaxMrfTiles = 1u << 16;
/// All vector register files of one simulated NPU, as fp32.
constexpr uint64_t kMaxVrfBytes = 1 * kGiB;
/// The whole matrix register file, every tile held as fp32.
constexpr uint64_t kMaxMrfBytes = 4 * kGiB;
/// A description only (DRAM is simulated as large as an artifact uses).
constexpr uint64_t kMaxTargetDramBytes = 1024 * kGiB;
constexpr unsigned kMaxNetworkQueueDepth = 1u << 24;

// --- Artifacts (docs/artifact-format.md) --------------------------------------
/// The DRAM one artifact uses (its dram_elements x 4 bytes): the simulator
/// holds it, and a copy to restore between runs.
constexpr uint64_t kMaxArtifactDramBytes = 4 * kGiB;
/// Instructions one run executes, loops unrolled (counted statically: loop
/// counts are immediates). A run of that many takes minutes, not forever.
constexpr uint64_t kMaxExecutedInstructions = uint64_t{1} << 32;
/// Elements one run reads, writes or multiplies, summed over its executed
/// instructions (an m*v over R x C tiles counts R x C x N x N): about a
/// hundred ResNet-50 inferences.
constexpr uint64_t kMaxWorkElements = uint64_t{1} << 40;

// --- Tensors: ONNX models, input files ----------------------------------------
/// Elements of any one tensor a model declares, a host kernel makes or
/// compile-time folding makes: 2 GiB of fp32, the most one ONNX protobuf can
/// hold.
constexpr uint64_t kMaxTensorElements = uint64_t{1} << 29;
/// Any one dimension of a tensor.
constexpr int64_t kMaxDimension = int64_t{1} << 29;
/// A .npy or TensorProto .pb file given to npu-run: the largest tensor in
/// 8-byte elements, and its header.
constexpr uint64_t kMaxTensorFileBytes = 4 * kGiB + 1 * kMiB;

} // namespace softnpu::limits

#endif
