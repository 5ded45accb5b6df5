//===- FpgaIsa.h - Instruction-level fpga ops <-> ISA instructions -*- C++ -*-===//
//
// The bridge from the instruction-level ops to the runtime's single ISA
// definition: encoding, chain verification and the MFU placement of point-wise
// ops all go through softnpu::isa.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_DIALECTS_FPGA_FPGAISA_H
#define SOFTNPU_DIALECTS_FPGA_FPGAISA_H

#include "softnpu/isa/Isa.h"

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>
#include <vector>

namespace softnpu::fpga {

/// The ISA instruction an instruction-level op stands for; nullopt (with
/// `error` set) when a field does not fit its encoding.
std::optional<isa::Inst> toInst(mlir::Operation *op, std::string &error);

/// The instructions of a chain op, end_chain included.
std::optional<std::vector<isa::Inst>> chainInsts(mlir::Operation *chain, std::string &error);

} // namespace softnpu::fpga

#endif
