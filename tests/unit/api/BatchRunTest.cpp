//===- BatchRunTest.cpp - npu-run --batch --threads: parallel runs, ordered results ===//
//
// runBatch (tools/npu-run/BatchRun.h) runs work on several threads and hands
// the results to consume strictly in run order, whatever order the runs
// finish in; the error reported is the first failing run's in run order, and
// no run starts after a failure is seen. Under TSan (label concurrency) this
// is also the data-race check of the batch loop.
//
//===----------------------------------------------------------------------===//
#include "BatchRun.h"

#include "softnpu/io/Npy.h"

#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace softnpu;
using namespace softnpu::tools;

namespace {

/// Run b's "output": one tensor holding b; later runs finish sooner.
bool slowEarlyRuns(unsigned, int64_t b, RunResult &r, std::string &) {
  std::this_thread::sleep_for(std::chrono::microseconds(200 * ((b * 7) % 5)));
  r.outputs["y"] = api::Tensor{{1}, {static_cast<float>(b)}};
  return true;
}

TEST(BatchRun, ResultsAreConsumedInRunOrder) {
  for (unsigned threads : {1u, 2u, 4u, 64u}) {
    std::vector<int64_t> order;
    std::string err;
    ASSERT_TRUE(runBatch(
        100, threads, slowEarlyRuns,
        [&](int64_t b, RunResult &r, std::string &) {
          EXPECT_EQ(r.outputs.at("y").data[0], static_cast<float>(b));
          order.push_back(b);
          return true;
        },
        err))
        << err;
    ASSERT_EQ(order.size(), 100u) << threads << " threads";
    for (int64_t b = 0; b < 100; ++b)
      EXPECT_EQ(order[b], b) << threads << " threads";
  }
}

TEST(BatchRun, TheFirstFailureInRunOrderIsReported) {
  for (unsigned threads : {1u, 3u}) {
    std::atomic<int64_t> started{0};
    std::vector<int64_t> consumed;
    std::string err;
    const bool ok = runBatch(
        100000, threads,
        [&](unsigned worker, int64_t b, RunResult &r, std::string &e) {
          ++started;
          if (b == 17 || b == 18) {
            e = "run " + std::to_string(b) + " failed";
            return false;
          }
          return slowEarlyRuns(worker, b, r, e);
        },
        [&](int64_t b, RunResult &, std::string &) {
          consumed.push_back(b);
          return true;
        },
        err);
    EXPECT_FALSE(ok);
    EXPECT_EQ(err, "run 17 failed") << threads << " threads";
    ASSERT_EQ(consumed.size(), 17u); // 0 .. 16, then the failure
    // No run starts once a failure is seen: one thread stops right there;
    // others only finish what they had started (a loose bound, for load).
    if (threads == 1)
      EXPECT_EQ(started.load(), 18);
    EXPECT_LT(started.load(), 1000) << "runs kept starting after the failure";
  }
}

// Each worker runs one run at a time, so npu-run keeps a buffer per worker
// (its input slice) without a lock.
TEST(BatchRun, WorkersRunOneRunAtATime) {
  for (unsigned threads : {1u, 2u, 4u}) {
    const unsigned n = batchWorkers(100, threads);
    EXPECT_EQ(n, threads);
    std::vector<std::atomic<int>> busy(n);
    std::atomic<bool> overlap{false}, outOfRange{false};
    std::string err;
    ASSERT_TRUE(runBatch(
        100, threads,
        [&](unsigned worker, int64_t b, RunResult &r, std::string &e) {
          if (worker >= n) {
            outOfRange = true;
            return slowEarlyRuns(worker, b, r, e);
          }
          overlap = overlap || busy[worker]++ != 0;
          const bool ok = slowEarlyRuns(worker, b, r, e);
          --busy[worker];
          return ok;
        },
        [](int64_t, RunResult &, std::string &) { return true; }, err))
        << err;
    EXPECT_FALSE(outOfRange.load()) << threads << " threads";
    EXPECT_FALSE(overlap.load()) << threads << " threads";
  }
  EXPECT_EQ(batchWorkers(3, 8), 3u); // no idle threads
  EXPECT_EQ(batchWorkers(0, 8), 1u);
}

// npu-run --batch --threads N: every worker slices its own runs from the
// same .npy file (pread and a read-ahead per worker, no lock). Four threads
// slicing interleaved runs each get exactly their rows.
TEST(BatchRun, WorkersSliceOneFileAtOnce) {
  constexpr int64_t kRuns = 300, kRow = 700; // a row of 2,800 bytes: read-ahead blocks hold 23
  std::vector<float> all(static_cast<size_t>(kRuns * kRow));
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<float>(i) * 0.25f;
  const std::string path =
      (std::filesystem::temp_directory_path() / ("softnpu_slicer_" + std::to_string(::getpid()) + ".npy")).string();
  std::string err;
  ASSERT_TRUE(io::writeNpy(path, {kRuns, kRow}, all, err)) << err;
  std::optional<io::NpyFile> file = io::NpyFile::open(path, err);
  ASSERT_TRUE(file) << err;
  NpyFiles files;
  files.emplace("x", std::move(*file));
  artifact::TensorSig sig;
  sig.name = "x";
  sig.shape = {1, kRow};
  const std::vector<artifact::TensorSig> sigs = {sig};
  TensorMap inputs{{"x", api::Tensor{{kRuns, kRow}, {}}}};
  const BatchSlicer slicer(sigs, inputs, files, kRuns);

  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      BatchSlicer::Slice mine;
      for (int64_t b = t; b < kRuns; b += 4) {
        std::string e;
        const TensorMap *slice = slicer.slice(b, mine, e);
        if (!slice) {
          ++failed;
          continue;
        }
        const std::vector<float> &got = slice->at("x").data;
        if (!std::equal(got.begin(), got.end(), all.begin() + b * kRow) || got.size() != kRow)
          ++wrong;
      }
    });
  for (std::thread &th : threads)
    th.join();
  std::remove(path.c_str());
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(BatchRun, AConsumeErrorStopsTheBatch) {
  std::string err;
  int64_t last = -1;
  EXPECT_FALSE(runBatch(
      50, 2, slowEarlyRuns,
      [&](int64_t b, RunResult &, std::string &e) {
        last = b;
        if (b == 5) {
          e = "cannot append run 5";
          return false;
        }
        return true;
      },
      err));
  EXPECT_EQ(err, "cannot append run 5");
  EXPECT_EQ(last, 5);
}

} // namespace
