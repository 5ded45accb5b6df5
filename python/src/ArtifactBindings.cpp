//===- ArtifactBindings.cpp - softnpu.compile, softnpu.Artifact -----------===//
//
// compile() runs driver::compileOnnx, the compile npu-compile runs, with the
// GIL released. A model given as bytes or an onnx.ModelProto is written to a
// private temporary file first (the importer maps files); messages name it
// "<model bytes>".
//
//===----------------------------------------------------------------------===//
#include "Bindings.h"
#include "NumpyTensors.h"
#include "PathArg.h"
#include "PyErrors.h"

#include "compiler/driver/Driver.h"
#include "softnpu/artifact/ArtifactIO.h"

#include <pybind11/stl.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace py = pybind11;

namespace softnpu::python {

std::vector<NodeArg> nodeArgs(const std::vector<artifact::TensorSig> &sigs) {
  std::vector<NodeArg> out;
  for (const artifact::TensorSig &s : sigs)
    out.push_back(NodeArg{s.name, s.shape, onnxTypeName(s.dtype)});
  return out;
}

namespace {

constexpr const char *kBytesName = "<model bytes>";

/// A model file that exists for one compile: the caller's path, or the
/// bytes written to a temporary file that goes away with this object.
class ModelFile {
public:
  explicit ModelFile(const py::object &model) {
    py::object bytes = model;
    if (py::hasattr(model, "SerializeToString")) // an onnx.ModelProto
      bytes = model.attr("SerializeToString")();
    if (py::isinstance<py::bytearray>(bytes) || py::isinstance<py::memoryview>(bytes))
      bytes = py::module_::import("builtins").attr("bytes")(bytes);
    if (py::isinstance<py::bytes>(bytes)) {
      writeTemporary(std::string(py::bytes(bytes)));
      return;
    }
    if (!isPath(model))
      raise("model must be a path, bytes or an onnx.ModelProto, got " + py::repr(model).cast<std::string>());
    path_ = pathArg(model);
    name_ = std::filesystem::path(path_).filename().string();
  }
  ~ModelFile() {
    if (temporary_)
      std::remove(path_.c_str());
  }
  ModelFile(const ModelFile &) = delete;
  ModelFile &operator=(const ModelFile &) = delete;

  const std::string &path() const { return path_; }
  /// The file name the artifact's producer records.
  const std::string &name() const { return name_; }
  /// `message` with the temporary file's path replaced by "<model bytes>".
  std::string shown(std::string message) const {
    if (temporary_)
      for (size_t at; (at = message.find(path_)) != std::string::npos;)
        message.replace(at, path_.size(), kBytesName);
    return message;
  }

private:
  void writeTemporary(const std::string &bytes) {
    std::string pattern = (std::filesystem::temp_directory_path() / "softnpu-model-XXXXXX.onnx").string();
    const int fd = ::mkstemps(pattern.data(), 5);
    if (fd < 0)
      raise("cannot create a temporary file for the model in " + std::filesystem::temp_directory_path().string());
    ::close(fd);
    path_ = pattern;
    name_ = kBytesName;
    temporary_ = true;
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out)
      raise("cannot write the model to the temporary file " + path_);
  }

