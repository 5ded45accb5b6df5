//===- OnnxToFpga.cpp - onnx dialect -> tensor-level fpga ops -------------===//
//
// One lowering per imported op, looked up by op name. Each lowering either
// returns the replacement value or reports why the NPU cannot run the node.
//
//===----------------------------------------------------------------------===//
#include "compiler/ConstantValues.h"
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/InterleavedRange.h"

namespace softnpu {
#define GEN_PASS_DEF_CONVERTONNXTOFPGA
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

bool isF32Tensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

/// A lowering: builds the replacement for `op` at `b`, or emits an error and
/// returns a null Value.
using Lowering = Value (*)(Operation *op, OpBuilder &b);

InFlightDiagnostic fail(Operation *op, const Twine &why) {
  return op->emitError() << describeOp(op) << ": " << why;
}

Value lowerGemm(Operation *op, OpBuilder &b) {
  auto gemm = cast<onnx_d::GemmOp>(op);
  return fpga::LinearOp::create(b, op->getLoc(), gemm.getY().getType(), gemm.getA(), gemm.getB(),
                                gemm.getC(), gemm.getTransA() != 0, gemm.getTransB() == 0,
                                gemm.getAlpha(), gemm.getBeta(), fpga::Activation::none, nullptr, nullptr,
                                nullptr);
}

Value lowerMatMul(Operation *op, OpBuilder &b) {
  auto mm = cast<onnx_d::MatMulOp>(op);
  auto a = cast<RankedTensorType>(mm.getA().getType());
  auto w = cast<RankedTensorType>(mm.getB().getType());
  if (a.getRank() != 2 || w.getRank() != 2) {
    fail(op, "MatMul with ") << a.getRank() << "-D x " << w.getRank()
                             << "-D operands is not supported yet (2-D only)";
    return nullptr;
  }
  return fpga::LinearOp::create(b, op->getLoc(), mm.getY().getType(), mm.getA(), mm.getB(), Value(),
                                false, true, APFloat(1.0f), APFloat(1.0f), fpga::Activation::none, nullptr,
                                nullptr, nullptr);
}

Value lowerAdd(Operation *op, OpBuilder &b) {
  return fpga::AddOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0),
                             op->getOperand(1));
}

template <fpga::Activation Kind> Value lowerActivation(Operation *op, OpBuilder &b) {
  return fpga::ActivationOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0),
                                    Kind);
}

Value lowerView(Operation *op, OpBuilder &b) {
  if (llvm::isa<onnx_d::ReshapeOp>(op)) {
    if (!constantValue(op->getOperand(1))) {
      fail(op, "the shape must be a constant (an initializer or Constant node); run-time shapes "
               "are not supported");
      return nullptr;
    }
  }
  return fpga::ReshapeOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0));
}

