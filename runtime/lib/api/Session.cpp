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

#include <atomic>
#include <set>
#include <utility>

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
struct alignas(64) Session::Worker { // own cache lines: two threads flip their workers' busy flags
  std::unique_ptr<Device> device;
  std::unique_ptr<SegmentRunner> runner;
  /// Set while a run uses it; a worker whose run ran out of memory stays
  /// busy for good (it may be half-way through that run).
  std::atomic<bool> busy{false};
};

namespace {
std::atomic<uint64_t> nextSessionId{1};

/// The worker this thread last ran on, and its session's id. A thread takes
/// that worker again when it is free, with one atomic exchange on the
/// worker's own flag: no lock, and the worker's simulator state stays in
/// this core's cache. A shared lock and workers handed round between threads
/// made two threads on a small model (runs of microseconds) barely faster
/// than one. Session ids are never reused, so a hint never names a worker
/// of a session that has gone. (`void *` because Session::Worker is private
/// to Session; only takeWorker reads it back.)
thread_local struct {
  uint64_t session = 0;
  void *worker = nullptr;
} lastWorker;
} // namespace

Session::Session() : id_(nextSessionId++) {}
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

std::unique_ptr<Session> Session::create(const Model &model, std::string &error) try {
  auto session = std::unique_ptr<Session>(new Session());
  session->model_ = &model;
  std::unique_ptr<Worker> first = session->makeWorker(error);
  if (!first)
    return nullptr;
  session->addWorker(std::move(first));
  return session;
} catch (const std::bad_alloc &) {
  error = "out of host memory preparing the simulator for this artifact";
  return nullptr;
}

bool Session::prepareWorkers(unsigned n, std::string &error) try {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      size_t free = 0;
      for (const std::unique_ptr<Worker> &w : workers_)
        free += !w->busy.load(std::memory_order_relaxed);
      if (free >= n)
        return true;
    }
    std::unique_ptr<Worker> w = makeWorker(error);
    if (!w)
      return false;
    addWorker(std::move(w));
  }
} catch (const std::bad_alloc &) {
  error = "out of host memory preparing the simulator for this artifact";
  return false;
}

void Session::addWorker(std::unique_ptr<Worker> w) {
  std::lock_guard<std::mutex> lock(mutex_);
  workers_.push_back(std::move(w));
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

Session::Worker *Session::takeWorker(std::string &error) {
  if (lastWorker.session == id_) {
    auto *w = static_cast<Worker *>(lastWorker.worker);
    if (!w->busy.exchange(true, std::memory_order_acquire))
      return w;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const std::unique_ptr<Worker> &w : workers_)
      if (!w->busy.exchange(true, std::memory_order_acquire)) {
        lastWorker = {id_, w.get()};
        return w.get();
      }
  }
  std::unique_ptr<Worker> fresh = makeWorker(error); // every worker is busy
  if (!fresh)
    return nullptr;
  fresh->busy.store(true, std::memory_order_relaxed);
  Worker *w = fresh.get();
  addWorker(std::move(fresh));
  lastWorker = {id_, w};
  return w;
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
  Worker *w = nullptr;
  bool ok = false;
  try {
    w = takeWorker(error);
    if (!w)
      return false;
    ok = runOn(*w, ordered, outputs, error, nodeTensors, profile);
  } catch (const std::bad_alloc &) {
    error = "out of host memory running this artifact";
    // The worker may be half-way through a run: it stays busy, never used
    // again; a later run makes a fresh one.
    return false;
  }
  w->busy.store(false, std::memory_order_release);
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
