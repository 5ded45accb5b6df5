//===- npu-opt.cpp - mlir-opt with the softnpu dialects and passes --------===//
#include "compiler/Passes.h"
#include "compiler/Pipeline.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "tools/common/Version.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<softnpu::onnx_d::OnnxDialect, softnpu::fpga::FpgaDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  softnpu::registerCompilerPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  // --version: softnpu's version above the LLVM build MLIR reports.
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << "npu-opt (softnpu) " << softnpu::tools::kVersion << "\n"; });
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "softnpu optimizer driver\n", registry));
}
