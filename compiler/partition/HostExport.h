//===- HostExport.h - onnx dialect ops back to an ONNX ModelProto ---------===//
//
// A host segment is stored as an ONNX model (runtime/include/softnpu/host/
// HostGraph.h), so the runtime needs no MLIR. This inverts the importer's
// encoding: op name onnx.X -> op_type X, attributes by kind (i64 -> INT, f32
// -> FLOAT, string -> STRING, dense i64 / f32 arrays -> INTS / FLOATS, array
// of strings -> STRINGS, elements -> TENSOR), omitted optional operands as
// empty names (operandSegmentSizes), and onnx.Constant values read by the
// segment as initializers. Every value gets a declared type.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_PARTITION_HOSTEXPORT_H
#define SOFTNPU_COMPILER_PARTITION_HOSTEXPORT_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/DenseMap.h"

#include <string>
#include <vector>

namespace softnpu::partition {

/// ONNX's TensorProto.DataType code of an MLIR element type (the importer's
/// mapping inverted; also softnpu's artifact::DType), or 0 when it has none.
int onnxTypeOf(mlir::Type t);

/// The tensors a host segment reads and writes, and its nodes in run order.
struct HostSegmentOps {
  std::vector<mlir::Operation *> nodes;
  std::vector<mlir::Value> inputs, outputs;
};

/// Serializes `seg` as an ONNX ModelProto of `opset`, naming values by
/// `names` (every value the segment touches must have one). On failure
/// emits an error on the offending op and returns false.
bool exportHostSegment(const HostSegmentOps &seg, const llvm::DenseMap<mlir::Value, std::string> &names, int64_t opset,
                       std::string &bytes);

} // namespace softnpu::partition

#endif
