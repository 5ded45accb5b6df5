//===- Chains.h - Emitting instruction chains ------------------*- C++ -*-===//
//
// Chain emission of fpga-lower-to-isa: one fpga.chain is v_rd, an optional
// mv_mul, point-wise steps and one or more v_wr. `placeSteps` asks the
// runtime's chain planner (the one the hardware contract defines) which MFU
// each point-wise step lands on, so operands can be staged in that MFU's
// local VRF before the chain runs.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERING_CHAINS_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERING_CHAINS_H

#include "dialects/fpga/FpgaDialect.h"
#include "softnpu/target/Target.h"

#include "mlir/IR/Builders.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace softnpu::lowering {

/// The MFU instruction of an activation (not `none`).
inline const char *activationInst(fpga::Activation a) {
  switch (a) {
  case fpga::Activation::relu:
    return "v_relu";
  case fpga::Activation::sigmoid:
    return "v_sigm";
  case fpga::Activation::silu:
    return "v_silu";
  case fpga::Activation::hardswish:
    return "v_hswish";
  default:
    return "v_tanh";
  }
}

/// A point-wise step of a chain before its MFU is known.
struct Step {
  const char *inst;
  int64_t addr = 0;  ///< VRF address of the second operand, if any
  bool iter = false; ///< the address steps by OP_STEP per loop iteration
};

/// One end of a chain: a memory, address and MFU (for ASVRF / MULVRF);
/// `iter` adds the loop iteration times RD_STEP / WR_STEP.
struct Access {
  std::string mem;
  int64_t addr = 0;
  int64_t mfu = 0;
  bool iter = false;
  bool window = false;                               ///< v_rd only: a convolution window (fpga.window)
  std::optional<fpga::PoolKind> pool = std::nullopt; ///< v_rd of a window only: its taps combined (fpga.pool)
};

/// Emits one chain at `b`: v_rd `rd`, mv_mul of the tile grid at `mvTile`
/// if given, `steps`, then a v_wr per entry of `writes`.
void emitChain(mlir::OpBuilder &b, mlir::Location loc, const Access &rd, std::optional<int64_t> mvTile,
               llvm::ArrayRef<Step> steps, llvm::ArrayRef<Access> writes);

/// The MFU index of each step of a chain (after an mv_mul when `matVec`), or
/// an error at `loc` when the target cannot run the chain.
mlir::FailureOr<llvm::SmallVector<unsigned>> placeSteps(const target::Target &t, mlir::Location loc, bool matVec,
                                                        llvm::ArrayRef<Step> steps);
/// Whether the target can run a chain of these steps (placeSteps without the
/// error: fpga-fuse asks before it lengthens a chain).
bool canPlaceSteps(const target::Target &t, bool matVec, llvm::ArrayRef<Step> steps);

/// The point-wise steps of an fpga.linear's chain after its mv_mul, in order
/// (alpha, bias, residual, activation, leaky_alpha, max_floor, min_ceiling), and which
/// step reads which operand. Operand addresses are filled in by the lowering.
struct LinearEpilogue {
  llvm::SmallVector<Step> steps;
  int alphaStep = -1, biasStep = -1, residualStep = -1, leakyStep = -1, floorStep = -1, ceilingStep = -1;
  static LinearEpilogue of(fpga::LinearOp op);
};

} // namespace softnpu::lowering

#endif
