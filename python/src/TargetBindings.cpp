//===- TargetBindings.cpp - softnpu.Target, softnpu.list_targets ----------===//
//
// The fields of a Target are the keys of its canonical JSON (docs/targets.md),
// read through the JSON so the list of fields stays in Target.cpp alone.
//
//===----------------------------------------------------------------------===//
#include "Bindings.h"
#include "PathArg.h"
#include "PyErrors.h"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace softnpu::python {

namespace {

/// The fields of `t`, parsed once. Callers hand out copies (fieldCopy), so
/// the cache stays what the target says.
py::dict fieldsOf(PyTarget &t) {
  if (!t.fields)
    t.fields = py::module_::import("json").attr("loads")(t.target.toJson(true));
  return py::reinterpret_borrow<py::dict>(t.fields);
}

/// A copy a caller may change: lists and dicts (.latencies) are deep-copied.
py::object fieldCopy(const py::handle &value) {
  if (py::isinstance<py::dict>(value) || py::isinstance<py::list>(value))
    return py::module_::import("copy").attr("deepcopy")(value);
  return py::reinterpret_borrow<py::object>(value);
}

} // namespace

target::Target targetArg(const py::object &spec) {
  if (spec.is_none())
    return *target::Target::preset(target::defaultTargetName());
  if (py::isinstance<PyTarget>(spec))
    return spec.cast<const PyTarget &>().target;
  if (!isPath(spec))
    raise("target must be a preset name, a JSON file or a softnpu.Target, got " + py::repr(spec).cast<std::string>());
  const std::string name = pathArg(spec);
  std::string error;
  std::optional<target::Target> t = target::Target::load(name, error);
  if (!t)
    raise(error);
  return *t;
}

void bindTargets(py::module_ &m) {
  m.def("list_targets", [] { return target::presetNames(); }, "The names of the target presets.");
  m.attr("DEFAULT_TARGET") = target::defaultTargetName();

  py::class_<PyTarget>(m, "Target",
                       "A target description (docs/targets.md), read-only. Every JSON field is an attribute: "
                       "Target('tiny').native_dim, .weight_format, .latencies, ...")
      .def(py::init([](const py::object &spec) { return PyTarget{targetArg(spec), py::object()}; }),
           py::arg("name_or_path"), "A preset name (softnpu.list_targets()) or a target JSON file.")
      .def_property_readonly(
          "fields", [](PyTarget &t) { return fieldCopy(fieldsOf(t)); }, "Every field, as a dict (a new copy).")
      .def(
          "to_json", [](const PyTarget &t) { return t.target.toJson(); }, "The canonical JSON text.")
      .def_property_readonly(
          "hash", [](const PyTarget &t) { return t.target.hash(); }, "The hash artifacts are checked against.")
      .def("__getattr__",
           [](PyTarget &t, const std::string &field) -> py::object {
             py::dict fields = fieldsOf(t);
             if (!fields.contains(field))
               throw py::attribute_error("softnpu.Target has no field '" + field + "'");
             return fieldCopy(fields[py::str(field)]);
           })
      .def("__dir__",
           [](PyTarget &t) {
             py::list names;
             for (const auto &kv : fieldsOf(t))
               names.append(kv.first);
             for (const char *own : {"fields", "to_json", "hash"})
               names.append(own);
             return names;
           })
      .def("__eq__", [](const PyTarget &a, const PyTarget &b) { return a.target.hash() == b.target.hash(); })
      .def("__hash__", [](const PyTarget &t) { return t.target.hash(); })
      .def("__repr__", [](const PyTarget &t) { return "softnpu.Target('" + t.target.name + "')"; });
}

} // namespace softnpu::python
