//===- Sample.cpp - Host kernels: GridSample and TfIdfVectorizer ------------===//
//
// GridSample follows PyTorch's grid_sample, which ONNX's definition points
// to: the grid's (x, y) in [-1, 1] unnormalise to pixel coordinates; the
// padding mode moves the source coordinate (bilinear, nearest) or each of
// the 4x4 taps (bicubic, A = -0.75) back inside; taps still outside read 0.
// Coordinates stay in double until they are known to be in range, so huge
// grid values read 0 (zeros) or the padded pixel, never UB; a NaN grid
// value gives NaN, an infinite one 0 (zeros), the edge (border) or NaN
// (reflection).
//
// TfIdfVectorizer counts the n-grams of the pool (a trie) in each row of an
// integer input, for every skip up to max_skip_count (1-grams once), as
// onnxruntime does; weights scale output column i by weights[i], as both
// onnxruntime and ONNX's reference do.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cmath>

namespace softnpu::host {

namespace {

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

enum class SampleMode { Bilinear, Nearest, Bicubic };
enum class Padding { Zeros, Border, Reflection };

/// Pixel coordinate of a normalised one along an axis of `size` pixels.
double unnormalize(double c, int64_t size, bool alignCorners) {
  const double s = static_cast<double>(size);
  return alignCorners ? (c + 1) / 2 * (s - 1) : ((c + 1) * s - 1) / 2;
}

/// Reflects c into [twiceLow / 2, twiceHigh / 2] (PyTorch's
/// reflect_coordinates).
double reflect(double c, double twiceLow, double twiceHigh) {
  if (twiceLow == twiceHigh)
    return 0;
  const double low = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
  c = std::fabs(c - low);
  const double extra = std::fmod(c, span), flips = std::floor(c / span);
  return std::fmod(flips, 2.0) == 0 ? extra + low : span - extra + low;
}

/// The padding mode applied to a finite pixel coordinate: border clamps
/// into the image, reflection mirrors at the edges (the pixel centres with
/// align_corners, else the pixel borders) and then clamps.
double padCoordinate(double c, int64_t size, Padding p, bool alignCorners) {
  if (p == Padding::Zeros)
    return c;
  const double s = static_cast<double>(size);
  if (p == Padding::Reflection) {
    c = alignCorners ? reflect(c, 0, 2 * (s - 1)) : reflect(c, -1, 2 * s - 1);
  }
  return std::clamp(c, 0.0, s - 1);
}

/// Bicubic convolution weights of the taps at -1, 0, 1, 2 from the floor
/// for the fraction t.
std::array<double, 4> cubicWeights(double t) {
  constexpr double a = -0.75;
  const auto near = [&](double x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
  const auto far = [&](double x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };
  return {far(t + 1), near(t), near(1 - t), far(2 - t)};
}

struct GridSampler {
  SampleMode mode;
  Padding padding;
  bool alignCorners;
  int64_t h, w;

  /// The pixel (y, x) of a plane, 0 outside the image.
  template <typename T> double pixel(const T *plane, double y, double x) const {
    if (!(y >= 0 && y < static_cast<double>(h) && x >= 0 && x < static_cast<double>(w)))
      return 0;
    return static_cast<double>(static_cast<ComputeOf<T>>(plane[static_cast<int64_t>(y) * w + static_cast<int64_t>(x)]));
  }

  /// The value of a plane at normalised grid point (gx, gy).
  template <typename T> double sample(const T *plane, double gx, double gy) const {
    double x = unnormalize(gx, w, alignCorners), y = unnormalize(gy, h, alignCorners);
    if (std::isnan(x) || std::isnan(y))
      return x + y;
    // An infinity is past the edge: a point beyond every tap reads 0 or,
    // with border, the edge. Reflection of an infinity is undefined.
    if (std::isinf(x) || std::isinf(y)) {
      if (padding == Padding::Reflection)
        return std::numeric_limits<double>::quiet_NaN();
      if (std::isinf(x))
        x = x > 0 ? static_cast<double>(w) + 2 : -3;
      if (std::isinf(y))
        y = y > 0 ? static_cast<double>(h) + 2 : -3;
    }
    if (mode == SampleMode::Bicubic) {
      const double x0 = std::floor(x), y0 = std::floor(y);
      const std::array<double, 4> wx = cubicWeights(x - x0), wy = cubicWeights(y - y0);
      double sum = 0;
      for (int j = 0; j < 4; ++j) {
        const double ty = padCoordinate(y0 - 1 + j, h, padding, alignCorners);
        double row = 0;
        for (int i = 0; i < 4; ++i)
          row += wx[i] * pixel(plane, ty, padCoordinate(x0 - 1 + i, w, padding, alignCorners));
        sum += wy[j] * row;
      }
      return sum;
    }
    x = padCoordinate(x, w, padding, alignCorners);
    y = padCoordinate(y, h, padding, alignCorners);
    if (mode == SampleMode::Nearest)
      return pixel(plane, std::nearbyint(y), std::nearbyint(x));
    const double x0 = std::floor(x), y0 = std::floor(y), tx = x - x0, ty = y - y0;
    return (1 - ty) * ((1 - tx) * pixel(plane, y0, x0) + tx * pixel(plane, y0, x0 + 1)) +
           ty * ((1 - tx) * pixel(plane, y0 + 1, x0) + tx * pixel(plane, y0 + 1, x0 + 1));
  }
};

bool gridSample(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0), *grid = ctx.in(1);
  if (!x || !grid)
    return ctx.fail("needs inputs X and grid");
  if (x->rank() != 4)
    return ctx.fail("X " + shapeText(x->shape) + " must be [N, C, H, W]");
  if (grid->rank() != 4 || grid->shape[0] != x->shape[0] || grid->shape[3] != 2)
    return ctx.fail("grid " + shapeText(grid->shape) + " must be [N, H_out, W_out, 2] for X " + shapeText(x->shape));
  const bool nd = ctx.opset >= 20; // opset 20 renamed the modes linear and cubic
  GridSampler s{};
  const std::string mode = ctx.node.attrString("mode", nd ? "linear" : "bilinear");
  if (mode == (nd ? "linear" : "bilinear"))
    s.mode = SampleMode::Bilinear;
  else if (mode == "nearest")
    s.mode = SampleMode::Nearest;
  else if (mode == (nd ? "cubic" : "bicubic"))
    s.mode = SampleMode::Bicubic;
  else
    return ctx.fail("mode " + mode +
                    (nd ? " is not linear, nearest or cubic" : " is not bilinear, nearest or bicubic"));
  const std::string padding = ctx.node.attrString("padding_mode", "zeros");
  if (padding == "zeros")
    s.padding = Padding::Zeros;
  else if (padding == "border")
    s.padding = Padding::Border;
  else if (padding == "reflection")
    s.padding = Padding::Reflection;
  else
    return ctx.fail("padding_mode " + padding + " is not zeros, border or reflection");
  const int64_t align = ctx.node.attrInt("align_corners", 0);
  if (align != 0 && align != 1)
    return ctx.fail("align_corners " + std::to_string(align) + " is not 0 or 1");
  s.alignCorners = align == 1;
  const int64_t n = x->shape[0], c = x->shape[1];
  s.h = x->shape[2], s.w = x->shape[3];
  const int64_t ho = grid->shape[1], wo = grid->shape[2], points = ho * wo;
  HostTensor &y = ctx.outputs[0] = HostTensor(x->dtype, {n, c, ho, wo});
  if (y.numElements() == 0)
    return true;
  if ((s.h == 0 || s.w == 0) && s.padding != Padding::Zeros)
    return ctx.fail("X " + shapeText(x->shape) + " has no pixels to pad from with padding_mode " + padding);
  std::vector<double> g(static_cast<size_t>(grid->numElements()));
  if (!dispatchFloat(ctx, grid->dtype, [&](auto tag) {
        using G = decltype(tag);
        const G *pg = grid->data<G>();
        for (size_t i = 0; i < g.size(); ++i)
          g[i] = static_cast<double>(static_cast<ComputeOf<G>>(pg[i]));
        return true;
      }))
    return false;
  return dispatchFloat(ctx, x->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = ComputeOf<T>;
    const T *px = x->data<T>();
    T *py = y.data<T>();
    for (int64_t b = 0; b < n; ++b) {
      const double *gb = g.data() + b * points * 2;
      for (int64_t ch = 0; ch < c; ++ch) {
        const T *plane = px + (b * c + ch) * s.h * s.w;
        T *out = py + (b * c + ch) * points;
        for (int64_t p = 0; p < points; ++p)
          out[p] = T(static_cast<C>(s.sample(plane, gb[2 * p], gb[2 * p + 1])));
      }
    }
    return true;
  });
}

//===----------------------------------------------------------------------===//
// TfIdfVectorizer
//===----------------------------------------------------------------------===//

/// The pool as a trie: node 0 is the root; an edge is (node, token).
struct NgramTrie {
  std::map<std::pair<int64_t, int64_t>, int64_t> edges;
  std::vector<int64_t> column{-1}; ///< output column of the n-gram ending at each node, or -1

