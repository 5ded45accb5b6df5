//===- SessionBindings.cpp - softnpu.InferenceSession ---------------------===//
//
// onnxruntime's InferenceSession shape over api::Session: run() converts the
// feed while holding the GIL, then runs with it released, so several Python
// threads may run one session at once (api::Session gives each concurrent
// run its own simulator state). Reports are the tools' own: the profile is
// npu-run --profile --report=json, the trace npu-run --trace, the layer
// report npu-run --layer-report's JSON.
//
//===----------------------------------------------------------------------===//
#include "Bindings.h"
#include "NumpyTensors.h"
#include "PathArg.h"
#include "PyErrors.h"

#include "LayerReport.h"
#include "TargetCheck.h"
#include "TensorArgs.h"

#include "softnpu/timing/ProfileReport.h"

#include <pybind11/stl.h>

#include <fstream>

namespace py = pybind11;

namespace softnpu::python {

namespace {

class PySession {
public:
  PySession(const py::object &model, const py::object &targetSpec) {
    std::string error;
    if (py::isinstance<PyArtifact>(model)) {
      const PyArtifact &p = model.cast<const PyArtifact &>();
      name_ = "<artifact>";
      artifact_ = p;
      model_ = guarded([&] { return api::Model::fromArtifact(p.artifact, error); });
    } else {
      if (!isPath(model))
        raise("InferenceSession takes a .npu path or a softnpu.Artifact, got " + py::repr(model).cast<std::string>());
      name_ = pathArg(model);
      model_ = guarded([&] { return api::Model::load(name_, error); });
    }
    if (!model_)
      raise(error);
    if (!artifact_.artifact)
      artifact_.artifact = std::shared_ptr<const artifact::Artifact>(model_, &model_->artifact());
    if (!targetSpec.is_none()) {
      const target::Target expected = targetArg(targetSpec);
      const std::string spec =
          py::isinstance<PyTarget>(targetSpec) ? expected.name : py::str(targetSpec).cast<std::string>();
      if (!tools::checkTarget(model_->artifact(), name_, expected, spec, error))
        raise(error);
    }
    session_ = guarded([&] { return api::Session::create(*model_, error); });
    if (!session_)
      raise(name_ + ": " + error);
  }

  const artifact::Artifact &artifact() const { return model_->artifact(); }
  const PyArtifact &pyArtifact() const { return artifact_; }

  /// One run. Outputs keyed by name; node tensors and profile when asked.
  TensorMap runOnce(const py::dict &feed, TensorMap *nodes = nullptr, timing::Profile *profile = nullptr) {
    TensorMap inputs = tensorsFromFeed(feed, artifact()), outputs;
    std::string error;
    bool ok;
    {
      py::gil_scoped_release released;
      ok = session_->run(inputs, outputs, error, nodes, profile);
    }
    if (!ok)
      raise(error);
    return outputs;
  }

  /// The outputs `names` asks for (None: all, in the model's order).
  py::list pick(const py::object &names, const TensorMap &outputs) const {
    std::vector<std::string> wanted;
    if (names.is_none()) {
      for (const artifact::TensorSig &s : artifact().outputs)
        wanted.push_back(s.name);
    } else {
      if (py::isinstance<py::str>(names))
        raise("output_names must be a list of output names or None");
      for (const py::handle &n : py::iter(names))
        wanted.push_back(py::str(n).cast<std::string>());
    }
    py::list out;
    for (const std::string &n : wanted) {
      auto it = outputs.find(n);
      if (it == outputs.end())
        raise("'" + n + "' is not an output of " + name_ + " (outputs: " + tools::namesText(artifact().outputs) + ")");
      out.append(arrayFromTensor(it->second));
    }
    return out;
  }

  py::list run(const py::object &names, const py::dict &feed) { return pick(names, runOnce(feed)); }

  py::tuple runWithProfile(const py::object &names, const py::dict &feed) {
    timing::Profile profile;
    TensorMap outputs = runOnce(feed, nullptr, &profile);
    py::object report = py::module_::import("json").attr("loads")(timing::profileJson(profile));
    return py::make_tuple(pick(names, outputs), report);
  }

  void trace(const std::string &path, const py::dict &feed) {
    timing::Profile profile;
    runOnce(feed, nullptr, &profile);
    const std::string text = timing::chromeTrace(profile);
    std::ofstream f(path, std::ios::binary);
    if (f)
      f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!f)
      raise("cannot write trace file '" + path + "'");
  }

  py::object layerReport(PySession &reference, const py::dict &feed) {
    std::string error;
    if (!tools::sameSignature(artifact(), reference.artifact(), error))
      raise("the reference " + reference.name_ + " does not match " + name_ + ": " + error);
    tools::LayerReport report(artifact(), reference.artifact());
    TensorMap nodes, refNodes;
    const TensorMap outputs = runOnce(feed, &nodes);
    const TensorMap refOutputs = reference.runOnce(feed, &refNodes);
    report.add(nodes, outputs, refNodes, refOutputs);
    return py::module_::import("json").attr("loads")(report.json(name_, reference.name_));
  }

private:
  std::string name_; ///< the path, or "<artifact>": how messages name the model
  PyArtifact artifact_;
  std::shared_ptr<api::Model> model_;
  std::unique_ptr<api::Session> session_;
};

} // namespace

void bindSessions(py::module_ &m) {
  py::class_<PySession>(m, "InferenceSession",
                        "Runs a compiled model on the bit-accurate NPU simulator, with onnxruntime's interface. "
                        "run() releases the GIL; one session may be used from several threads at once.")
      .def(py::init<const py::object &, const py::object &>(), py::arg("path_or_artifact"),
           py::arg("target") = py::none(),
           "A .npu path or a softnpu.Artifact. With `target` (preset name, JSON file or softnpu.Target), an "
           "artifact compiled for another target is refused, as npu-run --target does.")
      .def("get_inputs", [](const PySession &s) { return nodeArgs(s.artifact().inputs); })
      .def("get_outputs", [](const PySession &s) { return nodeArgs(s.artifact().outputs); })
      .def_property_readonly("artifact", &PySession::pyArtifact)
      .def(
          "run",
          [](PySession &s, const py::object &names, const py::dict &feed) {
            return guarded([&] { return s.run(names, feed); });
          },
          py::arg("output_names"), py::arg("input_feed"),
          "Runs once: input_feed is {name: numpy array}; returns the outputs named in output_names (None: all) "
          "as numpy arrays.")
      .def(
          "run_with_profile",
          [](PySession &s, const py::object &names, const py::dict &feed) {
            return guarded([&] { return s.runWithProfile(names, feed); });
          },
          py::arg("output_names"), py::arg("input_feed"),
          "As run(), and also the cycle profile of the run (npu-run --profile --report=json) as a dict: "
          "(outputs, profile).")
      .def(
          "trace",
          [](PySession &s, const py::object &path, const py::dict &feed) {
            const std::string p = pathArg(path);
            guarded([&] { s.trace(p, feed); });
          },
          py::arg("path"), py::arg("input_feed"),
          "Runs once and writes the Chrome trace of the run (npu-run --trace) to path.")
      .def(
          "layer_report",
          [](PySession &s, PySession &ref, const py::dict &feed) {
            return guarded([&] { return s.layerReport(ref, feed); });
          },
          py::arg("reference_session"), py::arg("input_feed"),
          "Runs this session and the reference (the same model compiled with precision='fp32', both with "
          "keep_intermediates=True for every node) on input_feed; returns npu-run --layer-report's JSON as a "
          "dict: per-node SNR, max error and reference RMS.");
}

} // namespace softnpu::python