  std::string path_, name_;
  bool temporary_ = false;
};

/// "NAME=D0xD1" from a shape given as a sequence of ints or as "D0xD1".
std::string inputShapeSpec(const std::string &name, const py::handle &dims) {
  if (py::isinstance<py::str>(dims))
    return name + "=" + dims.cast<std::string>();
  std::string spec = name + "=";
  bool first = true;
  for (const py::handle &d : py::iter(dims)) {
    spec += (first ? "" : "x") + py::str(d).cast<std::string>();
    first = false;
  }
  return spec;
}

/// PATTERN=VALUE strings from a dict {pattern: value} or a list of strings.
std::vector<std::string> assignments(const py::object &arg, const char *what) {
  std::vector<std::string> out;
  if (arg.is_none())
    return out;
  if (py::isinstance<py::dict>(arg)) {
    for (const auto &[k, v] : arg.cast<py::dict>())
      out.push_back(py::str(k).cast<std::string>() + "=" + py::str(v).cast<std::string>());
    return out;
  }
  if (py::isinstance<py::str>(arg))
    raise(std::string(what) + " must be a dict {pattern: value} or a list of 'PATTERN=VALUE' strings");
  for (const py::handle &s : py::iter(arg))
    out.push_back(py::str(s).cast<std::string>());
  return out;
}

/// driver::compileOnnx without the GIL: the first error, the warnings and
/// notes are collected for the caller to raise or show.
std::optional<artifact::Artifact> guardedCompile(const std::string &path, const target::Target &target,
                                                 const driver::CompileOptions &opts, std::string &firstError,
                                                 std::vector<std::string> &warnings, std::vector<std::string> &notes) {
  try {
    return driver::compileOnnx(path, target, opts, [&](driver::Severity s, const std::string &message) {
      if (s == driver::Severity::Error && firstError.empty())
        firstError = message;
      else if (s == driver::Severity::Warning)
        warnings.push_back(message);
      else if (s == driver::Severity::Note)
        notes.push_back(message);
    });
  } catch (const std::bad_alloc &) {
    firstError = "out of host memory";
    return std::nullopt;
  }
}

PyArtifact compile(const py::object &model, const py::object &targetSpec, const std::optional<std::string> &precision,
                   const py::object &precisionFor, const py::object &inputShapes, const std::string &placement,
                   const py::object &place, bool keepIntermediates) {
  const target::Target target = targetArg(targetSpec);
  ModelFile file(model);
  driver::CompileOptions opts;
  opts.pipeline.precision = precision.value_or("");
  opts.pipeline.precisionFor = assignments(precisionFor, "precision_for");
  opts.pipeline.placement = placement;
  opts.pipeline.place = assignments(place, "place");
  opts.pipeline.keepIntermediates = keepIntermediates;
  opts.producer = std::string("softnpu-python ") + SOFTNPU_VERSION + " (" + file.name() + ")";
  if (!inputShapes.is_none()) {
    if (!py::isinstance<py::dict>(inputShapes))
      raise("input_shapes must be a dict {input name: shape}");
    std::string error;
    for (const auto &[name, dims] : inputShapes.cast<py::dict>())
      if (!import::parseInputShape(inputShapeSpec(py::str(name).cast<std::string>(), dims), opts.inputShapes, error))
        raise(error);
  }
  partition::PlacementReport report;
  opts.placementReport = &report;

  std::string firstError;
  std::vector<std::string> warnings, notes;
  std::optional<artifact::Artifact> a;
  {
    py::gil_scoped_release released;
    a = guardedCompile(file.path(), target, opts, firstError, warnings, notes);
  }
  py::object warn = py::module_::import("warnings").attr("warn");
  for (const std::string &w : warnings)
    warn(file.shown(w), py::module_::import("builtins").attr("UserWarning"), 2);
  if (!a)
    raise(file.shown(firstError.empty() ? file.path() + ": the compile failed" : firstError));
  report.model = file.name();
  PyArtifact out{std::make_shared<const artifact::Artifact>(std::move(*a)), report.json(), {}};
  for (const std::string &n : notes)
    out.notes.push_back(file.shown(n));
  return out;
}

/// The NPU segments of an artifact: itself, or its segments' NPU parts.
std::vector<const artifact::Artifact *> npuParts(const artifact::Artifact &a) {
  std::vector<const artifact::Artifact *> parts;
  if (!a.segmented())
    parts.push_back(&a);
  for (const artifact::Segment &s : a.segments)
    if (s.npu)
      parts.push_back(s.npu.get());
  return parts;
}

py::dict placementOf(const PyArtifact &p) {
  const artifact::Artifact &a = *p.artifact;
  py::dict d;
  size_t npu = npuParts(a).size();
  d["npu_segments"] = npu;
  d["host_segments"] = a.segmented() ? a.segments.size() - npu : 0;
  d["report"] = p.placementJson ? py::module_::import("json").attr("loads")(*p.placementJson) : py::none();
  return d;
}

py::dict sizesOf(const artifact::Artifact &a) {
  size_t instructions = 0, weightBytes = 0, dramBytes = 0;
  for (const artifact::Artifact *part : npuParts(a)) {
    instructions += part->program.size();
    weightBytes += part->weightImage.size();
    dramBytes += part->dramElements * 4;
  }
  py::dict d;
  d["instructions"] = instructions;
  d["weight_bytes"] = weightBytes;
  d["dram_bytes"] = dramBytes;
  d["file_bytes"] = artifact::serialize(a).size();
  return d;
}

py::list formatsOf(const artifact::Artifact &a) {
  std::set<std::pair<std::string, std::string>> seen;
  py::list out;
  for (const artifact::Artifact *part : npuParts(a))
    for (const artifact::FormatPair &f : part->formats)
      if (seen.emplace(f.weight.name(), f.input.name()).second) {
        py::dict d;
        d["weight"] = f.weight.name();
        d["input"] = f.input.name();
        out.append(d);
      }
  return out;
}

PyArtifact fromBytes(const std::vector<uint8_t> &bytes) {
  std::string error;
  std::optional<artifact::Artifact> a = artifact::deserialize(bytes, error);
  if (!a)
    raise(error);
  return PyArtifact{std::make_shared<const artifact::Artifact>(std::move(*a)), std::nullopt, {}};
}

} // namespace

