//===- SimulatorDevice.cpp - api::Device implemented by the simulator -----===//
//
// prepare() builds a sim::Simulator (pins matrices, loads DRAM initialisers);
// execute() resets it, copies the inputs to their DRAM addresses, runs the
// program and copies the outputs back. Shapes were checked by the Session.
//
//===----------------------------------------------------------------------===//
#include "SimulatorDevice.h"

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
    return true;
  }

  bool execute(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs,
               std::string &error) override {
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
      if (!sim_->writeDram(sig.dramAddr, inputs[i]->data.data(), inputs[i]->data.size(), why)) {
        error = "input '" + sig.name + "': " + why;
        return false;
      }
    }
    if (!sim_->run(error))
      return false;
    outputs.resize(outputs_.size());
    for (size_t i = 0; i < outputs_.size(); ++i) {
      const artifact::TensorSig &sig = outputs_[i];
      Tensor &t = outputs[i];
      t.shape = sig.shape;
      t.data.resize(sig.numElements());
      std::string why;
      if (!sim_->readDram(sig.dramAddr, t.data.data(), t.data.size(), why)) {
        error = "output '" + sig.name + "': " + why;
        return false;
      }
    }
    return true;
  }

private:
  std::unique_ptr<sim::Simulator> sim_;
  std::vector<artifact::TensorSig> inputs_, outputs_;
};

} // namespace

std::unique_ptr<Device> createSimulatorDevice() { return std::make_unique<SimulatorDevice>(); }

} // namespace softnpu::api
