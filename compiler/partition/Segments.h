//===- Segments.h - Split a partitioned module into its segments ----------===//
//
// After onnx-place and onnx-partition every onnx node carries fpga.segment.
// splitSegments turns the module into one piece per segment, in run order:
//  - an NPU segment becomes a module of its own (one func of the segment's
//    nodes, the constants they read, the tensors it reads as arguments and
//    those it writes as results, each named by `onnx.name`), which the rest
//    of the pipeline compiles into a format-2 program;
//  - a host segment becomes an ONNX ModelProto (HostExport.h) that the
//    runtime's host executor runs.
// Tensors crossing a segment boundary are named by the graph's names where
// they are graph inputs or outputs, else "<node>" / "<node>:<result>".
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_PARTITION_SEGMENTS_H
#define SOFTNPU_COMPILER_PARTITION_SEGMENTS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>
#include <vector>

namespace softnpu::partition {

struct SegmentPiece {
  bool host = false;
  mlir::OwningOpRef<mlir::ModuleOp> npu; ///< NPU: the segment as a module
  std::string hostModel;                 ///< host: serialized ONNX ModelProto
  std::vector<std::string> inputs, outputs;
};

/// True when `module` cannot be one NPU program: a node is placed on the
/// host, or a graph input or output is not float32, or an output is a
/// constant or an input.
bool needsSegments(mlir::ModuleOp module);

/// Splits `module` (placed and partitioned) into its segments in run order.
/// Fails with an error diagnostic on the module.
mlir::LogicalResult splitSegments(mlir::ModuleOp module, std::vector<SegmentPiece> &pieces);

} // namespace softnpu::partition

#endif
