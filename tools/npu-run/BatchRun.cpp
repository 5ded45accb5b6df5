//===- BatchRun.cpp - npu-run --batch --threads N -------------------------===//
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

/// The state the threads share, guarded by `mutex`.
struct Shared {
  std::mutex mutex;
  int64_t next = 0;                   ///< the next run to start
  int64_t committed = 0;              ///< runs consumed so far
  std::map<int64_t, Finished> done;   ///< finished, waiting for their turn
  bool failed = false;                ///< a run failed: start no more
  bool stop = false;                  ///< the batch ends (error set)
  std::string error;
};

} // namespace

unsigned batchWorkers(int64_t k, unsigned threads) {
  return static_cast<unsigned>(std::max<int64_t>(1, std::min<int64_t>(threads, k)));
}

bool runBatch(int64_t k, unsigned threads, const BatchWork &work, const BatchConsume &consume, std::string &error) {
  Shared s;
  auto worker = [&](unsigned id) {
    for (;;) {
      int64_t b;
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.stop || s.failed || s.next >= k)
          return;
        b = s.next++;
      }
      Finished f;
      f.ok = work(id, b, f.result, f.error);
      std::lock_guard<std::mutex> lock(s.mutex);
      // Every run before b was started before it and will be consumed by
      // whichever thread finishes last; none after it starts any more.
      s.failed = s.failed || !f.ok;
      s.done[b] = std::move(f);
      // Consume every run that is now next in order.
      for (auto it = s.done.find(s.committed); !s.stop && it != s.done.end(); it = s.done.find(s.committed)) {
        std::string why;
        if (!it->second.ok || !consume(s.committed, it->second.result, why)) {
          s.stop = true;
          s.error = it->second.ok ? why : it->second.error;
          break;
        }
        s.done.erase(it);
        ++s.committed;
      }
    }
  };
  const unsigned n = batchWorkers(k, threads);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t)
    pool.emplace_back(worker, t);
  worker(0);
  for (std::thread &t : pool)
    t.join();
  if (s.stop)
    error = s.error;
  return !s.stop;
}

} // namespace softnpu::tools
