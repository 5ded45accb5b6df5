//===- Window.cpp - Sliding-window geometry of Conv and the pools ---------===//
#include "Window.h"

namespace softnpu::host {

namespace {

bool readPerAxis(KernelContext &ctx, const char *name, size_t n, int64_t dflt, int64_t minimum,
                 std::vector<int64_t> &out) {
  out = ctx.node.attrInts(name, std::vector<int64_t>(n, dflt));
  if (out.empty())
    out.assign(n, dflt);
  if (out.size() != n)
    return ctx.fail(std::string(name) + " has " + std::to_string(out.size()) + " entries, expected " +
                    std::to_string(n));
  for (int64_t v : out)
    if (v < minimum)
      return ctx.fail(std::string(name) + " has entry " + std::to_string(v));
  return true;
}

} // namespace

bool windowAttributes(KernelContext &ctx, size_t n, const std::vector<int64_t> &kernel, bool useDilations, Window &w) {
  if (kernel.size() != n)
    return ctx.fail("kernel has " + std::to_string(kernel.size()) + " axes for " + std::to_string(n) + " spatial axes");
  for (int64_t k : kernel)
    if (k < 1)
      return ctx.fail("kernel size " + std::to_string(k));
  w.kernel = kernel;
  if (!readPerAxis(ctx, "strides", n, 1, 1, w.strides))
    return false;
  if (useDilations) {
    if (!readPerAxis(ctx, "dilations", n, 1, 1, w.dilations))
      return false;
  } else {
    w.dilations.assign(n, 1);
  }
  std::vector<int64_t> pads;
  if (!readPerAxis(ctx, "pads", 2 * n, 0, 0, pads))
    return false;
  w.padsBegin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(n));
  w.padsEnd.assign(pads.begin() + static_cast<std::ptrdiff_t>(n), pads.end());
  return true;
}

bool slidingWindow(KernelContext &ctx, const std::vector<int64_t> &in, const std::vector<int64_t> &kernel,
                   bool ceilMode, bool useDilations, Window &w) {
  const size_t n = in.size();
  if (!windowAttributes(ctx, n, kernel, useDilations, w))
    return false;
  const std::string autoPad = ctx.node.attrString("auto_pad", "NOTSET");
  w.out.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const int64_t s = w.strides[i], ext = w.extent(i);
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      w.out[i] = (in[i] + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + ext - in[i]);
      w.padsBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.padsEnd[i] = total - w.padsBegin[i];
      continue;
    }
    if (autoPad == "VALID") {
      w.padsBegin[i] = w.padsEnd[i] = 0;
    } else if (autoPad != "NOTSET" && !autoPad.empty()) {
      return ctx.fail("auto_pad " + autoPad + " is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
    }
    const int64_t span = in[i] + w.padsBegin[i] + w.padsEnd[i] - ext;
    if (span < 0)
      return ctx.fail("kernel extent " + std::to_string(ext) + " exceeds the padded input " +
                      std::to_string(in[i] + w.padsBegin[i] + w.padsEnd[i]) + " along spatial axis " +
                      std::to_string(i));
    w.out[i] = (ceilMode ? (span + s - 1) / s : span / s) + 1;
  }
  return true;
}

} // namespace softnpu::host
