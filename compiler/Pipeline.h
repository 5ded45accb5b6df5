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
  std::string placement = "auto";        ///< auto | npu | host (onnx-place)
  std::vector<std::string> place;        ///< GLOB=host|npu overrides (onnx-place)
};

/// Cleanup, recognition and placement on the onnx dialect: every node ends
/// with fpga.placement and fpga.segment (docs/partitioning.md).
void buildPlacementPipeline(mlir::OpPassManager &pm, const PipelineOptions &opts);
/// From onnx-to-fpga on: compiles the NPU nodes of a module (host nodes stay
/// onnx ops), up to `stop`.
void buildNpuPipeline(mlir::OpPassManager &pm, PipelineStage stop, const PipelineOptions &opts);
/// Both, in one pass manager (npu-opt's npu-pipeline, npu-compile --emit).
void buildPipeline(mlir::OpPassManager &pm, PipelineStage stop, const PipelineOptions &opts);

/// Registers every pass and the "npu-pipeline" pass pipeline for npu-opt.
void registerCompilerPasses();

} // namespace softnpu

#endif
