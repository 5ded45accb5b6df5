//===- OnnxPartition.cpp - The onnx-partition pass: segments of nodes -----===//
//
// Groups the nodes onnx-place marked into segments: maximal runs of nodes
// with the same placement that stay acyclic when each segment is contracted
// to one node, numbered in an order in which they can run. Walking the
// nodes in program order, a node joins the segment of one of its operands'
// producers when that segment has its placement and no path from the
// segment reaches the node through a node outside it (else running the
// segment as one piece would need the node's other input before it exists);
// otherwise it starts a segment. `behind[v]` is the set of segments some
// path reaches v from, so the test is a bit lookup.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/partition/NodeCost.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaTarget.h"
#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

#include <cstdio>
#include <map>
#include <memory>
#include <queue>

namespace softnpu {
#define GEN_PASS_DEF_ONNXPARTITION
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;

namespace {

using Segments = llvm::DenseMap<Operation *, unsigned>;

class Partitioner {
public:
  /// Assigns every placed op of `body` to a segment; false (with an error)
  /// when a node has no placement.
  LogicalResult run(Block &body) {
    for (Operation &op : body) {
      auto where = op.getAttrOfType<StringAttr>(softnpu::fpga::FpgaDialect::kPlacementAttrName);
      if (!where) {
        if (llvm::isa<softnpu::onnx_d::OnnxDialect>(op.getDialect()) && !llvm::isa<softnpu::onnx_d::ConstantOp>(op))
          return op.emitError("onnx-partition: node has no fpga.placement (run onnx-place first)");
        continue;
      }
      place(&op, where.getValue());
    }
    return success();
  }

  /// Segment indices renumbered in an order the segments can run in: each
  /// after every segment it reads from, ties by first node.
  std::vector<unsigned> runOrder() const {
    const unsigned n = static_cast<unsigned>(kind_.size());
    std::vector<llvm::BitVector> preds(n, llvm::BitVector(n));
    for (auto &[op, s] : segment_)
      for (Value v : op->getOperands())
        if (auto it = segment_.find(v.getDefiningOp()); it != segment_.end() && it->second != s)
          preds[s].set(it->second);
    std::vector<unsigned> order(n), waiting(n);
    std::priority_queue<unsigned, std::vector<unsigned>, std::greater<unsigned>> ready;
    for (unsigned s = 0; s < n; ++s)
      if ((waiting[s] = preds[s].count()) == 0)
        ready.push(s);
    for (unsigned next = 0; !ready.empty(); ++next) {
      unsigned s = ready.top();
      ready.pop();
      order[s] = next;
      for (unsigned t = 0; t < n; ++t)
        if (preds[t].test(s) && --waiting[t] == 0)
          ready.push(t);
    }
    return order;
  }

  const Segments &segments() const { return segment_; }
  llvm::StringRef kindOf(unsigned s) const { return kind_[s]; }

private:
  void place(Operation *op, llvm::StringRef kind) {
    // Segments behind each operand, and the candidates to join.
    llvm::BitVector behind(kind_.size());
    llvm::SmallVector<unsigned, 4> candidates;
    for (Value v : op->getOperands()) {
      auto it = segment_.find(v.getDefiningOp());
      if (it == segment_.end())
        continue;
      behind |= behind_[it->first];
      if (kind_[it->second] == kind)
        candidates.push_back(it->second);
    }
    std::optional<unsigned> join;
    for (unsigned s : candidates) {
      // Reached through a node outside s? Then s is behind an operand that
      // is not in s.
      bool viaOutside = false;
      for (Value v : op->getOperands()) {
        auto it = segment_.find(v.getDefiningOp());
        viaOutside |=
            it != segment_.end() && it->second != s && behind_[it->first].size() > s && behind_[it->first].test(s);
      }
      if (!viaOutside && (!join || s < *join))
        join = s;
    }
    const unsigned s = join ? *join : static_cast<unsigned>(kind_.size());
    if (!join)
      kind_.push_back(kind.str());
    segment_[op] = s;
    behind.resize(kind_.size());
    behind.set(s);
    behind_[op] = std::move(behind);
  }

