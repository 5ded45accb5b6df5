//===- Reduce.cpp - Host kernels: reductions and ArgMax / ArgMin ------------===//
#include "../Kernel.h"

namespace softnpu::host {

void addReduceKernels(KernelTable &) {}

} // namespace softnpu::host
