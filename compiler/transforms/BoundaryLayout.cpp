//===- BoundaryLayout.cpp - NCHW graph inputs and outputs cross permuted --===//
//
// A convolution over a graph input starts with the layout change NCHW ->
// [H * W, C] (docs/cnn.md): on the NPU a transpose, one chain per pixel,
// which for a 224 x 224 image costs more cycles than the convolution itself.
// At the host / NPU boundary the change is free to move: the runtime writes
// the input into DRAM already permuted (TensorSig::dramPerm,
// docs/artifact-format.md). So when a graph input's only reader is that
// change (reshape to [C, H * W], transpose), the input becomes [1, H, W, C]
// (or [1, W, C]) with `fpga.dram_perm` on the argument, the transpose a view,
// and the change is reported as a remark. Symmetrically, a graph output that
// is only the change back from channels innermost (transpose of [H * W, C],
// reshape to [1, C, H, W]) becomes the untransposed [1, H, W, C] with
// `fpga.dram_perm` on the result, and the runtime permutes it back as it
// reads it. fpga-lower-to-isa declares both with their ONNX shapes and the
// permutations.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"

#include "dialects/fpga/FpgaDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGABOUNDARYLAYOUT
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// The transpose that makes `arg` ([1, C, (H,) W]) channels innermost when it
/// is the argument's only reader (through one reshape to [C, H * W]), else
/// null.
fpga::TransposeOp channelsInnermostChange(BlockArgument arg) {
  auto type = cast<RankedTensorType>(arg.getType());
  if ((type.getRank() != 3 && type.getRank() != 4) || type.getDimSize(0) != 1 || !arg.hasOneUse())
    return nullptr;
  auto reshape = dyn_cast<fpga::ReshapeOp>(*arg.getUsers().begin());
  if (!reshape || !reshape.getY().hasOneUse())
    return nullptr;
  const int64_t c = type.getDimSize(1), pixels = type.getNumElements() / c;
  if (cast<RankedTensorType>(reshape.getY().getType()).getShape() != ArrayRef<int64_t>{c, pixels})
    return nullptr;
  auto transpose = dyn_cast<fpga::TransposeOp>(*reshape.getY().getUsers().begin());
  if (!transpose || transpose.getPerm() != ArrayRef<int64_t>{1, 0})
    return nullptr;
  return transpose;
}

/// The transpose whose result, reshaped to `out` ([1, C, (H,) W]), is
/// `out`'s only use of it: [H * W, C] -> [C, H * W], read by nothing else;
/// else null.
fpga::TransposeOp channelsOutermostChange(Value out) {
  auto type = cast<RankedTensorType>(out.getType());
  if ((type.getRank() != 3 && type.getRank() != 4) || type.getDimSize(0) != 1 || !out.hasOneUse())
    return nullptr;
  auto reshape = out.getDefiningOp<fpga::ReshapeOp>();
  auto transpose = reshape ? reshape.getX().getDefiningOp<fpga::TransposeOp>() : nullptr;
  if (!transpose || !transpose.getResult().hasOneUse() || transpose.getPerm() != ArrayRef<int64_t>{1, 0})
    return nullptr;
  const int64_t c = type.getDimSize(1), pixels = type.getNumElements() / c;
  if (cast<RankedTensorType>(transpose.getResult().getType()).getShape() != ArrayRef<int64_t>{c, pixels})
    return nullptr;
  return transpose;
}

/// [1, C, (H,) W] -> [1, (H,) W, C]: axis i of the stored tensor is axis
/// perm[i] of the ONNX one.
SmallVector<int64_t> channelsLastPerm(int64_t rank) {
  SmallVector<int64_t> perm = {0};
  for (int64_t i = 2; i < rank; ++i)
    perm.push_back(i);
  perm.push_back(1);
  return perm;
}

RankedTensorType permuted(RankedTensorType type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t axis : perm)
    shape.push_back(type.getDimSize(axis));
  return RankedTensorType::get(shape, type.getElementType());
}

/// Graph outputs that are the change back to NCHW leave the NPU without it.
void permuteOutputs(func::FuncOp func) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
    Value out = ret.getOperand(i);
    fpga::TransposeOp transpose = channelsOutermostChange(out);
    if (!transpose)
      continue;
    auto type = cast<RankedTensorType>(out.getType());
    const SmallVector<int64_t> perm = channelsLastPerm(type.getRank());
    const RankedTensorType stored = permuted(type, perm);
    Operation *reshape = out.getDefiningOp();
    OpBuilder b(ret);
    auto view = fpga::ReshapeOp::create(b, transpose.getLoc(), stored, transpose.getX());
    ret.setOperand(i, view.getY());
    reshape->erase();
    transpose.erase();
    func.setResultAttr(i, "fpga.dram_perm", b.getDenseI64ArrayAttr(perm));
    func.emitRemark() << "graph output '" << graphOutputName(func, i) << "' leaves the NPU channels innermost, as "
                      << stored << ": npu-run permutes it on the host, no transpose on the NPU";
  }
  func.setFunctionType(FunctionType::get(func.getContext(), func.getArgumentTypes(), ret.getOperandTypes()));
}

struct FpgaBoundaryLayoutPass : softnpu::impl::FpgaBoundaryLayoutBase<FpgaBoundaryLayoutPass> {
  void runOnOperation() override {
    for (func::FuncOp func : getOperation().getOps<func::FuncOp>()) {
      permuteOutputs(func);
      SmallVector<Type> inputs(func.getArgumentTypes());
      for (BlockArgument arg : func.getArguments()) {
        fpga::TransposeOp transpose = channelsInnermostChange(arg);
        if (!transpose)
          continue;
        auto type = cast<RankedTensorType>(arg.getType());
        Operation *reshape = *arg.getUsers().begin();
        const SmallVector<int64_t> perm = channelsLastPerm(type.getRank());
        const RankedTensorType stored = permuted(type, perm);
        arg.setType(stored);
        inputs[arg.getArgNumber()] = stored;
        OpBuilder b(transpose);
        auto view = fpga::ReshapeOp::create(b, transpose.getLoc(), transpose.getResult().getType(), arg);
        transpose.getResult().replaceAllUsesWith(view.getY());
        transpose.erase();
        reshape->erase();
        func.setArgAttr(arg.getArgNumber(), "fpga.dram_perm", b.getDenseI64ArrayAttr(perm));
        func.emitRemark() << "graph input '" << graphInputName(func, arg.getArgNumber())
                          << "' enters the NPU channels innermost, as " << stored
                          << ": npu-run permutes it on the host, no transpose on the NPU";
      }
      func.setFunctionType(FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
    }
  }
};

} // namespace
