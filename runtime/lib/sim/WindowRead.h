//===- WindowRead.h - The windowed v_rd in the simulator (not installed) --===//
//
// A v_rd with the window flag gathers one output pixel's receptive field
// (isa/Window.h, docs/isa.md "Window reads"). Chain.cpp calls readWindow for
// the chain's input, Describe.cpp describeWindowRead for the timing model.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_WINDOWREAD_H
#define SOFTNPU_LIB_SIM_WINDOWREAD_H

#include "SimState.h"

#include "softnpu/isa/Window.h"

#include <cmath>

namespace softnpu::sim::detail {

/// Gathers the window of windowed v_rd `rd` into the first `lanes` lanes of
/// s.cur (zero-filled past the window). Returns false with a one-line reason
/// when the registers do not describe a window that fits the lanes and DRAM.
bool readWindow(State &s, const isa::Inst &rd, uint64_t lanes, std::string &what);

/// One max-pooling step: the larger of x and a tap's element, NaN when
/// either is (a NaN tap makes the window's max NaN, as in ONNX).
inline float poolMax(float x, float tap) { return x != x || tap != tap ? x + tap : std::fmax(x, tap); }

/// The pooled read of pixel `pixel` from the map at `map` into x[0, WIN_C):
/// `pool` is the read's pool field (isa::kVPoolMax, kVPoolSum or kVPoolMean).
void poolTaps(const isa::Window &w, const float *map, uint64_t pixel, uint8_t pool, float *x);

/// Adds what windowed v_rd `rd` (just executed) reads to `w`: the DRAM
/// elements of the taps inside the map (padding taps read nothing) and the
/// DRAM range that holds them.
void describeWindowRead(const State &s, const isa::Inst &rd, timing::Work &w);

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_WINDOWREAD_H
