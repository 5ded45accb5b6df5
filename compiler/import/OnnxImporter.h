//===- OnnxImporter.h - ONNX model -> onnx dialect --------------*- C++ -*-===//
//
// Parses a .onnx file with ONNX 1.12 (protobuf parse, checker, shape inference
// with errors on) and builds a module with one func.func @main whose
// arguments and results are the graph inputs and outputs in ONNX order, named
// by `onnx.name` argument/result attributes. Each node becomes "onnx.<OpType>"
// with location NameLoc(node name, file); initializers become onnx.Constant.
//
// This library is compiled with C++ exceptions (ONNX throws); none escape it.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_ONNXIMPORTER_H
#define SOFTNPU_COMPILER_IMPORT_ONNXIMPORTER_H

#include "compiler/import/InputShapes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace softnpu::import {

/// Returns the module, or a null ref with `error` set to one line that names
/// the file (and the node and op type when one is at fault). `shapes` fixes
/// input shapes (InputShapes.h); a note per defaulted dimension goes to
/// `notes`.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(const std::string &path, mlir::MLIRContext &ctx, std::string &error,
                                                 const InputShapes &shapes = {},
                                                 std::vector<std::string> *notes = nullptr);

} // namespace softnpu::import

#endif
