//===- Signal.cpp - Host kernels: windows, DFT, STFT, MelWeightMatrix -----===//
//
// Complex values travel as a trailing dimension of 2 (real, imaginary); a
// real signal has a trailing dimension of 1. The transforms are direct
// O(n^2) sums in double, with the twiddle angle reduced mod n for accuracy.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cmath>
#include <complex>

namespace softnpu::host {

namespace {

constexpr double kPi = 3.14159265358979323846;
using Complex = std::complex<double>;

/// One integer from a scalar (or one-element) int32/int64 input.
bool scalarInt(KernelContext &ctx, const HostTensor *t, int64_t &out, const char *what) {
  if (!t)
    return ctx.fail(std::string("needs input ") + what);
  std::vector<int64_t> v;
  if (!readInts(ctx, *t, v, what))
    return false;
  if (v.size() != 1)
    return ctx.fail(std::string(what) + " must have one element");
  out = v[0];
  return true;
}

/// One number from a scalar (or one-element) input of any numeric type.
bool scalarDouble(KernelContext &ctx, const HostTensor *t, double &out, const char *what) {
  if (!t)
    return ctx.fail(std::string("needs input ") + what);
  if (t->numElements() != 1)
    return ctx.fail(std::string(what) + " must have one element");
  out = dispatch(t->dtype, [&](auto tag) {
    using T = decltype(tag);
    return static_cast<double>(static_cast<ComputeOf<T>>(*t->data<T>()));
  });
  return true;
}

/// A new tensor of `shape` holding `v` converted to `dtype`.
HostTensor fromDoubles(DType dtype, const std::vector<int64_t> &shape, const std::vector<double> &v) {
  HostTensor out(dtype, shape);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    for (size_t i = 0; i < v.size(); ++i)
      out.data<T>()[i] = T(static_cast<C>(v[i]));
    return true;
  });
  return out;
}

/// The output_datatype attribute as a DType (float32 by default).
bool outputDType(KernelContext &ctx, DType &out) {
  const int64_t code = ctx.node.attrInt("output_datatype", 1);
  const std::optional<DType> t = artifact::dtypeFromOnnx(static_cast<int>(code));
  if (!t)
    return ctx.fail("output_datatype " + std::to_string(code) + " is not supported");
  out = *t;
  return true;
}

/// Generalized cosine window sum_k (-1)^k a[k] cos(2 pi k n / N), with N the
/// size (periodic) or size - 1 (symmetric).
KernelFn cosineWindow(std::vector<double> a) {
  return [a](KernelContext &ctx) {
    int64_t size;
    DType dtype;
    if (!scalarInt(ctx, ctx.in(0), size, "size") || !outputDType(ctx, dtype))
      return false;
    if (size < 0)
      return ctx.fail("size must not be negative");
    const bool periodic = ctx.node.attrInt("periodic", 1) != 0;
    const double N = static_cast<double>(periodic ? size : size - 1);
    std::vector<double> w(static_cast<size_t>(size));
    for (int64_t n = 0; n < size; ++n) {
      double v = 0, sign = 1;
      for (size_t k = 0; k < a.size(); ++k, sign = -sign)
        v += sign * a[k] * (N > 0 ? std::cos(2 * kPi * static_cast<double>(k) * static_cast<double>(n) / N) : 1.0);
      w[static_cast<size_t>(n)] = v;
    }
    ctx.outputs[0] = fromDoubles(dtype, {size}, w);
    return true;
  };
}

/// out[k] = sum_t in[t] e^(-+2 pi i k t / n) for k < bins; in is zero past
/// its end. Inverse transforms divide by n.
void dft(const std::vector<Complex> &in, int64_t n, bool inverse, int64_t bins, Complex *out) {
  const double sign = inverse ? 1 : -1;
  const int64_t len = std::min<int64_t>(n, static_cast<int64_t>(in.size()));
  for (int64_t k = 0; k < bins; ++k) {
    Complex acc = 0;
    for (int64_t t = 0; t < len; ++t) {
      const double angle = sign * 2 * kPi * static_cast<double>((k * t) % n) / static_cast<double>(n);
      acc += in[static_cast<size_t>(t)] * Complex(std::cos(angle), std::sin(angle));
    }
    out[k] = inverse ? acc / static_cast<double>(n) : acc;
  }
}

