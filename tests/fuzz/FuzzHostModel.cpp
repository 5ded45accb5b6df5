//===- FuzzHostModel.cpp - libFuzzer: the host-segment interpreter's decoding -===//
//
// Bytes -> host::parseHostModel, the decoding of a host segment's ONNX graph
// (nodes, attributes, subgraphs, initializers) into the interpreter's form.
// It must give a graph or an error (names from the model are quoted raw;
// the tools print messages through tools/common/OneLine.h). Running the graph is not part of
// this target: a valid ONNX graph may legitimately run for ever (a Loop with
// a trip count of 2^62), as it would in any runtime.
//
//===----------------------------------------------------------------------===//
#include "softnpu/host/HostGraph.h"

#include <cstddef>
#include <cstdint>

#include "FuzzReport.h"
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  auto g = softnpu::host::parseHostModel(std::string_view(reinterpret_cast<const char *>(data), size), error);
  if (!g && error.empty())
    reportAndTrap("a refusal must say why", error);
  return 0;
}
