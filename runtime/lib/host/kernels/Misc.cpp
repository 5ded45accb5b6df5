//===- Misc.cpp - Host kernels: Einsum, Det, NonMaxSuppression, RoiAlign ===//
//
// The long tail: plain loops, written for clarity over speed. Recurrent
// cells are in Recurrent.cpp, quantization in Quantize.cpp, windows and
// Fourier transforms in Signal.cpp.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace softnpu::host {

namespace {

bool sameDType(KernelContext &ctx, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!ctx.in(i))
      return ctx.fail("needs " + std::to_string(count) + " inputs");
    if (ctx.in(i)->dtype != ctx.in(0)->dtype)
      return ctx.fail("inputs have different element types");
  }
  return true;
}

//===--- Einsum -----------------------------------------------------------===//

/// Labels are letters (their char code) or, for the dims an ellipsis stands
/// for, kEllipsis + the dim's position in the broadcast ellipsis.
constexpr int kEllipsis = 128;

/// The labels of one term of the equation. `ellipsisDims` is how many dims
/// "..." stands for in it and `ellipsisRank` the broadcast count over all
/// terms (its labels are right-aligned).
bool termLabels(KernelContext &ctx, const std::string &term, int64_t ellipsisDims, int64_t ellipsisRank,
                std::vector<int> &labels) {
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.compare(i, 3, "...") == 0) {
      for (int64_t j = 0; j < ellipsisDims; ++j)
        labels.push_back(kEllipsis + static_cast<int>(ellipsisRank - ellipsisDims + j));
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(term[i]))) {
      labels.push_back(term[i]);
    } else {
      return ctx.fail(std::string("equation has unexpected character '") + term[i] + "'");
    }
  }
  return true;
}

/// How many letters a term has and whether it has an ellipsis.
bool countTerm(KernelContext &ctx, const std::string &term, int64_t &letters, bool &ellipsis) {
  letters = 0;
  ellipsis = false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term.compare(i, 3, "...") == 0) {
      if (ellipsis)
        return ctx.fail("a term of the equation has two ellipses");
      ellipsis = true;
      i += 2;
    } else {
      ++letters;
    }
  }
  return true;
}

struct EinsumPlan {
  std::vector<std::vector<int>> inputLabels;
  std::vector<int> outLabels, loopLabels; ///< loop: output labels, then the summed ones
  std::map<int, int64_t> size;
};

bool planEinsum(KernelContext &ctx, EinsumPlan &p) {
  std::string eq;
  for (char c : ctx.node.attrString("equation", ""))
    if (c != ' ')
      eq += c;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms{""};
  for (char c : lhs)
    if (c == ',')
      terms.emplace_back();
    else
      terms.back() += c;
  if (terms.size() != ctx.numInputs())
    return ctx.fail("equation has " + std::to_string(terms.size()) + " input terms for " +
                    std::to_string(ctx.numInputs()) + " inputs");
  std::vector<int64_t> ellDims(terms.size());
  int64_t ellRank = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    int64_t letters;
    bool ell;
    if (!countTerm(ctx, terms[i], letters, ell))
      return false;
    const int64_t rank = static_cast<int64_t>(ctx.in(i)->rank());
    if (ell ? letters > rank : letters != rank)
      return ctx.fail("term '" + terms[i] + "' does not fit input of shape " + shapeText(ctx.in(i)->shape));
    ellDims[i] = rank - letters;
    ellRank = std::max(ellRank, ellDims[i]);
  }
  std::map<int, int> count;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::vector<int> labels;
    if (!termLabels(ctx, terms[i], ellDims[i], ellRank, labels))
      return false;
    for (size_t a = 0; a < labels.size(); ++a) {
      const int64_t dim = ctx.in(i)->shape[a];
      auto [it, fresh] = p.size.emplace(labels[a], dim);
      if (!fresh && it->second != dim) {
        if (labels[a] >= kEllipsis && (it->second == 1 || dim == 1))
          it->second = std::max(it->second, dim);
        else
          return ctx.fail("label sizes disagree (" + std::to_string(it->second) + " and " + std::to_string(dim) + ")");
      }
      ++count[labels[a]];
    }
    p.inputLabels.push_back(std::move(labels));
  }
  if (arrow != std::string::npos) {
    const std::string rhs = eq.substr(arrow + 2);
    int64_t letters;
    bool ell;
    if (!countTerm(ctx, rhs, letters, ell) || !termLabels(ctx, rhs, ell ? ellRank : 0, ellRank, p.outLabels))
      return false;
    for (size_t a = 0; a < p.outLabels.size(); ++a) {
      if (!p.size.count(p.outLabels[a]))
        return ctx.fail("output label is not in any input");
      if (std::count(p.outLabels.begin(), p.outLabels.end(), p.outLabels[a]) > 1)
        return ctx.fail("output repeats a label");
    }
  } else { // implicit: the ellipsis dims, then the letters used once, sorted
    for (int64_t j = 0; j < ellRank; ++j)
      p.outLabels.push_back(kEllipsis + static_cast<int>(j));
    for (const auto &[label, n] : count)
      if (label < kEllipsis && n == 1)
        p.outLabels.push_back(label);
  }
  p.loopLabels = p.outLabels;
  for (const auto &[label, n] : p.size)
    if (std::find(p.outLabels.begin(), p.outLabels.end(), label) == p.outLabels.end())
      p.loopLabels.push_back(label);
  return true;
}

