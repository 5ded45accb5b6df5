//===- SimulatorDevice.cpp - api::Device implemented by the simulator -----===//
//
// prepare() builds a sim::Simulator (pins matrices, loads DRAM initialisers);
// execute() resets it, copies the inputs to their DRAM addresses, runs the
// program and copies the outputs back (and, on request, the tensor of every
// Artifact::tensors record, and the cycle profile: every chain and standalone
// instruction goes to a timing::Profiler tagged with its ONNX node). Shapes
// were checked by the Session.
//
//===----------------------------------------------------------------------===//
#include "SimulatorDevice.h"

#include "softnpu/timing/CostModel.h"

#include "softnpu/sim/Simulator.h"

namespace softnpu::api {

namespace {

class SimulatorDevice final : public Device {
public:
  bool prepare(const artifact::Artifact &a, std::string &error) override {
    sim_ = sim::Simulator::create(a, error);
    if (!sim_)
      return false;
    inputs_ = a.inputs;
    outputs_ = a.outputs;
    records_ = a.tensors;
    instNode_ = a.instNode;
    profiler_ = std::make_unique<timing::Profiler>(a.target, a.nodeNames);
    target_ = a.target;
    return true;
  }

  bool execute(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs, std::string &error,
               std::vector<Tensor> *nodeTensors, timing::Profile *profile) override {
    if (!sim_) {
      error = "device is not prepared";
      return false;
    }
    if (inputs.size() != inputs_.size()) {
      error = "expected " + std::to_string(inputs_.size()) + " inputs, got " + std::to_string(inputs.size());
      return false;
    }
    sim_->reset();
    for (size_t i = 0; i < inputs.size(); ++i) {
      const artifact::TensorSig &sig = inputs_[i];
      if (!inputs[i] || inputs[i]->data.size() != sig.numElements()) {
        error = "input '" + sig.name + "' needs " + std::to_string(sig.numElements()) + " values";
        return false;
      }
      std::string why;
      const float *data = inputs[i]->data.data();
      if (!sig.dramPerm.empty()) { // the layout change at the boundary (docs/artifact-format.md)
        scratch_.resize(inputs[i]->data.size());
        artifact::permuteAxes(data, scratch_.data(), sig.shape, sig.dramPerm, /*inverse=*/false);
        data = scratch_.data();
      }
      if (!sim_->writeDram(sig.dramAddr, data, inputs[i]->data.size(), why)) {
        error = "input '" + sig.name + "': " + why;
        return false;
      }
    }
    if (profile) {
      profiler_->reset();
      sim_->setWorkObserver([this](const sim::WorkEvent &e) {
        profiler_->add(*e.work, e.begin < instNode_.size() ? instNode_[e.begin] : timing::kNoNode);
      });
    }
    const bool ran = sim_->run(error);
    if (profile) {
      sim_->setWorkObserver(nullptr);
      *profile = profiler_->profile();
      for (const std::vector<artifact::TensorSig> *sigs : {&inputs_, &outputs_})
        for (const artifact::TensorSig &sig : *sigs) {
          const timing::NetworkTransfer n = timing::networkTransfer(target_, sig.numElements());
          profile->networkPieces += n.pieces;
          profile->networkCycles += n.cycles;
        }
    }
    if (!ran)
      return false;
    outputs.resize(outputs_.size());
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const artifact::TensorSig &sig = outputs_[i];
      Tensor &t = outputs[i];
      t.shape = sig.shape;
      t.data.resize(sig.numElements());
      std::string why;
      float *dest = t.data.data();
      if (!sig.dramPerm.empty()) {
        scratch_.resize(t.data.size());
        dest = scratch_.data();
      }
      if (!sim_->readDram(sig.dramAddr, dest, t.data.size(), why)) {
        error = "output '" + sig.name + "': " + why;
        return false;
      }
      if (!sig.dramPerm.empty())
        artifact::permuteAxes(scratch_.data(), t.data.data(), sig.shape, sig.dramPerm, /*inverse=*/true);
    }
    if (nodeTensors)
      return readRecords(*nodeTensors, error);
    return true;
  }

private:
  bool readRecords(std::vector<Tensor> &tensors, std::string &error) const {
    tensors.resize(records_.size());
    for (size_t i = 0; i < records_.size(); ++i) {
      const artifact::TensorRecord &r = records_[i];
      uint64_t count = 1;
      for (int64_t d : r.shape) {
        if (d < 0 || (d > 0 && count > sim_->dramElements() / static_cast<uint64_t>(d))) {
          error = "tensor record " + std::to_string(i) + " has an invalid shape";
          return false;
        }
        count *= static_cast<uint64_t>(d);
      }
      tensors[i].shape = r.shape;
      tensors[i].data.resize(count);
      std::string why;
      if (!sim_->readDram(r.dramAddr, tensors[i].data.data(), tensors[i].data.size(), why)) {
        error = "tensor record " + std::to_string(i) + ": " + why;
        return false;
      }
    }
    return true;
  }

  std::unique_ptr<sim::Simulator> sim_;
  std::vector<artifact::TensorSig> inputs_, outputs_;
  std::vector<float> scratch_; ///< an input or output on its way through a DRAM permutation
  std::vector<artifact::TensorRecord> records_;
  std::vector<uint32_t> instNode_;
  std::unique_ptr<timing::Profiler> profiler_;
  target::Target target_;
};

} // namespace

std::unique_ptr<Device> createSimulatorDevice() { return std::make_unique<SimulatorDevice>(); }

} // namespace softnpu::api