  Segments segment_;
  llvm::DenseMap<Operation *, llvm::BitVector> behind_; ///< segments with a path to the op
  std::vector<std::string> kind_;                       ///< placement of each segment
};

/// The cost model: an NPU segment next to host work moves to the host when
/// its modelled NPU time plus the transfers across its host boundaries does
/// not beat the host (partition/NodeCost.h). Returns true when some moved.
bool moveUnprofitable(const Partitioner &p, const softnpu::target::Target &t, Builder &b) {
  using softnpu::fpga::FpgaDialect;
  std::map<unsigned, std::vector<Operation *>> nodes;
  for (auto &[op, s] : p.segments())
    if (p.kindOf(s) == "npu")
      nodes[s].push_back(op);
  auto onHost = [&](Operation *op) {
    auto it = op ? p.segments().find(op) : p.segments().end();
    return it != p.segments().end() && p.kindOf(it->second) == "host";
  };
  bool moved = false;
  for (auto &[s, ops] : nodes) {
    double npu = 0, host = 0, transfers = 0;
    llvm::DenseSet<Value> crossing;
    for (Operation *op : ops) {
      const softnpu::partition::NodeCost c = softnpu::partition::nodeCost(op, t);
      npu += c.npuUs;
      host += c.hostUs;
      for (Value v : op->getOperands())
        if (onHost(v.getDefiningOp()))
          crossing.insert(v);
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(), onHost))
          crossing.insert(r);
    }
    if (crossing.empty())
      continue; // no host work next to it
    const bool chosen = llvm::any_of(ops, [](Operation *op) {
      auto why = op->getAttrOfType<StringAttr>(FpgaDialect::kPlacementReasonAttrName);
      return why && why.getValue().starts_with("placed by");
    });
    if (chosen)
      continue; // --place GLOB=npu: the user's decision, not the model's
    for (Value v : crossing)
      transfers += softnpu::partition::transferUs(softnpu::partition::valueBytes(v), t);
    if (npu + transfers < host)
      continue;
    char why[160];
    std::snprintf(why, sizeof why, "cost model: NPU %.3g us + transfers %.3g us >= host %.3g us", npu, transfers, host);
    for (Operation *op : ops) {
      op->setAttr(FpgaDialect::kPlacementAttrName, b.getStringAttr("host"));
      op->setAttr(FpgaDialect::kPlacementReasonAttrName, b.getStringAttr(why));
    }
    moved = true;
  }
  return moved;
}

struct OnnxPartitionPass : softnpu::impl::OnnxPartitionBase<OnnxPartitionPass> {
  using OnnxPartitionBase::OnnxPartitionBase;

  void runOnOperation() override {
    FailureOr<func::FuncOp> func = softnpu::getSingleFunction(getOperation(), "onnx-partition");
    if (failed(func))
      return signalPassFailure();
    Builder b(&getContext());
    auto p = std::make_unique<Partitioner>();
    if (failed(p->run(func->getBody().front())))
      return signalPassFailure();
    // Moving a segment merges it with its host neighbours; a few rounds
    // settle it (each round only moves nodes to the host).
    for (int round = 0; costModel && round < 8; ++round) {
      if (!moveUnprofitable(*p, softnpu::fpga::getTarget(getOperation()), b))
        break;
      p = std::make_unique<Partitioner>();
      if (failed(p->run(func->getBody().front())))
        return signalPassFailure();
    }
    const std::vector<unsigned> order = p->runOrder();
    for (auto &[op, s] : p->segments())
      op->setAttr(softnpu::fpga::FpgaDialect::kSegmentAttrName, b.getI64IntegerAttr(order[s]));
  }
};

} // namespace
