//===- Module.cpp - The _softnpu extension module -------------------------===//
//
// `import softnpu` (python/softnpu/__init__.py) re-exports this module. It is
// bindings only: every behaviour is the C++ libraries' (docs/python.md).
//
//===----------------------------------------------------------------------===//
#include "Bindings.h"
#include "PyErrors.h"

namespace py = pybind11;

PYBIND11_MODULE(_softnpu, m) {
  m.doc() = "softnpu: compile ONNX models for the soft NPU and run them on its bit-accurate simulator.";
  m.attr("__version__") = SOFTNPU_VERSION;
  softnpu::python::registerError(m);
  softnpu::python::bindTargets(m);
  softnpu::python::bindArtifacts(m);
  softnpu::python::bindSessions(m);
}
