//===- FpgaTarget.cpp - Module target attribute ----------------------------===//
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/fpga/FpgaDialect.h"

using namespace mlir;

namespace softnpu::fpga {

std::optional<target::Target> getTarget(Operation *op) {
  ModuleOp module = llvm::isa<ModuleOp>(op) ? llvm::cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  std::string err;
  std::optional<target::Target> t;
  auto attr = module ? module->getAttrOfType<TargetAttr>(FpgaDialect::kTargetAttrName) : TargetAttr();
  if (!attr) {
    t = target::Target::load(target::defaultTargetName(), err);
  } else {
    StringRef spec = attr.getSpec();
    t = spec.starts_with("{") ? target::Target::fromJson(spec.str(), "#fpga.target", err)
                              : target::Target::load(spec.str(), err);
  }
  if (!t)
    op->emitError("bad target: ") << err;
  return t;
}

void setTarget(ModuleOp module, const target::Target &t) {
  std::string err;
  auto preset = target::Target::load(t.name, err);
  bool isPreset = preset && preset->toJson() == t.toJson();
  module->setAttr(FpgaDialect::kTargetAttrName,
                  TargetAttr::get(module.getContext(), isPreset ? t.name : t.toJson()));
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
