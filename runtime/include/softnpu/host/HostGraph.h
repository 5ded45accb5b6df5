//===- HostGraph.h - A host segment: ONNX nodes the host runs -------------===//
//
// A host segment travels in the artifact as a serialized ONNX ModelProto
// (docs/artifact-format.md): its nodes with their attributes, its constants
// as initializers, its opset, and the declared type of every value. That
// keeps the segment a valid ONNX model of its own (it can be saved and run in
// onnxruntime), and the runtime reads it with ONNX's protobuf classes alone:
// no MLIR. Its values may be sequences and optionals as well as tensors
// (HostValue.h); the ones that cross segments are tensors.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_HOSTGRAPH_H
#define SOFTNPU_HOST_HOSTGRAPH_H

#include "softnpu/host/HostValue.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace softnpu::host {

struct HostGraph;

/// A value's type as the model declares it. A tensor has an element type and
/// maybe a shape (a dimension < 0 is unknown); a sequence holds tensors of
/// type `element`, an optional a tensor or a sequence. Unknown: the model
/// gives no type (ONNX lets a Loop body's inputs leave it to inference).
struct ValueType {
  enum class Kind { Unknown, Tensor, Sequence, Optional };
  Kind kind = Kind::Tensor;
  DType dtype = DType::F32; ///< of a tensor
  std::vector<int64_t> shape;
  bool hasShape = false;
  std::shared_ptr<const ValueType> element; ///< of a sequence or optional; null when undeclared
};

/// "tensor(float32)", "seq(tensor(int64))", "optional(seq(tensor(float32)))",
/// "unknown", for messages.
std::string typeText(const ValueType &t);

/// One ONNX attribute; a graph (the body of If, Loop, Scan, SequenceMap) is
/// parsed like the segment.
struct HostAttr {
  enum class Kind { Int, Float, String, Ints, Floats, Strings, Tensor, Graph, Type };
  Kind kind = Kind::Int;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<HostTensor> tensor;
  std::shared_ptr<const HostGraph> graph;
  std::shared_ptr<const ValueType> type; ///< a TYPE_PROTO attribute (Optional's type)
};

struct HostNode {
  std::string opType, name;                 ///< name: the ONNX node name, or "OpType#index" when it has none
  std::vector<std::string> inputs, outputs; ///< "" for an omitted optional value
  std::map<std::string, HostAttr> attrs;

  const HostAttr *attr(const std::string &key) const;
  int64_t attrInt(const std::string &key, int64_t dflt) const;
  float attrFloat(const std::string &key, float dflt) const;
  std::string attrString(const std::string &key, const std::string &dflt) const;
  /// The ints of attribute `key`, or `dflt` when it is absent.
  std::vector<int64_t> attrInts(const std::string &key, std::vector<int64_t> dflt = {}) const;
  std::vector<float> attrFloats(const std::string &key, std::vector<float> dflt = {}) const;
};

struct ValueDecl {
  std::string name;
  ValueType type;
};

struct HostGraph {
  int64_t opset = 0; ///< of the default domain
  std::vector<HostNode> nodes;
  std::map<std::string, HostTensor> constants; ///< initializers
  std::vector<ValueDecl> inputs, outputs;
  std::map<std::string, ValueDecl> declared; ///< value_info, inputs and outputs by name
};

/// Parses a serialized ONNX ModelProto into a HostGraph. On failure returns
/// nullopt with a one-line `error` (no origin prefix).
std::optional<HostGraph> parseHostModel(std::string_view bytes, std::string &error);

/// Parses a serialized ONNX TensorProto (a .pb file's bytes) of any dtype
/// softnpu handles; `name` (optional) receives the proto's name.
std::optional<HostTensor> parseHostTensor(std::string_view bytes, std::string &error, std::string *name = nullptr);

/// Parses a .pb file's bytes as the value `type` declares: a TensorProto for
/// a tensor (or an unknown type), a SequenceProto of tensors for a sequence,
/// an OptionalProto for an optional (ONNX's onnx-data.proto, as the backend
/// tests store them).
std::optional<HostValue> parseHostValue(std::string_view bytes, const ValueType &type, std::string &error);

} // namespace softnpu::host

#endif
