//===- LayerReport.cpp - Per-node SNR of a model against its fp32 build ---===//
#include "LayerReport.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>

namespace softnpu::tools {

namespace {

struct RecordInfo {
  std::vector<int64_t> shape;
  size_t order = 0; ///< first instruction of the node, else past the program
};

/// Tensor records of an artifact by key (api::tensorRecordName).
std::map<std::string, RecordInfo> records(const artifact::Artifact &a) {
  std::vector<size_t> firstInst(a.nodeNames.size(), std::numeric_limits<size_t>::max());
  for (size_t i = 0; i < a.instNode.size(); ++i)
    if (a.instNode[i] < firstInst.size())
      firstInst[a.instNode[i]] = std::min(firstInst[a.instNode[i]], i);
  std::map<std::string, RecordInfo> out;
  for (size_t r = 0; r < a.tensors.size(); ++r) {
    const uint32_t node = a.tensors[r].node;
    size_t order = node < firstInst.size() ? firstInst[node] : std::numeric_limits<size_t>::max();
    if (order == std::numeric_limits<size_t>::max())
      order = a.program.size() + r;
    out[api::tensorRecordName(a, r)] = RecordInfo{a.tensors[r].shape, order};
  }
  return out;
}

void addPair(LayerReport::Row &row, const TensorMap &got, const TensorMap &ref) {
  auto g = got.find(row.name), w = ref.find(row.name);
  if (g == got.end() || w == ref.end() || g->second.data.size() != w->second.data.size()) {
    row.stats.noise = INFINITY; // cannot happen for validated artifacts; never report a false match
    row.stats.maxAbs = INFINITY;
    return;
  }
  row.stats.add(g->second.data.data(), w->second.data.data(), g->second.data.size());
}

nlohmann::ordered_json number(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  if (std::isnan(v))
    return "nan";
  return v;
}

nlohmann::ordered_json rowsJson(const std::vector<LayerReport::Row> &rows, const char *key) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const LayerReport::Row &r : rows)
    list.push_back({{key, r.name},
                    {"shape", r.shape},
                    {"snr_db", number(r.stats.snrDb())},
                    {"max_abs_err", number(r.stats.maxAbs)},
                    {"ref_rms", number(r.stats.refRms())}});
  return list;
}

} // namespace

LayerReport::LayerReport(const artifact::Artifact &model, const artifact::Artifact &reference) {
  const std::map<std::string, RecordInfo> mine = records(model), theirs = records(reference);
  std::vector<std::pair<std::pair<size_t, size_t>, Row>> ordered; // ((order, position), row)
  for (const auto &[name, info] : mine) {
    auto it = theirs.find(name);
    if (it == theirs.end())
      missingInReference_.push_back(name);
    else if (it->second.shape != info.shape)
      shapeMismatch_.push_back(name);
    else
      ordered.push_back({{info.order, ordered.size()}, Row{name, info.shape, {}}});
  }
  for (const auto &[name, info] : theirs)
    if (!mine.count(name))
      missingInModel_.push_back(name);
  std::sort(ordered.begin(), ordered.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
  for (auto &[order, row] : ordered)
    nodes_.push_back(std::move(row));
  for (const artifact::TensorSig &sig : model.outputs)
    outputs_.push_back(Row{sig.name, sig.shape, {}});
  // Nodes with instructions but no record (the output copy is not a node).
  for (const artifact::Artifact *a : {&model, &reference}) {
    std::set<uint32_t> recorded, computing;
    for (const artifact::TensorRecord &r : a->tensors)
      recorded.insert(r.node);
    for (uint32_t node : a->instNode)
      if (node != artifact::kNoNode && a->nodeNames[node] != "output copy")
        computing.insert(node);
    for (uint32_t node : computing)
      unrecordedNodes_ = unrecordedNodes_ || !recorded.count(node);
  }
}

void LayerReport::add(const TensorMap &modelNodes, const TensorMap &modelOutputs, const TensorMap &refNodes,
                      const TensorMap &refOutputs) {
  ++runs_;
  for (Row &row : nodes_)
    addPair(row, modelNodes, refNodes);
  for (Row &row : outputs_)
    addPair(row, modelOutputs, refOutputs);
}

void LayerReport::print(std::FILE *out, const std::string &modelPath, const std::string &refPath) const {
  std::fprintf(out, "layer report: %s against reference %s, %lld run%s\n", modelPath.c_str(), refPath.c_str(),
               static_cast<long long>(runs_), runs_ == 1 ? "" : "s");
  size_t nameWidth = 4, shapeWidth = 5;
  for (const auto *rows : {&nodes_, &outputs_})
    for (const Row &r : *rows) {
      nameWidth = std::max(nameWidth, r.name.size() + (rows == &outputs_ ? 7 : 0));
      shapeWidth = std::max(shapeWidth, shapeText(r.shape).size());
    }
  const int nw = static_cast<int>(nameWidth), sw = static_cast<int>(shapeWidth);
  std::fprintf(out, "  %-*s  %-*s  %9s  %12s  %12s\n", nw, "node", sw, "shape", "SNR dB", "max abs err", "ref rms");
  auto line = [&](const std::string &name, const Row &r) {
    std::fprintf(out, "  %-*s  %-*s  %9s  %12.4g  %12.4g\n", nw, name.c_str(), sw, shapeText(r.shape).c_str(),
                 dbText(r.stats.snrDb()).c_str(), r.stats.maxAbs, r.stats.refRms());
  };
  for (const Row &r : nodes_)
    line(r.name, r);
  for (const Row &r : outputs_)
    line("output " + r.name, r);
  auto list = [&](const char *what, const std::vector<std::string> &names) {
    if (names.empty())
      return;
    std::fprintf(out, "  %s:", what);
    for (const std::string &n : names)
      std::fprintf(out, " %s", n.c_str());
    std::fprintf(out, "\n");
  };
  if (nodes_.empty() && missingInModel_.empty() && missingInReference_.empty() && shapeMismatch_.empty())
    std::fprintf(out, "  (the artifacts record no node tensors; recompile them with this npu-compile)\n");
  if (unrecordedNodes_)
    std::fprintf(out, "  (nodes kept on chip, or whose DRAM place was reused, have no tensor to compare; "
                      "compile both artifacts with npu-compile --keep-intermediates to see every node)\n");
  list("nodes only in the reference", missingInModel_);
  list("nodes only in the model", missingInReference_);
  list("nodes with different shapes (not compared)", shapeMismatch_);
}

std::string LayerReport::json(const std::string &modelPath, const std::string &refPath) const {
  nlohmann::ordered_json j = {{"model", modelPath},
                              {"reference", refPath},
                              {"runs", runs_},
                              {"nodes", rowsJson(nodes_, "node")},
                              {"outputs", rowsJson(outputs_, "output")},
                              {"missing_in_model", missingInModel_},
                              {"missing_in_reference", missingInReference_},
                              {"shape_mismatch", shapeMismatch_}};
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

bool LayerReport::writeJson(const std::string &path, const std::string &modelPath, const std::string &refPath,
                            std::string &error) const {
  std::ofstream f(path);
  if (!f) {
    error = "cannot write '" + path + "'";
    return false;
  }
  f << json(modelPath, refPath);
  f.close();
  if (!f) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace softnpu::tools
