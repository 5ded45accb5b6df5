//===- HostExecutor.h - Run a host segment's nodes on the CPU -------------===//
//
//   std::map<std::string, HostTensor> values = {{"x", x}};
//   if (!runHostGraph(graph, values, error)) ...   // values now hold every output
//
// Nodes run in the order the segment lists them (the compiler wrote them in
// a topological order; the executor checks each input exists). Each node's
// kernel comes from the registry of runtime/lib/host/kernels (one file per
// family of ops); If, Loop, Scan and SequenceMap the executor runs itself,
// their subgraphs seeing the values around them. Every output is checked
// against the type the segment declares, so a kernel bug is reported as such
// rather than passed on.
//
// Values may be sequences and optionals (HostValue.h). Callers whose values
// are all tensors (the values crossing segments are) use the HostTensor
// overload.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_HOSTEXECUTOR_H
#define SOFTNPU_HOST_HOSTEXECUTOR_H

#include "softnpu/host/HostGraph.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace softnpu::host {

/// What a node did, for profiles: wall time of its kernel on this machine,
/// and its multiply-accumulates and element operations (timing/HostCost.h).
struct NodeTime {
  std::string node, opType;
  double seconds = 0;
  uint64_t macs = 0, elementOps = 0;
};

/// Runs `graph` reading its inputs from `values` and adding every value its
/// nodes produce. On failure returns false with one line naming the node (or
/// the graph input whose kind differs from the declared one). When `times`
/// is non-null it receives one entry per node, in run order.
bool runHostGraph(const HostGraph &graph, std::map<std::string, HostValue> &values, std::string &error,
                  std::vector<NodeTime> *times = nullptr);
/// The same with tensors only: `values` receives every tensor the nodes
/// produce, and a graph output that is not a tensor is an error.
bool runHostGraph(const HostGraph &graph, std::map<std::string, HostTensor> &values, std::string &error,
                  std::vector<NodeTime> *times = nullptr);

/// A graph prepared for many runs (a host segment of a session): each
/// node's kernel is looked up and each value it reads or writes located
/// once, not by name at every node of every run, and kernels keep per-node
/// state and output storage between runs (oneDNN primitives, prepared
/// subgraphs). `graph` must outlive it.
class HostProgram {
public:
  explicit HostProgram(const HostGraph &graph);
  ~HostProgram();
  HostProgram(HostProgram &&) noexcept;
  HostProgram &operator=(HostProgram &&) noexcept;
  /// What runHostGraph does with tensors, except that only the graph's
  /// outputs are added to `values`.
  bool run(std::map<std::string, HostTensor> &values, std::string &error, std::vector<NodeTime> *times = nullptr);

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};

/// True when the host has a kernel for `opType` (of the default domain).
bool hasHostKernel(const std::string &opType);
/// Every op type the host has a kernel for, sorted.
std::vector<std::string> hostKernelOps();

} // namespace softnpu::host

#endif