/// Element (real, imag) `at` of a signal of storage type T with `parts`
/// (1 or 2) values per element.
template <typename T> Complex complexAt(const T *p, int64_t at, int64_t parts) {
  using C = ComputeOf<T>;
  return {static_cast<double>(C(p[at * parts])), parts == 2 ? static_cast<double>(C(p[at * parts + 1])) : 0.0};
}

bool dftKernel(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const int64_t rank = static_cast<int64_t>(x->rank());
  if (rank < 2 || (x->shape.back() != 1 && x->shape.back() != 2))
    return ctx.fail("input " + shapeText(x->shape) + " must end in a dimension of 1 (real) or 2 (complex)");
  int64_t axis = ctx.node.attrInt("axis", 1);
  if (!normalizeAxis(ctx, axis, rank))
    return false;
  if (axis == rank - 1)
    return ctx.fail("axis must not be the last (real, imaginary) dimension");
  int64_t n = x->shape[static_cast<size_t>(axis)];
  if (ctx.in(1) && !scalarInt(ctx, ctx.in(1), n, "dft_length"))
    return false;
  if (n <= 0)
    return ctx.fail("dft_length must be positive");
  const bool inverse = ctx.node.attrInt("inverse", 0) != 0, onesided = ctx.node.attrInt("onesided", 0) != 0;
  const int64_t bins = onesided ? n / 2 + 1 : n, parts = x->shape.back(), len = x->shape[static_cast<size_t>(axis)];
  std::vector<int64_t> shape = x->shape;
  shape[static_cast<size_t>(axis)] = bins;
  shape.back() = 2;
  int64_t outer = 1, inner = 1; // elements before and after the axis (excluding the trailing complex dim)
  for (int64_t d = 0; d < axis; ++d)
    outer *= x->shape[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < rank - 1; ++d)
    inner *= x->shape[static_cast<size_t>(d)];
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, shape);
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    std::vector<Complex> seq(static_cast<size_t>(len)), res(static_cast<size_t>(bins));
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t t = 0; t < len; ++t)
          seq[static_cast<size_t>(t)] = complexAt(x->data<T>(), (o * len + t) * inner + i, parts);
        dft(seq, n, inverse, bins, res.data());
        for (int64_t k = 0; k < bins; ++k) {
          T *dst = out.data<T>() + ((o * bins + k) * inner + i) * 2;
          dst[0] = T(static_cast<ComputeOf<T>>(res[static_cast<size_t>(k)].real()));
          dst[1] = T(static_cast<ComputeOf<T>>(res[static_cast<size_t>(k)].imag()));
        }
      }
    return true;
  });
}

bool stft(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *window = ctx.in(2);
  if (!x)
    return ctx.fail("needs input signal");
  if (x->rank() != 3 || (x->shape[2] != 1 && x->shape[2] != 2))
    return ctx.fail("signal " + shapeText(x->shape) + " must be [batch, length, 1 or 2]");
  int64_t step, frameLength = window ? window->numElements() : -1;
  if (!scalarInt(ctx, ctx.in(1), step, "frame_step"))
    return false;
  if (ctx.in(3) && !scalarInt(ctx, ctx.in(3), frameLength, "frame_length"))
    return false;
  if (frameLength < 0)
    return ctx.fail("needs a window or a frame_length");
  if (window && (window->rank() != 1 || window->numElements() != frameLength || window->dtype != x->dtype))
    return ctx.fail("window must be 1-D of frame_length " + std::to_string(frameLength) + " and the signal's type");
  const int64_t B = x->shape[0], L = x->shape[1], parts = x->shape[2];
  if (step <= 0 || frameLength <= 0 || frameLength > L)
    return ctx.fail("frame_step and frame_length must be positive, frame_length at most the signal length");
  const int64_t frames = (L - frameLength) / step + 1;
  const int64_t bins = ctx.node.attrInt("onesided", 1) != 0 ? frameLength / 2 + 1 : frameLength;
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, {B, frames, bins, 2});
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    std::vector<Complex> seq(static_cast<size_t>(frameLength)), res(static_cast<size_t>(bins));
    for (int64_t b = 0; b < B; ++b)
      for (int64_t f = 0; f < frames; ++f) {
        for (int64_t t = 0; t < frameLength; ++t) {
          const double w = window ? static_cast<double>(C(window->data<T>()[t])) : 1.0;
          seq[static_cast<size_t>(t)] = w * complexAt(x->data<T>(), b * L + f * step + t, parts);
        }
        dft(seq, frameLength, false, bins, res.data());
        T *dst = out.data<T>() + (b * frames + f) * bins * 2;
        for (int64_t k = 0; k < bins; ++k) {
          dst[2 * k] = T(static_cast<C>(res[static_cast<size_t>(k)].real()));
          dst[2 * k + 1] = T(static_cast<C>(res[static_cast<size_t>(k)].imag()));
        }
      }
    return true;
  });
}

