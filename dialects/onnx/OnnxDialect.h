//===- OnnxDialect.h - The onnx dialect -------------------------*- C++ -*-===//
#ifndef SOFTNPU_DIALECTS_ONNX_ONNXDIALECT_H
#define SOFTNPU_DIALECTS_ONNX_ONNXDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/onnx/OnnxOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxOps.h.inc"

#endif
