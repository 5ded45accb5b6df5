//===- Passes.h - softnpu compiler passes -----------------------*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_PASSES_H
#define SOFTNPU_COMPILER_PASSES_H

#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Pass/Pass.h"

namespace softnpu {

#define GEN_PASS_DECL
#include "compiler/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Passes.h.inc"

} // namespace softnpu

#endif
