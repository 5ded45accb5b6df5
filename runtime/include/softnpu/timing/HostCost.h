//===- HostCost.h - The modelled cost of an ONNX op on the host -----------===//
//
// One formula for the compiler's placement cost model
// (compiler/partition/NodeCost.h) and the runtime's profile of host
// segments: an op's multiply-accumulates from its operand and result shapes
// (Gemm, MatMul, Conv, ConvTranspose, LSTM / GRU / RNN; 0 for the rest), and
// its time on the host at the target's host_gflops: (2 MACs + element ops),
// one element op per result element.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TIMING_HOSTCOST_H
#define SOFTNPU_TIMING_HOSTCOST_H

#include "softnpu/target/Target.h"

#include <cstdint>
#include <string>
#include <vector>

namespace softnpu::timing {

using Shape = std::vector<int64_t>;

/// Multiply-accumulates of `op` with these operand and result shapes (an
/// omitted operand is an empty shape); `transA` is Gemm's attribute.
uint64_t opMacs(const std::string &op, const std::vector<Shape> &operands, const std::vector<Shape> &results,
                bool transA = false);

/// Microseconds on the host for `macs` and `elementOps` (target's host_gflops).
double hostUs(const target::Target &t, uint64_t macs, uint64_t elementOps);

} // namespace softnpu::timing

#endif
