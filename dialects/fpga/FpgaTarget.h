//===- FpgaTarget.h - The target a module is compiled for -------*- C++ -*-===//
#ifndef SOFTNPU_DIALECTS_FPGA_FPGATARGET_H
#define SOFTNPU_DIALECTS_FPGA_FPGATARGET_H

#include "softnpu/numerics/Format.h"
#include "softnpu/target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <optional>

namespace softnpu::fpga {

/// The target of the enclosing module's `fpga.target` attribute, or the
/// default preset when there is none. The attribute holds the parsed target,
/// so this neither parses nor fails.
const target::Target &getTarget(mlir::Operation *op);
/// Records `t` on `module`.
void setTarget(mlir::ModuleOp module, const target::Target &t);

/// The number format a tensor type's #fpga.format encoding names, if any.
std::optional<numerics::NumberFormat> getFormat(mlir::Type type);

/// The number format an #fpga.format attribute names (verified on creation,
/// so this only fails for a null attribute).
std::optional<numerics::NumberFormat> parseFormatAttr(mlir::Attribute attr);

} // namespace softnpu::fpga

#endif
