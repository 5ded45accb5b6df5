//===- FpgaDialect.cpp - fpga dialect registration, attributes ------------===//
#include "dialects/fpga/FpgaDialect.h"

#include "softnpu/numerics/Format.h"
#include "softnpu/target/Target.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace softnpu::fpga;

#include "dialects/fpga/FpgaOpsDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/fpga/FpgaAttrs.cpp.inc"

void FpgaDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/fpga/FpgaAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/fpga/FpgaOps.cpp.inc"
      >();
}

LogicalResult FormatAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef name) {
  std::string err;
  if (!softnpu::numerics::NumberFormat::parse(name.str(), &err))
    return emitError() << "invalid number format '" << name << "': " << err;
  return success();
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef spec) {
  std::string err;
  bool ok = spec.starts_with("{")
                ? softnpu::target::Target::fromJson(spec.str(), "#fpga.target", err).has_value()
                : softnpu::target::Target::load(spec.str(), err).has_value();
  if (!ok)
    return emitError() << err;
  return success();
}
