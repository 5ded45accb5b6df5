//===- Segments.cpp - Split a partitioned module into its segments --------===//
#include "compiler/partition/Segments.h"

#include "compiler/Diagnostics.h"
#include "compiler/SingleFunction.h"
#include "compiler/partition/HostExport.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <map>
#include <set>

using namespace mlir;

namespace softnpu::partition {

namespace {

using fpga::FpgaDialect;

/// A name for every value: graph inputs and outputs keep the graph's names;
/// a node's results are "<node>" (one result) or "<node>:<i>", made unique.
llvm::DenseMap<Value, std::string> nameValues(func::FuncOp f) {
  llvm::DenseMap<Value, std::string> names;
  std::set<std::string> used;
  auto give = [&](Value v, std::string name) {
    if (names.count(v))
      return;
    std::string unique = name;
    for (int k = 1; !used.insert(unique).second; ++k)
      unique = name + "." + std::to_string(k);
    names[v] = unique;
  };
  for (BlockArgument a : f.getArguments())
    if (auto n = f.getArgAttrOfType<StringAttr>(a.getArgNumber(), "onnx.name"))
      give(a, n.str());
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands()))
    if (auto n = f.getResultAttrOfType<StringAttr>(i, "onnx.name"))
      give(v, n.str());
  for (Operation &op : f.getBody().front()) {
    std::string node = nodeNameOf(op.getLoc());
    if (node.empty())
      node = op.getName().stripDialect().str();
    for (OpResult r : op.getResults())
      give(r, op.getNumResults() == 1 ? node : node + ":" + std::to_string(r.getResultNumber()));
  }
  return names;
}

/// The nodes of one segment and the tensors crossing its boundary.
struct SegmentOps {
  bool host = false;
  std::vector<Operation *> nodes;
  std::vector<Value> inputs, outputs;
};

std::vector<SegmentOps> collectSegments(func::FuncOp f) {
  std::map<int64_t, SegmentOps> bySegment;
  llvm::DenseMap<Operation *, int64_t> segmentOf;
  for (Operation &op : f.getBody().front()) {
    auto index = op.getAttrOfType<IntegerAttr>(FpgaDialect::kSegmentAttrName);
    if (!index)
      continue;
    SegmentOps &s = bySegment[index.getInt()];
    auto where = op.getAttrOfType<StringAttr>(FpgaDialect::kPlacementAttrName);
    s.host = where && where.getValue() == "host";
    s.nodes.push_back(&op);
    segmentOf[&op] = index.getInt();
  }
  for (auto &entry : bySegment) {
    const int64_t index = entry.first;
    SegmentOps &s = entry.second;
    llvm::DenseSet<Value> seenIn, seenOut;
    for (Operation *op : s.nodes) {
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        const bool inside = def && segmentOf.count(def) && segmentOf[def] == index;
        if (!inside && !(def && llvm::isa<onnx_d::ConstantOp>(def)) && seenIn.insert(v).second)
          s.inputs.push_back(v);
      }
      for (Value r : op->getResults()) {
        const bool escapes = llvm::any_of(
            r.getUsers(), [&](Operation *user) { return !segmentOf.count(user) || segmentOf[user] != index; });
        if (escapes && seenOut.insert(r).second)
          s.outputs.push_back(r);
      }
    }
  }
  std::vector<SegmentOps> ordered;
  for (auto &[index, s] : bySegment)
    ordered.push_back(std::move(s));
  return ordered;
}

/// The segment as a module of one function, ready for the rest of the
/// pipeline.
OwningOpRef<ModuleOp> npuModule(ModuleOp parent, func::FuncOp f, const SegmentOps &s,
                                const llvm::DenseMap<Value, std::string> &names) {
  OpBuilder b(parent.getContext());
  OwningOpRef<ModuleOp> m = ModuleOp::create(parent.getLoc());
  for (NamedAttribute a : parent->getAttrs())
    (*m)->setAttr(a.getName(), a.getValue());
  SmallVector<Type> in, out;
  for (Value v : s.inputs)
    in.push_back(v.getType());
  for (Value v : s.outputs)
    out.push_back(v.getType());
  auto fn = func::FuncOp::create(f.getLoc(), f.getName(), b.getFunctionType(in, out));
  m->push_back(fn);
  Block *entry = fn.addEntryBlock();
  IRMapping map;
  for (auto [i, v] : llvm::enumerate(s.inputs)) {
    map.map(v, entry->getArgument(i));
    fn.setArgAttr(i, "onnx.name", b.getStringAttr(names.lookup(v)));
  }
  b.setInsertionPointToEnd(entry);
  for (Operation *op : s.nodes) {
    for (Value v : op->getOperands())
      if (auto c = v.getDefiningOp<onnx_d::ConstantOp>(); c && !map.contains(v))
        map.map(v, b.clone(*c)->getResult(0));
    Operation *copy = b.clone(*op, map);
    copy->removeAttr(FpgaDialect::kSegmentAttrName);
  }
  SmallVector<Value> results;
  for (auto [i, v] : llvm::enumerate(s.outputs)) {
    results.push_back(map.lookup(v));
    fn.setResultAttr(i, "onnx.name", b.getStringAttr(names.lookup(v)));
  }
  func::ReturnOp::create(b, f.getLoc(), results);
  return m;
}

} // namespace

