//===- Subgraph.h - Running a node's subgraph, for the control-flow ops ---===//
//
// If, Loop, Scan and SequenceMap run a graph attribute of their node in a
// scope of its own over the node's (Scope.h), binding its inputs by
// position and taking its outputs by position.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_SUBGRAPH_H
#define SOFTNPU_HOST_SUBGRAPH_H

#include "Kernel.h"
#include "Scope.h"

#include <string>
#include <vector>

namespace softnpu::host {

/// The graph attribute `key` of the node, or nullptr after ctx.fail.
const HostGraph *graphAttr(KernelContext &ctx, const char *key);

/// `v` as a value of the declared type `t`: wrapped in an optional when `t`
/// is one and `v` is not, unwrapped in the opposite case; else `v` as it is.
HostValue asDeclared(HostValue v, const ValueType &t);

/// Runs `body` in a scope of its own over `outer`, its inputs bound in order
/// to `args` (asDeclared), and returns its outputs in order in `results`.
/// `what` names the body in messages ("its body", "its then_branch").
bool runSubgraph(KernelContext &ctx, const HostGraph &body, const Scope &outer, std::vector<HostValue> args,
                 std::vector<HostValue> &results, const std::string &what);

/// Moves the scan output `index` of a body's outputs `outs` to `into`; false
/// when it is not a tensor.
bool takeScanned(KernelContext &ctx, std::vector<HostValue> &outs, size_t index, std::vector<HostTensor> &into);

/// The tensors each iteration produced for one scan output, stacked along a
/// new axis `axis`. With no iterations the result is empty, of the type the
/// body declares for the output (`decl`) as far as it does.
bool stackScanned(KernelContext &ctx, const std::vector<HostTensor> &parts, const ValueDecl &decl, int64_t axis,
                  HostTensor &out);

} // namespace softnpu::host

#endif
