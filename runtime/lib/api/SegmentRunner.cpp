//===- SegmentRunner.cpp - Run a format-3 artifact segment by segment -----===//
#include "SegmentRunner.h"

#include "SimulatorDevice.h"

#include "softnpu/host/HostExecutor.h"
#include "softnpu/timing/HostCost.h"

#include <cstring>

namespace softnpu::api {

namespace {

using host::HostTensor;

HostTensor toHost(const Tensor &t) {
  HostTensor h(t.dtype, t.shape);
  if (t.dtype == artifact::DType::F32)
    std::memcpy(h.bytes.data(), t.data.data(), h.bytes.size());
  else
    std::memcpy(h.bytes.data(), t.bytes.data(), h.bytes.size());
  return h;
}

Tensor fromHost(HostTensor &&h) {
  Tensor t;
  t.dtype = h.dtype;
  t.shape = std::move(h.shape);
  if (t.dtype == artifact::DType::F32) {
    t.data.resize(h.bytes.size() / 4);
    std::memcpy(t.data.data(), h.bytes.data(), h.bytes.size());
  } else {
    t.bytes = std::move(h.bytes);
  }
  return t;
}

/// Appends `p` (one NPU segment's profile) to `total`, its timeline after
/// what `total` already holds.
void appendProfile(timing::Profile &total, const timing::Profile &p) {
  const uint64_t offset = total.cycles;
  const uint32_t nodeBase = static_cast<uint32_t>(total.nodes.size());
  if (total.tracks.empty()) {
    total.tracks = p.tracks;
    total.busy.assign(p.busy.size(), 0);
  }
  total.cycles += p.cycles;
  total.networkPieces += p.networkPieces;
  total.networkCycles += p.networkCycles;
  total.macs += p.macs;
  total.dramBytes += p.dramBytes;
  total.chains += p.chains;
  total.matrixMoves += p.matrixMoves;
  total.scalarWrites += p.scalarWrites;
  for (size_t i = 0; i < p.busy.size() && i < total.busy.size(); ++i)
    total.busy[i] += p.busy[i];
  for (timing::NodeProfile n : p.nodes) {
    n.first += offset;
    n.last += offset;
    total.nodes.push_back(std::move(n));
  }
  for (timing::Profile::Event e : p.events) {
    e.node += nodeBase;
    e.begin += offset;
    e.end += offset;
    total.events.push_back(e);
  }
}

class Runner : public SegmentRunner {
public:
  bool prepare(const artifact::Artifact &a, std::string &error) {
    a_ = &a;
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const artifact::Segment &s = a.segments[i];
      Piece p;
      if (s.kind == artifact::Segment::Kind::Npu) {
        p.device = createSimulatorDevice();
        if (!p.device->prepare(*s.npu, error)) {
          error = "segment " + std::to_string(i) + " (NPU): " + error;
          return false;
        }
      } else {
        std::optional<host::HostGraph> g = host::parseHostModel(s.hostModel, error);
        if (!g) {
          error = "segment " + std::to_string(i) + " (host): " + error;
          return false;
        }
        for (const host::HostNode &n : g->nodes)
          if (!host::hasHostKernel(n.opType)) {
            error = "segment " + std::to_string(i) + " (host): node '" + n.name + "' (" + n.opType +
                    "): this runtime has no host kernel for the op";
            return false;
          }
        p.graph = std::move(*g);
      }
      pieces_.push_back(std::move(p));
    }
    return true;
  }

