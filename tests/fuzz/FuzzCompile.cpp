//===- FuzzCompile.cpp - libFuzzer: ONNX import and the whole compile -----===//
//
// Bytes -> a model file -> driver::compileOnnx for the `tiny` target, to an
// artifact in memory. Models above kMaxModelBytes are skipped (the import's
// size checks are exercised by far smaller declared shapes). The compile must
// give an artifact that validates, or exactly one one-line error.
//
// One MLIRContext serves kRunsPerContext compiles: creating it and loading
// the dialects costs more than rejecting most mutated models. It is replaced
// after that many runs because it keeps every attribute a compile uniqued.
//
//===----------------------------------------------------------------------===//
#include "compiler/driver/Driver.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <cstddef>
#include <cstdint>

#include "FuzzReport.h"
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>

using namespace softnpu;

namespace {
constexpr size_t kMaxModelBytes = 256 * 1024;
constexpr int kRunsPerContext = 200;

mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static int runs = 0;
  if (!ctx || ++runs == kRunsPerContext) {
    ctx.reset(); // the old one goes first: two at once would double the peak
    ctx = std::make_unique<mlir::MLIRContext>(mlir::MLIRContext::Threading::DISABLED);
    driver::loadDialects(*ctx);
    runs = 0;
  }
  return *ctx;
}

const std::string &modelPath() {
  static const std::string path = "/tmp/softnpu-fuzz-compile-" + std::to_string(::getpid()) + ".onnx";
  return path;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > kMaxModelBytes)
    return 0;
  {
    std::ofstream out(modelPath(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
  }
  std::string error;
  static const target::Target tiny = *target::Target::load("tiny", error);
  int errors = 0;
  std::optional<artifact::Artifact> a = driver::compileOnnx(
      modelPath(), tiny, {}, [&](driver::Severity s, const std::string &) { errors += s == driver::Severity::Error; },
      context());
  if (a && (errors != 0 || !artifact::validate(*a, error)))
    reportAndTrap("a compiled artifact must validate", error);
  if (!a && errors != 1)
    reportAndTrap("a failed compile reports exactly one error", std::to_string(errors) + " errors");
  return 0;
}
