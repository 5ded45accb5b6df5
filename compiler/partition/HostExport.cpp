//===- HostExport.cpp - onnx dialect ops back to an ONNX ModelProto -------===//
#include "compiler/partition/HostExport.h"

#include "softnpu/Bytes.h"

#include "compiler/Diagnostics.h"
#include "dialects/FloatData.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include <onnx/onnx_pb.h>

#include <cstring>

using namespace mlir;

namespace softnpu::partition {

int onnxTypeOf(Type t) {
  if (t.isF32())
    return onnx::TensorProto::FLOAT;
  if (t.isF16())
    return onnx::TensorProto::FLOAT16;
  if (t.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (t.isF64())
    return onnx::TensorProto::DOUBLE;
  auto i = dyn_cast<IntegerType>(t);
  if (!i)
    return 0;
  const bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 1:
    return onnx::TensorProto::BOOL;
  case 8:
    return u ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
  case 16:
    return u ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
  case 32:
    return u ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
  case 64:
    return u ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
  default:
    return 0;
  }
}

namespace {

/// Fills `tp` (dims, type, raw_data) from `value`; false when the element
/// type has no ONNX equivalent or the data is not present.
bool tensorOf(ElementsAttr value, onnx::TensorProto &tp) {
  auto type = cast<ShapedType>(value.getType());
  const int code = onnxTypeOf(type.getElementType());
  if (!code)
    return false;
  tp.set_data_type(code);
  for (int64_t d : type.getShape())
    tp.add_dims(d);
  const int64_t n = type.getNumElements();
  std::string &raw = *tp.mutable_raw_data();
  if (std::optional<FloatData> f = FloatData::of(value)) { // float32, dense or blob
    raw.resize(static_cast<size_t>(n) * 4);
    if (std::optional<float> splat = f->splatValue(); splat && f->size() != static_cast<size_t>(n))
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(&raw[static_cast<size_t>(i) * 4], &*splat, 4);
    else
      copyBytes(raw.data(), f->data(), raw.size());
    return true;
  }
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return false;
  const Type et = type.getElementType();
  if (et.isInteger(1)) { // bool: one byte each
    for (bool b : dense.getValues<bool>())
      raw.push_back(b ? 1 : 0);
    return true;
  }
  const unsigned bytes = et.getIntOrFloatBitWidth() / 8;
  raw.reserve(static_cast<size_t>(n) * bytes);
  auto put = [&](const APInt &bits) {
    for (unsigned b = 0; b < bytes; ++b)
      raw.push_back(static_cast<char>(bits.extractBitsAsZExtValue(8, 8 * b)));
  };
  if (isa<FloatType>(et))
    for (const APFloat &v : dense.getValues<APFloat>())
      put(v.bitcastToAPInt());
  else
    for (const APInt &v : dense.getValues<APInt>())
      put(v);
  return true;
}

/// Writes `t` as an ONNX type; false when it is not a tensor of an ONNX
/// element type, or a sequence or optional of one. A dynamic dimension (in a
/// sequence's tensors) is written unknown.
bool typeProtoOf(Type t, onnx::TypeProto &tp) {
  if (auto seq = dyn_cast<onnx_d::SeqType>(t))
    return typeProtoOf(seq.getElementType(), *tp.mutable_sequence_type()->mutable_elem_type());
  if (auto opt = dyn_cast<onnx_d::OptType>(t))
    return typeProtoOf(opt.getElementType(), *tp.mutable_optional_type()->mutable_elem_type());
  auto tensor = dyn_cast<TensorType>(t);
  const int code = tensor ? onnxTypeOf(tensor.getElementType()) : 0;
  if (!code)
    return false;
  auto *tt = tp.mutable_tensor_type();
  tt->set_elem_type(code);
  if (auto ranked = dyn_cast<RankedTensorType>(t)) {
    auto *shape = tt->mutable_shape();
    for (int64_t d : ranked.getShape())
      if (ShapedType::isDynamic(d))
        shape->add_dim();
      else
        shape->add_dim()->set_dim_value(d);
  }
  return true;
}

bool declare(onnx::ValueInfoProto &vi, const std::string &name, Type t) {
  vi.set_name(name);
  return typeProtoOf(t, *vi.mutable_type());
}

/// The importer's attribute encoding, inverted.
bool attributeOf(NamedAttribute na, onnx::AttributeProto &a) {
  a.set_name(na.getName().str());
  Attribute v = na.getValue();
  if (auto i = dyn_cast<IntegerAttr>(v)) {
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(i.getValue().getSExtValue());
  } else if (auto f = dyn_cast<FloatAttr>(v)) {
    a.set_type(onnx::AttributeProto::FLOAT);
    a.set_f(static_cast<float>(f.getValueAsDouble()));
  } else if (auto s = dyn_cast<StringAttr>(v)) {
    a.set_type(onnx::AttributeProto::STRING);
    a.set_s(s.str());
  } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(v)) {
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t x : ints.asArrayRef())
      a.add_ints(x);
  } else if (auto floats = dyn_cast<DenseF32ArrayAttr>(v)) {
    a.set_type(onnx::AttributeProto::FLOATS);
    for (float x : floats.asArrayRef())
      a.add_floats(x);
  } else if (auto arr = dyn_cast<ArrayAttr>(v)) {
    a.set_type(onnx::AttributeProto::STRINGS);
    for (Attribute e : arr) {
      auto str = dyn_cast<StringAttr>(e);
      if (!str)
        return false;
      a.add_strings(str.str());
    }
  } else if (auto e = dyn_cast<ElementsAttr>(v)) {
    a.set_type(onnx::AttributeProto::TENSOR);
    return tensorOf(e, *a.mutable_t());
  } else {
    return false;
  }
  return true;
}

