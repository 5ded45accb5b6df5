//===- SingleFunction.h - The one function a model module holds -*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_SINGLEFUNCTION_H
#define SOFTNPU_COMPILER_SINGLEFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace softnpu {

/// The module's only func.func (an imported model has exactly one); emits an
/// error naming `pass` otherwise.
inline mlir::FailureOr<mlir::func::FuncOp> getSingleFunction(mlir::ModuleOp module, llvm::StringRef pass) {
  llvm::SmallVector<mlir::func::FuncOp> funcs(module.getOps<mlir::func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError() << pass << " expects exactly one function, found " << funcs.size();
  return funcs.front();
}

/// The ONNX name of graph input `i` of `f` (its `onnx.name`), else "input<i>".
inline std::string graphInputName(mlir::func::FuncOp f, unsigned i) {
  auto a = f.getArgAttrOfType<mlir::StringAttr>(i, "onnx.name");
  return a ? a.str() : "input" + std::to_string(i);
}

/// The ONNX name of graph output `i` of `f`, else "output<i>".
inline std::string graphOutputName(mlir::func::FuncOp f, unsigned i) {
  auto a = f.getResultAttrOfType<mlir::StringAttr>(i, "onnx.name");
  return a ? a.str() : "output" + std::to_string(i);
}

} // namespace softnpu

#endif
