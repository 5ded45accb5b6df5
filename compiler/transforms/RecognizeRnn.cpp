//===- RecognizeRnn.cpp - Unrolled LSTM / GRU cells -> onnx.LSTM / onnx.GRU ===//
//
// Models sometimes carry a recurrent layer written out step by step in plain
// ops. This pass finds such a recurrence over the T timesteps of a sequence,
// with the same constant weights in every step, and replaces it by one
// onnx.LSTM or onnx.GRU (forward, default activations), which onnx-to-fpga
// lowers to fpga.rnn: one loop with the gate matrices pinned, instead of T
// unrolled copies (or, for ops without a lowering, an error).
//
// Matched forms (B batch, I input, H hidden size; "x @ W" is MatMul with a
// constant W [I, K], or Gemm(transA 0) with a constant B and optional
// constant C):
//
//   step input   x_t [B, I] is one timestep of X [T, B, I]: Slice(X, starts
//                t, ends t+1, axis 0; other axes whole, steps 1), result t of
//                Split(X, axis 0) into parts of 1, or Gather(X, t, axis 0)
//                with a constant scalar or one-element t; followed by Squeeze
//                or a constant Reshape when that is needed to reach [B, I].
//   gates        pre-activations are sums (Add) of x_t @ Wx, h @ Rh and
//                constant biases ([K], [1, K] or one element), either per gate
//                or fused over G gates and then cut into gates by Slice (step
//                1) or Split along the last axis; the cut may also come after
//                the activation (Slice(Sigmoid(fused))).
//   LSTM         i, f, o = Sigmoid, g = Tanh; c = f * c_prev + i * g;
//                h = o * Tanh(c) (Add / Mul operands in either order).
//   GRU          z, r = Sigmoid; h = (1 - z) * h~ + z * h_prev as any
//                Add / Sub / Mul expression of z, h~, h_prev and constants
//                with that value (e.g. h~ + z * (h_prev - h~)), with either
//                h~ = Tanh(x_t @ Wh + (r * h_prev) @ Rh + b)  (linear_before_reset 0)
//                h~ = Tanh(x_t @ Wh + bw + r * (h_prev @ Rh + br))  (linear_before_reset 1).
//   chain        step t's h_prev (and c_prev) is step t-1's h (c), for
//                t = 0 .. T-1 over the same X; step 0's state is the initial
//                state: a zero constant (omitted), another constant, or any
//                other [B, H] value (then initial_h / initial_c).
//   outputs      the last h (and c) -> Y_h (Y_c), reshaped to [B, H]; per-step
//                h's stacked by Concat(axis 0), each h as it is or through a
//                [1, B, H] / [1, 1, B, H] view (Unsqueeze or Reshape) -> Y
//                ([T, 1, B, H]), reshaped to the Concat's type.
//
// Weights are compared by value between steps. W, R and B are built in ONNX
// gate order (LSTM i, o, f, c; GRU z, r, h) with all biases in Wb, except the
// recurrent bias br of a linear_before_reset GRU, which goes to Rbh.
// Everything the recurrence computed must be used only inside it or through
// the outputs above; otherwise (and for anything else not matched) the graph
// is left as it is.
//
//===----------------------------------------------------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <optional>

namespace softnpu {
#define GEN_PASS_DEF_ONNXRECOGNIZERNN
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;
namespace onnx = softnpu::onnx_d;

namespace {

using OpSet = llvm::SetVector<Operation *>;

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

DenseElementsAttr constantOf(Value v) {
  if (auto c = v.getDefiningOp<onnx::ConstantOp>())
    return dyn_cast<DenseElementsAttr>(c.getValue());
  return nullptr;
}

DenseElementsAttr f32ConstantOf(Value v) {
  DenseElementsAttr a = constantOf(v);
  return a && a.getElementType().isF32() ? a : nullptr;
}

std::optional<SmallVector<int64_t>> constInts(Value v) {
  DenseElementsAttr a = constantOf(v);
  if (!a || !isa<IntegerType>(a.getElementType()))
    return std::nullopt;
  return llvm::map_to_vector(a.getValues<APInt>(), [](const APInt &x) { return x.getSExtValue(); });
}

/// An axis attribute (I64Attr reads as unsigned) in [0, rank), or -1.
int64_t normalizedAxis(uint64_t attr, size_t rank) {
  const int64_t axis = static_cast<int64_t>(attr), r = static_cast<int64_t>(rank);
  const int64_t a = axis < 0 ? axis + r : axis;
  return a >= 0 && a < r ? a : -1;
}

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

bool isF32(Value v) { return cast<RankedTensorType>(v.getType()).getElementType().isF32(); }

/// A constant [K], [1, K] (or higher rank with leading 1s) or single element:
/// broadcastable as a row bias of width `width`.
bool isRowConstant(DenseElementsAttr c, int64_t width) {
  ArrayRef<int64_t> s = c.getType().getShape();
  if (c.getNumElements() == 1)
    return true;
  return !s.empty() && s.back() == width &&
         llvm::all_of(s.drop_back(), [](int64_t d) { return d == 1; });
}

/// The [begin, end) range a Slice takes on each axis of its data (ONNX
/// clamping), or nullopt when not constant or a step is not 1.
std::optional<SmallVector<std::pair<int64_t, int64_t>>> sliceRanges(onnx::SliceOp s) {
  ArrayRef<int64_t> dims = shapeOf(s.getData());
  auto starts = constInts(s.getStarts()), ends = constInts(s.getEnds());
  if (!starts || !ends || starts->size() != ends->size())
    return std::nullopt;
  SmallVector<int64_t> axes;
  if (s.getAxes()) {
    auto a = constInts(s.getAxes());
    if (!a || a->size() != starts->size())
      return std::nullopt;
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (s.getSteps()) {
    auto steps = constInts(s.getSteps());
    if (!steps || llvm::any_of(*steps, [](int64_t x) { return x != 1; }))
      return std::nullopt;
  }
  SmallVector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t d : dims)
    ranges.push_back({0, d});
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t rank = static_cast<int64_t>(dims.size());
    int64_t axis = axes[i];
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank)
      return std::nullopt;
    auto clamp = [&](int64_t x) {
      if (x < 0)
        x += dims[axis];
      return std::clamp<int64_t>(x, 0, dims[axis]);
    };
    ranges[axis] = {clamp((*starts)[i]), clamp((*ends)[i])};
  }
  return ranges;
}

