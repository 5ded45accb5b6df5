//===- Scope.h - The values a node reads, and a graph prepared to run -----===//
//
// A graph's nodes read its own values, then its constants, then the values
// of the graphs around it: a subgraph (If's branches, the body of Loop, Scan
// or SequenceMap) runs in a scope of its own over its node's, so it sees the
// values of the enclosing graphs and leaves them unchanged.
//
// Every graph runs as a PreparedGraph: each node's kernel is looked up and
// each value it reads or writes located once, not by name at every node of
// every run, and each node keeps between runs what its kernel keeps
// (KernelState: oneDNN primitives, a control-flow op's prepared subgraphs)
// and the storage of its last outputs (KernelContext::newOutput).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_SCOPE_H
#define SOFTNPU_HOST_SCOPE_H

#include "Kernel.h"

#include "softnpu/host/HostExecutor.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace softnpu::host {

/// A value a node can read: a tensor (a constant or a tensor value), or a
/// sequence or an optional.
struct ValueRef {
  const HostTensor *tensor = nullptr;
  const HostValue *value = nullptr; ///< set when it is not a tensor
  explicit operator bool() const { return tensor || value; }
  static ValueRef of(const HostValue &v) { return v.tensor() ? ValueRef{v.tensor(), nullptr} : ValueRef{nullptr, &v}; }
};

/// Where the nodes of `graph` find the values they read.
class Scope {
public:
  Scope(const HostGraph &graph, const Scope *outer) : graph(graph), outer(outer) {}
  virtual ~Scope() = default;
  /// The value `name` stands for now, as a node of `graph` reads it.
  virtual ValueRef find(const std::string &name) const = 0;

  const HostGraph &graph;
  const Scope *outer; ///< the enclosing graph's, or null
};

/// `graph` prepared once and run many times (Scope.cpp).
class PreparedGraph final : public Scope {
public:
  PreparedGraph(const HostGraph &graph, const Scope *outer);
  ~PreparedGraph() override;

  /// Before a run: forgets what bind() gave for the last one.
  void clearBindings();
  /// Before a run: `name` stands for `v` (a graph input, or a value the
  /// caller gives) until a node writes it. `v` must outlive the run and the
  /// reads of its outputs.
  void bind(const std::string &name, ValueRef v);
  /// Runs the nodes in order. On failure returns false with one line naming
  /// the node. When `times` is non-null it receives one entry per node.
  bool run(std::string &error, std::vector<NodeTime> *times);
  /// After a run: calls `take(name, value)` with each value a node produced
  /// (or, when `onlyOutputs`, each graph output a node produced), moving it
  /// out, in the order the values were first named.
  template <typename Fn> void takeProduced(bool onlyOutputs, Fn &&take);
  /// After a run: the value `name` moved out when a node produced it and
  /// `keep` is false, else a copy of what it stands for; false when nothing.
  bool output(const std::string &name, bool keep, HostValue &out);

  ValueRef find(const std::string &name) const override;

private:
  struct Value {
    std::string name;
    int slot = -1;                        ///< produced by a node: index into slots_
    const HostTensor *constant = nullptr; ///< the graph's initializer of that name
    ValueRef bound;                       ///< this run: what bind() gave
  };
  struct Step;

  int valueIndex(const std::string &name);
  ValueRef current(const Value &v) const;
  bool runStep(Step &step, std::string &error, std::vector<NodeTime> *times);

  std::vector<Value> values_;
  std::map<std::string, int> valueOf_;
  std::vector<Step> steps_;
  std::vector<HostValue> slots_;
  std::vector<uint8_t> produced_; ///< per slot, this run
};

template <typename Fn> void PreparedGraph::takeProduced(bool onlyOutputs, Fn &&take) {
  auto give = [&](Value &v) {
    if (v.slot < 0 || !produced_[static_cast<size_t>(v.slot)])
      return;
    produced_[static_cast<size_t>(v.slot)] = 0;
    take(v.name, std::move(slots_[static_cast<size_t>(v.slot)]));
  };
  if (!onlyOutputs) {
    for (Value &v : values_)
      give(v);
    return;
  }
  for (const ValueDecl &out : graph.outputs)
    if (auto it = valueOf_.find(out.name); it != valueOf_.end())
      give(values_[static_cast<size_t>(it->second)]);
}

/// How a node runs: a tensor kernel, a value kernel, or control flow
/// (ControlFlow.h); none of them when the host has no kernel for the op.
using ControlFn = bool (*)(const Scope &scope, KernelContext &ctx);
struct Runner {
  const KernelFn *kernel = nullptr;
  ControlFn control = nullptr;
  bool takesValues = false; ///< a value kernel or control flow: sees every kind of value, fills results
};
/// The runner of `opType` (HostExecutor.cpp holds the tables).
Runner runnerFor(const std::string &opType);

} // namespace softnpu::host

#endif