  /// The node of `tokens` (added when new).
  int64_t insert(const int64_t *tokens, int64_t n) {
    int64_t node = 0;
    for (int64_t k = 0; k < n; ++k) {
      auto [it, added] = edges.try_emplace({node, tokens[k]}, static_cast<int64_t>(column.size()));
      if (added)
        column.push_back(-1);
      node = it->second;
    }
    return node;
  }
  int64_t child(int64_t node, int64_t token) const {
    auto it = edges.find({node, token});
    return it == edges.end() ? -1 : it->second;
  }
};

bool tfIdfVectorizer(KernelContext &ctx) {
  const HostTensor *x = ctx.in(0);
  if (!x)
    return ctx.fail("needs an input");
  if (ctx.node.attr("pool_strings"))
    return ctx.fail("pool_strings (string n-grams) is not supported; only pool_int64s");
  if (x->dtype != DType::I32 && x->dtype != DType::I64)
    return ctx.fail(std::string("element type ") + artifact::dtypeName(x->dtype) +
                    " is not supported (int32 or int64; string inputs are not supported)");
  if (x->rank() != 1 && x->rank() != 2)
    return ctx.fail("X " + shapeText(x->shape) + " must be [C] or [N, C]");
  const std::string mode = ctx.node.attrString("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.fail("mode '" + mode + "' is not TF, IDF or TFIDF");
  const int64_t minGram = ctx.node.attrInt("min_gram_length", 0), maxGram = ctx.node.attrInt("max_gram_length", 0),
                maxSkip = ctx.node.attrInt("max_skip_count", 0);
  if (minGram < 1 || maxGram < minGram)
    return ctx.fail("min_gram_length " + std::to_string(minGram) + " and max_gram_length " + std::to_string(maxGram) +
                    " must satisfy 1 <= min <= max");
  if (maxSkip < 0)
    return ctx.fail("max_skip_count " + std::to_string(maxSkip) + " is negative");
  if (!ctx.node.attr("pool_int64s"))
    return ctx.fail("needs attribute pool_int64s");
  const std::vector<int64_t> counts = ctx.node.attrInts("ngram_counts"), indexes = ctx.node.attrInts("ngram_indexes"),
                             pool = ctx.node.attrInts("pool_int64s");
  const std::vector<float> weights = ctx.node.attrFloats("weights");
  const int64_t poolSize = static_cast<int64_t>(pool.size());
  // Build the trie: counts[g] is where the (g+1)-grams start in the pool.
  NgramTrie trie;
  int64_t ngram = 0, outSize = 0;
  for (size_t g = 0; g < counts.size(); ++g) {
    const int64_t begin = counts[g], end = g + 1 < counts.size() ? counts[g + 1] : poolSize;
    const int64_t len = static_cast<int64_t>(g) + 1;
    if (begin < 0 || begin > end || end > poolSize || (end - begin) % len != 0)
      return ctx.fail("ngram_counts " + shapeText(counts) + " does not split pool_int64s of " +
                      std::to_string(poolSize) + " entries into n-grams");
    for (int64_t at = begin; at < end; at += len, ++ngram) {
      if (ngram >= static_cast<int64_t>(indexes.size()))
        return ctx.fail("ngram_indexes has " + std::to_string(indexes.size()) +
                        " entries for more n-grams in the pool");
      const int64_t col = indexes[static_cast<size_t>(ngram)];
      if (col < 0 || col >= (int64_t{1} << 31))
        return ctx.fail("ngram_indexes has entry " + std::to_string(col));
      int64_t &slot = trie.column[static_cast<size_t>(trie.insert(pool.data() + at, len))];
      if (slot >= 0)
        return ctx.fail("pool_int64s holds n-gram " + std::to_string(ngram) + " more than once");
      slot = col;
      outSize = std::max(outSize, col + 1);
    }
  }
  if (counts.empty() && poolSize > 0)
    return ctx.fail("ngram_counts is empty for a pool of " + std::to_string(poolSize) + " entries");
  if (ngram != static_cast<int64_t>(indexes.size()))
    return ctx.fail("ngram_indexes has " + std::to_string(indexes.size()) + " entries for " + std::to_string(ngram) +
                    " n-grams in the pool");
  if (!weights.empty() && (weights.size() != indexes.size() || outSize > static_cast<int64_t>(weights.size())))
    return ctx.fail("weights has " + std::to_string(weights.size()) + " entries for " + std::to_string(ngram) +
                    " n-grams and " + std::to_string(outSize) + " output columns");
  const int64_t rows = x->rank() == 2 ? x->shape[0] : 1, len = x->shape.back();
  HostTensor &y = ctx.outputs[0] =
      HostTensor(DType::F32, x->rank() == 2 ? std::vector<int64_t>{rows, outSize} : std::vector<int64_t>{outSize});
  std::vector<int64_t> tokens;
  if (!readInts(ctx, *x, tokens, "X"))
    return false;
  float *py = y.data<float>();
  // Steps past the row's length find 1-grams only, which count once.
  const int64_t maxStep = std::min(maxSkip, std::max<int64_t>(len, 1)) + 1;
  std::vector<int64_t> found(static_cast<size_t>(outSize));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t *row = tokens.data() + r * len;
    float *out = py + r * outSize;
    std::fill(found.begin(), found.end(), 0);
    // As onnxruntime: each skip walks the trie from every start; 1-grams
    // count on the first pass only.
    int64_t firstCounted = minGram;
    for (int64_t step = 1; step <= maxStep && firstCounted <= maxGram; ++step) {
      for (int64_t start = 0; start < len; ++start) {
        int64_t node = 0;
        for (int64_t size = 1, at = start; size <= maxGram && at < len; ++size, at += step) {
          node = trie.child(node, row[at]);
          if (node < 0)
            break;
          const int64_t col = trie.column[static_cast<size_t>(node)];
          if (size >= firstCounted && col >= 0)
            ++found[static_cast<size_t>(col)];
        }
      }
      if (firstCounted == 1)
        firstCounted = 2;
    }
    for (int64_t col = 0; col < outSize; ++col) {
      const float w = weights.empty() ? 1.0f : weights[static_cast<size_t>(col)];
      const int64_t k = found[static_cast<size_t>(col)];
      out[col] = mode == "TF" ? static_cast<float>(k) : mode == "IDF" ? (k > 0 ? w : 0.0f) : static_cast<float>(k) * w;
    }
  }
  return true;
}

} // namespace

void addSampleKernels(KernelTable &t) {
  t["GridSample"] = gridSample;
  t["TfIdfVectorizer"] = tfIdfVectorizer;
}

} // namespace softnpu::host