/// For a rank-2 Slice or Split result taking whole rows: the column range
/// [begin, end) it takes of its operand, and the operand.
std::optional<std::tuple<Value, int64_t, int64_t>> lastAxisPart(Value v) {
  if (auto s = v.getDefiningOp<onnx::SliceOp>()) {
    auto r = sliceRanges(s);
    ArrayRef<int64_t> dims = shapeOf(s.getData());
    if (!r || dims.size() != 2 || (*r)[0] != std::pair<int64_t, int64_t>(0, dims[0]) ||
        (*r)[1].second <= (*r)[1].first)
      return std::nullopt;
    return std::make_tuple(s.getData(), (*r)[1].first, (*r)[1].second);
  }
  if (auto s = v.getDefiningOp<onnx::SplitOp>()) {
    ArrayRef<int64_t> dims = shapeOf(s.getInput());
    if (dims.size() != 2 || normalizedAxis(s.getAxis(), 2) != 1)
      return std::nullopt;
    const int64_t n = s.getNumResults(), k = dims[1];
    SmallVector<int64_t> sizes(n, n ? k / n : 0);
    if (s.getSplit()) {
      auto given = constInts(s.getSplit());
      if (!given || static_cast<int64_t>(given->size()) != n)
        return std::nullopt;
      sizes = *given;
      if (llvm::any_of(sizes, [](int64_t n) { return n < 0; }) ||
          std::accumulate(sizes.begin(), sizes.end(), int64_t{0}) != k)
        return std::nullopt;
    } else if (k % n != 0) {
      return std::nullopt;
    }
    const unsigned j = cast<OpResult>(v).getResultNumber();
    int64_t begin = 0;
    for (unsigned i = 0; i < j; ++i)
      begin += sizes[i];
    return std::make_tuple(s.getInput(), begin, begin + sizes[j]);
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Affine pre-activations: sum of src @ W terms and constant biases
//===----------------------------------------------------------------------===//

/// Columns [col0, col0 + cols) of src @ (scale * W), W constant [in, K] (or
/// [K, in] when `transposed`).
struct MatTerm {
  Value src;
  DenseElementsAttr w;
  bool transposed = false;
  int64_t col0 = 0, cols = 0;
  float scale = 1.0f;
};

/// Columns [col0, col0 + cols) of scale * c (c a row constant; one element
/// broadcasts).
struct BiasTerm {
  DenseElementsAttr c;
  int64_t col0 = 0, cols = 0;
  float scale = 1.0f;
};

struct Affine {
  int64_t width = 0;
  SmallVector<MatTerm> terms;
  SmallVector<BiasTerm> biases;
  OpSet ops; ///< the ops computing it (constants excluded)

  llvm::SetVector<Value> sources() const {
    llvm::SetVector<Value> s;
    for (const MatTerm &t : terms)
      s.insert(t.src);
    return s;
  }

  /// Keeps columns [begin, end).
  void slice(int64_t begin, int64_t end) {
    for (MatTerm &t : terms)
      t.col0 += begin, t.cols = end - begin;
    for (BiasTerm &b : biases)
      b.col0 += begin, b.cols = end - begin;
    width = end - begin;
  }

  void add(const Affine &o) {
    terms.append(o.terms);
    biases.append(o.biases);
    ops.insert(o.ops.begin(), o.ops.end());
  }

  /// The [rows, width] matrix multiplying `src` (zero when it has none), or
  /// nullopt when a term's input size is not `rows`.
  std::optional<std::vector<float>> matrix(Value src, int64_t rows) const {
    std::vector<float> m(static_cast<size_t>(rows * width), 0.0f);
    for (const MatTerm &t : terms) {
      if (t.src != src)
        continue;
      ArrayRef<int64_t> s = t.w.getType().getShape();
      const int64_t in = t.transposed ? s[1] : s[0], k = t.transposed ? s[0] : s[1];
      if (in != rows)
        return std::nullopt;
      auto w = t.w.getValues<float>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < width; ++c)
          m[r * width + c] +=
              t.scale * w[t.transposed ? (t.col0 + c) * in + r : r * k + t.col0 + c];
    }
    return m;
  }

  std::vector<float> bias() const {
    std::vector<float> v(static_cast<size_t>(width), 0.0f);
    for (const BiasTerm &b : biases) {
      auto c = b.c.getValues<float>();
      for (int64_t j = 0; j < width; ++j)
        v[j] += b.scale * c[b.c.getNumElements() == 1 ? 0 : b.col0 + j];
    }
    return v;
  }
};

Affine biasAffine(DenseElementsAttr c, int64_t width, float scale = 1.0f) {
  Affine a;
  a.width = width;
  a.biases.push_back({c, 0, width, scale});
  return a;
}

/// `v` as an affine function of its sources, `width` wide: a [B, width]
/// Add, MatMul / Gemm with a constant matrix, last-axis Slice / Split, or a
/// row constant (broadcast).
std::optional<Affine> analyzeAffine(Value v, int64_t width) {
  if (DenseElementsAttr c = f32ConstantOf(v))
    return isRowConstant(c, width) ? std::optional(biasAffine(c, width)) : std::nullopt;
  ArrayRef<int64_t> shape = shapeOf(v);
  Operation *op = v.getDefiningOp();
  if (shape.size() != 2 || shape[1] != width || !isF32(v) || !op)
    return std::nullopt;
  Affine a;
  a.width = width;
  if (auto mm = dyn_cast<onnx::MatMulOp>(op)) {
    DenseElementsAttr w = f32ConstantOf(mm.getB());
    if (!w || w.getType().getRank() != 2 || w.getType().getDimSize(1) != width ||
        shapeOf(mm.getA()).size() != 2)
      return std::nullopt;
    a.terms.push_back({mm.getA(), w, false, 0, width, 1.0f});
  } else if (auto g = dyn_cast<onnx::GemmOp>(op)) {
    DenseElementsAttr w = f32ConstantOf(g.getB());
    if (!w || g.getTransA() != 0 || w.getType().getRank() != 2 ||
        w.getType().getDimSize(g.getTransB() ? 0 : 1) != width)
      return std::nullopt;
    a.terms.push_back({g.getA(), w, g.getTransB() != 0, 0, width, g.getAlpha().convertToFloat()});
    if (g.getC()) {
      DenseElementsAttr c = f32ConstantOf(g.getC());
      if (!c || !isRowConstant(c, width))
        return std::nullopt;
      a.biases.push_back({c, 0, width, g.getBeta().convertToFloat()});
    }
  } else if (auto add = dyn_cast<onnx::AddOp>(op)) {
    for (Value operand : {add.getA(), add.getB()}) {
      std::optional<Affine> part;
      if (f32ConstantOf(operand) || operand.getType() == v.getType())
        part = analyzeAffine(operand, width);
      if (!part)
        return std::nullopt;
      a.add(*part);
    }
  } else if (auto part = lastAxisPart(v)) {
    auto [whole, begin, end] = *part;
    std::optional<Affine> w = analyzeAffine(whole, shapeOf(whole)[1]);
    if (!w)
      return std::nullopt;
    w->slice(begin, end);
    a.add(*w);
  } else {
    return std::nullopt;
  }
  a.ops.insert(op);
  return a;
}

/// A gate act(pre): `act` applied to an affine pre-activation, or a last-axis
/// Slice / Split of an activation of a wider one. Returns the pre-activation.
template <typename ActOp> std::optional<Affine> matchGate(Value v) {
  if (!v.getDefiningOp())
    return std::nullopt;
  if (auto act = v.getDefiningOp<ActOp>()) {
    Value in = act->getOperand(0);
    if (shapeOf(in).size() != 2)
      return std::nullopt;
    std::optional<Affine> pre = analyzeAffine(in, shapeOf(in)[1]);
    if (pre)
      pre->ops.insert(act);
    return pre;
  }
  if (auto part = lastAxisPart(v)) {
    auto [whole, begin, end] = *part;
    std::optional<Affine> pre = matchGate<ActOp>(whole);
    if (pre) {
      pre->slice(begin, end);
      pre->ops.insert(v.getDefiningOp());
    }
    return pre;
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Step inputs: x_t from X [T, B, I]
//===----------------------------------------------------------------------===//

struct StepInput {
  Value seq;     ///< X [T, B, I]
  int64_t t = 0; ///< the timestep
  OpSet ops;     ///< Slice + Squeeze / Reshape, or Gather
};

/// `y` is one timestep of a sequence X [T, B, I] (any float tensor of rank
/// 3): Slice [t, t+1) on axis 0 (other axes whole), result t of a Split on
/// axis 0 into parts of 1, or Gather on axis 0 at a constant t.
std::optional<StepInput> timestepOf(Value y) {
  Operation *op = y.getDefiningOp();
  StepInput in;
  if (auto slice = dyn_cast_or_null<onnx::SliceOp>(op)) {
    auto r = sliceRanges(slice);
    ArrayRef<int64_t> dims = shapeOf(slice.getData());
    if (!r || dims.size() != 3 || (*r)[0].second != (*r)[0].first + 1 ||
        (*r)[1] != std::pair<int64_t, int64_t>(0, dims[1]) ||
        (*r)[2] != std::pair<int64_t, int64_t>(0, dims[2]))
      return std::nullopt;
    in.seq = slice.getData();
    in.t = (*r)[0].first;
  } else if (auto split = dyn_cast_or_null<onnx::SplitOp>(op)) {
    ArrayRef<int64_t> dims = shapeOf(split.getInput());
    if (dims.size() != 3 || normalizedAxis(split.getAxis(), 3) != 0 ||
        static_cast<int64_t>(split.getNumResults()) != dims[0])
      return std::nullopt;
    if (split.getSplit()) {
      auto sizes = constInts(split.getSplit());
      if (!sizes || llvm::any_of(*sizes, [](int64_t n) { return n != 1; }))
        return std::nullopt;
    }
    in.seq = split.getInput();
    in.t = cast<OpResult>(y).getResultNumber();
  } else if (auto g = dyn_cast_or_null<onnx::GatherOp>(op)) {
    auto idx = constInts(g.getIndices());
    ArrayRef<int64_t> dims = shapeOf(g.getData());
    if (dims.size() != 3 || normalizedAxis(g.getAxis(), 3) != 0 || !idx || idx->size() != 1)
      return std::nullopt;
    in.seq = g.getData();
    in.t = (*idx)[0] < 0 ? (*idx)[0] + dims[0] : (*idx)[0];
    if (in.t < 0 || in.t >= dims[0])
      return std::nullopt;
  } else {
    return std::nullopt;
  }
  if (!isF32(in.seq))
    return std::nullopt;
  in.ops.insert(op);
  return in;
}

/// x_t [B, I]: a timestep of X, directly or through Squeeze / a constant
/// Reshape.
std::optional<StepInput> matchStepInput(Value x) {
  Operation *op = x.getDefiningOp();
  if (!op)
    return std::nullopt;
  Value y = x;
  if (auto sq = dyn_cast<onnx::SqueezeOp>(op))
    y = sq.getData();
  else if (auto rs = dyn_cast<onnx::ReshapeOp>(op); rs && constInts(rs.getShape()))
    y = rs.getData();
  std::optional<StepInput> in = timestepOf(y);
  if (!in || shapeOf(x) != shapeOf(in->seq).drop_front())
    return std::nullopt;
  in->ops.insert(op);
  return in;
}

//===----------------------------------------------------------------------===//
// One cell step
//===----------------------------------------------------------------------===//

enum class Cell { LSTM, GRU };

/// One gate: act(in) with `in` affine in {x_t, hSrc}; or, for the h gate of a
/// linear_before_reset GRU, act(in + r * recur) with `in` affine in {x_t} and
/// `recur` in {hSrc}.
struct Gate {
  Affine in;
  Value hSrc; ///< h_prev, or r * h_prev (GRU h gate, linear_before_reset 0)
  std::optional<Affine> recur;
};

struct Step {
  Cell cell = Cell::LSTM;
  StepInput input;
  Value x, hPrev, cPrev; ///< inputs (cPrev: LSTM)
  Value h, c;            ///< outputs (c: LSTM)
  SmallVector<Gate, 4> gates; ///< ONNX order: LSTM i, o, f, c; GRU z, r, h
  bool linearBeforeReset = false;
  OpSet ops;

  int64_t hidden() const { return shapeOf(h)[1]; }
};

/// Finds x_t and h_prev among the sources of `gates` (each gate's hSrc is set
/// to h_prev): exactly one source must be a step input, one other h_prev.
bool bindSources(Step &s, ArrayRef<Affine *> gates) {
  llvm::SetVector<Value> srcs;
  for (Affine *g : gates)
    for (Value v : g->sources())
      srcs.insert(v);
  for (Value v : srcs) {
    if (auto in = matchStepInput(v)) {
      if (s.x)
        return false;
      s.x = v;
      s.input = std::move(*in);
    } else {
      if (s.hPrev)
        return false;
      s.hPrev = v;
    }
  }
  return s.x && s.hPrev;
}

/// Shapes of the step: x_t [B, I], h / h_prev (c / c_prev) [B, H], every
/// gate H wide; gate sources only x_t and their hSrc (recur: only hSrc).
bool checkStep(Step &s) {
  Type state = s.h.getType();
  ArrayRef<int64_t> hs = shapeOf(s.h);
  if (hs.size() != 2 || !isF32(s.h) || s.hPrev.getType() != state ||
      shapeOf(s.x)[0] != hs[0])
    return false;
  if (s.cell == Cell::LSTM && (s.c.getType() != state || s.cPrev.getType() != state))
    return false;
  for (Gate &g : s.gates) {
    if (g.in.width != hs[1] || (g.recur && g.recur->width != hs[1]))
      return false;
    for (Value src : g.in.sources())
      if (src != s.x && (g.recur || src != g.hSrc))
        return false;
    if (g.recur && llvm::any_of(g.recur->sources(), [&](Value v) { return v != g.hSrc; }))
      return false;
    s.ops.insert(g.in.ops.begin(), g.in.ops.end());
    if (g.recur)
      s.ops.insert(g.recur->ops.begin(), g.recur->ops.end());
  }
  s.ops.insert(s.input.ops.begin(), s.input.ops.end());
  return true;
}

/// r * other (either order) with r a Sigmoid gate: (r's pre-activation, other).
std::optional<std::pair<Affine, Value>> matchGated(Value v) {
  auto mul = v.getDefiningOp<onnx::MulOp>();
  if (!mul)
    return std::nullopt;
  for (auto [a, b] : {std::pair(mul.getA(), mul.getB()), std::pair(mul.getB(), mul.getA())})
    if (std::optional<Affine> r = matchGate<onnx::SigmoidOp>(a)) {
      r->ops.insert(mul);
      return std::pair(std::move(*r), b);
    }
  return std::nullopt;
}

/// LSTM: `mul` is h = o * Tanh(c) with c = f * c_prev + i * g.
std::optional<Step> matchLstmStep(onnx::MulOp mul) {
  for (auto [oV, tcV] : {std::pair(mul.getA(), mul.getB()), std::pair(mul.getB(), mul.getA())}) {
    auto tanhC = tcV.getDefiningOp<onnx::TanhOp>();
    auto cAdd = tanhC ? tanhC.getInput().getDefiningOp<onnx::AddOp>() : nullptr;
    std::optional<Affine> o = cAdd ? matchGate<onnx::SigmoidOp>(oV) : std::nullopt;
    if (!o)
      continue;
    // One addend is i * g (g a Tanh gate), the other f * c_prev.
    for (auto [igV, fcV] :
         {std::pair(cAdd.getA(), cAdd.getB()), std::pair(cAdd.getB(), cAdd.getA())}) {
      auto ig = matchGated(igV), fc = matchGated(fcV);
      std::optional<Affine> g = ig ? matchGate<onnx::TanhOp>(ig->second) : std::nullopt;
      if (!g || !fc)
        continue;
      Affine &i = ig->first, &f = fc->first;
      Step s;
      s.cell = Cell::LSTM;
      s.h = mul.getC();
      s.c = cAdd.getC();
      s.cPrev = fc->second;
      if (!bindSources(s, {&i, &*o, &f, &*g}))
        continue;
      for (Affine *a : {&i, &*o, &f, &*g})
        s.gates.push_back({std::move(*a), s.hPrev, std::nullopt});
      s.ops.insert(mul);
      s.ops.insert(tanhC);
      s.ops.insert(cAdd);
      if (checkStep(s))
        return s;
    }
  }
  return std::nullopt;
}

/// A polynomial in up to three leaf values with constant coefficients,
/// monomial exponents -> coefficient (no zero coefficients).
using Poly = std::map<std::array<int, 3>, double>;

/// `v` as a polynomial in `leaves`, through Add / Sub / Mul of type `type`
/// (recorded in `ops`) and splat constants, at most `depth` ops deep.
std::optional<Poly> evalPoly(Value v, ArrayRef<Value> leaves, Type type, int depth, OpSet &ops) {
  for (auto [k, leaf] : llvm::enumerate(leaves))
    if (v == leaf) {
      std::array<int, 3> e{0, 0, 0};
      e[k] = 1;
      return Poly{{e, 1.0}};
    }
  if (DenseElementsAttr c = f32ConstantOf(v); c && c.isSplat())
    return Poly{{{0, 0, 0}, c.getSplatValue<float>()}};
  Operation *op = v.getDefiningOp();
  if (depth == 0 || !op || !isa<onnx::AddOp, onnx::SubOp, onnx::MulOp>(op) || v.getType() != type)
    return std::nullopt;
  auto a = evalPoly(op->getOperand(0), leaves, type, depth - 1, ops);
  auto b = evalPoly(op->getOperand(1), leaves, type, depth - 1, ops);
  if (!a || !b)
    return std::nullopt;
  Poly sum;
  if (isa<onnx::MulOp>(op)) {
    for (auto &[ea, ca] : *a)
      for (auto &[eb, cb] : *b)
        sum[{ea[0] + eb[0], ea[1] + eb[1], ea[2] + eb[2]}] += ca * cb;
  } else {
    const double sign = isa<onnx::SubOp>(op) ? -1.0 : 1.0;
    sum = *a;
    for (auto &[e, c] : *b)
      sum[e] += sign * c;
  }
  Poly r;
  for (auto &[e, c] : sum)
    if (c != 0.0)
      r[e] = c;
  ops.insert(op);
  return r;
}

/// Values reachable from `v` through at most `depth` Add / Sub / Mul ops.
void collectLeaves(Value v, int depth, llvm::SetVector<Value> &out) {
  out.insert(v);
  Operation *op = v.getDefiningOp();
  if (depth > 0 && op && isa<onnx::AddOp, onnx::SubOp, onnx::MulOp>(op))
    for (Value operand : op->getOperands())
      collectLeaves(operand, depth - 1, out);
}

/// The addends of an Add tree of type `type` (row constants are addends too).
void collectAddends(Value v, Type type, SmallVectorImpl<Value> &out, OpSet &ops) {
  auto add = v.getDefiningOp<onnx::AddOp>();
  if (add && v.getType() == type) {
    ops.insert(add);
    collectAddends(add.getA(), type, out, ops);
    collectAddends(add.getB(), type, out, ops);
    return;
  }
  out.push_back(v);
}

/// Given z's pre-activation and h~ = Tanh(hPre), matches the r and h gates of
/// a GRU step in either form and fills `s`.
bool matchGruGates(Step &s, Affine z, Value hPre) {
  const int64_t width = shapeOf(hPre)[1];
  SmallVector<Value> addends;
  OpSet addOps;
  collectAddends(hPre, hPre.getType(), addends, addOps);
  SmallVector<std::pair<Affine, Value>> gated;
  Affine xPart;
  xPart.width = width;
  for (Value a : addends) {
    if (auto gr = matchGated(a)) {
      gated.push_back(std::move(*gr));
    } else if (std::optional<Affine> part = analyzeAffine(a, width)) {
      xPart.add(*part);
    } else {
      return false;
    }
  }
  if (gated.size() == 1) {
    // linear_before_reset 1: x_t @ Wh + bw + r * (h_prev @ Rh + br).
    auto &[r, hPart] = gated.front();
    std::optional<Affine> recur = analyzeAffine(hPart, width);
    if (!recur || !bindSources(s, {&z, &r}))
      return false;
    xPart.ops.insert(addOps.begin(), addOps.end());
    s.linearBeforeReset = true;
    s.gates.push_back({std::move(z), s.hPrev, std::nullopt});
    s.gates.push_back({std::move(r), s.hPrev, std::nullopt});
    s.gates.push_back({std::move(xPart), s.hPrev, std::move(recur)});
    return true;
  }
  if (!gated.empty())
    return false;
  // linear_before_reset 0: x_t @ Wh + (r * h_prev) @ Rh + b; xPart is all of it.
  for (Value src : xPart.sources()) {
    std::optional<std::pair<Affine, Value>> gr = matchGated(src);
    if (!gr)
      continue;
    auto &[r, other] = *gr;
    if (!bindSources(s, {&z, &r}) || other != s.hPrev)
      return false;
    xPart.ops.insert(addOps.begin(), addOps.end());
    s.linearBeforeReset = false;
    s.gates.push_back({std::move(z), s.hPrev, std::nullopt});
    s.gates.push_back({std::move(r), s.hPrev, std::nullopt});
    s.gates.push_back({std::move(xPart), src, std::nullopt});
    return true;
  }
  return false;
}

/// GRU: `root` (Add or Sub) computes (1 - z) * h~ + z * h_prev.
std::optional<Step> matchGruStep(Operation *root) {
  Value h = root->getResult(0);
  llvm::SetVector<Value> leaves;
  collectLeaves(h, 3, leaves);
  for (Value zV : leaves) {
    std::optional<Affine> z = matchGate<onnx::SigmoidOp>(zV);
    if (!z)
      continue;
    for (Value hhV : leaves) {
      auto tanh = hhV.getDefiningOp<onnx::TanhOp>();
      if (!tanh)
        continue;
      Step s;
      s.cell = Cell::GRU;
      s.h = h;
      if (!matchGruGates(s, *z, tanh.getInput()))
        continue;
      // h == h~ - z h~ + z h_prev, monomials over (z, h~, h_prev).
      const Poly want{{{0, 1, 0}, 1.0}, {{1, 1, 0}, -1.0}, {{1, 0, 1}, 1.0}};
      std::optional<Poly> got = evalPoly(h, {zV, hhV, s.hPrev}, h.getType(), 4, s.ops);
      if (!got || *got != want)
        continue;
      s.ops.insert(tanh);
      if (checkStep(s))
        return s;
    }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The recurrence: chained steps over t = 0 .. T-1
//===----------------------------------------------------------------------===//

/// ONNX-layout weights of one step: W [G*H, I], R [G*H, H], B [2*G*H].
struct Weights {
  std::vector<float> w, r, b;
  bool operator==(const Weights &o) const { return w == o.w && r == o.r && b == o.b; }
};

std::optional<Weights> weightsOf(const Step &s) {
  const int64_t hid = s.hidden(), in = shapeOf(s.x)[1], gates = s.gates.size();
  Weights out;
  out.w.assign(gates * hid * in, 0.0f);
  out.r.assign(gates * hid * hid, 0.0f);
  out.b.assign(2 * gates * hid, 0.0f);
  for (auto [g, gate] : llvm::enumerate(s.gates)) {
    const Affine &recur = gate.recur ? *gate.recur : gate.in;
    auto wx = gate.in.matrix(s.x, in);
    auto rh = recur.matrix(gate.hSrc, hid);
    if (!wx || !rh)
      return std::nullopt;
    // MatMul layout [in, H] -> ONNX rows [H, in] of gate g.
    for (int64_t j = 0; j < hid; ++j) {
      for (int64_t k = 0; k < in; ++k)
        out.w[(g * hid + j) * in + k] = (*wx)[k * hid + j];
      for (int64_t k = 0; k < hid; ++k)
        out.r[(g * hid + j) * hid + k] = (*rh)[k * hid + j];
    }
    std::vector<float> wb = gate.in.bias();
    std::copy(wb.begin(), wb.end(), out.b.begin() + g * hid);
    if (gate.recur) {
      std::vector<float> rb = gate.recur->bias();
      std::copy(rb.begin(), rb.end(), out.b.begin() + (gates + g) * hid);
    }
  }
  return out;
}

/// A [1, B, H] / [1, 1, B, H] view of h (Unsqueeze or constant Reshape).
bool isStackView(Operation *op, Value h) {
  if (!isa<onnx::UnsqueezeOp, onnx::ReshapeOp>(op) || op->getOperand(0) != h)
    return false;
  if (isa<onnx::ReshapeOp>(op) && !constInts(op->getOperand(1)))
    return false;
  ArrayRef<int64_t> s = shapeOf(op->getResult(0)), hs = shapeOf(h);
  return (s.size() == 3 && s[0] == 1 && s.drop_front() == hs) ||
         (s.size() == 4 && s[0] == 1 && s[1] == 1 && s.drop_front(2) == hs);
}

struct Recurrence {
  std::vector<Step> steps;
  Weights weights;
  SmallVector<onnx::ConcatOp> stacks; ///< Concat(axis 0) of per-step views of h
  OpSet ops;                          ///< everything computed by the recurrence
};

/// The Concats (axis 0) of every step's h in order, each h as it is or
/// through a view of its own ([1, B, H] / [1, 1, B, H]); their ops go to `ops`.
SmallVector<onnx::ConcatOp> findStacks(ArrayRef<Step> steps, OpSet &ops) {
  Value h0 = steps.front().h;
  llvm::SetVector<Operation *> candidates;
  for (Operation *user : h0.getUsers()) {
    candidates.insert(user);
    if (isStackView(user, h0))
      candidates.insert(user->getResult(0).getUsers().begin(), user->getResult(0).getUsers().end());
  }
  SmallVector<onnx::ConcatOp> stacks;
  for (Operation *candidate : candidates) {
    auto cat = dyn_cast<onnx::ConcatOp>(candidate);
    if (!cat || normalizedAxis(cat.getAxis(), shapeOf(cat.getConcatResult()).size()) != 0 ||
        cat.getInputs().size() != steps.size())
      continue;
    OpSet catOps;
    catOps.insert(cat);
    bool ok = true;
    for (auto [t, v] : llvm::enumerate(cat.getInputs())) {
      Operation *view = v.getDefiningOp();
      if (v.getType() != cat.getInputs()[0].getType())
        ok = false;
      else if (v != steps[t].h && !(view && isStackView(view, steps[t].h) && v.hasOneUse()))
        ok = false;
      else if (v != steps[t].h)
        catOps.insert(view);
    }
    if (!ok)
      continue;
    ops.insert(catOps.begin(), catOps.end());
    stacks.push_back(cat);
  }
  return stacks;
}

/// Follows h from the step at t = 0 through t = T-1; checks the chain, the
/// weights and that nothing else uses what it computes.
std::optional<Recurrence> buildRecurrence(const Step &first, ArrayRef<Step> all) {
  const int64_t steps = shapeOf(first.input.seq)[0];
  Recurrence rec;
  rec.steps.push_back(first);
  while (static_cast<int64_t>(rec.steps.size()) < steps) {
    const Step &prev = rec.steps.back();
    const Step *next = nullptr;
    for (const Step &s : all) {
      if (s.hPrev != prev.h || s.input.seq != first.input.seq ||
          s.input.t != static_cast<int64_t>(rec.steps.size()) || s.cell != first.cell)
        continue;
      if (next)
        return std::nullopt; // two candidates: ambiguous
      next = &s;
    }
    if (!next || (first.cell == Cell::LSTM && next->cPrev != prev.c) ||
        next->linearBeforeReset != first.linearBeforeReset)
      return std::nullopt;
    rec.steps.push_back(*next);
  }
  std::optional<Weights> w0 = weightsOf(first);
  if (!w0)
    return std::nullopt;
  for (const Step &s : ArrayRef(rec.steps).drop_front()) {
    std::optional<Weights> w = weightsOf(s);
    if (!w || !(*w == *w0))
      return std::nullopt;
  }
  rec.weights = std::move(*w0);
  for (const Step &s : rec.steps)
    rec.ops.insert(s.ops.begin(), s.ops.end());
  // The initial state comes from outside.
  if (rec.ops.contains(first.hPrev.getDefiningOp()) ||
      (first.cPrev && rec.ops.contains(first.cPrev.getDefiningOp())))
    return std::nullopt;
  rec.stacks = findStacks(rec.steps, rec.ops);
  // Nothing but the outputs leaves the recurrence.
  const Step &last = rec.steps.back();
  auto isOutput = [&](Value r) {
    return r == last.h || r == last.c ||
           llvm::any_of(rec.stacks, [&](onnx::ConcatOp c) { return c.getConcatResult() == r; });
  };
  for (Operation *op : rec.ops)
    for (Value r : op->getResults()) {
      if (isOutput(r))
        continue;
      if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !rec.ops.contains(u); }))
        return std::nullopt;
    }
  // Something must use it (else it is dead code, left alone).
  auto usedOutside = [&](Value v) {
    return v && llvm::any_of(v.getUsers(), [&](Operation *u) { return !rec.ops.contains(u); });
  };
  if (rec.stacks.empty() && !usedOutside(last.h) && !usedOutside(last.c))
    return std::nullopt;
  // One block (the graph's).
  Block *block = first.h.getDefiningOp()->getBlock();
  if (llvm::any_of(rec.ops, [&](Operation *op) { return op->getBlock() != block; }))
    return std::nullopt;
  return rec;
}

//===----------------------------------------------------------------------===//
// Rewrite
//===----------------------------------------------------------------------===//

Value constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> data) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return onnx::ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, data));
}

