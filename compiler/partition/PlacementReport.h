//===- PlacementReport.h - Where each node runs, why, and what it costs ---===//
//
// npu-compile --placement-report: after placement (onnx-place,
// onnx-partition), per node: where it runs, why (for host nodes), its MACs
// and its modelled time there (NodeCost.h); and a summary: the share of MACs
// on the NPU, the segments, and the host <-> NPU crossings (tensors that
// one placement produces and the other reads).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_PARTITION_PLACEMENTREPORT_H
#define SOFTNPU_COMPILER_PARTITION_PLACEMENTREPORT_H

#include "softnpu/target/Target.h"

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace softnpu::partition {

struct NodeReport {
  std::string name, op, where, reason;
  int64_t segment = -1;
  uint64_t macs = 0;
  double modelledUs = 0; ///< on the side it runs on
};

struct PlacementReport {
  std::string model, target;
  std::vector<NodeReport> nodes; ///< in program order
  unsigned npuSegments = 0, hostSegments = 0, crossings = 0;
  uint64_t macs = 0, npuMacs = 0;

  double npuMacShare() const { return macs ? static_cast<double>(npuMacs) / static_cast<double>(macs) : 0; }
  std::string json() const;
  std::string text() const;
};

/// The report of a placed and partitioned module.
PlacementReport buildPlacementReport(mlir::ModuleOp module, const target::Target &t);

} // namespace softnpu::partition

#endif
