//===- TestChains.cpp - The fpga-test-chains pass --------------------------===//
//
// Chain emission (compiler/transforms/lowering/Chains.h) on its own, for lit
// tests: per fpga.linear, the point-wise steps of its chain in order
// (LinearEpilogue::of) and the MFU each lands on (placeSteps, the runtime's
// chain planner), or the planner's refusal, as a remark; and the chain
// itself, built by emitChain into an fpga.program @test_chains appended to
// the module (v_rd IVRF[0], mv_mul 0, the steps, v_wr DRAM[0]), which the
// fpga.chain verifier then checks against the target. The function is not
// changed.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/transforms/lowering/Chains.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGATESTCHAINS
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

struct FpgaTestChainsPass : softnpu::impl::FpgaTestChainsBase<FpgaTestChainsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    const target::Target &t = fpga::getTarget(module);
    OpBuilder b(module.getContext());
    b.setInsertionPointToEnd(module.getBody());
    auto program = fpga::ProgramOp::create(b, module.getLoc(), "test_chains", 0, ArrayAttr());
    program.getBody().emplaceBlock();
    b.setInsertionPointToStart(&program.getBody().front());
    bool failedAny = false;
    module.walk([&](fpga::LinearOp op) {
      lowering::LinearEpilogue e = lowering::LinearEpilogue::of(op);
      FailureOr<SmallVector<unsigned>> mfus = lowering::placeSteps(t, op.getLoc(), /*matVec=*/true, e.steps);
      if (failed(mfus)) {
        failedAny = true;
        return;
      }
      InFlightDiagnostic d = op.emitRemark() << "chain: mv_mul";
      for (auto [step, mfu] : llvm::zip(e.steps, *mfus))
        d << ", " << step.inst << " (MFU " << mfu << ")";
      lowering::emitChain(b, op.getLoc(), {"IVRF", 0}, /*mvTile=*/0, e.steps, {{"DRAM", 0}});
    });
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
