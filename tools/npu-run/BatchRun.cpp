//===- BatchRun.cpp - npu-run --batch --threads N -------------------------===//
//
// Workers take runs a chunk of consecutive runs at a time and hand a chunk's
// results in under one lock: a model whose run takes microseconds (the
// Fashion-MNIST MLP) otherwise spends its time waking threads that queued on
// the lock, and two threads were barely faster than one.
//
//===----------------------------------------------------------------------===//
#include "BatchRun.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace softnpu::tools {

namespace {

struct Finished {
  bool ok = false;
  RunResult result;
  std::string error;
};

/// The state the threads share. `mutex` guards everything but the consume
/// calls themselves, which run outside it under `consuming`, so that handing
/// in results and taking runs never wait for them.
struct Shared {
  std::mutex mutex;
  int64_t next = 0;                 ///< the first run of the next chunk
  int64_t committed = 0;            ///< runs consumed (or being consumed)
  std::map<int64_t, Finished> done; ///< finished, waiting for their turn
  bool failed = false;              ///< a run failed: start no more
  bool stop = false;                ///< the batch ends (error set)
  std::string error;
  std::mutex consuming; ///< held by the one thread calling consume
};

/// Consumes every finished run that is next in order, unless another
/// thread is doing so (it will find these too, or the final drain will).
void consumeInOrder(Shared &s, const BatchConsume &consume, bool wait) {
  std::unique_lock<std::mutex> turn(s.consuming, std::defer_lock);
  if (wait)
    turn.lock();
  else if (!turn.try_lock())
    return;
  for (;;) {
    std::map<int64_t, Finished>::node_type node;
    int64_t b;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      auto it = s.done.find(s.committed);
      if (s.stop || it == s.done.end())
        return;
      b = s.committed++;
      node = s.done.extract(it);
    }
    Finished &f = node.mapped();
    std::string why;
    if (!f.ok || !consume(b, f.result, why)) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.stop = true;
      s.error = f.ok ? why : f.error;
      return;
    }
  } // each run's results are freed here, outside the lock
}

/// Runs per chunk: a few dozen chunks per worker keep the load balanced and
/// the progress line moving; 64 runs make the lock rare for the fastest model.
int64_t chunkSize(int64_t k, unsigned workers) { return std::clamp<int64_t>(k / (int64_t{workers} * 32), 1, 64); }

} // namespace

unsigned batchWorkers(int64_t k, unsigned threads) {
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(threads, k)));
}

bool runBatch(int64_t k, unsigned threads, const BatchWork &work, const BatchConsume &consume, std::string &error) {
  Shared s;
  const unsigned n = batchWorkers(k, threads);
  const int64_t chunk = chunkSize(k, n);
  auto worker = [&](unsigned id) {
    std::vector<std::pair<int64_t, Finished>> mine; // this chunk's results
    for (;;) {
      int64_t first, last;
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.stop || s.failed || s.next >= k)
          return;
        first = s.next;
        last = s.next = std::min(k, s.next + chunk);
      }
      mine.clear();
      for (int64_t b = first; b < last; ++b) {
        mine.emplace_back(b, Finished());
        Finished &f = mine.back().second;
        f.ok = work(id, b, f.result, f.error);
        if (!f.ok)
          break; // no run after a failure starts
      }
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        // Every run before this chunk was started before it and will be
        // consumed; none after a failure starts any more.
        for (auto &[b, f] : mine) {
          s.failed = s.failed || !f.ok;
          s.done[b] = std::move(f);
        }
      }
      consumeInOrder(s, consume, /*wait=*/false);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t)
    pool.emplace_back(worker, t);
  worker(0);
  for (std::thread &t : pool)
    t.join();
  consumeInOrder(s, consume, /*wait=*/true); // what a consumer that had just left did not see
  if (s.stop)
    error = s.error;
  return !s.stop;
}

} // namespace softnpu::tools
