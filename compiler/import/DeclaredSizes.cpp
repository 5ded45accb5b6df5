//===- DeclaredSizes.cpp - Sizes a model declares, checked before use -----===//
#include "compiler/import/DeclaredSizes.h"
#include "compiler/import/NodeAttrs.h"

#include "softnpu/Limits.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

namespace softnpu::import {
namespace {

using limits::kMaxDimension;
using limits::kMaxTensorElements;

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error(what); }

std::string dimsText(const onnx::TensorProto &t) {
  std::string s = "[";
  for (int i = 0; i < t.dims_size(); ++i)
    s += (i ? ", " : "") + std::to_string(t.dims(i));
  return s + "]";
}

/// Bytes of one element in raw_data; 0 for strings and unknown types.
size_t rawElementBytes(int32_t type) {
  switch (type) {
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::BOOL:
    return 1;
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64:
    return 8;
  case onnx::TensorProto::COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

/// Elements the typed field of `t`'s data type holds.
uint64_t typedElements(const onnx::TensorProto &t) {
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return static_cast<uint64_t>(t.float_data_size());
  case onnx::TensorProto::COMPLEX64:
    return static_cast<uint64_t>(t.float_data_size()) / 2;
  case onnx::TensorProto::DOUBLE:
    return static_cast<uint64_t>(t.double_data_size());
  case onnx::TensorProto::COMPLEX128:
    return static_cast<uint64_t>(t.double_data_size()) / 2;
  case onnx::TensorProto::INT64:
    return static_cast<uint64_t>(t.int64_data_size());
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return static_cast<uint64_t>(t.uint64_data_size());
  case onnx::TensorProto::STRING:
    return static_cast<uint64_t>(t.string_data_size());
  default:
    return static_cast<uint64_t>(t.int32_data_size());
  }
}

/// Dimensions and element count of `t` within the limits, and as many
/// elements present as declared; returns the element count.
uint64_t checkTensor(const onnx::TensorProto &t, const std::string &what, std::optional<std::string_view> payload) {
  uint64_t elements = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxDimension)
      fail(what + " declares shape " + dimsText(t) + "; a dimension must be 0.." + std::to_string(kMaxDimension) +
           " (docs/limits.md)");
    elements *= static_cast<uint64_t>(d); // < 2^29 x 2^29: no overflow before the check below
    if (elements > kMaxTensorElements)
      fail(what + " declares shape " + dimsText(t) + ", more than the limit of " + std::to_string(kMaxTensorElements) +
           " elements (docs/limits.md)");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return elements; // refused by the importer, which does not read external data
  const size_t rawBytes = payload ? payload->size() : t.raw_data().size();
  const size_t elementBytes = rawElementBytes(t.data_type());
  if (rawBytes != 0 && elementBytes != 0) {
    if (rawBytes != elements * elementBytes)
      fail(what + " declares shape " + dimsText(t) + " (" + std::to_string(elements) + " elements, " +
           std::to_string(elements * elementBytes) + " bytes) but holds " + std::to_string(rawBytes) +
           " bytes of raw data");
    return elements;
  }
  const uint64_t present = typedElements(t);
  if (present != elements)
    fail(what + " declares shape " + dimsText(t) + " (" + std::to_string(elements) + " elements) but holds " +
         std::to_string(present));
  return elements;
}

/// `verb` says where the shape came from: "declares" (the file) or "is
/// inferred to have" (ONNX shape inference).
void checkValueInfo(const onnx::ValueInfoProto &vi, const char *kind, const char *verb = "declares") {
  if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
    return;
  for (const auto &d : vi.type().tensor_type().shape().dim())
    if (d.has_dim_value() && (d.dim_value() < 0 || d.dim_value() > kMaxDimension))
      fail(std::string(kind) + " '" + vi.name() + "' " + verb + " dimension " + std::to_string(d.dim_value()) +
           "; a dimension must be 0.." + std::to_string(kMaxDimension) + " (docs/limits.md)");
}

/// The int64 values of a short constant tensor (already checked), or none.
std::optional<std::vector<int64_t>> int64Values(const onnx::TensorProto &t, std::optional<std::string_view> payload) {
  if (t.data_type() != onnx::TensorProto::INT64)
    return std::nullopt;
  const std::string_view raw = payload ? *payload : std::string_view(t.raw_data());
  std::vector<int64_t> v;
  if (!raw.empty()) {
    v.resize(raw.size() / sizeof(int64_t));
    std::memcpy(v.data(), raw.data(), v.size() * sizeof(int64_t));
  } else {
    v.assign(t.int64_data().begin(), t.int64_data().end());
  }
  return v;
}

/// Shape inputs of ops that make a tensor of the shape they are given.
struct ShapeInput {
  const char *op;
  int input;
  bool makesTensor; ///< the product of the entries is an output's size
};
const ShapeInput kShapeInputs[] = {
    {"ConstantOfShape", 0, true}, {"Expand", 1, true}, {"Tile", 1, true}, {"Reshape", 1, false}};

void checkGraph(const onnx::GraphProto &g, const std::vector<std::optional<std::string_view>> &payloads) {
  // name -> (tensor, payload) of the graph's constants, for the shape inputs.
  std::map<std::string, std::pair<const onnx::TensorProto *, std::optional<std::string_view>>> constants;
  for (int i = 0; i < g.initializer_size(); ++i) {
    const onnx::TensorProto &t = g.initializer(i);
    std::optional<std::string_view> payload;
    if (static_cast<size_t>(i) < payloads.size())
      payload = payloads[static_cast<size_t>(i)];
    checkTensor(t, "initializer '" + t.name() + "'", payload);
    constants[t.name()] = {&t, payload};
  }
  for (const auto &vi : g.input())
    checkValueInfo(vi, "graph input");
  for (const auto &vi : g.output())
    checkValueInfo(vi, "graph output");
  for (const auto &vi : g.value_info())
    checkValueInfo(vi, "value");
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto &n = g.node(i);
    const std::string node = "node '" + nodeLabel(n, static_cast<size_t>(i)) + "' (" + n.op_type() + ")";
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.has_t())
        checkTensor(a.t(), node + " attribute '" + a.name() + "'", std::nullopt);
      for (const onnx::TensorProto &t : a.tensors())
        checkTensor(t, node + " attribute '" + a.name() + "'", std::nullopt);
      if (a.has_g())
        checkGraph(a.g(), {});
      for (const onnx::GraphProto &sub : a.graphs())
        checkGraph(sub, {});
      if (n.op_type() == "Constant" && a.name() == "value" && a.has_t() && n.output_size() == 1)
        constants[n.output(0)] = {&a.t(), std::nullopt};
    }
    for (const ShapeInput &s : kShapeInputs) {
      if (n.op_type() != s.op || n.input_size() <= s.input)
        continue;
      auto it = constants.find(n.input(s.input));
      if (it == constants.end())
        continue;
      std::optional<std::vector<int64_t>> values = int64Values(*it->second.first, it->second.second);
      if (!values)
        continue;
      uint64_t elements = 1;
      for (int64_t v : *values) {
        if (v > kMaxDimension)
          fail(node + ": its shape input '" + n.input(s.input) + "' asks for a dimension of " + std::to_string(v) +
               ", above the limit of " + std::to_string(kMaxDimension) + " (docs/limits.md)");
        if (s.makesTensor && v > 0) {
          elements *= static_cast<uint64_t>(v);
          if (elements > kMaxTensorElements)
            fail(node + ": its shape input '" + n.input(s.input) + "' asks for more than the limit of " +
                 std::to_string(kMaxTensorElements) + " elements (docs/limits.md)");
        }
      }
    }
  }
}

} // namespace

void checkDeclaredSizes(const onnx::GraphProto &graph, const std::vector<std::optional<std::string_view>> &payloads) {
  checkGraph(graph, payloads);
}

void checkInferredSizes(const onnx::GraphProto &graph) {
  for (const auto *list : {&graph.value_info(), &graph.output()})
    for (const onnx::ValueInfoProto &vi : *list) {
      checkValueInfo(vi, "value", "is inferred to have");
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
        continue;
      uint64_t elements = 1;
      for (const auto &d : vi.type().tensor_type().shape().dim())
        if (d.has_dim_value() && __builtin_mul_overflow(elements, static_cast<uint64_t>(d.dim_value()), &elements))
          elements = UINT64_MAX;
      if (elements > kMaxTensorElements)
        fail("value '" + vi.name() + "' would have " +
             (elements == UINT64_MAX ? std::string("more than 2^64") : std::to_string(elements)) +
             " elements, above the limit of " + std::to_string(kMaxTensorElements) + " (docs/limits.md)");
    }
}

} // namespace softnpu::import
