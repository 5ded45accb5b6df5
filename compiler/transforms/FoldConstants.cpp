//===- FoldConstants.cpp - Evaluate shape arithmetic at compile time ------===//
//
// Exporters compute shapes and initial states in the graph. PyTorch, for one,
// builds an LSTM's zero initial_h as Expand(0, Concat(Unsqueeze(Gather(
// Shape(x), 1)), ...)). With static shapes all of that is constant. The onnx
// ops' fold hooks (dialects/onnx/OnnxFold.cpp) say what folds; this pass only
// drives them, in program order, so each chain folds in one walk: every op
// whose hook gives a value is replaced by the onnx.Constant the dialect
// materializes at the op's place. No other rewriting (no constant hoisting or
// uniquing, no dead-code removal beyond the constants the folded ops used).
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace softnpu {
#define GEN_PASS_DEF_ONNXFOLDCONSTANTS
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// Folds `op` through its fold hook into a materialized constant placed
/// before it; returns that constant's result, or null.
Value foldToConstant(Operation *op) {
  SmallVector<Attribute> operands;
  for (Value v : op->getOperands()) {
    Attribute attr;
    matchPattern(v, m_Constant(&attr));
    operands.push_back(attr);
  }
  SmallVector<OpFoldResult> results;
  if (failed(op->fold(operands, results)) || results.size() != 1)
    return nullptr;
  auto attr = dyn_cast_if_present<Attribute>(results[0]);
  if (!attr)
    return nullptr;
  OpBuilder b(op);
  Operation *c = op->getDialect()->materializeConstant(b, attr, op->getResult(0).getType(), op->getLoc());
  return c ? c->getResult(0) : nullptr;
}

struct OnnxFoldConstantsPass : softnpu::impl::OnnxFoldConstantsBase<OnnxFoldConstantsPass> {
  void runOnOperation() override {
    auto *onnx = getContext().getLoadedDialect<onnx_d::OnnxDialect>();
    if (!onnx)
      return; // no onnx op in the module
    SmallVector<Operation *> folded;
    getOperation().walk([&](Operation *op) {
      if (op->getDialect() != onnx || op->getNumResults() != 1 || op->hasTrait<OpTrait::ConstantLike>())
        return;
      if (Value c = foldToConstant(op)) {
        op->getResult(0).replaceAllUsesWith(c);
        folded.push_back(op);
      }
    });
    for (Operation *op : llvm::reverse(folded))
      op->erase();
    // Constants only the folded ops used.
    getOperation().walk([](onnx_d::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace
