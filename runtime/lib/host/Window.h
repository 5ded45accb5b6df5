//===- Window.h - Sliding-window geometry of Conv and the pools -----------===//
//
// Conv, MaxPool, AveragePool and LpPool slide a kernel over the spatial axes
// (those after N and C) with strides, dilations and pads; pads are explicit
// (`pads`, begins then ends) or derived from auto_pad. slidingWindow() reads
// those attributes and works out the output's spatial size.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_WINDOW_H
#define SOFTNPU_HOST_WINDOW_H

#include "Kernel.h"

#include <algorithm>

namespace softnpu::host {

struct Window {
  std::vector<int64_t> kernel, strides, dilations, padsBegin, padsEnd, out;
  /// Dilated kernel extent along spatial axis i.
  int64_t extent(size_t i) const { return (kernel[i] - 1) * dilations[i] + 1; }
  /// padsEnd[i] enlarged so that the last window (ceil_mode) fits:
  /// in + padsBegin + padEnd covers (out - 1) * stride + extent.
  int64_t coveringPadEnd(size_t i, int64_t in) const {
    return std::max(padsEnd[i], (out[i] - 1) * strides[i] + extent(i) - in - padsBegin[i]);
  }
};

/// The node's kernel, strides, dilations and explicit pads for `n` spatial
/// axes (w.out is left empty).
bool windowAttributes(KernelContext &ctx, size_t n, const std::vector<int64_t> &kernel, bool useDilations, Window &w);

/// The window of the node's strides, dilations, pads and auto_pad over the
/// spatial sizes `in` for kernel sizes `kernel`; `ceilMode` rounds the
/// output size up (pools). `useDilations`: false for ops that have none.
bool slidingWindow(KernelContext &ctx, const std::vector<int64_t> &in, const std::vector<int64_t> &kernel,
                   bool ceilMode, bool useDilations, Window &w);

} // namespace softnpu::host

#endif