/// A transpose that only moves dimensions of size 1 keeps the row-major
/// order of the data: a view (e.g. a bidirectional layer's Y [T, 2, 1, H] to
/// [T, 1, 2, H] at batch 1). Any other is an fpga.transpose (copies).
Value lowerTranspose(Operation *op, OpBuilder &b) {
  auto t = cast<onnx_d::TransposeOp>(op);
  auto in = cast<RankedTensorType>(t.getData().getType());
  SmallVector<int64_t> perm;
  if (auto p = t.getPerm())
    perm.assign(p->begin(), p->end());
  else
    for (int64_t i = in.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> order; // non-unit input dimensions in output order
  for (int64_t d : perm)
    if (d < 0 || d >= in.getRank()) {
      fail(op, "perm entry ") << d << " is out of range";
      return nullptr;
    } else if (in.getDimSize(d) != 1) {
      order.push_back(d);
    }
  if (!llvm::is_sorted(order))
    return fpga::TransposeOp::create(b, op->getLoc(), t.getTransposed().getType(), t.getData(), perm);
  return fpga::ReshapeOp::create(b, op->getLoc(), t.getTransposed().getType(), t.getData());
}

/// Elements [begin, end) along `axis` of `data`: rows of (end - begin) x inner
/// elements, one per combination of the outer dimensions.
Value extractRange(Operation *op, OpBuilder &b, Value data, int64_t axis, int64_t begin, int64_t end) {
  ArrayRef<int64_t> dims = cast<RankedTensorType>(data.getType()).getShape();
  int64_t inner = 1;
  for (size_t i = axis + 1; i < dims.size(); ++i)
    inner *= dims[i];
  return fpga::ExtractOp::create(b, op->getLoc(), op->getResult(0).getType(), data, begin * inner,
                                 (end - begin) * inner, dims[axis] * inner);
}

/// Gather of one constant index: a slice of width 1 along the axis.
Value lowerGather(Operation *op, OpBuilder &b) {
  auto g = cast<onnx_d::GatherOp>(op);
  auto dims = cast<RankedTensorType>(g.getData().getType()).getShape();
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t axis = g.getAxis() < 0 ? g.getAxis() + rank : g.getAxis();
  auto idx = constantInts(g.getIndices());
  if (!idx || idx->size() != 1 || axis < 0 || axis >= rank) {
    fail(op, "only a single constant index is supported (a slice of the tensor)");
    return nullptr;
  }
  int64_t i = (*idx)[0] < 0 ? (*idx)[0] + dims[axis] : (*idx)[0];
  if (i < 0 || i >= dims[axis]) {
    fail(op, "index ") << (*idx)[0] << " is out of range for dimension " << dims[axis];
    return nullptr;
  }
  return extractRange(op, b, g.getData(), axis, i, i + 1);
}

/// Slice with constant starts/ends on one axis and step 1.
Value lowerSlice(Operation *op, OpBuilder &b) {
  auto s = cast<onnx_d::SliceOp>(op);
  auto dims = cast<RankedTensorType>(s.getData().getType()).getShape();
  const int64_t rank = static_cast<int64_t>(dims.size());
  auto starts = constantInts(s.getStarts()), ends = constantInts(s.getEnds());
  std::optional<SmallVector<int64_t>> axes = SmallVector<int64_t>{0}, steps = SmallVector<int64_t>{1};
  if (s.getAxes())
    axes = constantInts(s.getAxes());
  if (s.getSteps())
    steps = constantInts(s.getSteps());
  if (!starts || !ends || !axes || !steps || starts->size() != 1 || axes->size() != 1 || (*steps)[0] != 1) {
    fail(op, "only a Slice of one axis with constant starts/ends and step 1 is supported");
    return nullptr;
  }
  const int64_t axis = (*axes)[0] < 0 ? (*axes)[0] + rank : (*axes)[0];
  if (axis < 0 || axis >= rank) {
    fail(op, "axis ") << (*axes)[0] << " is out of range";
    return nullptr;
  }
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + dims[axis] : v, 0, dims[axis]); };
  const int64_t begin = clamp((*starts)[0]), end = std::max(begin, clamp((*ends)[0]));
  return extractRange(op, b, s.getData(), axis, begin, end);
}

Value lowerConstant(Operation *op, OpBuilder &b) {
  auto c = cast<onnx_d::ConstantOp>(op);
  return arith::ConstantOp::create(b, op->getLoc(), cast<TypedAttr>(c.getValue()));
}

/// The default activations of each cell, per direction (ONNX).
ArrayRef<StringRef> defaultActivations(fpga::RnnCell cell) {
  static const StringRef lstm[] = {"Sigmoid", "Tanh", "Tanh"}, gru[] = {"Sigmoid", "Tanh"},
                         rnn[] = {"Tanh"};
  return cell == fpga::RnnCell::lstm ? ArrayRef<StringRef>(lstm)
         : cell == fpga::RnnCell::gru ? ArrayRef<StringRef>(gru)
                                      : rnn;
}

/// sequence_lens is supported when it is a constant whose entries all equal
/// the sequence length (then it changes nothing).
bool checkSequenceLens(Operation *op, Value lens, int64_t seqLength) {
  if (!lens)
    return true;
  auto values = constantInts(lens);
  if (values && llvm::all_of(*values, [&](int64_t v) { return v == seqLength; }))
    return true;
  fail(op, "input 'sequence_lens' is supported only as a constant equal to the sequence length (")
      << seqLength << ") for every batch entry";
  return false;
}

