//===- Session.cpp - Public API: Model loading and checked Session::run ---===//
//
// Model::load reads and validates a .npu file; Session::create binds a model
// to a device (the simulator today); Session::run checks the caller's tensors
// against the I/O signature, in this order: every input present, no unknown
// names, exact shapes and value counts; then executes.
//
//===----------------------------------------------------------------------===//
#include "softnpu/api/Session.h"

#include "SegmentRunner.h"
#include "SimulatorDevice.h"

#include "softnpu/artifact/ArtifactIO.h"

#include <set>

namespace softnpu::api {

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string inputNames(const artifact::Artifact &a) {
  std::string s;
  for (size_t i = 0; i < a.inputs.size(); ++i)
    s += (i ? ", '" : "'") + a.inputs[i].name + "'";
  return s.empty() ? "none" : s;
}

} // namespace

size_t Tensor::count() const {
  if (dtype == artifact::DType::F32)
    return data.size();
  const size_t size = artifact::dtypeSize(dtype);
  return size ? bytes.size() / size : 0;
}

/// The state of one run at a time: a device (one-segment model) or a
/// segment runner (a model with host segments).
struct Session::Worker {
  std::unique_ptr<Device> device;
  std::unique_ptr<SegmentRunner> runner;
};

Session::~Session() = default;

std::string tensorRecordName(const artifact::Artifact &a, size_t record) {
  const uint32_t node = a.tensors[record].node;
  if (node < a.nodeNames.size())
    return a.nodeNames[node];
  return "tensor#" + std::to_string(record);
}

std::unique_ptr<Model> Model::load(const std::string &path, std::string &error) {
  std::optional<artifact::Artifact> a = artifact::readFile(path, error); // validates
  if (!a)
    return nullptr;
  auto model = std::make_unique<Model>();
  model->art_ = std::make_shared<const artifact::Artifact>(std::move(*a));
  return model;
}

std::unique_ptr<Model> Model::fromArtifact(artifact::Artifact a, std::string &error) {
  return fromArtifact(std::make_shared<const artifact::Artifact>(std::move(a)), error);
}

std::unique_ptr<Model> Model::fromArtifact(std::shared_ptr<const artifact::Artifact> a, std::string &error) {
  if (!a || !artifact::validate(*a, error)) {
    if (!a)
      error = "no artifact";
    return nullptr;
  }
  auto model = std::make_unique<Model>();
  model->art_ = std::move(a);
  return model;
}

std::unique_ptr<Session> Session::create(const Model &model, std::string &error) {
  auto session = std::unique_ptr<Session>(new Session());
  session->model_ = &model;
  std::unique_ptr<Worker> first = session->makeWorker(error);
  if (!first)
    return nullptr;
  session->idle_.push_back(std::move(first));
  return session;
}

std::unique_ptr<Session::Worker> Session::makeWorker(std::string &error) const {
  const artifact::Artifact &a = model_->artifact();
  try {
    auto w = std::make_unique<Worker>();
    if (a.segmented()) {
      w->runner = createSegmentRunner(a, error);
      if (!w->runner)
        return nullptr;
      return w;
    }
    w->device = createSimulatorDevice();
    if (!w->device->prepare(a, error))
      return nullptr;
    return w;
  } catch (const std::bad_alloc &) {
    error = "out of host memory preparing the simulator for this artifact";
    return nullptr;
  }
}

std::unique_ptr<Session::Worker> Session::takeWorker(std::string &error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<Worker> w = std::move(idle_.back());
      idle_.pop_back();
      return w;
    }
  }
  return makeWorker(error); // another run holds every worker
}

void Session::returnWorker(std::unique_ptr<Worker> w) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(w));
}

bool Session::run(const std::map<std::string, Tensor> &inputs, std::map<std::string, Tensor> &outputs,
                  std::string &error, std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile) {
  const artifact::Artifact &a = model_->artifact();
  std::vector<const Tensor *> ordered;
  ordered.reserve(a.inputs.size());
  for (const artifact::TensorSig &sig : a.inputs) {
    auto it = inputs.find(sig.name);
    if (it == inputs.end()) {
      error = "missing input '" + sig.name + "' (expected shape " + shapeText(sig.shape) + ")";
      return false;
    }
    ordered.push_back(&it->second);
  }
  for (const auto &[name, tensor] : inputs) {
    bool known = false;
    for (const artifact::TensorSig &sig : a.inputs)
      known = known || sig.name == name;
    if (!known) {
      error = "unknown input '" + name + "' (the model's inputs are " + inputNames(a) + ")";
      return false;
    }
  }
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    const artifact::TensorSig &sig = a.inputs[i];
    const Tensor &t = *ordered[i];
    if (t.shape != sig.shape) {
      error = "input '" + sig.name + "' has shape " + shapeText(t.shape) + ", expected " + shapeText(sig.shape);
      return false;
    }
    if (t.dtype != sig.dtype) {
      error = "input '" + sig.name + "' is " + artifact::dtypeName(t.dtype) + ", expected " +
              artifact::dtypeName(sig.dtype);
      return false;
    }
    if (t.count() != sig.numElements() ||
        (t.dtype != artifact::DType::F32 && t.bytes.size() != sig.numElements() * artifact::dtypeSize(t.dtype))) {
      error = "input '" + sig.name + "' has " + std::to_string(t.count()) + " values, shape " + shapeText(sig.shape) +
              " needs " + std::to_string(sig.numElements());
      return false;
    }
  }
  std::unique_ptr<Worker> w = takeWorker(error);
  if (!w)
    return false;
  bool ok = false;
  try {
    ok = runOn(*w, ordered, outputs, error, nodeTensors, profile);
  } catch (const std::bad_alloc &) {
    error = "out of host memory running this artifact";
    // The worker may be half-way through a run: drop it, a later run makes
    // a fresh one.
    return false;
  }
  returnWorker(std::move(w));
  return ok;
}

bool Session::runOn(Worker &w, const std::vector<const Tensor *> &ordered, std::map<std::string, Tensor> &outputs,
                    std::string &error, std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile) {
  const artifact::Artifact &a = model_->artifact();
  if (w.runner) {
    std::vector<Tensor> results;
    if (nodeTensors)
      nodeTensors->clear();
    if (!w.runner->run(ordered, results, error, nodeTensors, profile))
      return false;
    outputs.clear();
    for (size_t i = 0; i < a.outputs.size() && i < results.size(); ++i)
      outputs[a.outputs[i].name] = std::move(results[i]);
    return true;
  }
  std::vector<Tensor> results, records;
  if (!w.device->execute(ordered, results, error, nodeTensors ? &records : nullptr, profile))
    return false;
  outputs.clear();
  for (size_t i = 0; i < a.outputs.size() && i < results.size(); ++i)
    outputs[a.outputs[i].name] = std::move(results[i]);
  if (nodeTensors) {
    nodeTensors->clear();
    for (size_t i = 0; i < a.tensors.size() && i < records.size(); ++i)
      (*nodeTensors)[tensorRecordName(a, i)] = std::move(records[i]);
  }
  return true;
}

} // namespace softnpu::api
