//===- Recurrent.cpp - Host kernels: RNN, GRU and LSTM --------------------===//
//
// One loop for the three ops: for each direction and each batch row, walk
// that row's sequence (its sequence_lens entry, backwards for the reverse
// direction) and apply the cell. Y is zero past a row's length; Y_h and Y_c
// hold the state after the row's last step. Gate orders are ONNX's: LSTM
// i,o,f,c (peepholes i,o,f), GRU z,r,h.
//
//===----------------------------------------------------------------------===//
#include "../Kernel.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace softnpu::host {

namespace {

enum class Cell { Rnn, Gru, Lstm };

int64_t gatesOf(Cell c) { return c == Cell::Rnn ? 1 : c == Cell::Gru ? 3 : 4; }
/// Activations per direction: f (RNN); f, g (GRU); f, g, h (LSTM).
size_t activationsOf(Cell c) { return c == Cell::Rnn ? 1 : c == Cell::Gru ? 2 : 3; }

enum class Act {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

struct ActSpec {
  Act kind = Act::Tanh;
  double alpha = 0, beta = 0;
};

struct ActInfo {
  const char *name;
  Act kind;
  int params; ///< how many of alpha, beta it takes from the attribute lists
  double alpha, beta;
};

const ActInfo kActs[] = {
    {"relu", Act::Relu, 0, 0, 0},
    {"tanh", Act::Tanh, 0, 0, 0},
    {"sigmoid", Act::Sigmoid, 0, 0, 0},
    {"affine", Act::Affine, 2, 1, 0},
    {"leakyrelu", Act::LeakyRelu, 1, 0.01, 0},
    {"thresholdedrelu", Act::ThresholdedRelu, 1, 1, 0},
    {"scaledtanh", Act::ScaledTanh, 2, 1, 1},
    {"hardsigmoid", Act::HardSigmoid, 2, 0.2, 0.5},
    {"elu", Act::Elu, 1, 1, 0},
    {"softsign", Act::Softsign, 0, 0, 0},
    {"softplus", Act::Softplus, 0, 0, 0},
};

template <typename C> C activate(const ActSpec &a, C x) {
  const C alpha = static_cast<C>(a.alpha), beta = static_cast<C>(a.beta);
  switch (a.kind) {
  case Act::Relu:
    return std::max(x, C(0));
  case Act::Tanh:
    return std::tanh(x);
  case Act::Sigmoid:
    return 1 / (1 + std::exp(-x));
  case Act::Affine:
    return alpha * x + beta;
  case Act::LeakyRelu:
    return x >= 0 ? x : alpha * x;
  case Act::ThresholdedRelu:
    return x > alpha ? x : C(0);
  case Act::ScaledTanh:
    return alpha * std::tanh(beta * x);
  case Act::HardSigmoid:
    return std::clamp(alpha * x + beta, C(0), C(1));
  case Act::Elu:
    return x >= 0 ? x : alpha * (std::exp(x) - 1);
  case Act::Softsign:
    return x / (1 + std::abs(x));
  case Act::Softplus:
    return std::log1p(std::exp(x));
  }
  return x;
}

/// The activations attribute (or the op's defaults) for every direction, with
/// activation_alpha / activation_beta handed out in order to the activations
/// that take them.
bool parseActivations(KernelContext &ctx, Cell cell, int64_t dirs, std::vector<ActSpec> &out) {
  const size_t n = activationsOf(cell);
  std::vector<std::string> names;
  if (const HostAttr *a = ctx.node.attr("activations"))
    names = a->strings;
  if (names.empty()) {
    const char *defaults[] = {"Sigmoid", "Tanh", "Tanh"};
    for (size_t i = 0; i < n; ++i)
      names.push_back(cell == Cell::Rnn ? "Tanh" : defaults[i]);
  }
  if (names.size() == n && dirs == 2)
    names.insert(names.end(), names.begin(), names.end());
  if (names.size() != n * static_cast<size_t>(dirs))
    return ctx.fail("activations has " + std::to_string(names.size()) + " entries, expected " +
                    std::to_string(n * static_cast<size_t>(dirs)));
  const std::vector<float> alphas = ctx.node.attrFloats("activation_alpha");
  const std::vector<float> betas = ctx.node.attrFloats("activation_beta");
  size_t nextAlpha = 0, nextBeta = 0;
  for (const std::string &name : names) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    const ActInfo *info = nullptr;
    for (const ActInfo &a : kActs)
      if (lower == a.name)
        info = &a;
    if (!info)
      return ctx.fail("unknown activation '" + name + "'");
    ActSpec spec{info->kind, info->alpha, info->beta};
    if (info->params >= 1 && nextAlpha < alphas.size())
      spec.alpha = alphas[nextAlpha++];
    if (info->params >= 2 && nextBeta < betas.size())
      spec.beta = betas[nextBeta++];
    out.push_back(spec);
  }
  return true;
}

/// The elements of `t` (of storage type T) in compute type C; empty for an
/// omitted tensor.
template <typename C, typename T> std::vector<C> valuesOf(const HostTensor *t) {
  if (!t)
    return {};
  const T *p = t->data<T>();
  std::vector<C> v(static_cast<size_t>(t->numElements()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<C>(p[i]);
  return v;
}

bool hasShape(const HostTensor *t, const std::vector<int64_t> &shape) { return !t || t->shape == shape; }

/// The sizes and attributes one run of a recurrent op needs.
struct RecurrentDims {
  Cell cell;
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1, gates = 1;
  bool batchFirst = false;  ///< layout 1
  bool reverseOnly = false; ///< direction "reverse"
  bool linearBeforeReset = false;
  bool inputForget = false;
  float clip = 0; ///< 0: no clipping
  std::vector<int64_t> seqLens;
  std::vector<ActSpec> acts;

  int64_t xAt(int64_t t, int64_t b) const { return (batchFirst ? b * seq + t : t * batch + b) * input; }
  int64_t yAt(int64_t t, int64_t d, int64_t b) const {
    return (batchFirst ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * hidden;
  }
  int64_t stateAt(int64_t d, int64_t b) const { return (batchFirst ? b * dirs + d : d * batch + b) * hidden; }
  std::vector<int64_t> stateShape() const {
    return batchFirst ? std::vector<int64_t>{batch, dirs, hidden} : std::vector<int64_t>{dirs, batch, hidden};
  }
};

/// Checks the inputs and attributes and fills `d`.
bool readDims(KernelContext &ctx, Cell cell, RecurrentDims &d) {
  const HostTensor *x = ctx.in(0), *w = ctx.in(1), *r = ctx.in(2);
  if (!x || !w || !r)
    return ctx.fail("needs inputs X, W and R");
  if (x->rank() != 3 || w->rank() != 3 || r->rank() != 3)
    return ctx.fail("X, W and R must have rank 3");
  for (size_t i = 1; i < ctx.numInputs(); ++i)
    if (i != 4 && ctx.in(i) && ctx.in(i)->dtype != x->dtype)
      return ctx.fail("input " + std::to_string(i) + " has element type " + artifact::dtypeName(ctx.in(i)->dtype) +
                      ", X has " + artifact::dtypeName(x->dtype));
  d.cell = cell;
  d.gates = gatesOf(cell);
  d.batchFirst = ctx.node.attrInt("layout", 0) != 0;
  d.seq = x->shape[d.batchFirst ? 1 : 0];
  d.batch = x->shape[d.batchFirst ? 0 : 1];
  d.input = x->shape[2];
  const std::string direction = ctx.node.attrString("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return ctx.fail("unknown direction '" + direction + "'");
  d.reverseOnly = direction == "reverse";
  d.dirs = direction == "bidirectional" ? 2 : 1;
  d.hidden = ctx.node.attrInt("hidden_size", r->shape[2]);
  d.linearBeforeReset = ctx.node.attrInt("linear_before_reset", 0) != 0;
  d.inputForget = ctx.node.attrInt("input_forget", 0) != 0;
  d.clip = ctx.node.attr("clip") ? ctx.node.attrFloat("clip", 0) : 0;
  if (d.clip < 0)
    return ctx.fail("clip must not be negative");
  const int64_t gh = d.gates * d.hidden;
  if (!hasShape(w, {d.dirs, gh, d.input}) || !hasShape(r, {d.dirs, gh, d.hidden}))
    return ctx.fail("W " + shapeText(w->shape) + " or R " + shapeText(r->shape) + " does not fit X " +
                    shapeText(x->shape) + ", hidden_size " + std::to_string(d.hidden) + " and " +
                    std::to_string(d.dirs) + " direction(s)");
  if (!hasShape(ctx.in(3), {d.dirs, 2 * gh}))
    return ctx.fail("B has shape " + shapeText(ctx.in(3)->shape) + ", expected " + shapeText({d.dirs, 2 * gh}));
  for (size_t i : {size_t(5), size_t(6)})
    if (!hasShape(ctx.in(i), d.stateShape()))
      return ctx.fail(std::string(i == 5 ? "initial_h" : "initial_c") + " has shape " + shapeText(ctx.in(i)->shape) +
                      ", expected " + shapeText(d.stateShape()));
  if (cell == Cell::Lstm && !hasShape(ctx.in(7), {d.dirs, 3 * d.hidden}))
    return ctx.fail("P has shape " + shapeText(ctx.in(7)->shape) + ", expected " + shapeText({d.dirs, 3 * d.hidden}));
  d.seqLens.assign(static_cast<size_t>(d.batch), d.seq);
  if (const HostTensor *lens = ctx.in(4)) {
    if (lens->shape != std::vector<int64_t>{d.batch})
      return ctx.fail("sequence_lens has shape " + shapeText(lens->shape) + ", expected [" + std::to_string(d.batch) +
                      "]");
    if (!readInts(ctx, *lens, d.seqLens, "sequence_lens"))
      return false;
    for (int64_t len : d.seqLens)
      if (len < 0 || len > d.seq)
        return ctx.fail("sequence length " + std::to_string(len) + " is outside [0, " + std::to_string(d.seq) + "]");
  }
  return parseActivations(ctx, cell, d.dirs, d.acts);
}

/// out[j] = bias[j] + sum_k m[j][k] * v[k] for `rows` rows of length `cols`.
template <typename C> void matVec(const C *m, const C *v, const C *bias, int64_t rows, int64_t cols, C *out) {
  for (int64_t j = 0; j < rows; ++j) {
    C acc = bias ? bias[j] : C(0);
    const C *row = m + j * cols;
    for (int64_t k = 0; k < cols; ++k)
      acc += row[k] * v[k];
    out[j] = acc;
  }
}

/// The inputs of one direction, in compute type.
template <typename C> struct DirectionWeights {
  const C *w, *r;      ///< [gates*hidden, input], [gates*hidden, hidden]
  const C *wb, *rb;    ///< [gates*hidden] each, or nullptr
  const C *p;          ///< LSTM peepholes [3*hidden], or nullptr
  const ActSpec *acts; ///< this direction's f, g, h
};

/// One step of the cell on one batch row: h (and c for LSTM) updated in place.
template <typename C>
void step(const RecurrentDims &d, const DirectionWeights<C> &wt, const C *x, std::vector<C> &h, std::vector<C> &c,
          std::vector<C> &xw, std::vector<C> &hr) {
  const int64_t H = d.hidden, gh = d.gates * H;
  matVec(wt.w, x, wt.wb, gh, d.input, xw.data());
  matVec(wt.r, h.data(), wt.rb, gh, H, hr.data());
  const C clip = static_cast<C>(d.clip);
  auto clipped = [&](C v) { return d.clip > 0 ? std::clamp(v, -clip, clip) : v; };
  const ActSpec &f = wt.acts[0];
  switch (d.cell) {
  case Cell::Rnn:
    for (int64_t j = 0; j < H; ++j)
      h[j] = activate(f, clipped(xw[j] + hr[j]));
    return;
  case Cell::Gru: {
    const ActSpec &g = wt.acts[1];
    std::vector<C> z(H), rh(H);
    for (int64_t j = 0; j < H; ++j) {
      z[j] = activate(f, clipped(xw[j] + hr[j]));
      rh[j] = activate(f, clipped(xw[H + j] + hr[H + j])); // r, then r * h below
    }
    if (!d.linearBeforeReset) {
      for (int64_t j = 0; j < H; ++j)
        rh[j] *= h[j];
      matVec(wt.r + 2 * H * H, rh.data(), wt.rb ? wt.rb + 2 * H : nullptr, H, H, hr.data() + 2 * H);
    }
    for (int64_t j = 0; j < H; ++j) {
      const C recurrent = d.linearBeforeReset ? rh[j] * hr[2 * H + j] : hr[2 * H + j];
      const C candidate = activate(g, clipped(xw[2 * H + j] + recurrent));
      h[j] = (1 - z[j]) * candidate + z[j] * h[j];
    }
    return;
  }
  case Cell::Lstm: {
    const ActSpec &g = wt.acts[1], &hAct = wt.acts[2];
    for (int64_t j = 0; j < H; ++j) {
      const C pi = wt.p ? wt.p[j] : C(0), po = wt.p ? wt.p[H + j] : C(0), pf = wt.p ? wt.p[2 * H + j] : C(0);
      const C i = activate(f, clipped(xw[j] + hr[j] + pi * c[j]));
      const C fg = d.inputForget ? 1 - i : activate(f, clipped(xw[2 * H + j] + hr[2 * H + j] + pf * c[j]));
      const C cand = activate(g, clipped(xw[3 * H + j] + hr[3 * H + j]));
      c[j] = fg * c[j] + i * cand;
      const C o = activate(f, clipped(xw[H + j] + hr[H + j] + po * c[j]));
      h[j] = o * activate(hAct, c[j]);
    }
    return;
  }
  }
}

template <typename T> bool runRecurrent(KernelContext &ctx, const RecurrentDims &d) {
  using C = ComputeOf<T>;
  const std::vector<C> x = valuesOf<C, T>(ctx.in(0)), w = valuesOf<C, T>(ctx.in(1)), r = valuesOf<C, T>(ctx.in(2)),
                       b = valuesOf<C, T>(ctx.in(3)), h0 = valuesOf<C, T>(ctx.in(5)),
                       c0 = valuesOf<C, T>(d.cell == Cell::Lstm ? ctx.in(6) : nullptr),
                       p = valuesOf<C, T>(d.cell == Cell::Lstm ? ctx.in(7) : nullptr);
  const int64_t H = d.hidden, gh = d.gates * H;
  const DType dtype = ctx.in(0)->dtype;
  const std::vector<int64_t> yShape =
      d.batchFirst ? std::vector<int64_t>{d.batch, d.seq, d.dirs, H} : std::vector<int64_t>{d.seq, d.dirs, d.batch, H};
  std::vector<C> y(static_cast<size_t>(elementCount(yShape)), C(0));
  std::vector<C> yh(static_cast<size_t>(d.dirs * d.batch * H)), yc(yh.size());
  std::vector<C> h(H), c(H), xw(gh), hr(gh);
  const size_t actsPerDir = activationsOf(d.cell);
  for (int64_t dir = 0; dir < d.dirs; ++dir) {
    const bool reverse = d.reverseOnly || dir == 1;
    DirectionWeights<C> wt{w.data() + dir * gh * d.input,
                           r.data() + dir * gh * H,
                           b.empty() ? nullptr : b.data() + dir * 2 * gh,
                           b.empty() ? nullptr : b.data() + dir * 2 * gh + gh,
                           p.empty() ? nullptr : p.data() + dir * 3 * H,
                           d.acts.data() + static_cast<size_t>(dir) * actsPerDir};
    for (int64_t bi = 0; bi < d.batch; ++bi) {
      const int64_t state = d.stateAt(dir, bi), len = d.seqLens[static_cast<size_t>(bi)];
      for (int64_t j = 0; j < H; ++j) {
        h[j] = h0.empty() ? C(0) : h0[state + j];
        c[j] = c0.empty() ? C(0) : c0[state + j];
      }
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = reverse ? len - 1 - s : s;
        step(d, wt, x.data() + d.xAt(t, bi), h, c, xw, hr);
        std::copy(h.begin(), h.end(), y.begin() + d.yAt(t, dir, bi));
      }
      std::copy(h.begin(), h.end(), yh.begin() + state);
      std::copy(c.begin(), c.end(), yc.begin() + state);
    }
  }
  auto store = [&](size_t i, const std::vector<C> &v, const std::vector<int64_t> &shape) {
    if (i >= ctx.outputs.size())
      return;
    HostTensor &out = ctx.outputs[i] = HostTensor(dtype, shape);
    T *po = out.data<T>();
    for (size_t k = 0; k < v.size(); ++k)
      po[k] = T(v[k]);
  };
  store(0, y, yShape);
  store(1, yh, d.stateShape());
  if (d.cell == Cell::Lstm)
    store(2, yc, d.stateShape());
  return true;
}

KernelFn recurrent(Cell cell) {
  return [cell](KernelContext &ctx) {
    RecurrentDims d;
    if (!readDims(ctx, cell, d))
      return false;
    return dispatchFloat(ctx, ctx.in(0)->dtype, [&](auto tag) { return runRecurrent<decltype(tag)>(ctx, d); });
  };
}

} // namespace

void addRecurrentKernels(KernelTable &t) {
  t["RNN"] = recurrent(Cell::Rnn);
  t["GRU"] = recurrent(Cell::Gru);
  t["LSTM"] = recurrent(Cell::Lstm);
}

} // namespace softnpu::host
