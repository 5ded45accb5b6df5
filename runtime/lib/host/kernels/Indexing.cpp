//===- Indexing.cpp - Host kernels: gather, scatter, slice, pad, tile and friends ===//
#include "../Kernel.h"

namespace softnpu::host {

void addIndexingKernels(KernelTable &) {}

} // namespace softnpu::host
