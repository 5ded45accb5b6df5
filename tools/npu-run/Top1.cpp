//===- Top1.cpp - Dataset accuracy: top-1 of the first output against labels ===//
#include "Top1.h"

#include <cmath>

namespace softnpu::tools {

size_t argmax(const float *row, size_t n) {
  size_t best = 0;
  bool found = false;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(row[i]))
      continue;
    if (!found || row[i] > row[best]) {
      best = i;
      found = true;
    }
  }
  return best;
}

namespace {
size_t lastDim(const artifact::TensorSig &sig) {
  return sig.shape.empty() || sig.shape.back() <= 0 ? 1 : static_cast<size_t>(sig.shape.back());
}
} // namespace

bool Top1::check(const artifact::Artifact &model, int64_t runs, const api::Tensor &labels, std::string &error) {
  if (model.outputs.empty()) {
    error = "--labels: the model has no outputs";
    return false;
  }
  const artifact::TensorSig &sig = model.outputs[0];
  const size_t classes = lastDim(sig);
  const uint64_t rows = sig.numElements() / classes * static_cast<uint64_t>(runs);
  if (labels.data.size() != rows) {
    error = "--labels: " + std::to_string(labels.data.size()) + " labels (shape " + shapeText(labels.shape) + ") for " +
            std::to_string(rows) + " predictions (" + std::to_string(runs) + " run" + (runs == 1 ? "" : "s") +
            " of output '" + sig.name + "' " + shapeText(sig.shape) + ")";
    return false;
  }
  for (size_t i = 0; i < labels.data.size(); ++i) {
    const float v = labels.data[i];
    if (!(v >= 0) || v != std::floor(v) || v >= static_cast<float>(classes)) {
      error = "--labels: label " + std::to_string(i) + " is " + std::to_string(v) + ", expected a class index in [0, " +
              std::to_string(classes) + ")";
      return false;
    }
  }
  return true;
}

Top1::Top1(const artifact::Artifact &model, std::vector<float> labels, std::string refName)
    : output_(model.outputs.at(0).name), refName_(std::move(refName)), rowLength_(lastDim(model.outputs[0])),
      labels_(std::move(labels)) {}

void Top1::add(const TensorMap &outputs, const TensorMap *refOutputs) {
  const std::vector<float> &got = outputs.at(output_).data;
  const std::vector<float> *ref = refOutputs ? &refOutputs->at(output_).data : nullptr;
  haveRef_ = ref != nullptr;
  for (size_t r = 0; r * rowLength_ < got.size() && rows_ < labels_.size(); ++r, ++rows_) {
    const size_t label = static_cast<size_t>(labels_[rows_]);
    const size_t mine = argmax(got.data() + r * rowLength_, rowLength_);
    correct_ += mine == label;
    if (ref && (r + 1) * rowLength_ <= ref->size()) {
      const size_t theirs = argmax(ref->data() + r * rowLength_, rowLength_);
      refCorrect_ += theirs == label;
      agree_ += theirs == mine;
    }
  }
}

double Top1::accuracy() const { return rows_ ? 100.0 * static_cast<double>(correct_) / rows_ : 0.0; }

void Top1::print(std::FILE *out) const {
  auto line = [&](const char *what, size_t n) {
    std::fprintf(out, "%s: %.2f%% (%zu/%zu)\n", what, rows_ ? 100.0 * static_cast<double>(n) / rows_ : 0.0, n, rows_);
  };
  line("NPU top-1", correct_);
  if (haveRef_) {
    line((refName_ + " top-1").c_str(), refCorrect_);
    line("agreement", agree_);
  }
}

} // namespace softnpu::tools
