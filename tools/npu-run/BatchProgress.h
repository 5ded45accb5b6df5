//===- BatchProgress.h - npu-run --batch's progress line ------------------===//
//
// On a terminal, a --batch of more than one run shows one line on stderr:
// "npu-run: 1200/10000 images, 2345 images/s, 4 s left" (images: rows of
// the model's dimension 0), redrawn at most ten times a second and erased at
// the end. Redirected to a file or a pipe, nothing is written
// (tools/common/ProgressLine.h).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_BATCHPROGRESS_H
#define SOFTNPU_TOOLS_NPU_RUN_BATCHPROGRESS_H

#include "tools/common/ProgressLine.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

namespace softnpu::tools {

class BatchProgress {
public:
  /// `runs` runs of `rowsPerRun` images each.
  BatchProgress(int64_t runs, int64_t rowsPerRun)
      : runs_(runs), rows_(rowsPerRun > 0 ? rowsPerRun : 1), line_(0.5), start_(Clock::now()) {}

  /// `n` runs are done.
  void done(int64_t n) {
    if (runs_ < 2 || !line_.enabled())
      return;
    const Clock::time_point now = Clock::now();
    if (n < runs_ && now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(n * rows_) / seconds : 0;
    std::string text = "npu-run: " + std::to_string(n * rows_) + "/" + std::to_string(runs_ * rows_) + " images";
    if (rate > 0) {
      const double left = static_cast<double>((runs_ - n) * rows_) / rate;
      text += ", " + std::to_string(static_cast<int64_t>(std::lround(rate))) + " images/s, " +
              std::to_string(static_cast<int64_t>(std::ceil(left))) + " s left";
    }
    line_.show(text);
  }

  void clear() { line_.clear(); }

private:
  using Clock = std::chrono::steady_clock;
  int64_t runs_, rows_;
  ProgressLine line_;
  Clock::time_point start_, last_{};
};

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPU_RUN_BATCHPROGRESS_H
