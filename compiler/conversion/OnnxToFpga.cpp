//===- OnnxToFpga.cpp - onnx dialect -> tensor-level fpga ops -------------===//
//
// One lowering per imported op, looked up by op name. Each lowering either
// returns the replacement value or reports why the NPU cannot run the node.
//
//===----------------------------------------------------------------------===//
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

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
                                gemm.getAlpha(), gemm.getBeta(), "none", nullptr, nullptr,
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
                                false, true, APFloat(1.0f), APFloat(1.0f), "none", nullptr, nullptr,
                                nullptr);
}

Value lowerAdd(Operation *op, OpBuilder &b) {
  return fpga::AddOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0),
                             op->getOperand(1));
}

template <const char *Kind> Value lowerActivation(Operation *op, OpBuilder &b) {
  return fpga::ActivationOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0),
                                    Kind);
}
constexpr char kRelu[] = "relu", kSigmoid[] = "sigmoid", kTanh[] = "tanh";

Value lowerView(Operation *op, OpBuilder &b) {
  if (isa<onnx_d::ReshapeOp>(op)) {
    Value shape = op->getOperand(1);
    if (!shape.getDefiningOp<onnx_d::ConstantOp>() && !shape.getDefiningOp<arith::ConstantOp>()) {
      fail(op, "the shape must be a constant (an initializer or Constant node); run-time shapes "
               "are not supported");
      return nullptr;
    }
  }
  return fpga::ReshapeOp::create(b, op->getLoc(), op->getResult(0).getType(), op->getOperand(0));
}

Value lowerConstant(Operation *op, OpBuilder &b) {
  auto c = cast<onnx_d::ConstantOp>(op);
  return arith::ConstantOp::create(b, op->getLoc(), cast<TypedAttr>(c.getValue()));
}

const llvm::StringMap<Lowering> &lowerings() {
  static const llvm::StringMap<Lowering> table = {
      {"onnx.Add", lowerAdd},
      {"onnx.Constant", lowerConstant},
      {"onnx.Flatten", lowerView},
      {"onnx.Gemm", lowerGemm},
      {"onnx.Identity", lowerView},
      {"onnx.MatMul", lowerMatMul},
      {"onnx.Relu", lowerActivation<kRelu>},
      {"onnx.Reshape", lowerView},
      {"onnx.Sigmoid", lowerActivation<kSigmoid>},
      {"onnx.Tanh", lowerActivation<kTanh>},
  };
  return table;
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
      bool isConstant = isa<onnx_d::ConstantOp>(op);
      if (!isConstant) {
        for (Value v : op->getOperands())
          if (!isF32Tensor(v) && !(isa<onnx_d::ReshapeOp>(op) && v == op->getOperand(1))) {
            fail(op, "operand of type ") << v.getType() << " is not float32; the NPU runs float32 tensors";
            ok = false;
            return;
          }
      }
      OpBuilder b(op);
      Value replacement = it->second(op, b);
      if (!replacement) {
        ok = false;
        return;
      }
      op->getResult(0).replaceAllUsesWith(replacement);
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