/// ONNX LSTM / GRU / RNN -> fpga.rnn. Attributes outside what the NPU runs
/// are refused by name.
template <typename OpT> SmallVector<Value> lowerRecurrent(Operation *o, OpBuilder &b) {
  auto op = cast<OpT>(o);
  const fpga::RnnCell cell = std::is_same_v<OpT, onnx_d::LSTMOp> ? fpga::RnnCell::lstm
                             : std::is_same_v<OpT, onnx_d::GRUOp> ? fpga::RnnCell::gru
                                                                   : fpga::RnnCell::rnn;
  auto refuse = [&](StringRef attr, const Twine &why) {
    fail(o, "attribute '") << attr << "' " << why;
    return SmallVector<Value>{};
  };
  if (op.getClip())
    return refuse("clip", "is not supported (the multifunction units do not clip)");
  if (op.getActivationAlpha())
    return refuse("activation_alpha", "is not supported (default activations only)");
  if (op.getActivationBeta())
    return refuse("activation_beta", "is not supported (default activations only)");
  StringRef dir = op.getDirection();
  std::optional<fpga::RnnDirection> direction = fpga::symbolizeRnnDirection(dir);
  const int64_t dirs = direction == fpga::RnnDirection::bidirectional ? 2 : 1;
  if (!direction)
    return refuse("direction", "= '" + dir + "' is not forward, reverse or bidirectional");
  if (auto acts = op.getActivations()) {
    ArrayRef<StringRef> defaults = defaultActivations(cell);
    bool same = static_cast<int64_t>(acts->size()) == dirs * static_cast<int64_t>(defaults.size());
    for (size_t i = 0; same && i < acts->size(); ++i)
      same = cast<StringAttr>((*acts)[i]).getValue() == defaults[i % defaults.size()];
    if (!same)
      return refuse("activations", "is not supported: only the default activations (" +
                                       llvm::join(defaults, ", ") + ") run on the NPU");
  }
  if (op.getLayout() != 0 && op.getLayout() != 1)
    return refuse("layout", "must be 0 or 1");
  bool linearBeforeReset = false;
  Value initialC;
  if constexpr (std::is_same_v<OpT, onnx_d::LSTMOp>) {
    if (op.getInputForget() != 0)
      return refuse("input_forget", "= 1 is not supported");
    if (op.getP()) {
      fail(o, "input 'P' (peephole weights) is not supported");
      return {};
    }
    initialC = op.getInitialC();
  }
  if constexpr (std::is_same_v<OpT, onnx_d::GRUOp>)
    linearBeforeReset = op.getLinearBeforeReset() != 0;

  auto x = cast<RankedTensorType>(op.getX().getType());
  if (x.getRank() != 3) {
    fail(o, "input 'X' must be 3-D");
    return {};
  }
  const int64_t layout = op.getLayout(), h = op.getHiddenSize();
  const int64_t seq = x.getDimSize(layout == 0 ? 0 : 1), batch = x.getDimSize(layout == 0 ? 1 : 0);
  if (!checkSequenceLens(o, op.getSequenceLens(), seq))
    return {};
  Type f32 = b.getF32Type();
  auto state = RankedTensorType::get(layout == 0 ? SmallVector<int64_t>{dirs, batch, h}
                                                 : SmallVector<int64_t>{batch, dirs, h},
                                     f32);
  auto y = RankedTensorType::get(layout == 0 ? SmallVector<int64_t>{seq, dirs, batch, h}
                                             : SmallVector<int64_t>{batch, seq, dirs, h},
                                 f32);
  SmallVector<Type> types{y, state};
  if (cell == fpga::RnnCell::lstm)
    types.push_back(state);
  auto rnn = fpga::RnnOp::create(b, o->getLoc(), types, op.getX(), op.getW(), op.getR(), op.getB(),
                                 op.getInitialH(), initialC, cell, *direction, h, layout,
                                 linearBeforeReset, nullptr, nullptr, nullptr);
  // ONNX results in order (Y, Y_h[, Y_c]), omitted ones absent.
  SmallVector<Value> out;
  if (op.getY())
    out.push_back(rnn.getY());
  if (op.getYH())
    out.push_back(rnn.getYH());
  if constexpr (std::is_same_v<OpT, onnx_d::LSTMOp>)
    if (op.getYC())
      out.push_back(rnn.getYC());
  return out;
}

