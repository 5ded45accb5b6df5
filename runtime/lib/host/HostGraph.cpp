//===- HostGraph.cpp - Read a host segment's ONNX ModelProto --------------===//
#include "softnpu/host/HostGraph.h"

#include "softnpu/Bytes.h"

#include <onnx/onnx-data_pb.h>

#include <cstring>

namespace softnpu::host {

namespace {

std::string typeName(int type) {
  std::string n = onnx::TensorProto_DataType_IsValid(type)
                      ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type))
                      : std::string();
  return n.empty() ? "type " + std::to_string(type) : n;
}

/// Copies `count` elements of the repeated field `typed` into `out`,
/// converting each to the storage type T.
template <typename T, typename Field> void copyTyped(const Field &typed, HostTensor &out) {
  T *dst = out.data<T>();
  for (int i = 0; i < typed.size(); ++i) {
    if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
      dst[i].bits = static_cast<uint16_t>(typed.Get(i)); // int32_data holds the bit patterns
    } else {
      dst[i] = static_cast<T>(typed.Get(i));
    }
  }
}

bool convertTensor(const onnx::TensorProto &tp, HostTensor &out, std::string &error) {
  const std::string what = "tensor '" + tp.name() + "'";
  if (tp.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    error = what + " keeps its data in an external file, which is not supported";
    return false;
  }
  std::optional<DType> dtype = artifact::dtypeFromOnnx(tp.data_type());
  if (!dtype) {
    error = what + " has element type " + typeName(tp.data_type()) + ", which softnpu does not support";
    return false;
  }
  const size_t item = artifact::dtypeSize(*dtype);
  uint64_t count = 1;
  for (int64_t d : tp.dims()) {
    if (d < 0 || __builtin_mul_overflow(count, static_cast<uint64_t>(d), &count)) {
      error = what + " has an invalid shape";
      return false;
    }
  }
  // The count is checked against the values present before allocating, so a
  // corrupt shape cannot cause a huge allocation.
  uint64_t present = 0;
  if (tp.has_raw_data()) {
    present = tp.raw_data().size() / item;
    if (tp.raw_data().size() % item)
      present = ~0ull;
  } else {
    switch (*dtype) {
    case DType::F32:
      present = static_cast<uint64_t>(tp.float_data_size());
      break;
    case DType::F64:
      present = static_cast<uint64_t>(tp.double_data_size());
      break;
    case DType::I64:
      present = static_cast<uint64_t>(tp.int64_data_size());
      break;
    case DType::U32:
    case DType::U64:
      present = static_cast<uint64_t>(tp.uint64_data_size());
      break;
    default:
      present = static_cast<uint64_t>(tp.int32_data_size());
      break;
    }
  }
  if (present != count) {
    error = what + " has " + std::to_string(present) + " values for " + std::to_string(count) + " elements";
    return false;
  }
  out = HostTensor(*dtype, std::vector<int64_t>(tp.dims().begin(), tp.dims().end()));
  if (tp.has_raw_data()) {
    copyBytes(out.bytes.data(), tp.raw_data().data(), out.bytes.size());
    return true;
  }
  switch (*dtype) {
  case DType::F32:
    copyTyped<float>(tp.float_data(), out);
    break;
  case DType::F64:
    copyTyped<double>(tp.double_data(), out);
    break;
  case DType::I64:
    copyTyped<int64_t>(tp.int64_data(), out);
    break;
  case DType::U32:
    copyTyped<uint32_t>(tp.uint64_data(), out);
    break;
  case DType::U64:
    copyTyped<uint64_t>(tp.uint64_data(), out);
    break;
  case DType::F16:
    copyTyped<Half>(tp.int32_data(), out);
    break;
  case DType::BF16:
    copyTyped<BFloat16>(tp.int32_data(), out);
    break;
  case DType::I32:
    copyTyped<int32_t>(tp.int32_data(), out);
    break;
  case DType::I16:
    copyTyped<int16_t>(tp.int32_data(), out);
    break;
  case DType::I8:
    copyTyped<int8_t>(tp.int32_data(), out);
    break;
  case DType::U16:
    copyTyped<uint16_t>(tp.int32_data(), out);
    break;
  case DType::U8:
  case DType::Bool:
    copyTyped<uint8_t>(tp.int32_data(), out);
    break;
  }
  return true;
}

