//===- Logical.cpp - Host kernels: comparisons, logical ops and Where -------===//
#include "../Kernel.h"

namespace softnpu::host {

void addLogicalKernels(KernelTable &) {}

} // namespace softnpu::host
