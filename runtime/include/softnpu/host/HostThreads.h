//===- HostThreads.h - How many threads the host kernels use --------------===//
//
// The oneDNN kernels (Conv, MatMul, pooling, ...) run on OpenMP threads.
// By default the host runs single-threaded; a tool passes the user's
// --threads N here before running.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_HOSTTHREADS_H
#define SOFTNPU_HOST_HOSTTHREADS_H

namespace softnpu::host {

/// Threads for the host's oneDNN kernels from now on (n < 1 means 1).
void setHostThreads(int n);
/// The current setting (1 unless setHostThreads said otherwise).
int hostThreads();

} // namespace softnpu::host

#endif
