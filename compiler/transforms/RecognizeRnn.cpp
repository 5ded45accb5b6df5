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
// One step is matched by RnnCellMatch.cpp; this file chains the steps over
// time, checks the weights agree, and rewrites.
//
//===----------------------------------------------------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/transforms/RnnCellMatch.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

#include <algorithm>
#include <optional>

namespace softnpu {
#define GEN_PASS_DEF_ONNXRECOGNIZERNN
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;
using namespace softnpu::rnn_match;

namespace {

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
  if (!llvm::isa<onnx::UnsqueezeOp, onnx::ReshapeOp>(op) || op->getOperand(0) != h)
    return false;
  if (llvm::isa<onnx::ReshapeOp>(op) && !constantInts(op->getOperand(1)))
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
      if (s.hPrev != prev.h || s.input.seq != first.input.seq || s.input.t != static_cast<int64_t>(rec.steps.size()) ||
          s.cell != first.cell)
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
  if (rec.ops.contains(first.hPrev.getDefiningOp()) || (first.cPrev && rec.ops.contains(first.cPrev.getDefiningOp())))
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

/// A float32 constant (dense or blob, FloatData.h); `what` names a blob.
Value constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> data, StringRef what) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return onnx::ConstantOp::create(b, loc, type, floatConstant(type, data, blobName(loc, what)));
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
  if (std::optional<FloatData> c = constantFloats(v)) {
    if (std::optional<float> splat = c->splatValue(); splat && *splat == 0.0f)
      return nullptr;
    return constant(b, loc, shape, c->values(), "initial");
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
  Location loc = NameLoc::get(StringAttr::get(seq.getContext(), nodeName(first.h) + ".." + nodeName(last.h)), fileLoc);

  OpBuilder b(seq.getContext());
  Block *block = last.h.getDefiningOp()->getBlock();
  setInsertionAfterDefs(b, block, {seq, first.hPrev, first.cPrev});
  Value w = constant(b, loc, {1, gates * hid, in}, rec.weights.w, "W");
  Value r = constant(b, loc, {1, gates * hid, hid}, rec.weights.r, "R");
  Value bias = constant(b, loc, {1, 2 * gates * hid}, rec.weights.b, "B");
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
    else if (llvm::isa<onnx::AddOp, onnx::SubOp>(op))
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
