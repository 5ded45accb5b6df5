//===- FpgaDialect.h - The fpga dialect -------------------------*- C++ -*-===//
#ifndef SOFTNPU_DIALECTS_FPGA_FPGADIALECT_H
#define SOFTNPU_DIALECTS_FPGA_FPGADIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "softnpu/target/Target.h"

#include "llvm/ADT/Hashing.h"

#include "dialects/fpga/FpgaOpsDialect.h.inc"

namespace softnpu::target {
/// Uniquing of #fpga.target: the hash of the canonical JSON.
inline llvm::hash_code hash_value(const Target &t) { return llvm::hash_value(t.hash()); }
} // namespace softnpu::target

#include "dialects/fpga/FpgaEnums.h.inc"
#include "dialects/fpga/FpgaIsaEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/fpga/FpgaAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/fpga/FpgaOps.h.inc"

#endif
