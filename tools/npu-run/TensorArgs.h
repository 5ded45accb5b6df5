//===- TensorArgs.h - npu-run's tensor arguments and batch slicing --------===//
//
// Binds NAME=FILE arguments to an artifact's signature, reads the files, works
// out the --batch factor (every input k times the model's dimension 0) and
// cuts the inputs into the k per-run slices.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_TENSORARGS_H
#define SOFTNPU_TOOLS_NPU_RUN_TENSORARGS_H

#include "softnpu/api/Session.h"
#include "softnpu/io/Npy.h"

#include <map>
#include <string>
#include <vector>

namespace softnpu::tools {

using TensorMap = std::map<std::string, api::Tensor>;
using NpyFiles = std::map<std::string, io::NpyFile>;

std::string shapeText(const std::vector<int64_t> &shape);
std::string namesText(const std::vector<artifact::TensorSig> &sigs);

/// Splits "NAME=FILE" against the signature's names. A bare FILE is accepted
/// when the signature has exactly one tensor and it is the only argument.
bool bindArgs(const std::vector<std::string> &args, const std::vector<artifact::TensorSig> &sigs, const char *option,
              const char *kind, std::map<std::string, std::string> &bound, std::string &error);

/// Reads every bound file (.npy or .pb) as a tensor.
bool readTensors(const std::map<std::string, std::string> &files, TensorMap &tensors, std::string &error);
/// For --batch: opens the float32 .npy files of the signature's float32
/// inputs without reading them (BatchSlicer reads a run's slice at a time,
/// so an input of any size costs one run's memory) and takes them out of
/// `files`; their tensors get the file's shape and no values.
bool openBatchInputs(std::map<std::string, std::string> &files, const std::vector<artifact::TensorSig> &sigs,
                     TensorMap &tensors, NpyFiles &opened, std::string &error);

/// NumPy's descriptor of a dtype ("<f4", "|b1", ...), or nullptr for
/// bfloat16, which NumPy lacks (written as float32).
const char *npyDescr(artifact::DType t);

/// `t` converted to element type `to` (values as C++ conversions do).
api::Tensor convertTensor(const api::Tensor &t, artifact::DType to);
/// Inputs read as float32 (.npy files) for a signature of another element
/// type (a model with host segments) are converted to it.
void conformToSignature(const std::vector<artifact::TensorSig> &sigs, TensorMap &tensors);

/// How many model batches each input holds: 1 when shapes match exactly;
/// with --batch, k when every input is k times the model's dim 0.
bool batchFactor(const std::vector<artifact::TensorSig> &sigs, const TensorMap &inputs, int64_t &k, std::string &error);

/// The inputs of run b (0 <= b < k): consecutive dim-0 slices of each input,
/// those in `files` (openBatchInputs) read from the file. With k == 1 and no
/// such file, or when an input is missing (Session::run reports it), the
/// inputs are handed through unchanged. Threads may slice at once, each
/// into a Slice of its own.
class BatchSlicer {
public:
  /// One caller's slice buffers and read-ahead, reused from run to run.
  struct Slice {
    TensorMap tensors;
    std::map<std::string, io::NpyFile::ReadAhead> ahead;
  };

  BatchSlicer(const std::vector<artifact::TensorSig> &sigs, const TensorMap &inputs, const NpyFiles &files, int64_t k);
  /// The inputs of run b (in `into`, or the inputs themselves); nullptr
  /// with `error` when a file cannot be read.
  const TensorMap *slice(int64_t b, Slice &into, std::string &error) const;

private:
  const std::vector<artifact::TensorSig> &sigs_;
  const TensorMap &inputs_;
  const NpyFiles &files_;
  bool passThrough_ = true;
};

/// Checks that `reference` has the same inputs and outputs (names, order,
/// shapes) as `model`; the message names the first difference.
bool sameSignature(const artifact::Artifact &model, const artifact::Artifact &reference, std::string &error);

/// Appends one run's outputs to the concatenation of all runs (shape[0] * k).
bool appendOutputs(const std::vector<artifact::TensorSig> &sigs, int64_t k, const TensorMap &part, TensorMap &all,
                   std::string &error);

} // namespace softnpu::tools

#endif
