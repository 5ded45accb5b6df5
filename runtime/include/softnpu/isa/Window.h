//===- Window.h - Geometry of a windowed v_rd (convolution input) ---------===//
//
// A v_rd with the window flag (isa::kVWindow) gathers the receptive field of
// one output pixel of a convolution from a channels-innermost feature map in
// DRAM (docs/isa.md "Window reads"). This is that geometry, read from the
// scalar registers, for everyone who needs it: the simulator (gather and
// timing description) and the artifact loader (static checks), so the rules
// and their messages exist once.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ISA_WINDOW_H
#define SOFTNPU_ISA_WINDOW_H

#include "softnpu/isa/Isa.h"

#include <cstdint>
#include <optional>
#include <string>

namespace softnpu::isa {

struct Window {
  uint32_t inH = 1, inW = 1, inC = 1, winC = 1; ///< feature map, channels per tap
  uint32_t kH = 1, kW = 1;                      ///< kernel taps
  uint32_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  uint32_t padT = 0, padL = 0;
  uint32_t outW = 1;         ///< output columns: pixel p is (p / outW, p mod outW)
  uint32_t upH = 1, upW = 1; ///< the map read upsampled: up - 1 zeros between two rows / columns

  /// The window the registers describe; `reg(SReg)` returns a register's value.
  template <class RegFn> static Window fromRegisters(RegFn reg) {
    auto r = [&](SReg s) { return static_cast<uint32_t>(reg(s)); };
    return Window{r(SReg::InH),  r(SReg::InW),     r(SReg::InC),     r(SReg::WinC), r(SReg::KH),
                  r(SReg::KW),   r(SReg::StrideH), r(SReg::StrideW), r(SReg::DilH), r(SReg::DilW),
                  r(SReg::PadT), r(SReg::PadL),    r(SReg::OutW),    r(SReg::UpH),  r(SReg::UpW)};
  }

  /// Elements gathered: K_H x K_W x WIN_C (saturating).
  uint64_t elements() const;
  /// Elements from `a` to one past the last one any pixel's window may read,
  /// (IN_H x IN_W - 1) x IN_C + WIN_C (saturating): the map must lie in DRAM.
  uint64_t span() const;

  /// Lanes the read fills: K_H x K_W x WIN_C, or WIN_C when `pooled` (the
  /// taps combined, isa::kVPoolMax / kVPoolSum).
  uint64_t lanesFilled(bool pooled) const { return pooled ? winC : elements(); }
  /// Why a windowed v_rd at DRAM element `a` cannot run with these registers
  /// on a chain of `lanes` lanes and a DRAM of `dramElements` elements (a
  /// register below 1, WIN_C > IN_C, more elements than lanes, a map reaching
  /// past DRAM), as one line; nullopt when it can.
  std::optional<std::string> check(uint64_t a, uint64_t lanes, uint64_t dramElements, bool pooled = false) const;

  /// Calls f(tap, offset) for the K_H x K_W taps of output pixel p in (kh, kw)
  /// order: tap = kh x K_W + kw; offset = the element offset from `a` of the
  /// tap's first channel, or -1 for a tap outside the map (it reads WIN_C
  /// zeros). Only for a window check() accepts.
  template <class F> void forEachTap(uint64_t p, F f) const {
    const uint64_t oh = p / outW, ow = p % outW;
    for (uint32_t kh = 0; kh < kH; ++kh) {
      const int64_t ih = coordinate(oh, strideH, kh, dilH, padT, inH, upH);
      for (uint32_t kw = 0; kw < kW; ++kw) {
        const int64_t iw = ih < 0 ? -1 : coordinate(ow, strideW, kw, dilW, padL, inW, upW);
        f(uint64_t{kh} * kW + kw, iw < 0 ? int64_t{-1} : (ih * int64_t{inW} + iw) * int64_t{inC});
      }
    }
  }

  /// The input coordinate of o x stride + k x dil - pad in the map read
  /// upsampled by `up` ((in - 1) x up + 1 positions, map row / column i at
  /// i x up), or -1 when it is outside them or falls on an inserted zero.
  /// Exact for any 32-bit operands and o < 2^32.
  static int64_t coordinate(uint64_t o, uint32_t stride, uint32_t k, uint32_t dil, uint32_t pad, uint32_t in,
                            uint32_t up = 1) {
    const uint64_t s = o * stride, d = uint64_t{k} * dil;             // each < 2^64
    const uint64_t end = uint64_t{pad} + (uint64_t{in} - 1) * up + 1; // < 2^64
    if (s >= end || d >= end - s || s + d < pad)                      // s + d >= end; then no overflow
      return -1;
    const uint64_t u = s + d - pad;
    if (up > 1 && u % up != 0)
      return -1;
    return static_cast<int64_t>(up > 1 ? u / up : u);
  }
};

} // namespace softnpu::isa

#endif // SOFTNPU_ISA_WINDOW_H
