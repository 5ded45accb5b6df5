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

function fail(msg) {
  process.stderr.write(`ort_process: error: ${msg}\n`);
  process.exit(1);
}

async function main() {
  if (process.argv.length !== 4) fail('usage: node ort_process.js ORT_MODULE_DIR JOB.json');
  let ort;
  try {
    ort = require(process.argv[2]);
  } catch (e) {
    fail(`cannot load onnxruntime-node from ${process.argv[2]}: ${String(e.message).split('\n')[0]}`);
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
  const results = await session.run(feeds);
  const outName = session.outputNames[0];
  const out = results[outName];
  if (job.output_file) fs.writeFileSync(job.output_file, Buffer.from(out.data.buffer));
  process.stdout.write(JSON.stringify({ output: outName, elements: out.data.length }) + '\n');
}

main().catch((e) => fail(String(e && e.message ? e.message : e).split('\n')[0]));