bool einsum(KernelContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.fail("needs an input");
  if (!sameDType(ctx, ctx.numInputs()))
    return false;
  EinsumPlan p;
  if (!planEinsum(ctx, p))
    return false;
  const size_t L = p.loopLabels.size(), nIn = ctx.numInputs();
  std::vector<int64_t> extent(L), outShape;
  for (size_t l = 0; l < L; ++l)
    extent[l] = p.size[p.loopLabels[l]];
  for (int label : p.outLabels)
    outShape.push_back(p.size[label]);
  // step[i][l]: how far input i's offset moves per step of loop label l (the
  // sum of the strides of its axes with that label: a diagonal when repeated).
  std::vector<std::vector<int64_t>> step(nIn, std::vector<int64_t>(L, 0));
  for (size_t i = 0; i < nIn; ++i) {
    const std::vector<int64_t> strides = stridesOf(ctx.in(i)->shape);
    for (size_t a = 0; a < p.inputLabels[i].size(); ++a) {
      const size_t l = static_cast<size_t>(std::find(p.loopLabels.begin(), p.loopLabels.end(), p.inputLabels[i][a]) -
                                           p.loopLabels.begin());
      if (ctx.in(i)->shape[a] != 1)
        step[i][l] += strides[a];
    }
  }
  const int64_t outCount = elementCount(outShape), total = elementCount(extent);
  const int64_t sumCount = outCount == 0 ? 0 : total / outCount;
  HostTensor &out = ctx.outputs[0] = HostTensor(ctx.in(0)->dtype, outShape);
  return dispatch(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    // Integers multiply and add in uint64, which wraps (as NumPy does) instead
    // of overflowing.
    using C = std::conditional_t<std::is_integral_v<T>, uint64_t, ComputeOf<T>>;
    std::vector<C> acc(static_cast<size_t>(outCount), C(0));
    std::vector<int64_t> pos(L, 0), off(nIn, 0);
    for (int64_t e = 0; e < total; ++e) {
      C prod = C(1);
      for (size_t i = 0; i < nIn; ++i)
        prod *= static_cast<C>(static_cast<ComputeOf<T>>(ctx.in(i)->template data<T>()[off[i]]));
      acc[static_cast<size_t>(e / sumCount)] += prod;
      for (size_t l = L; l-- > 0;) {
        for (size_t i = 0; i < nIn; ++i)
          off[i] += step[i][l];
        if (++pos[l] < extent[l])
          break;
        for (size_t i = 0; i < nIn; ++i)
          off[i] -= step[i][l] * pos[l];
        pos[l] = 0;
      }
    }
    for (size_t k = 0; k < acc.size(); ++k)
      out.data<T>()[k] = T(static_cast<ComputeOf<T>>(acc[k]));
    return true;
  });
}

//===--- Det --------------------------------------------------------------===//

