//===- Fuse.cpp - Fold bias adds and activations into fpga.linear --------===//
#include "compiler/Passes.h"

#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGAFUSE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// A bias the matrix chain can add: one value per output column ([P] or [1, P]).
bool isRowBias(Value bias, int64_t numOutputs) {
  auto t = cast<RankedTensorType>(bias.getType());
  ArrayRef<int64_t> s = t.getShape();
  return (s.size() == 1 && s[0] == numOutputs) ||
         (s.size() == 2 && s[0] == 1 && s[1] == numOutputs);
}

/// linear(no bias) + add(row bias) -> linear(bias). Returns the new linear.
fpga::LinearOp fuseBias(fpga::LinearOp linear, fpga::AddOp add) {
  Value other = add.getLhs() == linear.getY() ? add.getRhs() : add.getLhs();
  if (other == linear.getY() || !isRowBias(other, linear.getNumOutputs()) ||
      add.getResult().getType() != linear.getY().getType())
    return nullptr;
  OpBuilder b(add);
  Location loc = b.getFusedLoc({linear.getLoc(), add.getLoc()});
  auto fused = fpga::LinearOp::create(
      b, loc, linear.getY().getType(), linear.getX(), linear.getW(), other, linear.getTransposeX(),
      linear.getTransposeW(), linear.getAlpha(), APFloat(1.0f), linear.getActivation(),
      linear.getTileGridAttr(), linear.getWeightFormatAttr(), linear.getInputFormatAttr());
  add.getResult().replaceAllUsesWith(fused.getY());
  add.erase();
  linear.erase();
  return fused;
}

/// linear(no activation) + activation -> linear(activation).
fpga::LinearOp fuseActivation(fpga::LinearOp linear, fpga::ActivationOp act) {
  OpBuilder b(act);
  Location loc = b.getFusedLoc({linear.getLoc(), act.getLoc()});
  auto fused = fpga::LinearOp::create(
      b, loc, linear.getY().getType(), linear.getX(), linear.getW(), linear.getBias(),
      linear.getTransposeX(), linear.getTransposeW(), linear.getAlpha(), linear.getBeta(),
      act.getKind(), linear.getTileGridAttr(), linear.getWeightFormatAttr(),
      linear.getInputFormatAttr());
  act.getY().replaceAllUsesWith(fused.getY());
  act.erase();
  linear.erase();
  return fused;
}

struct FpgaFusePass : softnpu::impl::FpgaFuseBase<FpgaFusePass> {
  void runOnOperation() override {
    SmallVector<fpga::LinearOp> linears;
    getOperation().walk([&](fpga::LinearOp op) { linears.push_back(op); });
    for (fpga::LinearOp linear : linears) {
      while (linear && linear.getY().hasOneUse()) {
        Operation *user = *linear.getY().getUsers().begin();
        fpga::LinearOp next;
        if (auto add = dyn_cast<fpga::AddOp>(user); add && !linear.getBias() &&
                                                    linear.getActivation() == fpga::Activation::none)
          next = fuseBias(linear, add);
        else if (auto act = dyn_cast<fpga::ActivationOp>(user); act && linear.getActivation() == fpga::Activation::none)
          next = fuseActivation(linear, act);
        linear = next;
      }
    }
  }
};

} // namespace
