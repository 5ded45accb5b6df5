//===- OnnxToFpgaRecurrent.cpp - LSTM, GRU, RNN -> fpga.rnn ---------------===//
//
// ONNX recurrent layers run natively as fpga.rnn; attributes and inputs
// outside what the NPU runs (clip, non-default activations, peepholes,
// coupled gates, run-time sequence lengths) are refused by name.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "compiler/ConstantValues.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/StringExtras.h"

#include <type_traits>

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

/// The default activations of each cell, per direction (ONNX).
ArrayRef<StringRef> defaultActivations(fpga::RnnCell cell) {
  static const StringRef lstm[] = {"Sigmoid", "Tanh", "Tanh"}, gru[] = {"Sigmoid", "Tanh"}, rnn[] = {"Tanh"};
  return cell == fpga::RnnCell::lstm  ? ArrayRef<StringRef>(lstm)
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
  refuse(op, "input 'sequence_lens' is supported only as a constant equal to the sequence length (")
      << seqLength << ") for every batch entry";
  return false;
}

template <typename OpT> constexpr fpga::RnnCell cellOf() {
  return std::is_same_v<OpT, onnx_d::LSTMOp>  ? fpga::RnnCell::lstm
         : std::is_same_v<OpT, onnx_d::GRUOp> ? fpga::RnnCell::gru
                                              : fpga::RnnCell::rnn;
}

/// The direction of a layer whose attributes the NPU runs, or nullopt after
/// refusing the first one it does not (by name).
template <typename OpT> std::optional<fpga::RnnDirection> checkAttributes(OpT op) {
  auto refuseAttr = [&](StringRef attr, const Twine &why) {
    refuse(op, "attribute '") << attr << "' " << why;
    return std::nullopt;
  };
  if (op.getClip())
    return refuseAttr("clip", "is not supported (the multifunction units do not clip)");
  if (op.getActivationAlpha())
    return refuseAttr("activation_alpha", "is not supported (default activations only)");
  if (op.getActivationBeta())
    return refuseAttr("activation_beta", "is not supported (default activations only)");
  StringRef dir = op.getDirection();
  std::optional<fpga::RnnDirection> direction = fpga::symbolizeRnnDirection(dir);
  if (!direction)
    return refuseAttr("direction", "= '" + dir + "' is not forward, reverse or bidirectional");
  const int64_t dirs = *direction == fpga::RnnDirection::bidirectional ? 2 : 1;
  if (auto acts = op.getActivations()) {
    ArrayRef<StringRef> defaults = defaultActivations(cellOf<OpT>());
    bool same = static_cast<int64_t>(acts->size()) == dirs * static_cast<int64_t>(defaults.size());
    for (size_t i = 0; same && i < acts->size(); ++i)
      same = cast<StringAttr>((*acts)[i]).getValue() == defaults[i % defaults.size()];
    if (!same)
      return refuseAttr("activations", "is not supported: only the default activations (" + llvm::join(defaults, ", ") +
                                           ") run on the NPU");
  }
  if (op.getLayout() != 0 && op.getLayout() != 1)
    return refuseAttr("layout", "must be 0 or 1");
  if constexpr (std::is_same_v<OpT, onnx_d::LSTMOp>) {
    if (op.getInputForget() != 0)
      return refuseAttr("input_forget", "= 1 is not supported");
    if (op.getP()) {
      refuse(op, "input 'P' (peephole weights) is not supported");
      return std::nullopt;
    }
  }
  return direction;
}

/// ONNX LSTM / GRU / RNN -> fpga.rnn.
template <typename OpT> SmallVector<Value> lowerRecurrent(Operation *o, ValueRange operands, OpBuilder &b) {
  auto op = cast<OpT>(o);
  typename OpT::Adaptor in(operands, op);
  constexpr fpga::RnnCell cell = cellOf<OpT>();
  std::optional<fpga::RnnDirection> direction = checkAttributes(op);
  if (!direction)
    return {};
  bool linearBeforeReset = false;
  Value initialC;
  if constexpr (std::is_same_v<OpT, onnx_d::LSTMOp>)
    initialC = in.getInitialC();
  if constexpr (std::is_same_v<OpT, onnx_d::GRUOp>)
    linearBeforeReset = op.getLinearBeforeReset() != 0;

  auto x = cast<RankedTensorType>(in.getX().getType());
  if (x.getRank() != 3) {
    refuse(o, "input 'X' must be 3-D");
    return {};
  }
  const int64_t dirs = *direction == fpga::RnnDirection::bidirectional ? 2 : 1;
  const int64_t layout = op.getLayout(), h = op.getHiddenSize();
  const int64_t seq = x.getDimSize(layout == 0 ? 0 : 1), batch = x.getDimSize(layout == 0 ? 1 : 0);
  if (!checkSequenceLens(o, in.getSequenceLens(), seq))
    return {};
  Type f32 = b.getF32Type();
  auto state = RankedTensorType::get(
      layout == 0 ? SmallVector<int64_t>{dirs, batch, h} : SmallVector<int64_t>{batch, dirs, h}, f32);
  auto y = RankedTensorType::get(
      layout == 0 ? SmallVector<int64_t>{seq, dirs, batch, h} : SmallVector<int64_t>{batch, seq, dirs, h}, f32);
  SmallVector<Type> types{y, state};
  if (cell == fpga::RnnCell::lstm)
    types.push_back(state);
  auto rnn = fpga::RnnOp::create(b, o->getLoc(), types, in.getX(), in.getW(), in.getR(), in.getB(), in.getInitialH(),
                                 initialC, cell, *direction, h, layout, linearBeforeReset, nullptr, nullptr, nullptr);
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

} // namespace

ArrayRef<LoweringEntry> recurrentLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.GRU", lowerRecurrent<onnx_d::GRUOp>},
      {"onnx.LSTM", lowerRecurrent<onnx_d::LSTMOp>},
      {"onnx.RNN", lowerRecurrent<onnx_d::RNNOp>},
  };
  return table;
}

} // namespace softnpu::conversion
