//===- Top1.h - Dataset accuracy: top-1 of the first output against labels ===//
//
// `npu-run model.npu --batch --input x=images.npy --labels labels.npy
// [--reference ref.npu]`: each run's first output is read as rows of its last
// dimension; the prediction of a row is the index of its largest value (the
// first one on ties, NaN never wins). The labels (.npy int64 or float, one
// integral class index per row over all runs, any shape) are compared with
// the model's predictions and, with a reference, with the reference's, and
// the two predictions with each other.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_TOP1_H
#define SOFTNPU_TOOLS_NPU_RUN_TOP1_H

#include "TensorArgs.h"

#include <cstdio>
#include <string>
#include <vector>

namespace softnpu::tools {

class Top1 {
public:
  /// Checks the labels: integral, non-negative and exactly one per row of
  /// the first output over `runs` runs of `model`.
  static bool check(const artifact::Artifact &model, int64_t runs, const api::Tensor &labels, std::string &error);

  /// `refName` names the reference in the report ("fp32 top-1").
  Top1(const artifact::Artifact &model, std::vector<float> labels, std::string refName = "fp32");
  /// Adds one run's outputs (and the reference's on the same inputs, or null).
  void add(const TensorMap &outputs, const TensorMap *refOutputs);
  /// Prints "NPU top-1: 87.34% (8734/10000)" (and "fp32 top-1: ...",
  /// "agreement: ..." with a reference).
  void print(std::FILE *out) const;
  /// Percent of rows the model got right.
  double accuracy() const;

private:
  std::string output_, refName_;
  size_t rowLength_ = 1;
  std::vector<float> labels_;
  size_t rows_ = 0, correct_ = 0, refCorrect_ = 0, agree_ = 0;
  bool haveRef_ = false;
};

/// Index of the largest value of row[0..n) (first on ties; NaN never wins
/// unless every value is NaN, then 0).
size_t argmax(const float *row, size_t n);

} // namespace softnpu::tools

#endif