/// The replacements of all of an op's results; empty when the node cannot run.
using MultiLowering = SmallVector<Value> (*)(Operation *op, OpBuilder &b);

template <Lowering F> SmallVector<Value> single(Operation *op, OpBuilder &b) {
  Value v = F(op, b);
  return v ? SmallVector<Value>{v} : SmallVector<Value>{};
}

const llvm::StringMap<MultiLowering> &lowerings() {
  static const llvm::StringMap<MultiLowering> table = {
      {"onnx.Add", single<lowerAdd>},
      {"onnx.Constant", single<lowerConstant>},
      {"onnx.Flatten", single<lowerView>},
      {"onnx.Gather", single<lowerGather>},
      {"onnx.GRU", lowerRecurrent<onnx_d::GRUOp>},
      {"onnx.Gemm", single<lowerGemm>},
      {"onnx.Identity", single<lowerView>},
      {"onnx.LSTM", lowerRecurrent<onnx_d::LSTMOp>},
      {"onnx.MatMul", single<lowerMatMul>},
      {"onnx.RNN", lowerRecurrent<onnx_d::RNNOp>},
      {"onnx.Relu", single<lowerActivation<fpga::Activation::relu>>},
      {"onnx.Reshape", single<lowerView>},
      {"onnx.Slice", single<lowerSlice>},
      {"onnx.Squeeze", single<lowerView>},
      {"onnx.Sigmoid", single<lowerActivation<fpga::Activation::sigmoid>>},
      {"onnx.Tanh", single<lowerActivation<fpga::Activation::tanh>>},
      {"onnx.Transpose", single<lowerTranspose>},
      {"onnx.Unsqueeze", single<lowerView>},
  };
  return table;
}

/// Operands that are not float32 by definition.
bool isIntegerOperand(Operation *op, Value v) {
  if (llvm::isa<onnx_d::ReshapeOp, onnx_d::SqueezeOp, onnx_d::UnsqueezeOp, onnx_d::GatherOp>(op))
    return v == op->getOperand(1);
  if (llvm::isa<onnx_d::SliceOp>(op))
    return v != op->getOperand(0);
  if (auto l = dyn_cast<onnx_d::LSTMOp>(op))
    return v == l.getSequenceLens();
  if (auto g = dyn_cast<onnx_d::GRUOp>(op))
    return v == g.getSequenceLens();
  if (auto r = dyn_cast<onnx_d::RNNOp>(op))
    return v == r.getSequenceLens();
  return false;
}

struct ConvertOnnxToFpgaPass : softnpu::impl::ConvertOnnxToFpgaBase<ConvertOnnxToFpgaPass> {
  void runOnOperation() override {
    bool ok = true;
    SmallVector<Operation *> toErase;
    getOperation().walk([&](Operation *op) {
      if (op->getDialect() == nullptr || op->getDialect()->getNamespace() != "onnx")
        return;
      auto it = lowerings().find(op->getName().getStringRef());
      if (it == lowerings().end()) {
        fail(op, "no lowering to the NPU for this op");
        ok = false;
        return;
      }
      bool isConstant = llvm::isa<onnx_d::ConstantOp>(op);
      if (!isConstant) {
        for (Value v : op->getOperands())
          if (!isF32Tensor(v) && !isIntegerOperand(op, v)) {
            fail(op, "operand of type ") << v.getType() << " is not float32; the NPU runs float32 tensors";
            ok = false;
            return;
          }
      }
      OpBuilder b(op);
      SmallVector<Value> replacements = it->second(op, b);
      if (replacements.empty()) {
        ok = false;
        return;
      }
      for (auto [result, replacement] : llvm::zip_equal(op->getResults(), replacements))
        result.replaceAllUsesWith(replacement);
      toErase.push_back(op);
    });
    for (Operation *op : llvm::reverse(toErase))
      op->erase();
    if (!ok)
      return signalPassFailure();
    // Shape operands of reshapes are dead now.
    getOperation().walk([](arith::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace
