//===- WindowWalk.cpp - Windows of consecutive pixels, gathered in one go -===//
#include "WindowWalk.h"

#include "WindowRead.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#endif

namespace softnpu::sim::detail {

namespace {

/// Output columns whose kernel columns inside the map are tabled.
constexpr uint32_t kColumnTable = 1u << 16;

/// The output positions o, as a range [first, last], whose taps o x stride -
/// pad + k x dil (k < kernel) all lie in [0, in): first > last when none do.
void insideRange(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t dil, uint32_t pad, uint32_t &first,
                 uint32_t &last) {
  const int64_t reach = int64_t{kernel - 1} * dil;                      // the last tap's distance from the first
  const int64_t top = int64_t{in} - 1 + pad - reach;                    // the largest o x stride allowed
  first = static_cast<uint32_t>((uint64_t{pad} + stride - 1) / stride); // ceil(pad / stride): first tap at or past 0
  if (top < 0 || top / stride < first) {
    first = 1;
    last = 0;
    return;
  }
  last = static_cast<uint32_t>(std::min<int64_t>(top / stride, UINT32_MAX));
}

/// The taps k of one output position o whose input o x stride - pad + k x
/// dil lies in [0, in), k < kernel: a range, empty (lo >= hi) when none do.
WindowWalk::TapRange tapsInside(uint32_t o, uint32_t stride, uint32_t pad, uint32_t dil, uint32_t in, uint32_t kernel) {
  const int64_t i0 = int64_t{o} * stride - pad;
  const int64_t lo = i0 >= 0 ? 0 : std::min<int64_t>(kernel, (-i0 + dil - 1) / dil);
  const int64_t hi = i0 >= in ? 0 : std::min<int64_t>(kernel, (int64_t{in} - i0 + dil - 1) / dil);
  return {static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)};
}

} // namespace

WindowWalk::WindowWalk(const isa::Window &w) : w_(w), rowElems_(int64_t{w.inW} * w.inC) {
  for (uint32_t kh = 0; kh < w.kH; ++kh)
    for (uint32_t kw = 0; kw < w.kW; ++kw)
      taps_.push_back((int64_t{kh} * w.dilH * w.inW + int64_t{kw} * w.dilW) * w.inC);
  for (uint32_t kh = 0; kh < w.kH; ++kh)
    rowTaps_.push_back(taps_[size_t{kh} * w.kW]);
  if (w.upH != 1 || w.upW != 1)
    return; // inserted zeros between the taps: every pixel takes forEachTap
  insideRange(w.inH, w.kH, w.strideH, w.dilH, w.padT, rowFirst_, rowLast_);
  insideRange(w.inW, w.kW, w.strideW, w.dilW, w.padL, colFirst_, colLast_);
  // OUT_W is a register: up to 2^32 - 1 in an artifact that says so. The
  // columns past the table work out their taps as they go.
  cols_.resize(std::min<uint32_t>(w.outW, kColumnTable));
  for (uint32_t ow = 0; ow < cols_.size(); ++ow)
    cols_[ow] = tapsInside(ow, w.strideW, w.padL, w.dilW, w.inW, w.kW);
}

void WindowWalk::edgeWindow(const float *map, uint32_t oh, uint32_t ow, TapRange kh, float *x) const {
  // forEachTap's rule without upsampling: tap (kh, kw) reads map position
  // (oh x STRIDE_H - PAD_T + kh x DIL_H, ow x STRIDE_W - PAD_L + kw x DIL_W)
  // when it lies inside the map, else zeros: the taps inside are kernel rows
  // [kh.lo, kh.hi) by columns [kw.lo, kw.hi).
  const TapRange kw = ow < cols_.size() ? cols_[ow] : tapsInside(ow, w_.strideW, w_.padL, w_.dilW, w_.inW, w_.kW);
  const uint32_t c = w_.winC;
  const size_t row = size_t{w_.kW} * c;
  zeroFloats(x, w_.kH * row);
  if (kw.lo >= kw.hi)
    return;
  const int64_t ih0 = int64_t{oh} * w_.strideH - w_.padT, iw0 = int64_t{ow} * w_.strideW - w_.padL;
  const bool contiguous = w_.dilW == 1 && c == w_.inC; // the inside taps of a row are one run of the map
  for (uint32_t r = kh.lo; r < kh.hi; ++r) {
    const int64_t ih = ih0 + int64_t{r} * w_.dilH;
    const float *first = map + ih * rowElems_ + (iw0 + int64_t{kw.lo} * w_.dilW) * w_.inC; // tap kw.lo
    float *dst = x + r * row + size_t{kw.lo} * c;
    if (contiguous)
      copyFloats(dst, first, size_t{kw.hi - kw.lo} * c);
    else
      for (uint32_t k = 0; k < kw.hi - kw.lo; ++k)
        copyFloats(dst + size_t{k} * c, first + int64_t{k} * w_.dilW * w_.inC, c);
  }
}

