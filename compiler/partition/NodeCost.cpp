//===- NodeCost.cpp - What one onnx node costs on the NPU and on the host -===//
#include "compiler/partition/NodeCost.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace softnpu::partition {

namespace {

int64_t elements(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() ? t.getNumElements() : 0;
}

ArrayRef<int64_t> shapeOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getShape() : ArrayRef<int64_t>();
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d > 0 ? d : 0;
  return n;
}

/// Multiply-accumulates of the ops that have them; 0 for the rest.
uint64_t macsOf(Operation *op) {
  StringRef name = op->getName().stripDialect();
  if (op->getNumOperands() < 2 || op->getNumResults() < 1)
    return 0;
  ArrayRef<int64_t> a = shapeOf(op->getOperand(0)), w = shapeOf(op->getOperand(1));
  const int64_t out = elements(op->getResult(0));
  if (name == "Gemm" && a.size() == 2) {
    auto transA = op->getAttrOfType<IntegerAttr>("transA");
    return static_cast<uint64_t>(out * a[transA && transA.getInt() ? 0 : 1]);
  }
  if (name == "MatMul" && !a.empty())
    return static_cast<uint64_t>(out * a.back());
  if (name == "Conv" && w.size() >= 2)
    return static_cast<uint64_t>(out * product(w.drop_front(1)));
  if (name == "ConvTranspose" && w.size() >= 2)
    return static_cast<uint64_t>(elements(op->getOperand(0)) * product(w.drop_front(1)));
  if ((name == "LSTM" || name == "GRU" || name == "RNN") && a.size() == 3 && w.size() == 3 &&
      op->getNumOperands() >= 3) {
    ArrayRef<int64_t> r = shapeOf(op->getOperand(2));
    const int64_t hidden = r.size() == 3 ? r[2] : 0;
    return static_cast<uint64_t>(a[0] * a[1] * w[0] * w[1] * (a[2] + hidden));
  }
  return 0;
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
  c.hostUs = (2.0 * static_cast<double>(c.macs) + static_cast<double>(c.elementOps)) / (t.hostGflops * 1e3);
  const double peak = static_cast<double>(t.tileEngines) * t.nativeDim * t.lanes;
  const double chain = t.latencies.chainIssue + t.latencies.mrfToDpe + t.latencies.reduction +
                       t.latencies.mfuStage + t.latencies.writeBack;
  const double cycles = (peak > 0 ? static_cast<double>(c.macs) / peak : 0) +
                        (t.nativeDim ? static_cast<double>(c.elementOps) / t.nativeDim : 0) + chain;
  c.npuUs = t.clockMHz > 0 ? cycles / t.clockMHz : 0;
  return c;
}

} // namespace softnpu::partition
