//===- PathArg.h - A file path from Python: str or os.PathLike ------------===//
#ifndef SOFTNPU_PYTHON_PATHARG_H
#define SOFTNPU_PYTHON_PATHARG_H

#include <pybind11/pybind11.h>

#include <string>

namespace softnpu::python {

/// True for a str or an os.PathLike (pathlib.Path).
inline bool isPath(const pybind11::handle &h) {
  return pybind11::isinstance<pybind11::str>(h) || pybind11::hasattr(h, "__fspath__");
}

/// The path of a str or os.PathLike (os.fspath; a TypeError for others).
inline std::string pathArg(const pybind11::handle &h) {
  return pybind11::str(pybind11::module_::import("os").attr("fspath")(h)).cast<std::string>();
}

} // namespace softnpu::python

#endif // SOFTNPU_PYTHON_PATHARG_H
