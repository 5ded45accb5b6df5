//===- HostSegment.cpp - npu-objdump's listing of a host segment ----------===//
#include "HostSegment.h"

#include "softnpu/host/HostGraph.h"

#include <cstdio>
#include <string>

namespace softnpu::tools {

namespace {

std::string joined(const std::vector<std::string> &names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i)
    s += (i ? ", " : "") + (names[i].empty() ? std::string("-") : names[i]);
  return s;
}

template <typename T> std::string listText(const std::vector<T> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size() && i < 8; ++i) {
    if constexpr (std::is_same_v<T, std::string>)
      s += (i ? "," : "") + ("'" + v[i] + "'");
    else
      s += (i ? "," : "") + std::to_string(v[i]);
  }
  return s + (v.size() > 8 ? ",...]" : "]");
}

std::string attrText(const host::HostAttr &a) {
  using Kind = host::HostAttr::Kind;
  switch (a.kind) {
  case Kind::Int:
    return std::to_string(a.i);
  case Kind::Float: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(a.f));
    return buf;
  }
  case Kind::String:
    return "'" + a.s + "'";
  case Kind::Ints:
    return listText(a.ints);
  case Kind::Floats:
    return listText(a.floats);
  case Kind::Strings:
    return listText(a.strings);
  case Kind::Tensor:
    return a.tensor ? std::string(artifact::dtypeName(a.tensor->dtype)) + host::shapeText(a.tensor->shape)
                    : std::string("tensor");
  case Kind::Graph:
    return a.graph ? "graph(" + std::to_string(a.graph->nodes.size()) + " nodes)" : std::string("graph");
  case Kind::Type:
    return a.type ? host::typeText(*a.type) : std::string("type");
  }
  return "?";
}

} // namespace

void printHostSegment(const artifact::Segment &s) {
  std::printf("  reads %s; writes %s\n", joined(s.hostInputs).c_str(), joined(s.hostOutputs).c_str());
  std::string error;
  std::optional<host::HostGraph> g = host::parseHostModel(s.hostModel, error);
  if (!g) {
    std::printf("  (cannot read its model: %s)\n", error.c_str());
    return;
  }
  std::printf("  %zu nodes (ONNX opset %lld), %zu constants, %zu-byte ONNX model\n", g->nodes.size(),
              static_cast<long long>(g->opset), g->constants.size(), s.hostModel.size());
  for (const host::HostNode &n : g->nodes) {
    std::string attrs;
    for (const auto &[name, a] : n.attrs)
      attrs += (attrs.empty() ? "" : ", ") + name + "=" + attrText(a);
    std::printf("  %-24s %-18s %s -> %s%s%s%s\n", n.name.c_str(), n.opType.c_str(), joined(n.inputs).c_str(),
                joined(n.outputs).c_str(), attrs.empty() ? "" : "  {", attrs.c_str(), attrs.empty() ? "" : "}");
  }
  for (const auto &[name, t] : g->constants)
    std::printf("  constant %-24s %s %s\n", name.c_str(), artifact::dtypeName(t.dtype),
                host::shapeText(t.shape).c_str());
}

} // namespace softnpu::tools