/// Attributes that are the IR's bookkeeping, not the node's.
bool isBookkeeping(StringRef name) {
  return name == "operandSegmentSizes" || name == "resultSegmentSizes" || name.starts_with("fpga.");
}

/// The node's ONNX input (or output) list: with segment sizes, an empty
/// segment is an omitted optional value (""). `values` may stop short of the
/// op's (captures are not inputs); the segments past it are ignored.
std::vector<std::string> valueList(Operation *op, ValueRange values, StringRef segmentsAttr,
                                   const llvm::DenseMap<Value, std::string> &names) {
  std::vector<std::string> list;
  auto segments = op->getAttrOfType<DenseI32ArrayAttr>(segmentsAttr);
  if (!segments) {
    for (Value v : values)
      list.push_back(names.lookup(v));
    return list;
  }
  unsigned next = 0;
  for (int32_t size : segments.asArrayRef()) {
    if (next == values.size() && size > 0)
      break;
    if (size == 0)
      list.push_back("");
    for (int32_t k = 0; k < size; ++k)
      list.push_back(names.lookup(values[next++]));
  }
  while (!list.empty() && list.back().empty())
    list.pop_back();
  return list;
}

} // namespace

bool exportHostSegment(const HostSegmentOps &seg, const llvm::DenseMap<Value, std::string> &names, int64_t opset,
                       std::string &bytes) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("softnpu");
  auto *imp = model.add_opset_import();
  imp->set_domain("");
  imp->set_version(opset);
  onnx::GraphProto &g = *model.mutable_graph();
  g.set_name("host_segment");
  llvm::DenseSet<Operation *> constants;
  auto fail = [](Operation *op, const Twine &why) {
    op->emitError() << describeOp(op) << ": cannot store it in a host segment: " << why;
    return false;
  };
  for (Operation *op : seg.nodes) {
    // Constants read here become initializers, once each.
    for (Value v : op->getOperands()) {
      auto c = v.getDefiningOp<onnx_d::ConstantOp>();
      if (!c || !constants.insert(c).second)
        continue;
      onnx::TensorProto &t = *g.add_initializer();
      if (!tensorOf(cast<ElementsAttr>(c.getValue()), t))
        return fail(c, "its value has no ONNX element type or no data");
      t.set_name(names.lookup(v));
    }
    // Subgraphs read captured values by their names in the original graph;
    // give them those names in this one.
    std::optional<onnx_d::Captures> captures = onnx_d::capturesOf(op);
    if (captures)
      for (auto [v, name] : llvm::zip(captures->values, captures->names)) {
        const std::string inner = cast<StringAttr>(name).str();
        if (names.lookup(v) == inner)
          continue;
        onnx::NodeProto &id = *g.add_node();
        id.set_op_type("Identity");
        id.set_name(nodeNameOf(op->getLoc()) + ".capture." + inner);
        id.add_input(names.lookup(v));
        id.add_output(inner);
      }
    onnx::NodeProto &n = *g.add_node();
    n.set_op_type(op->getName().stripDialect().str());
    n.set_name(nodeNameOf(op->getLoc()));
    // Subgraphs go back as graphs; the captures are what they read from
    // this graph, not inputs of the node.
    ValueRange inputs = op->getOperands().drop_back(captures ? captures->values.size() : 0);
    for (const std::string &in : valueList(op, inputs, "operandSegmentSizes", names))
      n.add_input(in);
    for (const std::string &out : valueList(op, op->getResults(), "resultSegmentSizes", names))
      n.add_output(out);
    for (NamedAttribute na : op->getAttrs()) {
      if (isBookkeeping(na.getName().getValue()))
        continue;
      if (captures && na.getName() == "capture_names")
        continue;
      if (onnx_d::isGraphAttr(op, na.getName().getValue())) {
        onnx::AttributeProto &a = *n.add_attribute();
        a.set_name(na.getName().str());
        a.set_type(onnx::AttributeProto::GRAPH);
        if (!a.mutable_g()->ParseFromString(cast<StringAttr>(na.getValue()).str()))
          return fail(op, "its graph '" + na.getName().getValue() + "' is not a valid ONNX graph");
        continue;
      }
      if (!attributeOf(na, *n.add_attribute()))
        return fail(op, "attribute '" + na.getName().getValue() + "' has no ONNX encoding");
    }
    // An empty Optional's element type is ONNX's `type` attribute.
    if (auto opt = dyn_cast<onnx_d::OptionalOp>(op); opt && !opt.getInput()) {
      onnx::AttributeProto &a = *n.add_attribute();
      a.set_name("type");
      a.set_type(onnx::AttributeProto::TYPE_PROTO);
      if (!typeProtoOf(opt.getOutput().getType().getElementType(), *a.mutable_tp()))
        return fail(op, "its type has no ONNX encoding");
    }
    for (Value r : op->getResults())
      if (!declare(*g.add_value_info(), names.lookup(r), r.getType()))
        return fail(op, "a result has no ONNX type");
  }
  for (Value v : seg.inputs)
    if (!declare(*g.add_input(), names.lookup(v), v.getType()))
      return fail(seg.nodes.front(), "an input has no ONNX type");
  for (Value v : seg.outputs)
    if (!declare(*g.add_output(), names.lookup(v), v.getType()))
      return fail(seg.nodes.front(), "an output has no ONNX type");
  return model.SerializeToString(&bytes);
}

} // namespace softnpu::partition
