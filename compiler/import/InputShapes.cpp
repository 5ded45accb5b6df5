//===- InputShapes.cpp - --input-shape and dynamic input dimensions -------===//
#include "compiler/import/InputShapes.h"

#include <onnx/onnx_pb.h>

#include <set>
#include <stdexcept>

namespace softnpu::import {

namespace {

std::string joinDims(const std::vector<std::string> &dims) {
  std::string s;
  for (const std::string &d : dims)
    s += (s.empty() ? "" : "x") + d;
  return s;
}

/// "--input-shape NAME=1x3x<h>x<w>": the input's dims as the model states
/// them, a dynamic one as <its name> (or <?>).
std::string flagFor(const onnx::ValueInfoProto &vi) {
  std::vector<std::string> dims;
  for (const auto &d : vi.type().tensor_type().shape().dim())
    dims.push_back(d.has_dim_value()       ? std::to_string(d.dim_value())
                   : d.dim_param().empty() ? "<?>"
                                           : "<" + d.dim_param() + ">");
  return "--input-shape " + vi.name() + "=" + joinDims(dims);
}

std::string dimName(const onnx::TensorShapeProto_Dimension &d) {
  return d.dim_param().empty() ? "" : " ('" + d.dim_param() + "')";
}

} // namespace

bool parseInputShape(const std::string &spec, InputShapes &shapes, std::string &error) {
  const size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0) {
    error = "--input-shape '" + spec + "': expected NAME=DIMS, e.g. x=1x3x224x224";
    return false;
  }
  const std::string name = spec.substr(0, eq), dims = spec.substr(eq + 1);
  std::vector<int64_t> shape;
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t end = dims.find_first_of("x,", pos);
    if (end == std::string::npos)
      end = dims.size();
    const std::string d = dims.substr(pos, end - pos);
    int64_t v = 0;
    bool ok = !d.empty() && d.size() <= 12;
    for (char c : d) {
      ok = ok && c >= '0' && c <= '9';
      v = v * 10 + (c - '0');
    }
    if (!ok || v <= 0) {
      error = "--input-shape '" + spec + "': dimension '" + d + "' is not a positive integer";
      return false;
    }
    shape.push_back(v);
    pos = end + 1;
    if (end + 1 == dims.size()) {
      error = "--input-shape '" + spec + "': ends with a separator";
      return false;
    }
  }
  if (!shapes.emplace(name, shape).second) {
    error = "--input-shape gives input '" + name + "' twice";
    return false;
  }
  return true;
}

void fixInputShapes(onnx::ModelProto &model, const InputShapes &shapes, std::vector<std::string> &notes) {
  onnx::GraphProto *g = model.mutable_graph();
  std::set<std::string> initializers, inputs;
  for (const auto &t : g->initializer())
    initializers.insert(t.name());
  for (const onnx::ValueInfoProto &vi : g->input())
    if (!initializers.count(vi.name()) && vi.type().has_tensor_type())
      inputs.insert(vi.name());
  for (const auto &[name, dims] : shapes)
    if (!inputs.count(name)) {
      std::string list;
      for (const std::string &n : inputs)
        list += (list.empty() ? "" : ", ") + n;
      throw std::runtime_error("--input-shape names '" + name + "', which is not a graph input (inputs: " + list + ")");
    }
  for (onnx::ValueInfoProto &vi : *g->mutable_input()) {
    if (!inputs.count(vi.name()))
      continue;
    onnx::TypeProto_Tensor *tt = vi.mutable_type()->mutable_tensor_type();
    auto given = shapes.find(vi.name());
    if (given != shapes.end()) {
      const std::vector<int64_t> &dims = given->second;
      if (tt->has_shape() && static_cast<size_t>(tt->shape().dim_size()) != dims.size())
        throw std::runtime_error("--input-shape gives input '" + vi.name() + "' " + std::to_string(dims.size()) +
                                 " dimensions; the model says " + std::to_string(tt->shape().dim_size()));
      for (size_t i = 0; tt->has_shape() && i < dims.size(); ++i) {
        const auto &d = tt->shape().dim(static_cast<int>(i));
        if (d.has_dim_value() && d.dim_value() != dims[i])
          throw std::runtime_error("--input-shape gives input '" + vi.name() + "' dimension " + std::to_string(i) +
                                   " = " + std::to_string(dims[i]) + "; the model fixes it at " +
                                   std::to_string(d.dim_value()));
      }
      onnx::TensorShapeProto *shape = tt->mutable_shape();
      shape->clear_dim();
      for (int64_t d : dims)
        shape->add_dim()->set_dim_value(d);
      continue;
    }
    if (!tt->has_shape())
      throw std::runtime_error("input '" + vi.name() + "' has no shape in the model; give it with --input-shape " +
                               vi.name() + "=DIMS");
    for (int i = 0; i < tt->shape().dim_size(); ++i) {
      const auto &d = tt->shape().dim(i);
      if (d.has_dim_value())
        continue;
      if (i != 0)
        throw std::runtime_error("input '" + vi.name() + "' dimension " + std::to_string(i) + dimName(d) +
                                 " is dynamic; give its size with " + flagFor(vi));
    }
    if (tt->shape().dim_size() > 0 && !tt->shape().dim(0).has_dim_value()) {
      notes.push_back("input '" + vi.name() + "' has a dynamic leading dimension" + dimName(tt->shape().dim(0)) +
                      "; using 1 (set it with " + flagFor(vi) + ")");
      tt->mutable_shape()->mutable_dim(0)->set_dim_value(1);
    }
  }
}

} // namespace softnpu::import
