//===- RnnCellMatch.cpp - One unrolled LSTM / GRU step, matched -----------===//
//
// See RnnCellMatch.h.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/RnnCellMatch.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>

using namespace mlir;

namespace softnpu::rnn_match {

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

ElementsAttr f32ConstantOf(Value v) {
  auto a = dyn_cast_if_present<ElementsAttr>(constantAttr(v));
  return a && isFloatData(a) ? a : nullptr;
}

/// An axis attribute (I64Attr reads as unsigned) in [0, rank), or -1.
int64_t normalizedAxis(uint64_t attr, size_t rank) {
  const int64_t axis = static_cast<int64_t>(attr), r = static_cast<int64_t>(rank);
  const int64_t a = axis < 0 ? axis + r : axis;
  return a >= 0 && a < r ? a : -1;
}

bool isF32(Value v) { return cast<RankedTensorType>(v.getType()).getElementType().isF32(); }

/// A constant [K], [1, K] (or higher rank with leading 1s) or single element:
/// broadcastable as a row bias of width `width`.
bool isRowConstant(ElementsAttr c, int64_t width) {
  ArrayRef<int64_t> s = c.getShapedType().getShape();
  if (c.getNumElements() == 1)
    return true;
  return !s.empty() && s.back() == width && llvm::all_of(s.drop_back(), [](int64_t d) { return d == 1; });
}

/// The [begin, end) range a Slice takes on each axis of its data (ONNX
/// clamping), or nullopt when not constant or a step is not 1.
std::optional<SmallVector<std::pair<int64_t, int64_t>>> sliceRanges(onnx::SliceOp s) {
  ArrayRef<int64_t> dims = shapeOf(s.getData());
  auto starts = constantInts(s.getStarts()), ends = constantInts(s.getEnds());
  if (!starts || !ends || starts->size() != ends->size())
    return std::nullopt;
  SmallVector<int64_t> axes;
  if (s.getAxes()) {
    auto a = constantInts(s.getAxes());
    if (!a || a->size() != starts->size())
      return std::nullopt;
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (s.getSteps()) {
    auto steps = constantInts(s.getSteps());
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
    if (!r || dims.size() != 2 || (*r)[0] != std::pair<int64_t, int64_t>(0, dims[0]) || (*r)[1].second <= (*r)[1].first)
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
      auto given = constantInts(s.getSplit());
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

Affine biasAffine(ElementsAttr c, int64_t width, float scale = 1.0f) {
  Affine a;
  a.width = width;
  a.biases.push_back({c, 0, width, scale});
  return a;
}

/// `v` as an affine function of its sources, `width` wide: a [B, width]
/// Add, MatMul / Gemm with a constant matrix, last-axis Slice / Split, or a
/// row constant (broadcast).
std::optional<Affine> analyzeAffine(Value v, int64_t width) {
  if (ElementsAttr c = f32ConstantOf(v))
    return isRowConstant(c, width) ? std::optional(biasAffine(c, width)) : std::nullopt;
  ArrayRef<int64_t> shape = shapeOf(v);
  Operation *op = v.getDefiningOp();
  if (shape.size() != 2 || shape[1] != width || !isF32(v) || !op)
    return std::nullopt;
  Affine a;
  a.width = width;
  if (auto mm = dyn_cast<onnx::MatMulOp>(op)) {
    ElementsAttr w = f32ConstantOf(mm.getB());
    if (!w || w.getShapedType().getRank() != 2 || w.getShapedType().getDimSize(1) != width ||
        shapeOf(mm.getA()).size() != 2)
      return std::nullopt;
    a.terms.push_back({mm.getA(), w, false, 0, width, 1.0f});
  } else if (auto g = dyn_cast<onnx::GemmOp>(op)) {
    ElementsAttr w = f32ConstantOf(g.getB());
    if (!w || g.getTransA() != 0 || w.getShapedType().getRank() != 2 ||
        w.getShapedType().getDimSize(g.getTransB() ? 0 : 1) != width)
      return std::nullopt;
    a.terms.push_back({g.getA(), w, g.getTransB() != 0, 0, width, g.getAlpha().convertToFloat()});
    if (g.getC()) {
      ElementsAttr c = f32ConstantOf(g.getC());
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
        (*r)[1] != std::pair<int64_t, int64_t>(0, dims[1]) || (*r)[2] != std::pair<int64_t, int64_t>(0, dims[2]))
      return std::nullopt;
    in.seq = slice.getData();
    in.t = (*r)[0].first;
  } else if (auto split = dyn_cast_or_null<onnx::SplitOp>(op)) {
    ArrayRef<int64_t> dims = shapeOf(split.getInput());
    if (dims.size() != 3 || normalizedAxis(split.getAxis(), 3) != 0 ||
        static_cast<int64_t>(split.getNumResults()) != dims[0])
      return std::nullopt;
    if (split.getSplit()) {
      auto sizes = constantInts(split.getSplit());
      if (!sizes || llvm::any_of(*sizes, [](int64_t n) { return n != 1; }))
        return std::nullopt;
    }
    in.seq = split.getInput();
    in.t = cast<OpResult>(y).getResultNumber();
  } else if (auto g = dyn_cast_or_null<onnx::GatherOp>(op)) {
    auto idx = constantInts(g.getIndices());
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
  else if (auto rs = dyn_cast<onnx::ReshapeOp>(op); rs && constantInts(rs.getShape()))
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
  if (hs.size() != 2 || !isF32(s.h) || s.hPrev.getType() != state || shapeOf(s.x)[0] != hs[0])
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
    for (auto [igV, fcV] : {std::pair(cAdd.getA(), cAdd.getB()), std::pair(cAdd.getB(), cAdd.getA())}) {
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
  if (std::optional<FloatData> c = constantFloats(v))
    if (std::optional<float> splat = c->splatValue())
      return Poly{{{0, 0, 0}, *splat}};
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

} // namespace softnpu::rnn_match