/// Determinant by LU decomposition with partial pivoting.
template <typename C> C determinant(std::vector<C> a, int64_t n) {
  C det = 1;
  for (int64_t k = 0; k < n; ++k) {
    int64_t pivot = k;
    for (int64_t r = k + 1; r < n; ++r)
      if (std::abs(a[r * n + k]) > std::abs(a[pivot * n + k]))
        pivot = r;
    if (a[pivot * n + k] == C(0))
      return C(0);
    if (pivot != k) {
      for (int64_t c = 0; c < n; ++c)
        std::swap(a[k * n + c], a[pivot * n + c]);
      det = -det;
    }
    det *= a[k * n + k];
    for (int64_t r = k + 1; r < n; ++r) {
      const C f = a[r * n + k] / a[k * n + k];
      for (int64_t c = k; c < n; ++c)
        a[r * n + c] -= f * a[k * n + c];
    }
  }
  return det;
}

bool det(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  const size_t r = x->rank();
  if (r < 2 || x->shape[r - 1] != x->shape[r - 2])
    return ctx.fail("input " + shapeText(x->shape) + " is not a batch of square matrices");
  const int64_t n = x->shape[r - 1];
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, std::vector<int64_t>(x->shape.begin(), x->shape.end() - 2));
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
    for (int64_t b = 0, nb = out.numElements(); b < nb; ++b) {
      std::vector<C> m(static_cast<size_t>(n * n));
      for (int64_t k = 0; k < n * n; ++k)
        m[static_cast<size_t>(k)] = static_cast<C>(x->data<T>()[b * n * n + k]);
      out.data<T>()[b] = T(determinant(std::move(m), n));
    }
    return true;
  });
}

//===--- NonMaxSuppression ------------------------------------------------===//

struct Box {
  float y1, x1, y2, x2;
};