  bool run(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs, std::string &error,
           std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile) override {
    const artifact::Artifact &a = *a_;
    std::map<std::string, HostTensor> values;
    for (size_t i = 0; i < a.inputs.size(); ++i)
      values[a.inputs[i].name] = toHost(*inputs[i]);
    if (profile) {
      *profile = timing::Profile();
      profile->target = a.target.name;
      profile->clockMHz = a.target.clockMHz;
      profile->peakMacsPerCycle = static_cast<uint64_t>(a.target.nativeDim) * a.target.tileEngines * a.target.lanes;
    }
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const std::string id = "segment " + std::to_string(i);
      if (pieces_[i].device) {
        if (!runNpu(*a.segments[i].npu, *pieces_[i].device, values, error, nodeTensors, profile)) {
          error = id + " (NPU): " + error;
          return false;
        }
      } else {
        std::vector<host::NodeTime> times;
        if (!host::runHostGraph(*pieces_[i].graph, values, error, profile ? &times : nullptr))
          return false; // the message names the node
        for (const host::NodeTime &t : times) {
          profile->hostUs += timing::hostUs(a.target, t.macs, t.elementOps);
          profile->hostWallUs += t.seconds * 1e6;
        }
      }
    }
    outputs.clear();
    for (const artifact::TensorSig &sig : a.outputs) {
      auto it = values.find(sig.name);
      if (it == values.end()) {
        error = "output '" + sig.name + "' was not produced";
        return false;
      }
      outputs.push_back(fromHost(std::move(it->second)));
    }
    return true;
  }

private:
  struct Piece {
    std::unique_ptr<Device> device;       ///< NPU segment
    std::optional<host::HostGraph> graph; ///< host segment
  };

  /// One NPU segment: its float32 inputs from `values`, its outputs back.
  /// Each tensor crossing between it and a host segment counts as one
  /// host<->NPU transfer in the profile; graph inputs and outputs use the
  /// network queues instead (SimulatorDevice charges those).
  bool runNpu(const artifact::Artifact &npu, Device &device, std::map<std::string, HostTensor> &values,
              std::string &error, std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile) {
    std::vector<Tensor> ins;
    ins.reserve(npu.inputs.size());
    uint64_t bytes = 0, crossings = 0;
    for (const artifact::TensorSig &sig : npu.inputs) {
      auto it = values.find(sig.name);
      if (it == values.end() || it->second.dtype != artifact::DType::F32 || it->second.shape != sig.shape) {
        error = "tensor '" + sig.name + "' is missing or not a float32 tensor of shape " + host::shapeText(sig.shape);
        return false;
      }
      ins.push_back(fromHost(HostTensor(it->second)));
      if (!isGraphTensor(sig.name)) {
        bytes += it->second.bytes.size();
        ++crossings;
      }
    }
    std::vector<const Tensor *> ordered;
    for (const Tensor &t : ins)
      ordered.push_back(&t);
    std::vector<Tensor> outs, records;
    timing::Profile segProfile;
    if (!device.execute(ordered, outs, error, nodeTensors ? &records : nullptr, profile ? &segProfile : nullptr))
      return false;
    for (size_t i = 0; i < npu.outputs.size() && i < outs.size(); ++i) {
      if (!isGraphTensor(npu.outputs[i].name)) {
        bytes += outs[i].data.size() * 4;
        ++crossings;
      }
      values[npu.outputs[i].name] = toHost(outs[i]);
    }
    if (nodeTensors)
      for (size_t i = 0; i < npu.tensors.size() && i < records.size(); ++i)
        (*nodeTensors)[tensorRecordName(npu, i)] = std::move(records[i]);
    if (profile) {
      appendProfile(*profile, segProfile);
      const target::Target &t = npu.target;
      profile->transfers += crossings;
      profile->transferUs += static_cast<double>(crossings) * t.hostLinkLatencyUs +
                             static_cast<double>(bytes) / (t.hostLinkGBps * 1e3); // GB/s = 1e3 bytes/us
    }
    return true;
  }

  bool isGraphTensor(const std::string &name) const {
    for (const std::vector<artifact::TensorSig> *sigs : {&a_->inputs, &a_->outputs})
      for (const artifact::TensorSig &s : *sigs)
        if (s.name == name)
          return true;
    return false;
  }

  const artifact::Artifact *a_ = nullptr;
  std::vector<Piece> pieces_;
};

} // namespace

std::unique_ptr<SegmentRunner> createSegmentRunner(const artifact::Artifact &a, std::string &error) {
  auto r = std::make_unique<Runner>();
  if (!r->prepare(a, error))
    return nullptr;
  return r;
}

} // namespace softnpu::api
