//===- PyErrors.h - softnpu.Error and the no-exception-escapes rule -------===//
//
// Every failure reaches Python as softnpu.Error, with the one line the tools
// print after "TOOL: error: " (control characters escaped, OneLine.h). The
// library reports failures as strings; guarded() turns a C++ exception that
// escapes anyway (std::bad_alloc) into softnpu.Error too, so no C++
// exception or abort ever reaches the interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_PYTHON_PYERRORS_H
#define SOFTNPU_PYTHON_PYERRORS_H

#include <pybind11/pybind11.h>

#include <exception>
#include <new>
#include <string>
#include <utility>

namespace softnpu::python {

/// Registers softnpu.Error (a subclass of RuntimeError) in `m`.
void registerError(pybind11::module_ &m);

/// Throws softnpu.Error with `message` made one line.
[[noreturn]] void raise(const std::string &message);

/// Runs `f`, turning std::bad_alloc and other C++ exceptions (but not Python
/// errors) into softnpu.Error.
template <typename F> auto guarded(F &&f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const pybind11::error_already_set &) {
    throw;
  } catch (const pybind11::builtin_exception &) {
    throw;
  } catch (const std::bad_alloc &) {
    raise("out of host memory");
  } catch (const std::exception &e) {
    raise(std::string("internal error: ") + e.what());
  }
}

} // namespace softnpu::python

#endif // SOFTNPU_PYTHON_PYERRORS_H
