//===- ScalarRegs.cpp - s_wr only where a register changes ----------------===//
#include "compiler/transforms/lowering/ScalarRegs.h"

#include "dialects/fpga/FpgaDialect.h"

namespace softnpu::lowering {

ScalarRegs::ScalarRegs() {
  for (unsigned r = 0; r < isa::kNumSRegs; ++r)
    value_[r] = isa::sregReset(static_cast<isa::SReg>(r));
}

void ScalarRegs::set(mlir::OpBuilder &b, mlir::Location loc, isa::SReg reg, int64_t value) {
  int64_t &cur = value_[static_cast<unsigned>(reg)];
  if (cur == value)
    return;
  fpga::SWrOp::create(b, loc, static_cast<fpga::ScalarReg>(reg), value);
  cur = value;
}

} // namespace softnpu::lowering
