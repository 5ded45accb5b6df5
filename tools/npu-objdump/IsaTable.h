//===- IsaTable.h - The ISA rendered as Markdown (npu-objdump --isa-table) -===//
#ifndef SOFTNPU_TOOLS_NPU_OBJDUMP_ISATABLE_H
#define SOFTNPU_TOOLS_NPU_OBJDUMP_ISATABLE_H

#include <string>

namespace softnpu::tools {

/// Markdown tables of the instruction set, memory spaces and scalar
/// registers, rendered from isa::instTable() and friends. This text is the
/// generated section of docs/isa.md.
std::string renderIsaTable();

} // namespace softnpu::tools

#endif
