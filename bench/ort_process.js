// ort_process.js - one whole onnxruntime-node process: load the module, create a session, run
// once, write the output; for bench/compile_speed.py, which times the whole process from outside.
//
// Usage: node bench/ort_process.js ORT_MODULE_DIR JOB.json
//   ORT_MODULE_DIR: the installed onnxruntime-node package (.../node_modules/onnxruntime-node).
//   JOB.json: {"model": "m.onnx", "inputs": {"x": {"shape": [1, 256], "file": "x.f32"}},
//              "output_file": "y.f32"}   (the format of bench/ort_time.js; timing fields ignored)
//     Each input file holds the raw little-endian float32 values of one inference.
// Session options as bench/ort_time.js: intraOpNumThreads = interOpNumThreads = 1, sequential;
// otherwise onnxruntime's defaults (graph optimisations on). Prints one JSON line
// {"output": name of the first output, "elements": its element count} and exits 0.
// Exits 1 with one "ort_process: error: ..." line on any failure.
'use strict';
const fs = require('fs');
const path = require('path');
const { openJob, runMain } = require(path.join(__dirname, 'ort_job.js'));

async function main() {
  const { job, session, feeds } = await openJob('ort_process');
  const results = await session.run(feeds);
  const outName = session.outputNames[0];
  const out = results[outName];
  if (job.output_file) fs.writeFileSync(job.output_file, Buffer.from(out.data.buffer));
  process.stdout.write(JSON.stringify({ output: outName, elements: out.data.length }) + '\n');
}

runMain('ort_process', main);
