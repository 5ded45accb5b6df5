// ort_time.js - times one ONNX model on onnxruntime-node, single thread, for bench/timing.py.
//
// Usage: node bench/ort_time.js ORT_MODULE_DIR JOB.json
//   ORT_MODULE_DIR: the installed onnxruntime-node package (.../node_modules/onnxruntime-node).
//   JOB.json: {"model": "m.onnx", "inputs": {"x": {"shape": [1, 256], "file": "x.f32"}},
//              "warmup": 20, "min_seconds": 1.0, "repeats": 5, "output_file": "y.f32"}
//     Each input file holds the raw little-endian float32 values of one inference.
// Prints one JSON line: {"us_per_inference": median over repeats, "samples_us": [...],
// "runs_per_repeat": N, "output": name of the output written to output_file}.
// One session with intraOpNumThreads = interOpNumThreads = 1 (sequential execution);
// warm-up runs first; then N is chosen so that one repeat takes at least min_seconds,
// and each repeat times N back-to-back session.run() calls (the same input tensors).
// Exits 1 with one "ort_time: error: ..." line on any failure.
'use strict';
const fs = require('fs');
const path = require('path');
const { openJob, runMain } = require(path.join(__dirname, 'ort_job.js'));

async function timeRuns(session, feeds, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await session.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e3; // microseconds
}

async function main() {
  const { job, session, feeds } = await openJob('ort_time');
  const first = await session.run(feeds);
  const outName = session.outputNames[0];
  if (job.output_file) fs.writeFileSync(job.output_file, Buffer.from(first[outName].data.buffer));
  for (let i = 0; i < (job.warmup || 0); i++) await session.run(feeds);

  // Calibrate N: double until one batch of N runs takes at least min_seconds / 4.
  const minUs = (job.min_seconds || 1.0) * 1e6;
  let n = 1;
  for (;;) {
    const us = await timeRuns(session, feeds, n);
    if (us >= minUs / 4 || n >= 1 << 20) {
      n = Math.max(1, Math.ceil(n * minUs / Math.max(us, 1)));
      break;
    }
    n *= 2;
  }
  const samples = [];
  for (let r = 0; r < (job.repeats || 5); r++) samples.push((await timeRuns(session, feeds, n)) / n);
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  process.stdout.write(JSON.stringify({
    us_per_inference: median, samples_us: samples, runs_per_repeat: n, output: outName,
  }) + '\n');
}

runMain('ort_time', main);