Value reshape(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(v.getType()).getElementType());
  if (v.getType() == type)
    return v;
  auto shapeType = RankedTensorType::get({static_cast<int64_t>(shape.size())}, b.getI64Type());
  Value s = onnx::ConstantOp::create(b, loc, shapeType, DenseElementsAttr::get(shapeType, shape));
  return onnx::ReshapeOp::create(b, loc, type, v, s, 0);
}

/// The initial state input from step 0's state: none for a zero constant.
Value initialState(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  if (DenseElementsAttr c = f32ConstantOf(v)) {
    if (c.isSplat() && c.getSplatValue<float>() == 0.0f)
      return nullptr;
    auto type = RankedTensorType::get(shape, b.getF32Type());
    return onnx::ConstantOp::create(b, loc, type, c.reshape(type));
  }
  return reshape(b, loc, v, shape);
}

/// Where the new op goes: after the last definition among `values`.
void setInsertionAfterDefs(OpBuilder &b, Block *block, ArrayRef<Value> values) {
  Operation *last = nullptr;
  for (Value v : values)
    if (Operation *d = v ? v.getDefiningOp() : nullptr)
      if (!last || last->isBeforeInBlock(d))
        last = d;
  if (last)
    b.setInsertionPointAfter(last);
  else
    b.setInsertionPointToStart(block);
}

