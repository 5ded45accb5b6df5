//===- NodeAttrs.h - Reading an ONNX NodeProto's attributes and name -*- C++ -*-===//
//
// For the passes over the ONNX graph itself (before import): shape folding,
// the window checks and the importer's messages.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_NODEATTRS_H
#define SOFTNPU_COMPILER_IMPORT_NODEATTRS_H

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace softnpu::import {

/// Attribute `name` of `n`, or null.
inline const onnx::AttributeProto *attr(const onnx::NodeProto &n, const std::string &name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

inline int64_t intAttr(const onnx::NodeProto &n, const std::string &name, int64_t dflt) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? a->i() : dflt;
}

inline std::vector<int64_t> intsAttr(const onnx::NodeProto &n, const std::string &name, std::vector<int64_t> dflt) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : dflt;
}

inline std::string stringAttr(const onnx::NodeProto &n, const std::string &name, const std::string &dflt) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? a->s() : dflt;
}

/// The node's name, or "OpType_index" when it has none (as the importer
/// names nodes in locations and messages).
inline std::string nodeLabel(const onnx::NodeProto &n, size_t index) {
  return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
}

} // namespace softnpu::import

#endif
