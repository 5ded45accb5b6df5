//===- Pool.cpp - Host kernels: pooling (oneDNN) and Resize -----------------===//
#include "../Kernel.h"

namespace softnpu::host {

void addPoolKernels(KernelTable &) {}

} // namespace softnpu::host
