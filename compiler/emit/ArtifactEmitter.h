//===- ArtifactEmitter.h - fpga.program -> runtime artifact -----*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_EMIT_ARTIFACTEMITTER_H
#define SOFTNPU_COMPILER_EMIT_ARTIFACTEMITTER_H

#include "softnpu/artifact/Artifact.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace softnpu::emit {

/// Encodes the module's single fpga.program (after fpga-lower-to-isa) with
/// the runtime's ISA encoder and weight packer. Emits MLIR diagnostics and
/// returns nullopt on failure.
std::optional<artifact::Artifact> emitArtifact(mlir::ModuleOp module, const std::string &producer);

} // namespace softnpu::emit

#endif
