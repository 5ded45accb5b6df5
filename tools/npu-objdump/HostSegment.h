//===- HostSegment.h - npu-objdump's listing of a host segment ------------===//
#ifndef SOFTNPU_TOOLS_NPU_OBJDUMP_HOSTSEGMENT_H
#define SOFTNPU_TOOLS_NPU_OBJDUMP_HOSTSEGMENT_H

#include "softnpu/artifact/Artifact.h"

namespace softnpu::tools {

/// Prints a host segment op by op: each node's name, op type, inputs ->
/// outputs and attributes, then its constants (name, dtype, shape).
void printHostSegment(const artifact::Segment &s);

} // namespace softnpu::tools

#endif
