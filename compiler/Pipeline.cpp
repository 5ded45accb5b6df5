//===- Pipeline.cpp - The npu-compile pass pipeline -----------------------===//
#include "compiler/Pipeline.h"
#include "compiler/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace softnpu {

void buildPlacementPipeline(mlir::OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createOnnxFoldConstants());
  pm.addPass(createOnnxFoldBatchNorm());
  pm.addPass(createOnnxRecognizeRnn());
  OnnxPlaceOptions place;
  place.placement = opts.placement;
  place.overrides.assign(opts.place.begin(), opts.place.end());
  pm.addPass(createOnnxPlace(place));
  OnnxPartitionOptions partition;
  partition.costModel = opts.placement == "auto"; // --placement=npu|host: no second opinion
  pm.addPass(createOnnxPartition(partition));
}

void buildPipeline(mlir::OpPassManager &pm, PipelineStage stop, const PipelineOptions &opts) {
  buildPlacementPipeline(pm, opts);
  buildNpuPipeline(pm, stop, opts);
}

void buildNpuPipeline(mlir::OpPassManager &pm, PipelineStage stop, const PipelineOptions &opts) {
  pm.addPass(createConvertOnnxToFpga());
  pm.addPass(createFpgaFuse());
  pm.addPass(createFpgaCancelLayout());
  if (opts.autoPrecision) {
    FpgaAutoPrecisionOptions a;
    a.bound = *opts.autoPrecision;
    a.samples.assign(opts.samples.begin(), opts.samples.end());
    pm.addPass(createFpgaAutoPrecision(a));
  }
  FpgaQuantizeOptions q;
  q.precision = opts.precision;
  q.precisionFor.assign(opts.precisionFor.begin(), opts.precisionFor.end());
  pm.addPass(createFpgaQuantize(q));
  pm.addPass(createFpgaTile());
  if (stop == PipelineStage::Fpga)
    return;
  pm.addPass(createFpgaBoundaryLayout());
  FpgaLowerToIsaOptions l;
  l.keepIntermediates = opts.keepIntermediates;
  pm.addPass(createFpgaLowerToIsa(l));
  pm.addPass(createFpgaElideScalarWrites());
}

void registerCompilerPasses() {
  registerSoftnpuPasses();
  mlir::PassPipelineRegistration<>("npu-pipeline", "The whole npu-compile pipeline, onnx dialect to fpga.program",
                                   [](mlir::OpPassManager &pm) { buildPipeline(pm, PipelineStage::Isa, {}); });
}

} // namespace softnpu
