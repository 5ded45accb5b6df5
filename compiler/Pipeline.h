//===- Pipeline.h - The npu-compile pass pipeline ---------------*- C++ -*-===//
#ifndef SOFTNPU_COMPILER_PIPELINE_H
#define SOFTNPU_COMPILER_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace softnpu {

/// Where the pipeline stops: after the tensor-level fpga passes, or after
/// lowering to instruction chains.
enum class PipelineStage { Fpga, Isa };

struct PipelineOptions {
  std::string precision;                 ///< empty: the target's formats
  std::vector<std::string> precisionFor; ///< PATTERN=FORMAT overrides
  std::optional<double> autoPrecision;   ///< error bound; runs fpga-auto-precision
  std::vector<std::string> samples;      ///< NAME=FILE inputs for auto-precision
  bool keepIntermediates = false;        ///< every node's result kept in DRAM (layer reports)
};

void buildPipeline(mlir::OpPassManager &pm, PipelineStage stop, const PipelineOptions &opts);

/// Registers every pass and the "npu-pipeline" pass pipeline for npu-opt.
void registerCompilerPasses();

} // namespace softnpu

#endif
