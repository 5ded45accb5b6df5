//===- FpgaTarget.cpp - Module target attribute ----------------------------===//
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/fpga/FpgaDialect.h"

using namespace mlir;

namespace softnpu::fpga {

const target::Target &getTarget(Operation *op) {
  ModuleOp module = llvm::isa<ModuleOp>(op) ? llvm::cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  if (auto attr = module ? module->getAttrOfType<TargetAttr>(FpgaDialect::kTargetAttrName) : TargetAttr())
    return attr.getTarget();
  static const target::Target defaultTarget = *target::Target::preset(target::defaultTargetName());
  return defaultTarget;
}

void setTarget(ModuleOp module, const target::Target &t) {
  module->setAttr(FpgaDialect::kTargetAttrName, TargetAttr::get(module.getContext(), t));
}

std::optional<numerics::NumberFormat> parseFormatAttr(Attribute attr) {
  auto f = llvm::dyn_cast_or_null<FormatAttr>(attr);
  if (!f)
    return std::nullopt;
  return numerics::NumberFormat::parse(f.getName().str());
}

std::optional<numerics::NumberFormat> getFormat(Type type) {
  auto rt = llvm::dyn_cast<RankedTensorType>(type);
  return rt ? parseFormatAttr(rt.getEncoding()) : std::nullopt;
}

} // namespace softnpu::fpga
