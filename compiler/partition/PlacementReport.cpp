//===- PlacementReport.cpp - Where each node runs, why, and what it costs -===//
#include "compiler/partition/PlacementReport.h"

#include "compiler/Diagnostics.h"
#include "compiler/partition/NodeCost.h"
#include "dialects/fpga/FpgaDialect.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <set>

using namespace mlir;

namespace softnpu::partition {

namespace {

std::string placementOf(Operation *op) {
  auto where = op ? op->getAttrOfType<StringAttr>(fpga::FpgaDialect::kPlacementAttrName) : nullptr;
  return where ? where.str() : "";
}

} // namespace

PlacementReport buildPlacementReport(ModuleOp module, const target::Target &t) {
  PlacementReport r;
  r.target = t.name;
  if (auto file = module->getAttrOfType<StringAttr>("onnx.file"))
    r.model = file.str();
  std::set<int64_t> npuSegs, hostSegs;
  std::set<std::pair<void *, int64_t>> crossed; // (value, reading segment)
  module.walk([&](Operation *op) {
    const std::string where = placementOf(op);
    if (where.empty())
      return;
    NodeReport n;
    n.name = nodeNameOf(op->getLoc());
    n.op = op->getName().stripDialect().str();
    n.where = where;
    if (auto why = op->getAttrOfType<StringAttr>(fpga::FpgaDialect::kPlacementReasonAttrName))
      n.reason = why.str();
    if (auto seg = op->getAttrOfType<IntegerAttr>(fpga::FpgaDialect::kSegmentAttrName))
      n.segment = seg.getInt();
    const NodeCost c = nodeCost(op, t);
    n.macs = c.macs;
    n.modelledUs = where == "npu" ? c.npuUs : c.hostUs;
    r.macs += c.macs;
    if (where == "npu") {
      r.npuMacs += c.macs;
      npuSegs.insert(n.segment);
    } else {
      hostSegs.insert(n.segment);
    }
    for (Value v : op->getOperands()) {
      const std::string from = placementOf(v.getDefiningOp());
      if (!from.empty() && from != where)
        crossed.insert({v.getAsOpaquePointer(), n.segment});
    }
    r.nodes.push_back(std::move(n));
  });
  r.npuSegments = static_cast<unsigned>(npuSegs.size());
  r.hostSegments = static_cast<unsigned>(hostSegs.size());
  r.crossings = static_cast<unsigned>(crossed.size());
  return r;
}

std::string PlacementReport::json() const {
  llvm::json::Array list;
  for (const NodeReport &n : nodes)
    list.push_back(llvm::json::Object{{"name", n.name},
                                      {"op", n.op},
                                      {"where", n.where},
                                      {"reason", n.reason},
                                      {"segment", n.segment},
                                      {"macs", static_cast<int64_t>(n.macs)},
                                      {"modelled_us", n.modelledUs}});
  llvm::json::Object summary{{"nodes", static_cast<int64_t>(nodes.size())},
                             {"macs", static_cast<int64_t>(macs)},
                             {"npu_macs", static_cast<int64_t>(npuMacs)},
                             {"npu_mac_share", npuMacShare()},
                             {"npu_segments", npuSegments},
                             {"host_segments", hostSegments},
                             {"crossings", crossings}};
  llvm::json::Object root{
      {"model", model}, {"target", target}, {"summary", std::move(summary)}, {"nodes", std::move(list)}};
  std::string out;
  llvm::raw_string_ostream os(out);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return out;
}

std::string PlacementReport::text() const {
  std::string out = "placement of " + model + " on " + target + "\n";
  size_t nameWidth = 4, opWidth = 2;
  for (const NodeReport &n : nodes) {
    nameWidth = std::max(nameWidth, n.name.size());
    opWidth = std::max(opWidth, n.op.size());
  }
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s  %-*s  %-4s  %3s  %12s  %11s  %s\n", static_cast<int>(nameWidth), "node",
                static_cast<int>(opWidth), "op", "runs", "seg", "MACs", "modelled us", "why not on the NPU");
  out += line;
  for (const NodeReport &n : nodes) {
    std::snprintf(line, sizeof line, "  %-*s  %-*s  %-4s  %3lld  %12llu  %11.3f  %s\n", static_cast<int>(nameWidth),
                  n.name.c_str(), static_cast<int>(opWidth), n.op.c_str(), n.where.c_str(),
                  static_cast<long long>(n.segment), static_cast<unsigned long long>(n.macs), n.modelledUs,
                  n.reason.c_str());
    out += line;
  }
  std::snprintf(line, sizeof line,
                "summary: %zu nodes, %.1f%% of %llu MACs on the NPU, %u NPU and %u host segments, %u host<->NPU "
                "crossings\n",
                nodes.size(), 100.0 * npuMacShare(), static_cast<unsigned long long>(macs), npuSegments, hostSegments,
                crossings);
  out += line;
  return out;
}

} // namespace softnpu::partition
