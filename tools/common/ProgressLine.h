//===- ProgressLine.h - One-line progress indicator on a terminal ---------===//
//
// What npu-compile and npu-sweep show while they work: one line on stderr,
// redrawn in place ("\r" + erase line) and erased when done. Only when stderr
// is a terminal; otherwise (pipes, files, tests) nothing is ever written. An
// optional delay hides it for work that finishes quickly.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_COMMON_PROGRESSLINE_H
#define SOFTNPU_TOOLS_COMMON_PROGRESSLINE_H

#include <chrono>
#include <cstdio>
#include <string>

#include <unistd.h>

namespace softnpu::tools {

class ProgressLine {
public:
  /// `delaySeconds`: show nothing until this long after construction.
  explicit ProgressLine(double delaySeconds = 0)
      : enabled_(isatty(fileno(stderr)) == 1), start_(std::chrono::steady_clock::now()), delay_(delaySeconds) {}
  ~ProgressLine() { clear(); }
  ProgressLine(const ProgressLine &) = delete;
  ProgressLine &operator=(const ProgressLine &) = delete;

  bool enabled() const { return enabled_; }

  /// Replaces the line with `text` (cut to 100 characters).
  void show(const std::string &text) {
    if (!enabled_ || std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() < delay_)
      return;
    std::fprintf(stderr, "\r\033[K%s", text.substr(0, 100).c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  /// Erases the line (call before printing anything else to stderr).
  void clear() {
    if (!shown_)
      return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  double delay_;
};

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_COMMON_PROGRESSLINE_H
