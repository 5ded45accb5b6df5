//===- LayerReport.h - Per-node SNR of a model against its fp32 build -----===//
//
// `npu-run model.npu --reference ref.npu --layer-report[=FILE.json]`: both
// artifacts (the same ONNX model, the reference compiled with --precision
// fp32) run on the same inputs; for every ONNX node with a tensor record in
// both, the node's tensor in the model is compared with the reference's
// (ErrorStats, accumulated over all --batch runs). Nodes are listed in
// program order (first instruction of the node in the model); nodes found in
// only one artifact, or with different shapes, are listed separately.
//
// JSON layout (SNR and errors are numbers, or the strings "inf" / "-inf";
// Python's float() reads all three):
//   {"model": path, "reference": path, "runs": k,
//    "nodes":   [{"node", "shape", "snr_db", "max_abs_err", "ref_rms"}, ...],
//    "outputs": [{"output", "shape", "snr_db", "max_abs_err", "ref_rms"}, ...],
//    "missing_in_model": [name, ...], "missing_in_reference": [name, ...],
//    "shape_mismatch": [name, ...]}
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_LAYERREPORT_H
#define SOFTNPU_TOOLS_NPU_RUN_LAYERREPORT_H

#include "ErrorStats.h"
#include "TensorArgs.h"

#include <cstdio>
#include <string>
#include <vector>

namespace softnpu::tools {

class LayerReport {
public:
  /// Pairs the tensor records of the two artifacts by node name. The two
  /// must have the same signature (sameSignature).
  LayerReport(const artifact::Artifact &model, const artifact::Artifact &reference);

  /// Adds one run: the node tensors (Session::run's nodeTensors) and outputs
  /// of the model and of the reference on the same inputs.
  void add(const TensorMap &modelNodes, const TensorMap &modelOutputs, const TensorMap &refNodes,
           const TensorMap &refOutputs);

  void print(std::FILE *out, const std::string &modelPath, const std::string &refPath) const;
  /// The JSON text of the file layout above.
  std::string json(const std::string &modelPath, const std::string &refPath) const;
  bool writeJson(const std::string &path, const std::string &modelPath, const std::string &refPath,
                 std::string &error) const;

  struct Row {
    std::string name;
    std::vector<int64_t> shape;
    ErrorStats stats;
  };
  const std::vector<Row> &nodes() const { return nodes_; }
  const std::vector<Row> &outputs() const { return outputs_; }

private:
  std::vector<Row> nodes_, outputs_;
  std::vector<std::string> missingInModel_, missingInReference_, shapeMismatch_;
  /// Some nodes of an artifact have no tensor record (kept on chip, or their
  /// DRAM place reused): the report can only show the others.
  bool unrecordedNodes_ = false;
  int64_t runs_ = 0;
};

} // namespace softnpu::tools

#endif
