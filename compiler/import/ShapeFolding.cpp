//===- ShapeFolding.cpp - Evaluating int64 shape chains on the ONNX graph -===//
#include "compiler/import/ShapeFolding.h"
#include "compiler/import/NodeAttrs.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::import {

namespace {

/// A small int64 tensor: its dims and row-major values.
struct IntTensor {
  std::vector<int64_t> dims, values;
};

std::optional<IntTensor> fromProto(const onnx::TensorProto &t) {
  if (t.data_type() != onnx::TensorProto::INT64 || t.data_location() == onnx::TensorProto::EXTERNAL)
    return std::nullopt;
  IntTensor r{{t.dims().begin(), t.dims().end()}, {}};
  if (!t.raw_data().empty()) {
    r.values.resize(t.raw_data().size() / sizeof(int64_t));
    std::copy_n(t.raw_data().data(), r.values.size() * sizeof(int64_t), reinterpret_cast<char *>(r.values.data()));
  } else {
    r.values.assign(t.int64_data().begin(), t.int64_data().end());
  }
  int64_t count = 1;
  for (int64_t d : r.dims)
    if (d < 0 || __builtin_mul_overflow(count, d, &count))
      return std::nullopt; // the importer reports such a tensor
  if (count != static_cast<int64_t>(r.values.size()))
    return std::nullopt;
  return r;
}

onnx::TensorProto toProto(const IntTensor &t, const std::string &name) {
  onnx::TensorProto p;
  p.set_name(name);
  p.set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : t.dims)
    p.add_dims(d);
  for (int64_t v : t.values)
    p.add_int64_data(v);
  return p;
}

/// Python-style index into [0, size).
int64_t clampIndex(int64_t i, int64_t size) { return std::clamp(i < 0 ? i + size : i, int64_t{0}, size); }

class Folder {
public:
  explicit Folder(onnx::GraphProto &g) : g_(g) {
    for (const auto &t : g.initializer())
      if (std::optional<IntTensor> v = fromProto(t))
        known_[t.name()] = *v;
    for (const auto *list : {&g.input(), &g.value_info(), &g.output()})
      for (const auto &vi : *list)
        types_[vi.name()] = &vi;
  }

  bool run() {
    bool changed = false;
    auto *nodes = g_.mutable_node();
    for (int i = 0; i < nodes->size();) {
      const onnx::NodeProto &n = nodes->Get(i);
      std::optional<IntTensor> v = n.domain().empty() && n.output_size() == 1 ? evaluate(n) : std::nullopt;
      if (!v) {
        ++i;
        continue;
      }
      known_[n.output(0)] = *v;
      *g_.add_initializer() = toProto(*v, n.output(0));
      nodes->DeleteSubrange(i, 1);
      changed = true;
    }
    return changed;
  }

private:
  const IntTensor *input(const onnx::NodeProto &n, int i) const {
    if (i >= n.input_size() || n.input(i).empty())
      return nullptr;
    auto it = known_.find(n.input(i));
    return it == known_.end() ? nullptr : &it->second;
  }

  std::optional<IntTensor> evaluate(const onnx::NodeProto &n) const {
    const std::string &op = n.op_type();
    if (op == "Shape")
      return shapeOf(n);
    if (op == "Constant") {
      const onnx::AttributeProto *a = attr(n, "value");
      return a ? fromProto(a->t()) : std::nullopt;
    }
    const IntTensor *x = input(n, 0);
    if (!x)
      return std::nullopt;
    if (op == "Identity" || (op == "Cast" && intAttr(n, "to", 0) == onnx::TensorProto::INT64))
      return *x;
    if (op == "Gather")
      return gather(n, *x);
    if (op == "Unsqueeze" && x->dims.empty()) // a scalar to [1]
      return IntTensor{{1}, x->values};
    if (op == "Squeeze" && x->dims == std::vector<int64_t>{1}) // [1] to a scalar
      return IntTensor{{}, x->values};
    if (op == "Concat")
      return concat(n);
    if (op == "Slice")
      return slice(n, *x);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
      return arithmetic(n, *x);
    return std::nullopt;
  }

