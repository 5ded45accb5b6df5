//===- FuzzTensorFile.cpp - libFuzzer: the .npy and TensorProto readers ---===//
//
// The first byte picks the reader (even: .npy, odd: TensorProto .pb); the
// rest is the file. Both must return a tensor or an error, without a crash
// or a sanitizer report.
//
//===----------------------------------------------------------------------===//
#include "softnpu/io/Npy.h"
#include "softnpu/io/TensorProto.h"

#include <cstddef>
#include <cstdint>

#include "FuzzReport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const std::string bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string error;
  auto t = data[0] % 2 == 0 ? softnpu::io::parseNpy(bytes, "fuzz.npy", error)
                            : softnpu::io::parseTensorProto(bytes, "fuzz.pb", error);
  if (!t && error.empty())
    reportAndTrap("a refusal must say why", error);
  return 0;
}