/// Parses `bytes` into `proto`; false when they are not one.
template <typename Proto> bool parseProto(std::string_view bytes, Proto &proto) {
  return bytes.size() <= static_cast<size_t>(INT32_MAX) &&
         proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

/// A SequenceProto of tensors; `elemType` is an empty one's element type.
bool convertSequence(const onnx::SequenceProto &sp, DType elemType, HostSequence &out, std::string &error) {
  const std::string what = "sequence '" + sp.name() + "'";
  if (sp.sparse_tensor_values_size() || sp.sequence_values_size() || sp.map_values_size() ||
      sp.optional_values_size()) {
    error = what + " holds values other than tensors; the host has sequences of tensors only";
    return false;
  }
  out = HostSequence{elemType, {}};
  for (int i = 0; i < sp.tensor_values_size(); ++i) {
    HostTensor t;
    if (!convertTensor(sp.tensor_values(i), t, error))
      return false;
    if (i == 0)
      out.elemType = t.dtype;
    else if (t.dtype != out.elemType) {
      error =
          what + " mixes element types " + artifact::dtypeName(out.elemType) + " and " + artifact::dtypeName(t.dtype);
      return false;
    }
    out.tensors.push_back(std::move(t));
  }
  return true;
}

/// The element type of the tensors `type` (a sequence) holds; float32 when
/// it does not say.
DType sequenceElemType(const ValueType *type) {
  const ValueType *e = type ? type->element.get() : nullptr;
  return e && e->kind == ValueType::Kind::Tensor ? e->dtype : DType::F32;
}

bool convertOptional(const onnx::OptionalProto &op, const ValueType &type, HostValue &out, std::string &error) {
  if (op.has_tensor_value()) {
    HostTensor t;
    if (!convertTensor(op.tensor_value(), t, error))
      return false;
    out = HostValue::optional(std::move(t));
  } else if (op.has_sequence_value()) {
    HostSequence s;
    if (!convertSequence(op.sequence_value(), sequenceElemType(type.element.get()), s, error))
      return false;
    out = HostValue::optional(std::move(s));
  } else if (op.has_sparse_tensor_value() || op.has_map_value() || op.has_optional_value()) {
    error = "optional '" + op.name() + "' holds a value other than a tensor or a sequence";
    return false;
  } else {
    out = HostValue::none();
  }
  return true;
}

/// A TypeProto as a ValueType; `what` names the value in messages.
bool convertType(const onnx::TypeProto &tp, const std::string &what, ValueType &out, std::string &error) {
  auto element = [&](const onnx::TypeProto &inner) {
    auto e = std::make_shared<ValueType>();
    if (!convertType(inner, what, *e, error))
      return false;
    out.element = std::move(e);
    return true;
  };
  switch (tp.value_case()) {
  case onnx::TypeProto::kTensorType: {
    const auto &tt = tp.tensor_type();
    std::optional<DType> dtype = artifact::dtypeFromOnnx(tt.elem_type());
    if (!dtype) {
      error = what + " has element type " + typeName(tt.elem_type()) + ", which softnpu does not support";
      return false;
    }
    out.kind = ValueType::Kind::Tensor;
    out.dtype = *dtype;
    out.hasShape = tt.has_shape();
    for (const auto &d : tt.shape().dim())
      out.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return true;
  }
  case onnx::TypeProto::kSequenceType:
    out.kind = ValueType::Kind::Sequence;
    if (!tp.sequence_type().has_elem_type())
      return true;
    if (!element(tp.sequence_type().elem_type()))
      return false;
    if (out.element->kind == ValueType::Kind::Tensor || out.element->kind == ValueType::Kind::Unknown)
      return true;
    error = what + " is a sequence of " + typeText(*out.element) + "; the host has sequences of tensors only";
    return false;
  case onnx::TypeProto::kOptionalType:
    out.kind = ValueType::Kind::Optional;
    if (!tp.optional_type().has_elem_type())
      return true;
    if (!element(tp.optional_type().elem_type()))
      return false;
    if (out.element->kind != ValueType::Kind::Optional)
      return true;
    error = what + " is an optional of an optional, which ONNX does not allow";
    return false;
  case onnx::TypeProto::VALUE_NOT_SET:
    out.kind = ValueType::Kind::Unknown;
    return true;
  default:
    error = what + " is a map or a sparse tensor, which the host does not support";
    return false;
  }
}

bool convertGraph(const onnx::GraphProto &graph, int64_t opset, HostGraph &g, std::string &error);

bool convertAttr(const onnx::AttributeProto &a, int64_t opset, HostAttr &out, std::string &error) {
  switch (a.type()) {
  case onnx::AttributeProto::INT:
    out.kind = HostAttr::Kind::Int;
    out.i = a.i();
    return true;
  case onnx::AttributeProto::FLOAT:
    out.kind = HostAttr::Kind::Float;
    out.f = a.f();
    return true;
  case onnx::AttributeProto::STRING:
    out.kind = HostAttr::Kind::String;
    out.s = a.s();
    return true;
  case onnx::AttributeProto::INTS:
    out.kind = HostAttr::Kind::Ints;
    out.ints.assign(a.ints().begin(), a.ints().end());
    return true;
  case onnx::AttributeProto::FLOATS:
    out.kind = HostAttr::Kind::Floats;
    out.floats.assign(a.floats().begin(), a.floats().end());
    return true;
  case onnx::AttributeProto::STRINGS:
    out.kind = HostAttr::Kind::Strings;
    out.strings.assign(a.strings().begin(), a.strings().end());
    return true;
  case onnx::AttributeProto::TENSOR:
    out.kind = HostAttr::Kind::Tensor;
    out.tensor = std::make_shared<HostTensor>();
    return convertTensor(a.t(), *out.tensor, error);
  case onnx::AttributeProto::GRAPH: {
    out.kind = HostAttr::Kind::Graph;
    auto sub = std::make_shared<HostGraph>();
    if (!convertGraph(a.g(), opset, *sub, error))
      return false;
    out.graph = std::move(sub);
    return true;
  }
  case onnx::AttributeProto::TYPE_PROTO: {
    out.kind = HostAttr::Kind::Type;
    auto type = std::make_shared<ValueType>();
    if (!convertType(a.tp(), "attribute '" + a.name() + "'", *type, error))
      return false;
    out.type = std::move(type);
    return true;
  }
  default:
    error = "attribute '" + a.name() + "' has a type the host does not support";
    return false;
  }
}

bool convertGraph(const onnx::GraphProto &graph, int64_t opset, HostGraph &g, std::string &error) {
  g.opset = opset;
  for (const auto &init : graph.initializer()) {
    HostTensor t;
    if (!convertTensor(init, t, error))
      return false;
    g.constants[init.name()] = std::move(t);
  }
  auto addDecls = [&](const auto &list, std::vector<ValueDecl> *into) {
    for (const auto &vi : list) {
      ValueDecl d{vi.name(), {}};
      if (!convertType(vi.type(), "value '" + vi.name() + "'", d.type, error))
        return false;
      if (into)
        into->push_back(d);
      g.declared[d.name] = d;
    }
    return true;
  };
  if (!addDecls(graph.value_info(), nullptr) || !addDecls(graph.input(), &g.inputs) ||
      !addDecls(graph.output(), &g.outputs))
    return false;
  g.nodes.reserve(static_cast<size_t>(graph.node_size()));
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    HostNode node;
    node.opType = n.op_type();
    node.name = n.name().empty() ? n.op_type() + "#" + std::to_string(i) : n.name();
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      error = "node '" + node.name + "' (" + n.op_type() + ") is in domain '" + n.domain() +
              "', which the host does not run";
      return false;
    }
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const auto &a : n.attribute()) {
      HostAttr attr;
      if (!convertAttr(a, opset, attr, error)) {
        error = "node '" + node.name + "' (" + n.op_type() + "): " + error;
        return false;
      }
      node.attrs[a.name()] = std::move(attr);
    }
    g.nodes.push_back(std::move(node));
  }
  return true;
}

} // namespace

