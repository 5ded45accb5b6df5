//===- Misc.cpp - Host kernels: quantisation, recurrent cells, signal and the rest ===//
#include "../Kernel.h"

namespace softnpu::host {

void addMiscKernels(KernelTable &) {}

} // namespace softnpu::host
