//===- BatchRun.h - npu-run --batch --threads N: runs in parallel, consumed in order ===//
//
// The k runs of a batch are independent: N threads take them in order from a
// shared counter and run them (api::Session::run may be called from several
// threads at once). Their results are consumed strictly in run order, one at a
// time, so everything downstream (the concatenated outputs, the layer report's
// sums, top-1) is what a single-threaded loop gives, bit for bit. The first
// failing run in run order is the one reported; no run after a failure starts.
// With one thread everything happens on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TOOLS_NPU_RUN_BATCHRUN_H
#define SOFTNPU_TOOLS_NPU_RUN_BATCHRUN_H

#include "TensorArgs.h"

#include <cstdint>
#include <functional>
#include <string>

namespace softnpu::tools {

/// What one run of the batch produced.
struct RunResult {
  TensorMap outputs, nodes;       ///< the model's
  TensorMap refOutputs, refNodes; ///< the reference's (--reference)
};

/// work(worker, b, result, error): run b on worker thread `worker`
/// (0 <= worker < threads; one run at a time per worker, so per-worker
/// buffers need no lock).
using BatchWork = std::function<bool(unsigned, int64_t, RunResult &, std::string &)>;
/// consume(b, result, error): run b's result, in run order.
using BatchConsume = std::function<bool(int64_t, RunResult &, std::string &)>;

/// How many worker threads runBatch uses for k runs on `threads` threads.
unsigned batchWorkers(int64_t k, unsigned threads);

/// Runs `work` for b = 0 .. k-1 on batchWorkers(k, threads) threads, then
/// `consume` for each in order b = 0, 1, ... (never two at once). `work` must
/// be safe to call from several threads. Returns false with `error` (set by
/// the first failing work or consume, in run order).
bool runBatch(int64_t k, unsigned threads, const BatchWork &work, const BatchConsume &consume, std::string &error);

} // namespace softnpu::tools

#endif // SOFTNPU_TOOLS_NPU_RUN_BATCHRUN_H