std::string nodeName(Value v) {
  std::string n = nodeNameOf(v.getLoc());
  return n.empty() ? "?" : n;
}

void rewrite(Recurrence &rec) {
  const Step &first = rec.steps.front(), &last = rec.steps.back();
  const bool lstm = first.cell == Cell::LSTM;
  Value seq = first.input.seq;
  auto outside = [&](OpOperand &use) { return !rec.ops.contains(use.getOwner()); };
  const bool needH = llvm::any_of(last.h.getUses(), outside);
  const bool needC = lstm && llvm::any_of(last.c.getUses(), outside);
  const bool needY = !rec.stacks.empty();

  const int64_t steps = shapeOf(seq)[0], batch = shapeOf(seq)[1], in = shapeOf(seq)[2];
  const int64_t hid = first.hidden(), gates = first.gates.size();
  Location fileLoc = last.h.getLoc();
  if (auto n = dyn_cast<NameLoc>(fileLoc))
    fileLoc = n.getChildLoc();
  Location loc = NameLoc::get(
      StringAttr::get(seq.getContext(), nodeName(first.h) + ".." + nodeName(last.h)), fileLoc);

  OpBuilder b(seq.getContext());
  Block *block = last.h.getDefiningOp()->getBlock();
  setInsertionAfterDefs(b, block, {seq, first.hPrev, first.cPrev});
  Value w = constant(b, loc, {1, gates * hid, in}, rec.weights.w);
  Value r = constant(b, loc, {1, gates * hid, hid}, rec.weights.r);
  Value bias = constant(b, loc, {1, 2 * gates * hid}, rec.weights.b);
  Value h0 = initialState(b, loc, first.hPrev, {1, batch, hid});
  Value c0 = lstm ? initialState(b, loc, first.cPrev, {1, batch, hid}) : Value();

  OperationState state(loc, lstm ? "onnx.LSTM" : "onnx.GRU");
  state.addOperands({seq, w, r, bias});
  SmallVector<int32_t> operandSegments{1, 1, 1, 1, 0, h0 ? 1 : 0};
  if (h0)
    state.addOperands(h0);
  if (lstm) {
    operandSegments.append({c0 ? 1 : 0, 0});
    if (c0)
      state.addOperands(c0);
  }
  state.addAttribute("operandSegmentSizes", b.getDenseI32ArrayAttr(operandSegments));
  auto yType = RankedTensorType::get({steps, 1, batch, hid}, b.getF32Type());
  auto stateType = RankedTensorType::get({1, batch, hid}, b.getF32Type());
  SmallVector<int32_t> resultSegments{needY, needH};
  if (lstm)
    resultSegments.push_back(needC);
  const Type resultTypes[] = {yType, stateType, stateType};
  for (auto [need, type] : llvm::zip(resultSegments, resultTypes))
    if (need)
      state.addTypes(type);
  state.addAttribute("resultSegmentSizes", b.getDenseI32ArrayAttr(resultSegments));
  state.addAttribute("hidden_size", b.getI64IntegerAttr(hid));
  if (!lstm && first.linearBeforeReset)
    state.addAttribute("linear_before_reset", b.getI64IntegerAttr(1));
  Operation *cell = b.create(state);

  unsigned next = 0;
  Value y = needY ? cell->getResult(next++) : Value();
  Value yH = needH ? cell->getResult(next++) : Value();
  Value yC = needC ? cell->getResult(next++) : Value();
  for (onnx::ConcatOp cat : rec.stacks)
    cat.getConcatResult().replaceAllUsesWith(reshape(b, loc, y, shapeOf(cat.getConcatResult())));
  Value lastH = last.h, lastC = last.c;
  if (yH)
    lastH.replaceUsesWithIf(reshape(b, loc, yH, {batch, hid}), outside);
  if (yC)
    lastC.replaceUsesWithIf(reshape(b, loc, yC, {batch, hid}), outside);

  // The recurrence is dead now; so are constants only it used.
  llvm::SetVector<Operation *> constants;
  for (Operation *op : rec.ops)
    for (Value v : op->getOperands())
      if (auto c = v.getDefiningOp<onnx::ConstantOp>())
        constants.insert(c);
  for (Operation *op : rec.ops)
    op->dropAllReferences();
  for (Operation *op : rec.ops)
    op->erase();
  for (Operation *c : constants)
    if (c->use_empty())
      c->erase();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

std::vector<Step> findSteps(func::FuncOp f) {
  std::vector<Step> steps;
  f.walk([&](Operation *op) {
    std::optional<Step> s;
    if (auto mul = dyn_cast<onnx::MulOp>(op))
      s = matchLstmStep(mul);
    else if (isa<onnx::AddOp, onnx::SubOp>(op))
      s = matchGruStep(op);
    if (s)
      steps.push_back(std::move(*s));
  });
  return steps;
}

struct OnnxRecognizeRnnPass : softnpu::impl::OnnxRecognizeRnnBase<OnnxRecognizeRnnPass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>()) {
      // One recurrence at a time: a rewrite changes what the others see.
      bool changed = true;
      while (changed) {
        changed = false;
        std::vector<Step> steps = findSteps(f);
        for (const Step &s : steps) {
          if (s.input.t != 0)
            continue;
          if (std::optional<Recurrence> rec = buildRecurrence(s, steps)) {
            rewrite(*rec);
            changed = true;
            break;
          }
        }
      }
    }
  }
};

} // namespace
