//===- NodeCost.h - What one onnx node costs on the NPU and on the host ---===//
//
// The cost model of placement (docs/partitioning.md): a node's multiply-
// accumulates (Gemm, MatMul, Conv, ConvTranspose, LSTM / GRU / RNN) and
// element operations (one per result element), and their modelled times:
//  - host: (2 MACs + element ops) / host_gflops;
//  - NPU: MACs / (T x N x L) cycles on the matrix unit, element ops / N on
//    the multifunction units, plus one chain's issue and pipeline latency;
//  - a host <-> NPU transfer: host_link_latency_us + bytes / host_link_gbps.
// Graph inputs and outputs arrive and leave through the NPU's network queues
// and are not transfers.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_PARTITION_NODECOST_H
#define SOFTNPU_COMPILER_PARTITION_NODECOST_H

#include "softnpu/target/Target.h"

#include "mlir/IR/Operation.h"

#include <cstdint>

namespace softnpu::partition {

struct NodeCost {
  uint64_t macs = 0;
  uint64_t elementOps = 0;
  double hostUs = 0, npuUs = 0;
};

NodeCost nodeCost(mlir::Operation *op, const target::Target &t);

/// Modelled time of moving `bytes` between host and NPU once.
double transferUs(uint64_t bytes, const target::Target &t);

/// Bytes of a value of ranked tensor type (0 otherwise).
uint64_t valueBytes(mlir::Value v);

} // namespace softnpu::partition

#endif
