// ort_job.js - what bench/ort_time.js and bench/ort_process.js share: the command line
// (node SCRIPT ORT_MODULE_DIR JOB.json), loading onnxruntime-node, the session (1 thread,
// sequential) and the input tensors of a JOB.json, and the one-line error exit.
'use strict';
const fs = require('fs');

/// Exits 1 with one "TOOL: error: ..." line.
function fail(tool, msg) {
  process.stderr.write(`${tool}: error: ${msg}\n`);
  process.exit(1);
}

/// {job, session, feeds} of the job named on the command line.
async function openJob(tool) {
  if (process.argv.length !== 4) fail(tool, `usage: node ${tool}.js ORT_MODULE_DIR JOB.json`);
  let ort;
  try {
    ort = require(process.argv[2]);
  } catch (e) {
    fail(tool, `cannot load onnxruntime-node from ${process.argv[2]}: ${String(e.message).split('\n')[0]}`);
  }
  const job = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const session = await ort.InferenceSession.create(job.model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
  });
  const feeds = {};
  for (const [name, spec] of Object.entries(job.inputs)) {
    const buf = fs.readFileSync(spec.file);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    feeds[name] = new ort.Tensor('float32', data, spec.shape);
  }
  return { job, session, feeds };
}

/// Runs main, turning any rejection into the one-line error.
function runMain(tool, main) {
  main().catch((e) => fail(tool, String(e && e.message ? e.message : e).split('\n')[0]));
}

module.exports = { fail, openJob, runMain };
