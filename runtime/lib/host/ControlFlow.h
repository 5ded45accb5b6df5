//===- ControlFlow.h - Ops that run subgraphs: If, Loop, Scan, SequenceMap ===//
//
// The executor runs these itself rather than through the kernel table: they
// need the scope of their node, over which their subgraphs run. Each fills
// ctx.results, like a value kernel.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_CONTROLFLOW_H
#define SOFTNPU_HOST_CONTROLFLOW_H

#include "Kernel.h"
#include "Scope.h"

#include <map>
#include <string>

namespace softnpu::host {

/// The control-flow ops by op type.
const std::map<std::string, ControlFn> &controlFlowOps();

/// Scan (Scan.cpp).
bool runScan(const Scope &scope, KernelContext &ctx);

} // namespace softnpu::host

#endif