namespace {

/// A copy of exactly N floats: fixed moves, no branch on the size.
template <size_t N> struct FixedCopy {
  void operator()(float *dst, const float *src, size_t) const { std::memcpy(dst, src, N * sizeof(float)); }
};
struct AnyCopy {
  void operator()(float *dst, const float *src, size_t n) const { copyFloats(dst, src, n); }
};

/// gatherWith<FixedCopy<R>> for R = 1 .. kFixedRows.
constexpr size_t kFixedRows = 32;
template <size_t... R> constexpr auto fixedGathers(std::index_sequence<R...>) {
  return std::array<void (WindowWalk::*)(const float *, uint64_t, uint32_t, float *, size_t) const, sizeof...(R)>{
      &WindowWalk::gatherWith<FixedCopy<R + 1>>...};
}

} // namespace

template <class Copy>
void WindowWalk::gatherWith(const float *map, uint64_t first, uint32_t count, float *x, size_t stride) const {
  const Copy copy;
  const uint32_t c = w_.winC;
  // A kernel row's taps are contiguous in the map: one copy per kernel row.
  const bool wholeRows = w_.dilW == 1 && c == w_.inC;
  const size_t row = size_t{w_.kW} * c;
  const int64_t colStep = int64_t{w_.strideW} * w_.inC;
  // A pixel is below 2^32 (the chain loop checks PIX_BASE + count).
  uint32_t oh = static_cast<uint32_t>(first / w_.outW), ow = static_cast<uint32_t>(first % w_.outW);
  bool rowIn = false;
  int64_t rowBase = 0; // the map offset of column 0's first tap (before the column check)
  TapRange rowTaps;    // the kernel rows inside the map
  const bool plain = w_.upH == 1 && w_.upW == 1;
  auto startRow = [&] {
    rowIn = rowInside(oh);
    rowBase = (int64_t{oh} * w_.strideH - w_.padT) * rowElems_ - int64_t{w_.padL} * w_.inC;
    if (plain)
      rowTaps = tapsInside(oh, w_.strideH, w_.padT, w_.dilH, w_.inH, w_.kH);
  };
  startRow();
  for (uint32_t j = 0; j < count; ++j, x += stride) {
    if (rowIn && ow >= colFirst_ && ow <= colLast_) { // interiorBase's test
      const float *at = map + rowBase + int64_t{ow} * colStep;
      if (wholeRows)
        for (uint32_t kh = 0; kh < w_.kH; ++kh)
          copy(x + kh * row, at + rowTaps_[kh], row);
      else
        for (size_t tap = 0; tap < taps_.size(); ++tap)
          copyFloats(x + tap * c, at + taps_[tap], c);
    } else if (plain) {
      edgeWindow(map, oh, ow, rowTaps, x);
    } else {
      w_.forEachTap(uint64_t{oh} * w_.outW + ow, [&](uint64_t tap, int64_t offset) {
        if (offset < 0)
          zeroFloats(x + tap * c, c);
        else
          copyFloats(x + tap * c, map + offset, c);
      });
    }
    if (++ow == w_.outW) {
      ow = 0;
      ++oh;
      startRow();
    }
  }
}

void WindowWalk::gather(const float *map, uint64_t first, uint32_t count, float *x, size_t stride) const {
  static constexpr auto fixed = fixedGathers(std::make_index_sequence<kFixedRows>());
  const size_t row = size_t{w_.kW} * w_.winC;
  if (w_.dilW == 1 && w_.winC == w_.inC && row >= 1 && row <= kFixedRows)
    (this->*fixed[row - 1])(map, first, count, x, stride);
  else
    gatherWith<AnyCopy>(map, first, count, x, stride);
}

