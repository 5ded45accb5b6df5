//===- ScalarRegs.h - Scalar control registers of the lowering -*- C++ -*-===//
//
// Scalar-register allocation of fpga-lower-to-isa: the control registers
// (ScalarRegs.def) hold what the next chain or m_rd needs. The lowering says
// what it needs; an s_wr is emitted only when the register does not already
// hold that value. A loop's head and exit make every value unknown (it then
// depends on the iteration), so the next use writes it again.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_SCALARREGS_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_SCALARREGS_H

#include "softnpu/isa/Isa.h"

#include "mlir/IR/Builders.h"

#include <array>

namespace softnpu::lowering {

class ScalarRegs {
public:
  /// Registers start at their reset values (ScalarRegs.def).
  ScalarRegs();

  /// Makes `reg` hold `value`, emitting an fpga.s_wr at `b` if needed.
  void set(mlir::OpBuilder &b, mlir::Location loc, isa::SReg reg, int64_t value);
  /// Forgets every value (loop boundaries).
  void forget() { value_.fill(-1); }

private:
  std::array<int64_t, isa::kNumSRegs> value_{};
};

} // namespace softnpu::lowering

#endif
