//===- PyErrors.cpp - softnpu.Error ---------------------------------------===//
#include "PyErrors.h"

#include "tools/common/OneLine.h"

namespace py = pybind11;

namespace softnpu::python {

namespace {
// Set once at import; the interpreter keeps the class alive (it is an
// attribute of the module), so a raw handle is enough.
PyObject *errorType = nullptr;
} // namespace

void registerError(py::module_ &m) {
  static py::exception<std::runtime_error> error(m, "Error", PyExc_RuntimeError);
  error.attr("__module__") = "softnpu"; // tracebacks say softnpu.Error
  error.doc() = "Raised by every softnpu failure, with the one-line message the command-line tools print.";
  errorType = error.ptr();
}

void raise(const std::string &message) {
  PyErr_SetString(errorType, tools::oneLine(message).c_str());
  throw py::error_already_set();
}

} // namespace softnpu::python
