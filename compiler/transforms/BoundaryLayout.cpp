//===- BoundaryLayout.cpp - Graph inputs enter the NPU channels innermost -===//
//
// A convolution over a graph input starts with the layout change NCHW ->
// [H * W, C] (docs/cnn.md): on the NPU a transpose, one chain per pixel,
// which for a 224 x 224 image costs more cycles than the convolution itself.
// At the host / NPU boundary the change is free to move: the runtime writes
// the input into DRAM already permuted (TensorSig::dramPerm,
// docs/artifact-format.md). So when a graph input's only reader is that
// change (reshape to [C, H * W], transpose), the input becomes [1, H, W, C]
// (or [1, W, C]) with `fpga.dram_perm` on the argument, the transpose a view,
// and the change is reported as a remark. fpga-lower-to-isa declares the
// input with its ONNX shape and the permutation.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

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

struct FpgaBoundaryLayoutPass : softnpu::impl::FpgaBoundaryLayoutBase<FpgaBoundaryLayoutPass> {
  void runOnOperation() override {
    for (func::FuncOp func : getOperation().getOps<func::FuncOp>()) {
      SmallVector<Type> inputs(func.getArgumentTypes());
      for (BlockArgument arg : func.getArguments()) {
        fpga::TransposeOp transpose = channelsInnermostChange(arg);
        if (!transpose)
          continue;
        auto type = cast<RankedTensorType>(arg.getType());
        Operation *reshape = *arg.getUsers().begin();
        // [1, C, H, W] -> [1, H, W, C]: axis i of the stored tensor is axis
        // perm[i] of the ONNX one.
        SmallVector<int64_t> perm = {0};
        for (int64_t i = 2; i < type.getRank(); ++i)
          perm.push_back(i);
        perm.push_back(1);
        SmallVector<int64_t> shape;
        for (int64_t axis : perm)
          shape.push_back(type.getDimSize(axis));
        auto stored = RankedTensorType::get(shape, type.getElementType());
        arg.setType(stored);
        inputs[arg.getArgNumber()] = stored;
        OpBuilder b(transpose);
        auto view = fpga::ReshapeOp::create(b, transpose.getLoc(), transpose.getResult().getType(), arg);
        transpose.getResult().replaceAllUsesWith(view.getY());
        transpose.erase();
        reshape->erase();
        func.setArgAttr(arg.getArgNumber(), "fpga.dram_perm", b.getDenseI64ArrayAttr(perm));
        auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
        func.emitRemark() << "graph input '" << (name ? name.str() : "input" + std::to_string(arg.getArgNumber()))
                          << "' enters the NPU channels innermost, as " << stored
                          << ": npu-run permutes it on the host, no transpose on the NPU";
      }
      func.setFunctionType(FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
    }
  }
};

} // namespace
