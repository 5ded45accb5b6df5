//===- Scope.h - The values a node reads, and running a graph in a scope --===//
//
// A graph's nodes read its own values, then its constants, then the values
// of the graphs around it: a subgraph (If's branches, the body of Loop, Scan
// or SequenceMap) runs in a scope of its own over its node's, so it sees the
// values of the enclosing graphs and leaves them unchanged.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_SCOPE_H
#define SOFTNPU_HOST_SCOPE_H

#include "softnpu/host/HostExecutor.h"

#include <map>
#include <string>
#include <vector>

namespace softnpu::host {

/// A value a node can read: a tensor (a constant or a tensor value), or a
/// sequence or an optional.
struct ValueRef {
  const HostTensor *tensor = nullptr;
  const HostValue *value = nullptr; ///< set when it is not a tensor
  explicit operator bool() const { return tensor || value; }
};

struct Scope {
  const HostGraph &graph;
  std::map<std::string, HostValue> &values; ///< what the graph's nodes (and its inputs) hold
  const Scope *outer;                       ///< the enclosing graph's, or null

  ValueRef find(const std::string &name) const;
};

/// Runs the nodes of scope.graph in order, adding what they produce to
/// scope.values. On failure returns false with one line naming the node.
bool runGraph(const Scope &scope, std::string &error, std::vector<NodeTime> *times);

} // namespace softnpu::host

#endif