  std::optional<IntTensor> shapeOf(const onnx::NodeProto &n) const {
    auto it = types_.find(n.input(0));
    if (it == types_.end() || !it->second->type().tensor_type().has_shape())
      return std::nullopt;
    std::vector<int64_t> dims;
    for (const auto &d : it->second->type().tensor_type().shape().dim()) {
      if (!d.has_dim_value())
        return std::nullopt;
      dims.push_back(d.dim_value());
    }
    const int64_t rank = static_cast<int64_t>(dims.size());
    const int64_t start = clampIndex(intAttr(n, "start", 0), rank);
    const int64_t end = clampIndex(intAttr(n, "end", rank), rank);
    IntTensor r;
    r.values.assign(dims.begin() + start, dims.begin() + std::max(start, end));
    r.dims = {static_cast<int64_t>(r.values.size())};
    return r;
  }

  std::optional<IntTensor> gather(const onnx::NodeProto &n, const IntTensor &x) const {
    const IntTensor *idx = input(n, 1);
    if (!idx || x.dims.size() != 1 || intAttr(n, "axis", 0) != 0 || idx->dims.size() > 1)
      return std::nullopt;
    IntTensor r{idx->dims, {}};
    for (int64_t i : idx->values) {
      if (i < -x.dims[0] || i >= x.dims[0])
        return std::nullopt; // left for the importer to report
      r.values.push_back(x.values[static_cast<size_t>(i < 0 ? i + x.dims[0] : i)]);
    }
    return r;
  }

  std::optional<IntTensor> concat(const onnx::NodeProto &n) const {
    IntTensor r{{0}, {}};
    for (int i = 0; i < n.input_size(); ++i) {
      const IntTensor *p = input(n, i);
      if (!p || p->dims.size() != 1)
        return std::nullopt;
      r.values.insert(r.values.end(), p->values.begin(), p->values.end());
    }
    r.dims[0] = static_cast<int64_t>(r.values.size());
    return r;
  }

  std::optional<IntTensor> slice(const onnx::NodeProto &n, const IntTensor &x) const {
    const IntTensor *starts = input(n, 1), *ends = input(n, 2), *axes = input(n, 3), *steps = input(n, 4);
    if (x.dims.size() != 1 || !starts || !ends || starts->values.size() != 1 || ends->values.size() != 1 ||
        (axes && (axes->values.size() != 1 || (axes->values[0] != 0 && axes->values[0] != -1))) ||
        (steps && (steps->values.size() != 1 || steps->values[0] != 1)) || n.input_size() > 5)
      return std::nullopt;
    const int64_t size = x.dims[0];
    const int64_t b = clampIndex(starts->values[0], size), e = clampIndex(ends->values[0], size);
    IntTensor r;
    if (e > b)
      r.values.assign(x.values.begin() + b, x.values.begin() + e);
    r.dims = {static_cast<int64_t>(r.values.size())};
    return r;
  }

  std::optional<IntTensor> arithmetic(const onnx::NodeProto &n, const IntTensor &a) const {
    const IntTensor *b = input(n, 1);
    // Equal sizes, or one side a single value broadcast over the other (an
    // empty side broadcasts to nothing: not folded).
    if (!b || (a.values.size() != b->values.size() && a.values.size() != 1 && b->values.size() != 1) ||
        a.values.empty() != b->values.empty())
      return std::nullopt;
    const IntTensor &shape = a.values.size() >= b->values.size() ? a : *b;
    IntTensor r{shape.dims, {}};
    for (size_t i = 0; i < shape.values.size(); ++i) {
      const int64_t x = a.values[a.values.size() == 1 ? 0 : i], y = b->values[b->values.size() == 1 ? 0 : i];
      // A result int64 cannot hold (or a division by zero) is not folded:
      // the node stays, and whatever consumes it reports the bad shape.
      int64_t v = 0;
      const std::string &op = n.op_type();
      const bool overflow = op == "Add"   ? __builtin_add_overflow(x, y, &v)
                            : op == "Sub" ? __builtin_sub_overflow(x, y, &v)
                            : op == "Mul" ? __builtin_mul_overflow(x, y, &v)
                                          : y == 0 || (x == INT64_MIN && y == -1);
      if (overflow)
        return std::nullopt;
      r.values.push_back(op == "Div" ? x / y : v);
    }
    return r;
  }

  onnx::GraphProto &g_;
  std::map<std::string, IntTensor> known_;
  std::map<std::string, const onnx::ValueInfoProto *> types_;
};

} // namespace

bool foldShapeArithmetic(onnx::ModelProto &model) { return Folder(*model.mutable_graph()).run(); }

} // namespace softnpu::import