Box readBox(const float *p, bool centerPoint) {
  if (centerPoint) // [x_center, y_center, width, height]
    return {p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
  return {std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
}

float iou(const Box &a, const Box &b) {
  const float areaA = (a.y2 - a.y1) * (a.x2 - a.x1), areaB = (b.y2 - b.y1) * (b.x2 - b.x1);
  if (areaA <= 0 || areaB <= 0)
    return 0;
  const float h = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const float w = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const float inter = h * w;
  return inter / (areaA + areaB - inter);
}

/// A scalar (or one-element) float input, or `dflt` when it is omitted.
bool scalarFloat(KernelContext &ctx, size_t i, float dflt, float &out, const char *what) {
  const HostTensor *t = ctx.in(i);
  if (!t) {
    out = dflt;
    return true;
  }
  if (t->dtype != DType::F32 || t->numElements() != 1)
    return ctx.fail(std::string(what) + " must be one float32");
  out = *t->data<float>();
  return true;
}

bool nonMaxSuppression(KernelContext &ctx) {
  const HostTensor *boxes = ctx.in(0), *scores = ctx.in(1);
  if (!boxes || !scores)
    return ctx.fail("needs inputs boxes and scores");
  if (boxes->dtype != DType::F32 || scores->dtype != DType::F32)
    return ctx.fail("boxes and scores must be float32");
  if (boxes->rank() != 3 || boxes->shape[2] != 4 || scores->rank() != 3 || scores->shape[0] != boxes->shape[0] ||
      scores->shape[2] != boxes->shape[1])
    return ctx.fail("boxes " + shapeText(boxes->shape) + " and scores " + shapeText(scores->shape) +
                    " are not [batch, boxes, 4] and [batch, classes, boxes]");
  int64_t maxOut = 0;
  if (const HostTensor *m = ctx.in(2)) {
    std::vector<int64_t> v;
    if (!readInts(ctx, *m, v, "max_output_boxes_per_class"))
      return false;
    if (v.size() != 1)
      return ctx.fail("max_output_boxes_per_class must have one element");
    maxOut = v[0];
  }
  float iouThreshold, scoreThreshold;
  if (!scalarFloat(ctx, 3, 0, iouThreshold, "iou_threshold") ||
      !scalarFloat(ctx, 4, -INFINITY, scoreThreshold, "score_threshold"))
    return false;
  const bool center = ctx.node.attrInt("center_point_box", 0) != 0;
  const int64_t B = boxes->shape[0], N = boxes->shape[1], C = scores->shape[1];
  std::vector<int64_t> selected; // triples
  for (int64_t b = 0; b < B; ++b)
    for (int64_t c = 0; c < C; ++c) {
      const float *s = scores->data<float>() + (b * C + c) * N;
      std::vector<int64_t> order;
      for (int64_t k = 0; k < N; ++k)
        if (!ctx.in(4) || s[k] > scoreThreshold)
          order.push_back(k);
      // Highest score first; among equal scores the lower box index.
      std::sort(order.begin(), order.end(),
                [&](int64_t x, int64_t y) { return s[x] > s[y] || (s[x] == s[y] && x < y); });
      std::vector<Box> kept;
      for (int64_t k : order) {
        if (static_cast<int64_t>(kept.size()) >= maxOut)
          break;
        const Box box = readBox(boxes->data<float>() + (b * N + k) * 4, center);
        if (std::any_of(kept.begin(), kept.end(), [&](const Box &o) { return iou(box, o) > iouThreshold; }))
          continue;
        kept.push_back(box);
        selected.insert(selected.end(), {b, c, k});
      }
    }
  HostTensor &out = ctx.outputs[0] = HostTensor(DType::I64, {static_cast<int64_t>(selected.size() / 3), 3});
  std::copy(selected.begin(), selected.end(), out.data<int64_t>());
  return true;
}

//===--- RoiAlign ---------------------------------------------------------===//

struct RoiAlignParams {
  int64_t outH, outW, samplingRatio;
  float spatialScale;
  bool halfPixel, maxMode;
};

/// The pooled value of one bin of one channel plane (H x W).
template <typename C>
C roiBin(const C *plane, int64_t H, int64_t W, C y0, C x0, C binH, C binW, int64_t gridH, int64_t gridW, bool maxMode) {
  C sum = 0, best = 0;
  bool any = false;
  for (int64_t iy = 0; iy < gridH; ++iy)
    for (int64_t ix = 0; ix < gridW; ++ix) {
      C y = y0 + (C(iy) + C(0.5)) * binH / C(gridH), x = x0 + (C(ix) + C(0.5)) * binW / C(gridW);
      C v = 0;
      if (!(std::isnan(y) || std::isnan(x) || y < -1 || y > C(H) || x < -1 || x > C(W))) {
        y = std::max(y, C(0));
        x = std::max(x, C(0));
        int64_t yl = static_cast<int64_t>(y), xl = static_cast<int64_t>(x), yh = yl + 1, xh = xl + 1;
        if (yl >= H - 1) {
          yl = yh = H - 1;
          y = C(yl);
        }
        if (xl >= W - 1) {
          xl = xh = W - 1;
          x = C(xl);
        }
        const C ly = y - C(yl), lx = x - C(xl), hy = 1 - ly, hx = 1 - lx;
        const C terms[4] = {hy * hx * plane[yl * W + xl], hy * lx * plane[yl * W + xh], ly * hx * plane[yh * W + xl],
                            ly * lx * plane[yh * W + xh]};
        v = maxMode ? *std::max_element(terms, terms + 4) : terms[0] + terms[1] + terms[2] + terms[3];
      }
      sum += v;
      best = any ? std::max(best, v) : v;
      any = true;
    }
  return maxMode ? best : sum / C(std::max<int64_t>(gridH * gridW, 1));
}

bool roiAlign(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *rois = ctx.in(1), *idx = ctx.in(2);
  if (!x || !rois || !idx)
    return ctx.fail("needs inputs X, rois and batch_indices");
  if (x->rank() != 4 || rois->rank() != 2 || rois->shape[1] != 4 || idx->shape != std::vector<int64_t>{rois->shape[0]})
    return ctx.fail("X " + shapeText(x->shape) + ", rois " + shapeText(rois->shape) + " and batch_indices " +
                    shapeText(idx->shape) + " do not fit");
  if (rois->dtype != x->dtype)
    return ctx.fail("rois' element type differs from X's");
  std::vector<int64_t> batch;
  if (!readInts(ctx, *idx, batch, "batch_indices"))
    return false;
  const std::string mode = ctx.node.attrString("mode", "avg");
  const std::string ctm = ctx.node.attrString("coordinate_transformation_mode", "half_pixel");
  if ((mode != "avg" && mode != "max") || (ctm != "half_pixel" && ctm != "output_half_pixel"))
    return ctx.fail("unknown mode or coordinate_transformation_mode");
  const RoiAlignParams p{ctx.node.attrInt("output_height", 1),   ctx.node.attrInt("output_width", 1),
                         ctx.node.attrInt("sampling_ratio", 0),  ctx.node.attrFloat("spatial_scale", 1.0f),
                         ctm == "half_pixel" && ctx.opset >= 16, mode == "max"};
  if (p.outH <= 0 || p.outW <= 0 || p.samplingRatio < 0)
    return ctx.fail("output size must be positive and sampling_ratio not negative");
  const int64_t N = x->shape[0], Ch = x->shape[1], H = x->shape[2], W = x->shape[3], R = rois->shape[0];
  for (int64_t b : batch)
    if (b < 0 || b >= N)
      return ctx.fail("batch index " + std::to_string(b) + " is out of range");
  if ((H == 0 || W == 0) && R > 0 && Ch > 0)
    return ctx.fail("X " + shapeText(x->shape) + " has an empty spatial plane");
  HostTensor &out = ctx.outputs[0] = HostTensor(x->dtype, {R, Ch, p.outH, p.outW});
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    std::vector<C> plane(static_cast<size_t>(H * W));
    const C offset = p.halfPixel ? C(0.5) : C(0), scale = static_cast<C>(p.spatialScale);
    for (int64_t r = 0; r < R; ++r) {
      const T *roi = rois->data<T>() + r * 4;
      const C x0 = C(roi[0]) * scale - offset, y0 = C(roi[1]) * scale - offset;
      C roiW = C(roi[2]) * scale - offset - x0, roiH = C(roi[3]) * scale - offset - y0;
      if (!p.halfPixel) {
        roiW = std::max(roiW, C(1));
        roiH = std::max(roiH, C(1));
      }
      const C binH = roiH / C(p.outH), binW = roiW / C(p.outW);
      if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(roiW) || !std::isfinite(roiH))
        return ctx.fail("roi " + std::to_string(r) + " is not finite");
      if (p.samplingRatio == 0 && std::max(roiH / C(p.outH), roiW / C(p.outW)) > C(H + W + 2))
        return ctx.fail("roi " + std::to_string(r) + " is far larger than X: its adaptive sample grid would be huge");
      // Samples per bin: sampling_ratio, or adaptive (ceil(roi size / output size)).
      const int64_t gridH = p.samplingRatio > 0 ? p.samplingRatio : static_cast<int64_t>(std::ceil(roiH / C(p.outH)));
      const int64_t gridW = p.samplingRatio > 0 ? p.samplingRatio : static_cast<int64_t>(std::ceil(roiW / C(p.outW)));
      for (int64_t c = 0; c < Ch; ++c) {
        const T *src = x->data<T>() + (batch[static_cast<size_t>(r)] * Ch + c) * H * W;
        for (int64_t k = 0; k < H * W; ++k)
          plane[static_cast<size_t>(k)] = C(src[k]);
        T *dst = out.data<T>() + (r * Ch + c) * p.outH * p.outW;
        for (int64_t ph = 0; ph < p.outH; ++ph)
          for (int64_t pw = 0; pw < p.outW; ++pw)
            dst[ph * p.outW + pw] = T(
                roiBin(plane.data(), H, W, y0 + C(ph) * binH, x0 + C(pw) * binW, binH, binW, gridH, gridW, p.maxMode));
      }
    }
    return true;
  });
}

} // namespace

void addMiscKernels(KernelTable &t) {
  t["Einsum"] = einsum;
  t["Det"] = det;
  t["NonMaxSuppression"] = nonMaxSuppression;
  t["RoiAlign"] = roiAlign;
}

} // namespace softnpu::host
