//===- OnnxDialect.h - The onnx dialect -------------------------*- C++ -*-===//
#ifndef SOFTNPU_DIALECTS_ONNX_ONNXDIALECT_H
#define SOFTNPU_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/onnx/OnnxOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/onnx/OnnxTypes.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

namespace softnpu::onnx_d {

/// What an op with subgraphs (If, Loop, Scan, SequenceMap) reads from the
/// graph around it: its trailing operands, and the names its graphs use.
struct Captures {
  mlir::OperandRange values;
  mlir::ArrayAttr names;
};
/// The captures of `op`, or nullopt when it has no subgraphs.
std::optional<Captures> capturesOf(mlir::Operation *op);
/// True when attribute `name` of `op` is a serialized ONNX GraphProto.
bool isGraphAttr(mlir::Operation *op, llvm::StringRef name);

} // namespace softnpu::onnx_d

#endif
