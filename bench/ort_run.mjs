// ort_run.mjs - runs one ONNX model on onnxruntime-node with inputs from .npy files, writes its
// outputs as .npy and times N runs; the onnxruntime reference of tests/e2e/real_models.py and
// bench/models.py.
//
// Usage: node bench/ort_run.mjs --ort ORT_MODULE_DIR --model M.onnx --input NAME=FILE.npy ...
//                               [--batch] [--output-dir D] [--runs N] [--warmup W]
//   ORT_MODULE_DIR: the installed onnxruntime-node package (.../node_modules/onnxruntime-node;
//     scripts/fetch_models.sh installs it).
//   --input: a float32, float64 (converted to float32 when the model wants it), int32 or int64
//     .npy (C order, little endian) with the exact shape of one inference.
//   --batch: as npu-run --batch: every input holds K inferences along dimension 0 (each of the
//     model's batch-1 shape); runs K times and writes the outputs concatenated along dimension 0.
//     --runs times the first inference.
//   --output-dir: writes every output as D/NAME.npy ('/' in names becomes '_', as npu-run does).
//   --runs N (default 0): after W warm-up runs (default 5 when N > 0), times N session.run()
//     calls one by one on the same input tensors (session creation, warm-up and file I/O
//     excluded).
// Session: intraOpNumThreads = interOpNumThreads = 1, sequential execution, otherwise
// onnxruntime's defaults (graph optimisations on), as bench/ort_time.js.
// Prints one JSON line: {"outputs": {name: {"shape": [...], "file": path or null}},
// "runs": N, "us_median": ..., "us_mean": ..., "us_min": ...} (timing fields null when N = 0).
// Exits 1 with one "ort_run: error: ..." line on any failure (2 for a bad command line).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

function fail(msg, code = 1) {
  process.stderr.write(`ort_run: error: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const a = { inputs: [], batch: false, runs: 0, warmup: null, outputDir: null, ort: null, model: null };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : fail(`${key} needs a value`, 2));
    if (key === '--ort') a.ort = val();
    else if (key === '--model') a.model = val();
    else if (key === '--input') {
      const v = val();
      const eq = v.indexOf('=');
      if (eq <= 0) fail(`--input wants NAME=FILE.npy, got '${v}'`, 2);
      a.inputs.push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (key === '--batch') a.batch = true;
    else if (key === '--output-dir') a.outputDir = val();
    else if (key === '--runs') a.runs = Number.parseInt(val(), 10);
    else if (key === '--warmup') a.warmup = Number.parseInt(val(), 10);
    else fail(`unknown option '${key}'`, 2);
  }
  if (!a.ort || !a.model) fail('usage: node bench/ort_run.mjs --ort DIR --model M.onnx --input NAME=FILE.npy ...', 2);
  if (!(a.runs >= 0)) fail('--runs must be a non-negative integer', 2);
  if (a.warmup === null) a.warmup = a.runs > 0 ? 5 : 0;
  return a;
}

// --- .npy ------------------------------------------------------------------------------------

const NPY_TYPES = { '<f4': 'float32', '<f8': 'float64', '<i4': 'int32', '<i8': 'int64', '|b1': 'bool' };
const ARRAYS = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array,
  bool: Uint8Array };

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') fail(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + hlen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  const type = NPY_TYPES[descr];
  if (!type || fortran || shapeText === undefined) fail(`${file}: unsupported .npy (${header.trim()})`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const bytes = buf.subarray(start);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const data = new ARRAYS[type](copy.buffer);
  const count = shape.reduce((x, y) => x * y, 1);
  if (data.length !== count) fail(`${file}: ${data.length} elements for shape [${shape}]`);
  return { type, shape, data };
}

function writeNpy(file, type, shape, data) {
  const descr = Object.keys(NPY_TYPES).find((k) => NPY_TYPES[k] === type);
  if (!descr) fail(`cannot write output of type ${type} to ${file}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';  // 10 + header = multiple of 64
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

// --- main ------------------------------------------------------------------------------------

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = createRequire(import.meta.url)(path.resolve(args.ort));
  } catch (e) {
    fail(`cannot load onnxruntime-node from ${args.ort}: ${String(e.message).split('\n')[0]}`);
  }
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential',
  });
  const arrays = {};
  let k = 1;
  for (const [name, file] of args.inputs) {
    if (!session.inputNames.includes(name)) fail(`${args.model} has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    const a = readNpy(file);
    if (a.type === 'float64') { a.data = Float32Array.from(a.data); a.type = 'float32'; }
    if (args.batch) {
      if (!a.shape.length) fail(`${file}: --batch needs inputs with a leading dimension`);
      if (name !== args.inputs[0][0] && a.shape[0] !== k) fail(`${file}: ${a.shape[0]} inferences, not ${k}`);
      k = a.shape[0];
    }
    arrays[name] = a;
  }
  const missing = session.inputNames.filter((n) => !(n in arrays));
  if (missing.length) fail(`no --input for ${missing.join(', ')}`, 2);
  // The feeds of inference i (of K with --batch): each input's slice i along dimension 0, shape [1, ...].
  const feedsOf = (i) => {
    const feeds = {};
    for (const [name, a] of Object.entries(arrays)) {
      if (!args.batch) { feeds[name] = new ort.Tensor(a.type, a.data, a.shape); continue; }
      const n = a.data.length / k;
      feeds[name] = new ort.Tensor(a.type, a.data.slice(i * n, (i + 1) * n), [1, ...a.shape.slice(1)]);
    }
    return feeds;
  };
  const feeds = feedsOf(0);

  const parts = {};
  for (let i = 0; i < k; i++) {
    const results = await session.run(i ? feedsOf(i) : feeds);
    for (const name of session.outputNames) (parts[name] ??= []).push(results[name]);
  }
  const outputs = {};
  if (args.outputDir) fs.mkdirSync(args.outputDir, { recursive: true });
  for (const name of session.outputNames) {
    const ts = parts[name];
    const dims = Array.from(ts[0].dims);
    if (args.batch) dims[0] = ts.reduce((s, t) => s + t.dims[0], 0);
    const data = new ts[0].data.constructor(ts.reduce((s, t) => s + t.data.length, 0));
    let off = 0;
    for (const t of ts) { data.set(t.data, off); off += t.data.length; }
    let file = null;
    if (args.outputDir) {
      file = path.join(args.outputDir, name.replaceAll('/', '_') + '.npy');
      writeNpy(file, ts[0].type, dims, data);
    }
    outputs[name] = { shape: dims, file };
  }

  for (let i = 0; i < args.warmup; i++) await session.run(feeds);
  const us = [];
  for (let i = 0; i < args.runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    us.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  const sorted = [...us].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const stat = (f) => (us.length ? f() : null);
  process.stdout.write(JSON.stringify({
    outputs, runs: args.runs,
    us_median: stat(() => (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2)),
    us_mean: stat(() => us.reduce((x, y) => x + y, 0) / us.length),
    us_min: stat(() => sorted[0]),
  }) + '\n');
}

main().catch((e) => fail(String(e && e.message ? e.message : e).split('\n')[0]));