/// Triangular filters between mel-spaced frequencies, as ONNX's reference
/// builds them ([dft_length / 2 + 1, num_mel_bins]).
bool melWeightMatrix(KernelContext &ctx) {
  int64_t bins, dftLength, sampleRate;
  double lowHz, highHz;
  DType dtype;
  if (!scalarInt(ctx, ctx.in(0), bins, "num_mel_bins") || !scalarInt(ctx, ctx.in(1), dftLength, "dft_length") ||
      !scalarInt(ctx, ctx.in(2), sampleRate, "sample_rate") ||
      !scalarDouble(ctx, ctx.in(3), lowHz, "lower_edge_hertz") ||
      !scalarDouble(ctx, ctx.in(4), highHz, "upper_edge_hertz") || !outputDType(ctx, dtype))
    return false;
  if (bins <= 0 || dftLength <= 0 || sampleRate <= 0 || lowHz < 0 || highHz < lowHz)
    return ctx.fail("num_mel_bins, dft_length and sample_rate must be positive, 0 <= lower <= upper edge");
  const int64_t spectrumBins = dftLength / 2 + 1;
  auto toMel = [](double hz) { return 2595 * std::log10(1 + hz / 700); };
  const double lowMel = toMel(lowHz), melStep = (toMel(highHz) - lowMel) / static_cast<double>(bins + 2);
  std::vector<int64_t> edge(static_cast<size_t>(bins + 2));
  for (int64_t i = 0; i < bins + 2; ++i) {
    const double hz = 700 * (std::pow(10.0, (static_cast<double>(i) * melStep + lowMel) / 2595) - 1);
    edge[static_cast<size_t>(i)] =
        static_cast<int64_t>(std::floor(static_cast<double>(dftLength + 1) * hz / static_cast<double>(sampleRate)));
  }
  std::vector<double> w(static_cast<size_t>(spectrumBins * bins), 0.0);
  auto set = [&](int64_t j, int64_t i, double v) {
    if (j >= 0 && j < spectrumBins)
      w[static_cast<size_t>(j * bins + i)] = v;
  };
  for (int64_t i = 0; i < bins; ++i) {
    const int64_t lo = edge[static_cast<size_t>(i)], mid = edge[static_cast<size_t>(i + 1)],
                  hi = edge[static_cast<size_t>(i + 2)];
    if (mid == lo)
      set(mid, i, 1);
    else
      for (int64_t j = std::max<int64_t>(lo, 0); j <= std::min(mid, spectrumBins - 1); ++j)
        set(j, i, static_cast<double>(j - lo) / static_cast<double>(mid - lo));
    for (int64_t j = std::max<int64_t>(mid, 0); j < std::min(hi, spectrumBins); ++j)
      set(j, i, static_cast<double>(hi - j) / static_cast<double>(hi - mid));
  }
  ctx.outputs[0] = fromDoubles(dtype, {spectrumBins, bins}, w);
  return true;
}

} // namespace

void addSignalKernels(KernelTable &t) {
  t["HannWindow"] = cosineWindow({0.5, 0.5});
  t["HammingWindow"] = cosineWindow({25.0 / 46.0, 21.0 / 46.0});
  t["BlackmanWindow"] = cosineWindow({0.42, 0.5, 0.08});
  t["DFT"] = dftKernel;
  t["STFT"] = stft;
  t["MelWeightMatrix"] = melWeightMatrix;
}

} // namespace softnpu::host