namespace {

/// One interior window's pooled read (every tap inside the map, `taps`
/// their offsets from `at`), as poolTaps computes it: from -inf (max) or 0
/// (sum), the taps in order, then the mean's division by the tap count.
void poolInterior(const float *at, const std::vector<int64_t> &taps, uint32_t c, uint8_t pool, float *x) {
  const bool max = pool == isa::kVPoolMax;
  std::fill(x, x + c, max ? -std::numeric_limits<float>::infinity() : 0.0f);
  for (int64_t offset : taps) {
    const float *tap = at + offset;
    if (max)
      for (uint32_t k = 0; k < c; ++k)
        x[k] = poolMax(x[k], tap[k]);
    else
      for (uint32_t k = 0; k < c; ++k)
        x[k] += tap[k];
  }
  if (pool == isa::kVPoolMean)
    for (uint32_t k = 0; k < c; ++k)
      x[k] /= static_cast<float>(static_cast<uint32_t>(taps.size()));
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SOFTNPU_POOL_AVX512 1
bool haveAvx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}
#endif

} // namespace

#if defined(SOFTNPU_POOL_AVX512)
/// poolInterior 16 channels per register, for every interior pixel of the
/// range (edge pixels take poolTaps). The same IEEE operations lane by lane:
/// poolMax(x, t) is x + t when either is NaN, else fmax(x, t), which is t
/// when t > x and x otherwise (glibc's fmax keeps its first argument when
/// both are equal, so max(-0, +0) keeps the running value): vmaxps(t, x).
/// The max runs as a chain of vmaxps alone; a register whose taps hold a NaN
/// is done again with the NaN rule (x + t).
__attribute__((target("avx512f"))) void WindowWalk::poolAvx512(const float *map, uint64_t first, uint32_t count,
                                                               uint8_t pool, float *x, size_t stride) const {
  uint32_t oh = static_cast<uint32_t>(first / w_.outW), ow = static_cast<uint32_t>(first % w_.outW);
  const uint32_t c = w_.winC;
  const bool max = pool == isa::kVPoolMax;
  const __m512 divisor = _mm512_set1_ps(static_cast<float>(static_cast<uint32_t>(taps_.size())));
  const __m512 start = max ? _mm512_set1_ps(-std::numeric_limits<float>::infinity()) : _mm512_setzero_ps();
  for (uint32_t j = 0; j < count; ++j, x += stride) {
    const int64_t base = interiorBase(oh, ow);
    if (base < 0) {
      poolTaps(w_, map, uint64_t{oh} * w_.outW + ow, pool, x);
    } else {
      const float *at = map + base;
      for (uint32_t k = 0; k < c; k += 16) {
        const __mmask16 m = c - k >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << (c - k)) - 1);
        __m512 acc = start;
        __mmask16 nan = 0;
        for (int64_t offset : taps_) {
          const __m512 t = _mm512_maskz_loadu_ps(m, at + offset + k);
          if (max) {
            acc = _mm512_max_ps(t, acc);
            nan |= _mm512_cmp_ps_mask(t, t, _CMP_UNORD_Q);
          } else {
            acc = _mm512_add_ps(acc, t);
          }
        }
        if (nan) {
          acc = start;
          for (int64_t offset : taps_) {
            const __m512 t = _mm512_maskz_loadu_ps(m, at + offset + k);
            acc = _mm512_mask_add_ps(_mm512_max_ps(t, acc), _mm512_cmp_ps_mask(acc, t, _CMP_UNORD_Q), acc, t);
          }
        }
        if (pool == isa::kVPoolMean)
          acc = _mm512_div_ps(acc, divisor);
        _mm512_mask_storeu_ps(x + k, m, acc);
      }
    }
    if (++ow == w_.outW) {
      ow = 0;
      ++oh;
    }
  }
}
#endif

void WindowWalk::pool(const float *map, uint64_t first, uint32_t count, uint8_t pool, float *x, size_t stride) const {
#if defined(SOFTNPU_POOL_AVX512)
  if (haveAvx512()) {
    poolAvx512(map, first, count, pool, x, stride);
    return;
  }
#endif
  uint32_t oh = static_cast<uint32_t>(first / w_.outW), ow = static_cast<uint32_t>(first % w_.outW);
  for (uint32_t j = 0; j < count; ++j, x += stride) {
    const int64_t base = interiorBase(oh, ow);
    if (base < 0)
      poolTaps(w_, map, uint64_t{oh} * w_.outW + ow, pool, x);
    else
      poolInterior(map + base, taps_, w_.winC, pool, x);
    if (++ow == w_.outW) {
      ow = 0;
      ++oh;
    }
  }
}

} // namespace softnpu::sim::detail
