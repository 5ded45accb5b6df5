//===- LowerToIsa.cpp - The fpga-lower-to-isa pass -------------------------===//
//
// The lowering itself is compiler/transforms/Lowerer.h (recurrent layers:
// LowerRnn.cpp).
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/transforms/Lowerer.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGALOWERTOISA
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;
using isa::SReg;

namespace {

using softnpu::lowering::Lowerer;

struct FpgaLowerToIsaPass : softnpu::impl::FpgaLowerToIsaBase<FpgaLowerToIsaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<target::Target> t = fpga::getTarget(module);
    if (!t)
      return signalPassFailure();
    FailureOr<func::FuncOp> func = getSingleFunction(module, "fpga-lower-to-isa");
    if (failed(func))
      return signalPassFailure();
    Lowerer lowerer(module, *t);
    if (failed(lowerer.run(*func)))
      return signalPassFailure();
  }
};

} // namespace