bool needsSegments(ModuleOp module) {
  bool host = false;
  module.walk([&](Operation *op) {
    auto where = op->getAttrOfType<StringAttr>(FpgaDialect::kPlacementAttrName);
    host = host || (where && where.getValue() == "host");
  });
  if (host)
    return true;
  // An NPU program's inputs and outputs are float32 tensors in DRAM that its
  // nodes read and write.
  auto isF32 = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return ranked && ranked.getElementType().isF32();
  };
  for (func::FuncOp f : module.getOps<func::FuncOp>()) {
    if (!llvm::all_of(f.getArgumentTypes(), isF32) || !llvm::all_of(f.getResultTypes(), isF32))
      return true;
    // A graph input handed straight to an output needs a host segment when
    // there are nodes to run besides; a graph of no nodes at all is an NPU
    // program that copies its inputs to its outputs (an artifact of host
    // segments needs at least one).
    auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
    const bool noNodes = &f.getBody().front().front() == ret.getOperation();
    for (Value v : ret.getOperands())
      if ((!v.getDefiningOp() && !noNodes) || (v.getDefiningOp() && llvm::isa<onnx_d::ConstantOp>(v.getDefiningOp())))
        return true;
  }
  return false;
}

LogicalResult splitSegments(ModuleOp module, std::vector<SegmentPiece> &pieces) {
  FailureOr<func::FuncOp> f = getSingleFunction(module, "splitting into segments");
  if (failed(f))
    return failure();
  const llvm::DenseMap<Value, std::string> names = nameValues(*f);
  const int64_t opset = module->hasAttr("onnx.opset") ? cast<IntegerAttr>(module->getAttr("onnx.opset")).getInt() : 17;
  // A graph output that is a constant (every node folded away, or a Constant
  // node) comes from a host segment of its own, first.
  std::vector<SegmentOps> segments;
  auto ret = cast<func::ReturnOp>(f->getBody().front().getTerminator());
  SegmentOps constants;
  constants.host = true;
  for (Value v : ret.getOperands())
    if (auto c = v.getDefiningOp<onnx_d::ConstantOp>(); c && !llvm::is_contained(constants.outputs, v)) {
      constants.nodes.push_back(c);
      constants.outputs.push_back(v);
    }
  if (!constants.nodes.empty())
    segments.push_back(std::move(constants));
  for (SegmentOps &s : collectSegments(*f))
    segments.push_back(std::move(s));
  for (SegmentOps &s : segments) {
    // Segments exchange tensors (the Session's values); a sequence or an
    // optional lives inside one host segment.
    for (Value v : llvm::concat<Value>(s.inputs, s.outputs))
      if (!llvm::isa<RankedTensorType>(v.getType())) {
        Operation *at = v.getDefiningOp() ? v.getDefiningOp() : s.nodes.front();
        at->emitError() << "value '" << names.lookup(v) << "' (" << v.getType()
                        << ") would pass between segments, which exchange tensors only; place the nodes "
                           "between its producer and its users on the host (--place)";
        return failure();
      }
    SegmentPiece piece;
    piece.host = s.host;
    for (Value v : s.inputs)
      piece.inputs.push_back(names.lookup(v));
    for (Value v : s.outputs)
      piece.outputs.push_back(names.lookup(v));
    if (s.host) {
      if (!exportHostSegment({s.nodes, s.inputs, s.outputs}, names, opset, piece.hostModel))
        return failure();
    } else {
      piece.npu = npuModule(module, *f, s, names);
    }
    pieces.push_back(std::move(piece));
  }
  return success();
}

} // namespace softnpu::partition