const HostAttr *HostNode::attr(const std::string &key) const {
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

int64_t HostNode::attrInt(const std::string &key, int64_t dflt) const {
  const HostAttr *a = attr(key);
  return a && a->kind == HostAttr::Kind::Int ? a->i : dflt;
}

float HostNode::attrFloat(const std::string &key, float dflt) const {
  const HostAttr *a = attr(key);
  return a && a->kind == HostAttr::Kind::Float ? a->f : dflt;
}

std::string HostNode::attrString(const std::string &key, const std::string &dflt) const {
  const HostAttr *a = attr(key);
  return a && a->kind == HostAttr::Kind::String ? a->s : dflt;
}

std::vector<int64_t> HostNode::attrInts(const std::string &key, std::vector<int64_t> dflt) const {
  const HostAttr *a = attr(key);
  return a && a->kind == HostAttr::Kind::Ints ? a->ints : dflt;
}

std::vector<float> HostNode::attrFloats(const std::string &key, std::vector<float> dflt) const {
  const HostAttr *a = attr(key);
  return a && a->kind == HostAttr::Kind::Floats ? a->floats : dflt;
}

std::optional<HostGraph> parseHostModel(std::string_view bytes, std::string &error) {
  try {
    onnx::ModelProto model;
    if (!parseProto(bytes, model)) {
      error = "not a valid ONNX model (protobuf parse failed)";
      return std::nullopt;
    }
    int64_t opset = 0;
    for (const auto &op : model.opset_import())
      if (op.domain().empty() || op.domain() == "ai.onnx")
        opset = op.version();
    HostGraph g;
    if (!convertGraph(model.graph(), opset, g, error))
      return std::nullopt;
    return g;
  } catch (const std::exception &e) {
    error = std::string("cannot read the host segment: ") + e.what();
  }
  return std::nullopt;
}

std::optional<HostTensor> parseHostTensor(std::string_view bytes, std::string &error, std::string *name) {
  try {
    onnx::TensorProto tp;
    if (!parseProto(bytes, tp)) {
      error = "not a valid ONNX TensorProto";
      return std::nullopt;
    }
    if (name)
      *name = tp.name();
    HostTensor t;
    if (!convertTensor(tp, t, error))
      return std::nullopt;
    return t;
  } catch (const std::exception &e) {
    error = std::string("cannot read the TensorProto: ") + e.what();
  }
  return std::nullopt;
}

std::optional<HostValue> parseHostValue(std::string_view bytes, const ValueType &type, std::string &error) {
  try {
    if (type.kind == ValueType::Kind::Sequence) {
      onnx::SequenceProto sp;
      HostSequence s;
      if (!parseProto(bytes, sp)) {
        error = "not a valid ONNX SequenceProto";
        return std::nullopt;
      }
      if (!convertSequence(sp, sequenceElemType(&type), s, error))
        return std::nullopt;
      return HostValue(std::move(s));
    }
    if (type.kind == ValueType::Kind::Optional) {
      onnx::OptionalProto op;
      HostValue v;
      if (!parseProto(bytes, op)) {
        error = "not a valid ONNX OptionalProto";
        return std::nullopt;
      }
      if (!convertOptional(op, type, v, error))
        return std::nullopt;
      return v;
    }
  } catch (const std::exception &e) {
    error = std::string("cannot read the value: ") + e.what();
    return std::nullopt;
  }
  std::optional<HostTensor> t = parseHostTensor(bytes, error);
  if (!t)
    return std::nullopt;
  return HostValue(std::move(*t));
}

std::string typeText(const ValueType &t) {
  auto inner = [&] { return t.element ? typeText(*t.element) : std::string("?"); };
  switch (t.kind) {
  case ValueType::Kind::Unknown:
    return "unknown";
  case ValueType::Kind::Tensor:
    return std::string("tensor(") + artifact::dtypeName(t.dtype) + ")";
  case ValueType::Kind::Sequence:
    return "seq(" + inner() + ")";
  case ValueType::Kind::Optional:
    return "optional(" + inner() + ")";
  }
  return "?";
}

} // namespace softnpu::host
