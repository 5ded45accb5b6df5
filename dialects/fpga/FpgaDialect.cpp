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

#include "dialects/fpga/FpgaIsaEnums.cpp.inc"
#include "dialects/fpga/FpgaOpsDialect.cpp.inc"

#include "dialects/fpga/FpgaEnums.cpp.inc"

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

Attribute TargetAttr::parse(AsmParser &parser, Type) {
  std::string spec;
  llvm::SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseString(&spec) || parser.parseGreater())
    return {};
  std::string err;
  std::optional<softnpu::target::Target> t;
  if (StringRef(spec).starts_with("{")) {
    t = softnpu::target::Target::fromJson(spec, "#fpga.target", err);
  } else {
    t = softnpu::target::Target::preset(spec);
    if (!t) {
      std::string names;
      for (const std::string &n : softnpu::target::presetNames())
        names += (names.empty() ? "" : ", ") + n;
      err = "unknown target preset '" + spec + "' (presets: " + names +
            "); IR names a preset or holds the target's JSON, never a file";
    }
  }
  if (!t) {
    parser.emitError(loc) << err;
    return {};
  }
  return TargetAttr::get(parser.getContext(), *t);
}

void TargetAttr::print(AsmPrinter &printer) const {
  const softnpu::target::Target &t = getTarget();
  std::optional<std::string> preset = t.presetName();
  printer << "<";
  printer.printString(preset ? *preset : t.toJson(/*compact=*/true));
  printer << ">";
}

LogicalResult FpgaDialect::verifyOperationAttribute(Operation *op, NamedAttribute attr) {
  if (attr.getName() == kPlacementAttrName) {
    auto where = dyn_cast<StringAttr>(attr.getValue());
    if (!where || (where.getValue() != "npu" && where.getValue() != "host"))
      return op->emitError() << "'" << kPlacementAttrName << "' must be \"npu\" or \"host\"";
    return success();
  }
  if (attr.getName() == kPlacementReasonAttrName) {
    if (!llvm::isa<StringAttr>(attr.getValue()))
      return op->emitError() << "'" << kPlacementReasonAttrName << "' must be a string";
    return success();
  }
  if (attr.getName() == kSegmentAttrName) {
    auto index = dyn_cast<IntegerAttr>(attr.getValue());
    if (!index || index.getInt() < 0)
      return op->emitError() << "'" << kSegmentAttrName << "' must be a segment index >= 0";
    return success();
  }
  if (attr.getName() != kMrfScratchAttrName)
    return success();
  auto scratch = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
  if (!scratch || scratch.size() != 3)
    return op->emitError() << "'" << kMrfScratchAttrName
                           << "' must be array<i64: first tile, tiles per buffer, buffers>";
  if (scratch[0] < 0 || scratch[1] < 0 || scratch[2] < 1 || scratch[2] > 2)
    return op->emitError() << "'" << kMrfScratchAttrName << "' needs a tile >= 0, a size >= 0 and 1 or 2 buffers";
  return success();
}
