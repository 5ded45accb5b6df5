//===- Cast.cpp - Host kernels: Cast and CastLike between every dtype -------===//
#include "../Kernel.h"

namespace softnpu::host {

void addCastKernels(KernelTable &) {}

} // namespace softnpu::host
