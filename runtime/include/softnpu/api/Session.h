//===- Session.h - Public C++ API: load an artifact, run it ---------------===//
//
//   std::string err;
//   auto model = softnpu::api::Model::load("model.npu", err);
//   auto session = softnpu::api::Session::create(*model, err);   // simulator
//   std::map<std::string, softnpu::api::Tensor> outs;
//   session->run({{"input", tensor}}, outs, err);
//
// For layer-by-layer reports, run() can also hand back the tensor every ONNX
// node produced (the artifact's TensorRecords, read from DRAM after the run),
// and for performance reports the run's cycle profile (softnpu/timing,
// docs/timing-model.md):
//   softnpu::timing::Profile profile;
//   session->run(inputs, outs, err, nullptr, &profile);
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_API_SESSION_H
#define SOFTNPU_API_SESSION_H

#include "softnpu/artifact/Artifact.h"
#include "softnpu/timing/Profile.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace softnpu::api {

/// A dense row-major tensor. The NPU's tensors are float32 (`data`); a model
/// with host segments may also take and give other element types, whose
/// elements are in `bytes` (little endian, bool as one byte 0 / 1).
struct Tensor {
  Tensor() = default;
  /// A float32 tensor.
  Tensor(std::vector<int64_t> dims, std::vector<float> values) : shape(std::move(dims)), data(std::move(values)) {}
  std::vector<int64_t> shape;
  std::vector<float> data; ///< the values when dtype is F32
  artifact::DType dtype = artifact::DType::F32;
  std::vector<uint8_t> bytes; ///< the elements for any other dtype
  /// Elements present: data.size() for F32, else bytes / element size.
  size_t count() const;
};

/// A loaded, validated artifact.
class Model {
public:
  /// Reads and validates a .npu file; null and a one-line `error` when it is
  /// unreadable or invalid.
  static std::unique_ptr<Model> load(const std::string &path, std::string &error);
  /// Validates `a` (artifact::validate); null and a one-line `error` when it
  /// is invalid.
  static std::unique_ptr<Model> fromArtifact(artifact::Artifact a, std::string &error);
  /// As above, sharing `a` with the caller instead of copying it (the Python
  /// API's Artifact and the sessions made from it hold one weight image).
  static std::unique_ptr<Model> fromArtifact(std::shared_ptr<const artifact::Artifact> a, std::string &error);
  const artifact::Artifact &artifact() const { return *art_; }

private:
  std::shared_ptr<const artifact::Artifact> art_;
};

/// The key Session::run uses for Artifact::tensors[record]: the node's name,
/// or "tensor#<record>" when the record has no valid node index.
std::string tensorRecordName(const artifact::Artifact &a, size_t record);

/// Something that executes NPU segments: the simulator today, a board driver
/// later. A device is bound to one model.
class Device {
public:
  virtual ~Device() = default;
  /// Pins the model's constant matrices and DRAM initialisers.
  virtual bool prepare(const artifact::Artifact &a, std::string &error) = 0;
  /// Copies inputs into DRAM (in signature order), runs the program, copies
  /// outputs out. When `nodeTensors` is non-null it receives one tensor per
  /// Artifact::tensors record, in record order (shape from the record, data
  /// read from DRAM after the run). When `profile` is non-null it receives
  /// the run's cycle profile, items tagged with the artifact's node names.
  virtual bool execute(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs, std::string &error,
                       std::vector<Tensor> *nodeTensors = nullptr, timing::Profile *profile = nullptr) = 0;
};

class SegmentRunner;

/// Runs one model. run() may be called from several threads at once: each
/// concurrent run gets its own simulator state (a worker made on first need
/// and kept for later runs), so results are those of a single-threaded run.
/// No call ever throws; running out of host memory is an error like others.
class Session {
public:
  ~Session();
  /// Creates a session on the bit-accurate simulator, with one worker ready.
  static std::unique_ptr<Session> create(const Model &model, std::string &error);
  /// Makes workers until `n` are idle, so that the first runs of `n` threads
  /// do not each prepare a simulator (npu-run --batch --threads N calls it
  /// before the batch). Optional: a run makes a worker when none is idle.
  bool prepareWorkers(unsigned n, std::string &error);
  /// Checks names and shapes of `inputs` against the signature (every input
  /// present, no unknown names, exact shape) and runs. Outputs keyed by name.
  /// When `nodeTensors` is non-null it is filled with the tensor of every
  /// Artifact::tensors record, keyed by the node's name (nodeNames); a record
  /// without a valid node index is keyed "tensor#I" (I = record index).
  /// When `profile` is non-null it receives the cycle profile of this run
  /// (timing model of docs/timing-model.md; every run of a model gives the
  /// same profile, it does not depend on the values).
  bool run(const std::map<std::string, Tensor> &inputs, std::map<std::string, Tensor> &outputs, std::string &error,
           std::map<std::string, Tensor> *nodeTensors = nullptr, timing::Profile *profile = nullptr);
  const Model &model() const { return *model_; }

private:
  struct Worker;
  Session();
  std::unique_ptr<Worker> makeWorker(std::string &error) const;
  Worker *takeWorker(std::string &error);
  void addWorker(std::unique_ptr<Worker> w);

  bool runOn(Worker &w, const std::vector<const Tensor *> &ordered, std::map<std::string, Tensor> &outputs,
             std::string &error, std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile);

  const Model *model_ = nullptr;
  const uint64_t id_;                            ///< unique in the process (the threads' worker hints)
  std::mutex mutex_;                             ///< guards workers_ (not the workers' busy flags)
  std::vector<std::unique_ptr<Worker>> workers_; ///< every worker, free or busy; kept until the session ends
};

} // namespace softnpu::api

#endif
