//===- FatalError.h - The last line of defence: one error line, exit 1 --*- C++ -*-===//
//
// Every error a tool expects is reported where it happens. This handler is for
// what should never reach it, an exception nothing caught (std::bad_alloc when
// the host runs out of memory): instead of std::terminate's abort it prints
// "TOOL: error: WHAT" and exits 1, the contract of every other error.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_COMMON_FATALERROR_H
#define SOFTNPU_TOOLS_COMMON_FATALERROR_H

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

namespace softnpu::tools {

inline const char *&fatalErrorTool() {
  static const char *tool = "softnpu";
  return tool;
}

inline void installFatalErrorHandler(const char *tool) {
  fatalErrorTool() = tool;
  std::set_terminate([] {
    std::string what = "internal error: an exception nothing caught";
    if (std::exception_ptr e = std::current_exception()) {
      try {
        std::rethrow_exception(e);
      } catch (const std::bad_alloc &) {
        what = "out of host memory";
      } catch (const std::exception &x) {
        what = std::string("internal error: ") + x.what();
      } catch (...) {
      }
    }
    for (char &c : what)
      if (c == '\n' || c == '\r')
        c = ' ';
    std::fprintf(stderr, "%s: error: %s\n", fatalErrorTool(), what.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  });
}

} // namespace softnpu::tools

#endif
