//===- Bindings.h - The parts of the _softnpu module ----------------------===//
#ifndef SOFTNPU_PYTHON_BINDINGS_H
#define SOFTNPU_PYTHON_BINDINGS_H

#include "softnpu/artifact/Artifact.h"
#include "softnpu/target/Target.h"

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::python {

/// softnpu.Target: a read-only target description.
struct PyTarget {
  target::Target target;
  /// Its fields as a dict, parsed from the JSON on first use (fieldsOf).
  pybind11::object fields;
};

/// softnpu.Artifact: a compiled model, in memory.
struct PyArtifact {
  std::shared_ptr<const artifact::Artifact> artifact;
  /// The compile's placement report (PlacementReport::json), when compiled
  /// in this process; a loaded artifact has none.
  std::optional<std::string> placementJson;
  std::vector<std::string> notes; ///< the compiler's notes (compile() only)
};

/// softnpu.NodeArg: an input or output as onnxruntime describes it.
struct NodeArg {
  std::string name;
  std::vector<int64_t> shape;
  std::string type; ///< "tensor(float)", "tensor(int64)", ...
};

/// NodeArgs of a signature.
std::vector<NodeArg> nodeArgs(const std::vector<artifact::TensorSig> &sigs);

/// A target named by a preset name, a JSON file or a softnpu.Target (None:
/// the default preset).
target::Target targetArg(const pybind11::object &spec);

void bindTargets(pybind11::module_ &m);   ///< Target, list_targets
void bindArtifacts(pybind11::module_ &m); ///< Artifact, compile
void bindSessions(pybind11::module_ &m);  ///< InferenceSession, NodeArg

} // namespace softnpu::python

#endif // SOFTNPU_PYTHON_BINDINGS_H
