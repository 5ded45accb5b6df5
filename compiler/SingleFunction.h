//===- SingleFunction.h - The one function a model module holds -*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_SINGLEFUNCTION_H
#define SOFTNPU_COMPILER_SINGLEFUNCTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace softnpu {

/// The module's only func.func (an imported model has exactly one); emits an
/// error naming `pass` otherwise.
inline mlir::FailureOr<mlir::func::FuncOp> getSingleFunction(mlir::ModuleOp module, llvm::StringRef pass) {
  llvm::SmallVector<mlir::func::FuncOp> funcs(module.getOps<mlir::func::FuncOp>());
  if (funcs.size() != 1)
    return module.emitError() << pass << " expects exactly one function, found " << funcs.size();
  return funcs.front();
}

} // namespace softnpu

#endif
