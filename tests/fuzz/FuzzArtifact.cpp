//===- FuzzArtifact.cpp - libFuzzer: the artifact loader, then one run ----===//
//
// Bytes -> artifact::deserialize (which validates). The harness first writes
// the right checksum into the bytes (docs/artifact-format.md: CRC-32 of the
// file with its own four bytes at offset 28 read as zero): a mutated file
// would otherwise stop at the checksum, and the parser behind it would never
// be fuzzed. (The checksum check itself is tested by bad_input_tests.) A one-segment artifact
// that validates and is cheap to run (RunCost and its target's memories
// below the bounds here, so one input takes well under a second) is then
// loaded into a Session and run once with zero inputs: whatever validated
// must run without a crash or a sanitizer report. Segmented artifacts stop
// after validation; their host models are FuzzHostModel's input.
//
//===----------------------------------------------------------------------===//
#include "softnpu/api/Session.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>

#include "FuzzReport.h"

using namespace softnpu;

namespace {
constexpr uint64_t kMaxInstructions = 1u << 20, kMaxElements = uint64_t{1} << 26;
constexpr uint64_t kMaxSimBytes = 256ull << 20;

/// `bytes` with the checksum a writer would have given them.
std::vector<uint8_t> withChecksum(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  constexpr size_t kOffChecksum = 28;
  if (size < kOffChecksum + 4)
    return bytes;
  const uint8_t zeros[4] = {0, 0, 0, 0};
  uLong crc = crc32(0, bytes.data(), kOffChecksum);
  crc = crc32(crc, zeros, 4);
  crc = crc32(crc, bytes.data() + kOffChecksum + 4, static_cast<uInt>(size - kOffChecksum - 4));
  for (int i = 0; i < 4; ++i)
    bytes[kOffChecksum + i] = static_cast<uint8_t>(crc >> (8 * i));
  return bytes;
}

bool cheapToRun(const artifact::Artifact &a, const artifact::RunCost &cost) {
  const target::Target &t = a.target;
  const uint64_t n = t.nativeDim;
  const uint64_t vrf = (t.ivrfDepth + uint64_t{t.numMfus} * (t.asvrfDepth + t.mulvrfDepth)) * n * 4;
  const uint64_t mrf = uint64_t{t.mrfTiles} * n * n * 4;
  return cost.instructions <= kMaxInstructions && cost.elements <= kMaxElements && vrf <= kMaxSimBytes &&
         mrf <= kMaxSimBytes && a.dramElements * 4 <= kMaxSimBytes;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  std::optional<artifact::Artifact> a = artifact::deserialize(withChecksum(data, size), error);
  if (!a || a->segmented())
    return 0;
  artifact::RunCost cost;
  if (!artifact::validate(*a, error, &cost) || !cheapToRun(*a, cost))
    return 0;
  std::unique_ptr<api::Model> model = api::Model::fromArtifact(std::move(*a), error);
  if (!model)
    reportAndTrap("validated once, refused the second time", error);
  std::unique_ptr<api::Session> session = api::Session::create(*model, error);
  if (!session)
    return 0;
  std::map<std::string, api::Tensor> inputs, outputs;
  for (const artifact::TensorSig &sig : model->artifact().inputs) {
    api::Tensor t;
    t.shape = sig.shape;
    t.dtype = sig.dtype;
    if (sig.dtype == artifact::DType::F32)
      t.data.assign(sig.numElements(), 0.0f);
    else
      t.bytes.assign(sig.numElements() * artifact::dtypeSize(sig.dtype), 0);
    inputs[sig.name] = std::move(t);
  }
  session->run(inputs, outputs, error);
  return 0;
}
