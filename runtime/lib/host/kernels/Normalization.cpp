//===- Normalization.cpp - Host kernels: softmax, normalisations and losses -===//
#include "../Kernel.h"

namespace softnpu::host {

void addNormalizationKernels(KernelTable &) {}

} // namespace softnpu::host
