//===- SegmentRunner.cpp - Run a format-3 artifact segment by segment -----===//
#include "SegmentRunner.h"

#include "SimulatorDevice.h"

#include "softnpu/Bytes.h"
#include "softnpu/host/HostExecutor.h"
#include "softnpu/timing/CostModel.h"
#include "softnpu/timing/HostCost.h"

#include <algorithm>
#include <cstring>

namespace softnpu::api {

namespace {

using host::HostTensor;

HostTensor toHost(const Tensor &t) {
  HostTensor h(t.dtype, t.shape);
  if (t.dtype == artifact::DType::F32)
    copyBytes(h.bytes.data(), t.data.data(), h.bytes.size());
  else
    copyBytes(h.bytes.data(), t.bytes.data(), h.bytes.size());
  return h;
}

/// A float32 tensor of `shape` holding the values of `h` (float32).
Tensor float32Tensor(std::vector<int64_t> shape, const HostTensor &h) {
  Tensor t;
  t.shape = std::move(shape);
  t.data.resize(h.bytes.size() / 4);
  copyBytes(t.data.data(), h.bytes.data(), h.bytes.size());
  return t;
}

Tensor fromHost(HostTensor &&h) {
  if (h.dtype == artifact::DType::F32)
    return float32Tensor(std::move(h.shape), h);
  Tensor t;
  t.dtype = h.dtype;
  t.shape = std::move(h.shape);
  t.bytes = std::move(h.bytes);
  return t;
}

/// The profile's tracks for a segmented model: the NPU's units, then the
/// host CPU running host segments.
constexpr const char *kHostCpuTrack = "host cpu";

void startProfile(timing::Profile &p, const target::Target &t) {
  p = timing::Profile();
  p.target = t.name;
  p.clockMHz = t.clockMHz;
  p.peakMacsPerCycle = static_cast<uint64_t>(t.nativeDim) * t.tileEngines * t.lanes;
  for (unsigned k = 0; k <= timing::numUnits(t); ++k)
    p.tracks.push_back(timing::trackName(k));
  p.tracks.push_back(kHostCpuTrack);
  p.busy.assign(p.tracks.size(), 0);
}

/// Appends `p` (one NPU segment's profile) to `total`, its timeline starting
/// at cycle `at` of the model's.
void appendProfile(timing::Profile &total, const timing::Profile &p, uint64_t at) {
  const uint32_t nodeBase = static_cast<uint32_t>(total.nodes.size());
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
    n.first += at;
    n.last += at;
    n.busy.resize(total.tracks.size(), 0);
    total.nodes.push_back(std::move(n));
  }
  for (timing::Profile::Event e : p.events) {
    e.node += nodeBase;
    e.begin += at;
    e.end += at;
    total.events.push_back(e);
  }
}

/// A host segment's nodes on the host cpu track (for --trace), from cycle
/// `at`; returns the cycle after the last.
uint64_t appendHostNodes(timing::Profile &total, const std::vector<host::NodeTime> &times, const target::Target &t,
                         uint64_t at) {
  const unsigned track = static_cast<unsigned>(total.tracks.size() - 1);
  for (const host::NodeTime &n : times) {
    const double us = timing::hostUs(t, n.macs, n.elementOps);
    const uint64_t cycles = std::max<uint64_t>(1, static_cast<uint64_t>(us * t.clockMHz + 0.5));
    timing::NodeProfile node;
    node.name = n.node;
    node.macs = n.macs;
    node.first = at;
    node.last = at + cycles;
    node.busy.assign(total.tracks.size(), 0);
    node.busy[track] = cycles;
    total.events.push_back({static_cast<uint32_t>(total.nodes.size()), track, at, at + cycles});
    total.nodes.push_back(std::move(node));
    total.busy[track] += cycles;
    total.hostUs += us;
    total.hostWallUs += n.seconds * 1e6;
    at += cycles;
  }
  return at;
}

/// The first node of `g` or of its subgraphs (Loop's body, ...) the host
/// has no kernel for, or nullptr.
const host::HostNode *nodeWithoutKernel(const host::HostGraph &g) {
  for (const host::HostNode &n : g.nodes) {
    if (!host::hasHostKernel(n.opType))
      return &n;
    for (const auto &[name, a] : n.attrs)
      if (a.graph)
        if (const host::HostNode *inner = nodeWithoutKernel(*a.graph))
          return inner;
  }
  return nullptr;
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
        // Values cross segments as tensors; a segment whose boundary is a
        // sequence or an optional could not be run.
        for (const auto *decls : {&g->inputs, &g->outputs})
          for (const host::ValueDecl &d : *decls)
            if (d.type.kind == host::ValueType::Kind::Sequence || d.type.kind == host::ValueType::Kind::Optional) {
              error = "segment " + std::to_string(i) + " (host): " + (decls == &g->inputs ? "input '" : "output '") +
                      d.name + "' is " + host::typeText(d.type) + "; values between segments must be tensors";
              return false;
            }
        if (const host::HostNode *n = nodeWithoutKernel(*g)) {
          error = "segment " + std::to_string(i) + " (host): node '" + n->name + "' (" + n->opType +
                  "): this runtime has no host kernel for the op";
          return false;
        }
        p.graph = std::make_unique<host::HostGraph>(std::move(*g));
        p.program = std::make_unique<host::HostProgram>(*p.graph);
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
    if (profile)
      startProfile(*profile, a.target);
    cursor_ = 0;
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const std::string id = "segment " + std::to_string(i);
      if (pieces_[i].device) {
        if (!runNpu(*a.segments[i].npu, *pieces_[i].device, values, error, nodeTensors, profile)) {
          error = id + " (NPU): " + error;
          return false;
        }
      } else {
        std::vector<host::NodeTime> times;
        if (!pieces_[i].program->run(values, error, profile ? &times : nullptr))
          return false; // the message names the node
        if (profile)
          cursor_ = appendHostNodes(*profile, times, a.target, cursor_);
      }
    }
    if (profile)
      profile->timelineCycles = cursor_;
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
    std::unique_ptr<Device> device;             ///< NPU segment
    std::unique_ptr<host::HostGraph> graph;     ///< host segment
    std::unique_ptr<host::HostProgram> program; ///< runs `graph`
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
      ins.push_back(float32Tensor(it->second.shape, it->second)); // one copy, the value stays
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
      // The device charged the network queues for all its inputs and
      // outputs; only the model's own go through them.
      segProfile.networkPieces = segProfile.networkCycles = 0;
      for (const std::vector<artifact::TensorSig> *sigs : {&npu.inputs, &npu.outputs})
        for (const artifact::TensorSig &sig : *sigs)
          if (isGraphTensor(sig.name)) {
            const timing::NetworkTransfer n = timing::networkTransfer(npu.target, sig.numElements());
            segProfile.networkPieces += n.pieces;
            segProfile.networkCycles += n.cycles;
          }
      appendProfile(*profile, segProfile, cursor_);
      const target::Target &t = npu.target;
      const double transferUs = static_cast<double>(crossings) * t.hostLinkLatencyUs +
                                static_cast<double>(bytes) / (t.hostLinkGBps * 1e3); // GB/s = 1e3 bytes/us
      profile->transfers += crossings;
      profile->transferUs += transferUs;
      // The timeline: the segment, then its transfers (on no unit's track).
      cursor_ += segProfile.cycles + static_cast<uint64_t>(transferUs * t.clockMHz + 0.5);
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
  uint64_t cursor_ = 0; ///< the profile's timeline, in cycles: NPU, transfers and host one after another
};

} // namespace

std::unique_ptr<SegmentRunner> createSegmentRunner(const artifact::Artifact &a, std::string &error) {
  auto r = std::make_unique<Runner>();
  if (!r->prepare(a, error))
    return nullptr;
  return r;
}

} // namespace softnpu::api
