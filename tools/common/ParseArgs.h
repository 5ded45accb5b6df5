//===- ParseArgs.h - One CLI11 parse policy for every softnpu tool ------*- C++ -*-===//
//
// --help and --version ("TOOL VERSION", Version.h) print and exit 0; any
// other parse error is one line "TOOL: error: WHAT (run with --help for
// usage)" and exit code 2.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_COMMON_PARSEARGS_H
#define SOFTNPU_TOOLS_COMMON_PARSEARGS_H

#include "tools/common/Version.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace softnpu::tools {

/// Parses; returns the exit code when the tool should stop now, nullopt when
/// it should go on.
inline std::optional<int> parseArgs(CLI::App &app, int argc, char **argv, const char *tool) {
  app.set_version_flag("--version", std::string(tool) + " " + kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) { // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "%s: error: %s (run with --help for usage)\n", tool, e.what());
    return 2;
  }
  return std::nullopt;
}

} // namespace softnpu::tools

#endif