void bindArtifacts(py::module_ &m) {
  py::class_<NodeArg>(m, "NodeArg", "A model input or output: name, shape and ONNX type, as in onnxruntime.")
      .def_readonly("name", &NodeArg::name)
      .def_readonly("shape", &NodeArg::shape)
      .def_readonly("type", &NodeArg::type)
      .def("__repr__", [](const NodeArg &n) {
        return "NodeArg(name='" + n.name + "', type='" + n.type +
               "', shape=" + py::repr(py::cast(n.shape)).cast<std::string>() + ")";
      });

  py::class_<PyArtifact>(m, "Artifact",
                         "A compiled model (.npu): the instruction stream, the weight image and, for models "
                         "partly on the host, the host segments.")
      .def_static(
          "load",
          [](const py::object &path) {
            const std::string p = pathArg(path);
            std::string error;
            std::optional<artifact::Artifact> a = guarded([&] { return artifact::readFile(p, error); });
            if (!a)
              raise(error);
            return PyArtifact{std::make_shared<const artifact::Artifact>(std::move(*a)), std::nullopt, {}};
          },
          py::arg("path"), "Reads and validates a .npu file.")
      .def_static(
          "from_bytes",
          [](const py::object &b) {
            if (!py::isinstance<py::bytes>(b) && !py::isinstance<py::bytearray>(b) &&
                !py::isinstance<py::memoryview>(b))
              raise("Artifact.from_bytes takes bytes, got " + py::repr(b).cast<std::string>());
            const std::string s = py::bytes(py::module_::import("builtins").attr("bytes")(b));
            return guarded([&] { return fromBytes(std::vector<uint8_t>(s.begin(), s.end())); });
          },
          py::arg("data"), "Parses and validates the bytes of a .npu file.")
      .def(
          "save",
          [](const PyArtifact &p, const py::object &path) {
            const std::string s = pathArg(path);
            std::string error;
            if (!artifact::writeFile(*p.artifact, s, error))
              raise(error);
          },
          py::arg("path"), "Writes the artifact to a .npu file.")
      .def("to_bytes",
           [](const PyArtifact &p) {
             const std::vector<uint8_t> b = artifact::serialize(*p.artifact);
             return py::bytes(reinterpret_cast<const char *>(b.data()), b.size());
           })
      .def_property_readonly("target", [](const PyArtifact &p) { return PyTarget{p.artifact->target, py::object()}; })
      .def_property_readonly("producer", [](const PyArtifact &p) { return p.artifact->producer; })
      .def_property_readonly("inputs", [](const PyArtifact &p) { return nodeArgs(p.artifact->inputs); })
      .def_property_readonly("outputs", [](const PyArtifact &p) { return nodeArgs(p.artifact->outputs); })
      .def_property_readonly(
          "formats", [](const PyArtifact &p) { return formatsOf(*p.artifact); },
          "The number formats of the NPU's matrices: [{'weight': ..., 'input': ...}, ...].")
      .def_property_readonly("placement", &placementOf,
                             "{'npu_segments', 'host_segments', 'report'}: the report is npu-compile "
                             "--placement-report's JSON as a dict, for an artifact compiled in this process.")
      .def_property_readonly(
          "sizes", [](const PyArtifact &p) { return sizesOf(*p.artifact); },
          "{'instructions', 'weight_bytes', 'dram_bytes', 'file_bytes'}.")
      .def_readonly("notes", &PyArtifact::notes, "The compiler's notes (compile() only).")
      .def("__repr__", [](const PyArtifact &p) {
        return "softnpu.Artifact(target='" + p.artifact->target.name + "', producer='" + p.artifact->producer + "')";
      });

  m.def(
      "compile",
      [](const py::object &model, const py::object &target, const std::optional<std::string> &precision,
         const py::object &precisionFor, const py::object &inputShapes, const std::string &placement,
         const py::object &place, bool keepIntermediates) {
        return guarded([&] {
          return compile(model, target, precision, precisionFor, inputShapes, placement, place, keepIntermediates);
        });
      },
      py::arg("model"), py::arg("target") = py::none(), py::arg("precision") = py::none(),
      py::arg("precision_for") = py::none(), py::arg("input_shapes") = py::none(), py::arg("placement") = "auto",
      py::arg("place") = py::none(), py::arg("keep_intermediates") = false,
      R"(Compiles an ONNX model for the NPU, as npu-compile does.

model: a path, bytes, or an onnx.ModelProto.
target: a preset name, a target JSON file or a softnpu.Target (default: softnpu.DEFAULT_TARGET).
precision: a number format for the whole model ('msfp15', 'bfp:m=7,k=8', 'fp32', ...).
precision_for: {'NODE-GLOB': 'FORMAT'} overrides, or a list of 'GLOB=FORMAT'.
input_shapes: {'input name': (1, 3, 224, 224)} or {'x': '1x3x224x224'} for dynamic dimensions.
placement: 'auto', 'npu' or 'host'; place: {'NODE-GLOB': 'host' | 'npu'} overrides.
keep_intermediates: keep every node's tensor in DRAM (for layer_report).
Returns a softnpu.Artifact; raises softnpu.Error with npu-compile's first error.)");
}

} // namespace softnpu::python
