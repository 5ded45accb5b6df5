//===- HostModels.h - Host graphs from ONNX's text syntax, for the tests --===//
//
//   HostGraph g = hostGraph(R"(<ir_version: 8, opset_import: ["" : 16]>
//     g (float[2] x) => (float[2] y) { y = Identity(x) })");
//   std::map<std::string, HostValue> values = {{"x", floats({2}, {1, 2})}};
//   EXPECT_EQ(run(g, values), "");
//
// ONNX 1.12's parser has no syntax for sequence and optional types: the
// values named in hostGraph's `types` get theirs afterwards, wherever the
// graph or its subgraphs declare them. Nor can a node's inputs start with an
// omitted one: write `_` for it.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TESTS_UNIT_HOST_HOSTMODELS_H
#define SOFTNPU_TESTS_UNIT_HOST_HOSTMODELS_H

#include "softnpu/host/HostExecutor.h"

#include <onnx/defs/parser.h>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace softnpu::host::testing {

inline onnx::TypeProto tensorOf(int elemType) {
  onnx::TypeProto t;
  t.mutable_tensor_type()->set_elem_type(elemType);
  return t;
}

inline onnx::TypeProto seqOf(const onnx::TypeProto &element) {
  onnx::TypeProto t;
  *t.mutable_sequence_type()->mutable_elem_type() = element;
  return t;
}

inline onnx::TypeProto optionalOf(const onnx::TypeProto &element) {
  onnx::TypeProto t;
  *t.mutable_optional_type()->mutable_elem_type() = element;
  return t;
}

/// Gives the values of `g` and its subgraphs named in `types` their type,
/// and omits the node inputs named `_`.
inline void retype(onnx::GraphProto &g, const std::map<std::string, onnx::TypeProto> &types) {
  for (auto *list : {g.mutable_input(), g.mutable_output(), g.mutable_value_info()})
    for (onnx::ValueInfoProto &vi : *list)
      if (auto it = types.find(vi.name()); it != types.end())
        *vi.mutable_type() = it->second;
  for (onnx::NodeProto &n : *g.mutable_node()) {
    for (std::string &in : *n.mutable_input())
      if (in == "_")
        in.clear();
    for (onnx::AttributeProto &a : *n.mutable_attribute())
      if (a.has_g())
        retype(*a.mutable_g(), types);
  }
}

/// The ModelProto of ONNX text `text`, retyped; a parse error fails the test.
inline onnx::ModelProto onnxModel(const char *text, const std::map<std::string, onnx::TypeProto> &types = {}) {
  onnx::ModelProto m;
  const onnx::Common::Status status = onnx::OnnxParser::Parse(m, text);
  EXPECT_TRUE(status.IsOK()) << status.ErrorMessage();
  retype(*m.mutable_graph(), types);
  return m;
}

/// The HostGraph of a ModelProto, through its bytes as the runtime reads them.
inline HostGraph hostGraph(const onnx::ModelProto &m) {
  std::string error;
  std::optional<HostGraph> g = parseHostModel(m.SerializeAsString(), error);
  EXPECT_TRUE(g) << error;
  return g ? std::move(*g) : HostGraph();
}

inline HostGraph hostGraph(const char *text, const std::map<std::string, onnx::TypeProto> &types = {}) {
  return hostGraph(onnxModel(text, types));
}

/// Runs `g` on `values`; the error, or "" when it ran.
inline std::string run(const HostGraph &g, std::map<std::string, HostValue> &values) {
  std::string error;
  return runHostGraph(g, values, error) ? std::string() : error;
}

inline HostTensor floats(std::vector<int64_t> shape, const std::vector<float> &v) {
  HostTensor t(DType::F32, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), v.size());
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

inline HostTensor int64s(std::vector<int64_t> shape, const std::vector<int64_t> &v) {
  HostTensor t(DType::I64, std::move(shape));
  EXPECT_EQ(static_cast<size_t>(t.numElements()), v.size());
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

inline HostTensor boolean(bool b) {
  HostTensor t(DType::Bool, {});
  t.bytes[0] = b ? 1 : 0;
  return t;
}

/// The elements of a float32 or int64 tensor, as doubles (exact for these tests).
inline std::vector<double> elementsOf(const HostTensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.dtype == DType::I64 ? static_cast<double>(t.data<int64_t>()[i]) : t.data<float>()[i]);
  return v;
}

/// The tensor value `name` of `values`; a missing value or another kind
/// fails the test (and gives an empty tensor).
inline HostTensor tensorAt(const std::map<std::string, HostValue> &values, const std::string &name) {
  auto it = values.find(name);
  const HostTensor *t = it == values.end() ? nullptr : it->second.tensor();
  EXPECT_TRUE(t) << "no tensor '" << name << "'";
  return t ? *t : HostTensor(DType::F32, {0});
}

/// The sequence value `name` of `values`, likewise.
inline HostSequence sequenceAt(const std::map<std::string, HostValue> &values, const std::string &name) {
  auto it = values.find(name);
  const HostSequence *s = it == values.end() ? nullptr : it->second.sequence();
  EXPECT_TRUE(s) << "no sequence '" << name << "'";
  return s ? *s : HostSequence();
}

} // namespace softnpu::host::testing

#endif
