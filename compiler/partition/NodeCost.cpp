//===- NodeCost.cpp - What one onnx node costs on the NPU and on the host -===//
#include "compiler/partition/NodeCost.h"

#include "softnpu/timing/HostCost.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace softnpu::partition {

namespace {

int64_t elements(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() ? t.getNumElements() : 0;
}

timing::Shape shapeOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? timing::Shape(t.getShape().begin(), t.getShape().end()) : timing::Shape();
}

/// Multiply-accumulates, by the runtime's formula (timing/HostCost.h).
uint64_t macsOf(Operation *op) {
  std::vector<timing::Shape> operands, results;
  for (Value v : op->getOperands())
    operands.push_back(shapeOf(v));
  for (Value v : op->getResults())
    results.push_back(shapeOf(v));
  auto transA = op->getAttrOfType<IntegerAttr>("transA");
  return timing::opMacs(op->getName().stripDialect().str(), operands, results, transA && transA.getInt());
}

} // namespace

uint64_t valueBytes(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || !t.getElementType().isIntOrFloat())
    return 0;
  return static_cast<uint64_t>(t.getNumElements()) * ((t.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

double transferUs(uint64_t bytes, const target::Target &t) {
  return t.hostLinkLatencyUs + static_cast<double>(bytes) / (t.hostLinkGBps * 1e3); // GB/s = 1e3 bytes/us
}

NodeCost nodeCost(Operation *op, const target::Target &t) {
  NodeCost c;
  c.macs = macsOf(op);
  for (Value r : op->getResults())
    c.elementOps += static_cast<uint64_t>(elements(r));
  c.hostUs = timing::hostUs(t, c.macs, c.elementOps);
  const double peak = static_cast<double>(t.tileEngines) * t.nativeDim * t.lanes;
  const double chain = t.latencies.chainIssue + t.latencies.mrfToDpe + t.latencies.reduction + t.latencies.mfuStage +
                       t.latencies.writeBack;
  const double cycles = (peak > 0 ? static_cast<double>(c.macs) / peak : 0) +
                        (t.nativeDim ? static_cast<double>(c.elementOps) / t.nativeDim : 0) + chain;
  c.npuUs = t.clockMHz > 0 ? cycles / t.clockMHz : 0;
  return c;
}

} // namespace softnpu::partition
