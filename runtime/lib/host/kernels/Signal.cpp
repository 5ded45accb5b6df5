#include "../Kernel.h"

namespace softnpu::host {

void addSignalKernels(KernelTable &) {}

} // namespace softnpu::host
