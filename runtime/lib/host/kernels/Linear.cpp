//===- Linear.cpp - Host kernels: MatMul, Gemm, Conv, ConvTranspose (oneDNN) ===//
#include "../Kernel.h"

namespace softnpu::host {

void addLinearKernels(KernelTable &) {}

} // namespace softnpu::host
