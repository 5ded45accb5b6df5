//===- TestMemoryPlan.cpp - The fpga-test-memory-plan pass -----------------===//
//
// Reports MemoryPlan's decisions as remarks so lit tests can check memory
// planning on its own, apart from the chains fpga-lower-to-isa emits.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/transforms/lowering/MemoryPlan.h"
#include "dialects/fpga/FpgaTarget.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGATESTMEMORYPLAN
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;

namespace {

struct FpgaTestMemoryPlanPass : softnpu::impl::FpgaTestMemoryPlanBase<FpgaTestMemoryPlanPass> {
  using FpgaTestMemoryPlanBase::FpgaTestMemoryPlanBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> func = softnpu::getSingleFunction(module, "fpga-test-memory-plan");
    if (failed(func))
      return signalPassFailure();
    const llvm::DenseSet<Value> inPlace = softnpu::lowering::outputsInPlace(*func);
    softnpu::lowering::MemoryPlan plan(*func, softnpu::fpga::getTarget(module), keepIntermediates, inPlace);
    func->emitRemark() << "DRAM arena of " << plan.dramElements() << " elements";
    func->walk([&](Operation *op) {
      if (!softnpu::lowering::isLowered(op))
        return;
      InFlightDiagnostic d = op->emitRemark();
      llvm::interleaveComma(op->getResults(), d, [&](Value r) {
        using softnpu::lowering::TensorPlace;
        if (inPlace.contains(r))
          d << "graph output";
        else if (const TensorPlace *p = plan.placeOf(r))
          d << (p->inIvrf() ? "IVRF [" : "DRAM [") << p->addr << ", " << p->addr + p->count << ")"
            << (p->intact ? "" : " reused later");
        else
          d << "unread";
      });
    });
  }
};

} // namespace
