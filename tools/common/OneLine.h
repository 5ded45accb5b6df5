//===- OneLine.h - Messages kept to one line -----------------------*- C++ -*-===//
//
// Error messages quote names from the model or artifact (node, tensor and
// file names), which may hold any byte. Every tool prints its messages
// through oneLine(), so a "\n" or "\r" inside a name cannot split the
// one-line error contract: control characters are shown escaped.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_COMMON_ONELINE_H
#define SOFTNPU_TOOLS_COMMON_ONELINE_H

#include <cstdio>
#include <string>
#include <string_view>

namespace softnpu::tools {

/// `text` with control characters escaped (\n, \r, \t, else \xNN).
inline std::string oneLine(std::string_view text) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      s += c;
      continue;
    }
    if (c == '\n')
      s += "\\n";
    else if (c == '\r')
      s += "\\r";
    else if (c == '\t')
      s += "\\t";
    else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      s += hex;
    }
  }
  return s;
}

} // namespace softnpu::tools

#endif
