//===- OnChipPlan.cpp - Matrix-product results forwarded in the IVRF ------===//
#include "compiler/transforms/lowering/OnChipPlan.h"

#include "dialects/fpga/FpgaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/Support/MathExtras.h"

namespace softnpu::lowering {

namespace {

/// The op lowered after `op` (constants and weights emit no instructions).
mlir::Operation *nextLowered(mlir::Operation *op) {
  for (mlir::Operation *next = op->getNextNode(); next; next = next->getNextNode())
    if (!llvm::isa<mlir::arith::ConstantOp, fpga::WeightsOp>(next))
      return next;
  return nullptr;
}

/// The consumer that may read `p`'s result from the IVRF, if any.
fpga::LinearOp onChipConsumer(fpga::LinearOp p, int64_t n) {
  mlir::Value y = p.getY();
  if (!y.hasOneUse() || !p.getTileGrid())
    return nullptr;
  auto c = llvm::dyn_cast<fpga::LinearOp>(*y.getUsers().begin());
  if (!c || c.getX() != y || c.getW() == y || c.getBias() == y || c.getTransposeX() || !c.getTileGrid() ||
      c.getOperation() != nextLowered(p))
    return nullptr;
  if (c.getNumRows() != p.getNumRows() || c.getReductionSize() != p.getNumOutputs())
    return nullptr;
  if (p.getActivation() == fpga::Activation::sigmoid && p.getNumOutputs() % n != 0)
    return nullptr;
  return c;
}

} // namespace

llvm::DenseMap<mlir::Value, IvrfRegion> planOnChip(mlir::func::FuncOp func, const target::Target &t) {
  llvm::DenseMap<mlir::Value, IvrfRegion> plan;
  const int64_t n = t.nativeDim, depth = t.ivrfDepth;
  func.walk([&](fpga::LinearOp p) {
    if (!onChipConsumer(p, n))
      return;
    auto in = plan.find(p.getX());
    const int64_t top = in != plan.end() ? in->second.addr : depth;
    const int64_t staging = in != plan.end() ? 0 : (*p.getTileGrid())[1];
    const int64_t vectors = p.getNumRows() * llvm::divideCeilSigned(p.getNumOutputs(), n);
    if (top - vectors >= staging)
      plan[p.getY()] = {top - vectors, vectors};
  });
  return plan;
}

} // namespace softnpu::lowering
