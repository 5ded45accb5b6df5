//===- Session.h - Public C++ API: load an artifact, run it ---------------===//
//
//   std::string err;
//   auto model = softnpu::api::Model::load("model.npu", err);
//   auto session = softnpu::api::Session::create(*model, err);   // simulator
//   std::map<std::string, softnpu::api::Tensor> outs;
//   session->run({{"input", tensor}}, outs, err);
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_API_SESSION_H
#define SOFTNPU_API_SESSION_H

#include "softnpu/artifact/Artifact.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace softnpu::api {

/// A dense row-major fp32 tensor.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// A loaded, validated artifact.
class Model {
public:
  static std::unique_ptr<Model> load(const std::string &path, std::string &error);
  static std::unique_ptr<Model> fromArtifact(artifact::Artifact a);
  const artifact::Artifact &artifact() const { return art_; }

private:
  artifact::Artifact art_;
};

/// Something that executes NPU segments: the simulator today, a board driver
/// later. A device is bound to one model.
class Device {
public:
  virtual ~Device() = default;
  /// Pins the model's constant matrices and DRAM initialisers.
  virtual bool prepare(const artifact::Artifact &a, std::string &error) = 0;
  /// Copies inputs into DRAM (in signature order), runs the program, copies
  /// outputs out.
  virtual bool execute(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs,
                       std::string &error) = 0;
};

class Session {
public:
  /// Creates a session on the bit-accurate simulator.
  static std::unique_ptr<Session> create(const Model &model, std::string &error);
  /// Checks names and shapes of `inputs` against the signature (every input
  /// present, no unknown names, exact shape) and runs. Outputs keyed by name.
  bool run(const std::map<std::string, Tensor> &inputs, std::map<std::string, Tensor> &outputs,
           std::string &error);
  const Model &model() const { return *model_; }

private:
  const Model *model_ = nullptr;
  std::unique_ptr<Device> device_;
};

} // namespace softnpu::api

#endif
