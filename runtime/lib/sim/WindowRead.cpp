//===- WindowRead.cpp - Gather and work of a windowed v_rd ----------------===//
#include "WindowRead.h"

#include "softnpu/isa/Window.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace softnpu::sim::detail {

namespace {

isa::Window windowOf(const State &s) {
  return isa::Window::fromRegisters([&](isa::SReg r) { return s.reg(r); });
}

/// The output pixel: PIX_BASE, plus the innermost loop's iteration with the
/// iter flag (planProgram put the read inside a loop).
uint64_t pixelOf(const State &s, const isa::Inst &rd) {
  return uint64_t{s.reg(isa::SReg::PixBase)} +
         ((rd.flags & isa::kVIter) && !s.loops.empty() ? s.loops.back().iteration : 0);
}

} // namespace

void poolTaps(const isa::Window &w, const float *map, uint64_t pixel, uint8_t pool, float *x) {
  const bool max = pool == isa::kVPoolMax;
  std::fill(x, x + w.winC, max ? -std::numeric_limits<float>::infinity() : 0.0f);
  uint32_t inside = 0; // taps inside the map: the mean's divisor
  w.forEachTap(pixel, [&](uint64_t, int64_t offset) {
    if (offset < 0)
      return; // padding: skipped by max, adds nothing to the sum, not counted
    ++inside;
    const float *tap = map + offset;
    if (max)
      for (uint32_t c = 0; c < w.winC; ++c)
        x[c] = poolMax(x[c], tap[c]);
    else
      for (uint32_t c = 0; c < w.winC; ++c)
        x[c] += tap[c];
  });
  // A window always has a tap inside the map (check() keeps padding below
  // the kernel), so the divisor is at least 1.
  if (pool == isa::kVPoolMean)
    for (uint32_t c = 0; c < w.winC; ++c)
      x[c] /= static_cast<float>(std::max<uint32_t>(inside, 1));
}

bool readWindow(State &s, const isa::Inst &rd, uint64_t lanes, std::string &what) {
  const isa::Window w = windowOf(s);
  const bool pooled = rd.flags & isa::kVPoolMask;
  if (std::optional<std::string> why = w.check(rd.a, lanes, s.dram.size(), pooled)) {
    what = *why;
    return false;
  }
  // check() put the whole map inside DRAM: every tap offset is in range.
  s.settleDram(rd.a, rd.a + w.span());
  const float *map = s.dram.data() + rd.a;
  float *x = s.cur.data();
  if (pooled) {
    poolTaps(w, map, pixelOf(s, rd), rd.flags & isa::kVPoolMask, x);
    std::fill(x + w.winC, x + lanes, 0.0f);
    return true;
  }
  w.forEachTap(pixelOf(s, rd), [&](uint64_t tap, int64_t offset) {
    float *dst = x + tap * w.winC;
    if (offset < 0)
      std::fill(dst, dst + w.winC, 0.0f);
    else
      std::memcpy(dst, map + offset, w.winC * sizeof(float));
  });
  std::fill(x + w.elements(), x + lanes, 0.0f);
  return true;
}

void describeWindowRead(const State &s, const isa::Inst &rd, timing::Work &w) {
  const isa::Window win = windowOf(s);
  uint64_t taps = 0, first = 0, last = 0; // in-map taps; their lowest and highest offset
  win.forEachTap(pixelOf(s, rd), [&](uint64_t, int64_t offset) {
    if (offset < 0)
      return;
    const uint64_t o = static_cast<uint64_t>(offset);
    first = taps ? std::min(first, o) : o;
    last = taps ? std::max(last, o) : o;
    ++taps;
  });
  w.sourceDram = true;
  w.dramRead = taps * win.winC;
  if (taps)
    w.reads.push_back({timing::Memory::Dram, 0, rd.a + first, rd.a + last + win.winC});
}

} // namespace softnpu::sim::detail
