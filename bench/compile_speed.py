#!/usr/bin/python3
"""compile_speed.py - compile time, peak compile memory, artifact size and whole-process time (issue 9).

Writes the section "Compiler: speed, memory, artifact size" of docs/benchmarks.md.

A benchmark, not a test (a few minutes on 2 cores; its times depend on the machine).

1. Models. It generates, in WORK/models (never in the repository), families of models of about
   500 to 5,000 ONNX nodes (onnx_gen.py; seeded fp32 constants):
   - mlp16, mlp256, mlp1024: deep MLPs, each layer Gemm W x + b (W width x width) and Tanh,
     2 nodes per layer. mlp1024 has 100 and 250 nodes only: 4 MB of fp32 weights per layer, so 250
     nodes are a 525 MB ONNX file; 500 nodes (1 GB) would take minutes to generate, compile and run
     (and a protobuf must stay below 2 GB);
   - lstm-unrolled, gru-unrolled: one recurrent layer (input = hidden = 64, batch 1) written out
     op by op over T timesteps, in the cell forms onnx-recognize-rnn recognises
     (tests/inputs/make_unrolled_rnn.py): LSTM with fused gates, Slice + Squeeze inputs and a Split;
     GRU with linear_before_reset 1, Slice + Reshape inputs and gates cut by Slice. Output: the last
     hidden state. The node count grows with T (17 and 23 nodes per timestep).
2. Compile. One `npu-compile MODEL -o MODEL.npu --target TARGET` process per model (default
   target brainwave-s10), started alone and reaped with os.wait4: wall time and the maximum resident
   set size of that process (ru_maxrss); a compile under 5 s is run 3 times and the fastest counts
   (the largest RSS). It is started from a small intermediate Python process, not
   from this script: Linux counts the RSS high-water mark a process had before exec in its
   ru_maxrss, so a compiler forked from this script (large after generating a big model) would
   report this script's peak. Targets (issue 9):
   - time: <= 1 s per 1,000 ONNX nodes on every model, and linear growth: per family, the time
     per node of the largest model over that of the smallest (the linearity line; <= 1.5 passes);
   - memory: peak RSS <= 2 x (ONNX file + artifact) + 300 MB;
   - artifact: bytes <= 1.1 x (packed real weight bytes + 8 x instruction count) + 64 KiB, where
     packed real weight bytes = for each constant matrix of the ONNX graph (the B operand of a
     MatMul / Gemm; W and R of an RNN / GRU / LSTM; a constant used by several nodes counted once),
     its real rows x cols in the artifact's weight format: per row, element code bits per element
     plus one 8-bit shared exponent per block (fp32: 32 bits per element); plus the bias vectors
     (Gemm C, recurrent B, the vectors an unrolled cell adds after its MatMuls; shared ones once) at
     the size the artifact stores them: fp32, 4 bytes per element. Biases are real weight data the
     artifact must hold, and it holds them in fp32 (DRAM initialisers that the multifunction units
     add in the MFU format), not in the matrices' weight format. The instruction count is the
     artifact's PROGRAM section's.
3. Whole process. `npu-run MODEL.npu --input ... --output-dir D` (load the artifact plus one
   inference on the simulator) against one node process of bench/ort_process.js (load
   onnxruntime-node, create a session, run once, write the output), each timed from Python as the
   process's wall time, repeated interleaved, median. Target: npu-run <= onnxruntime on every model.
4. Document. Replaces the part of --output between <!-- compile-speed:begin --> and
   <!-- compile-speed:end --> (appended when absent; bench/timing.py keeps it).

Usage:
  bench/compile_speed.py [--bin-dir build/bin] [--work-dir D] [--output docs/benchmarks.md]
                         [--quick] [--skip-ort] [--target NAME] [--families a,b] [--repeats N]
                         [--ort-prefix DIR]
--quick: the smallest and one larger model of the small families only (for a look, not for the
committed table). Exits 1 when a tool is missing or the work directory or document cannot be
written; a model that does not compile or run is a row of the table; missed targets are reported,
not errors.
"""
import argparse
import datetime
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

import timing  # bench/timing.py (this script's directory is on sys.path); it also sets up tests/e2e
from timing import log
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from npu_tools import ToolError, first_line  # noqa: E402
import onnx_gen  # noqa: E402

sys.path.insert(0, os.path.join(timing.REPO, "tests", "inputs"))
from make_unrolled_rnn import Graph  # noqa: E402  the node/initializer collector of the cell forms

HERE = timing.HERE
REPO = timing.REPO
SECTION = "compile-speed"
SEED = timing.SEED
TIME_TARGET = 1.0          # seconds per 1,000 ONNX nodes
TIME_MIN_NODES = 500       # ... on models of 500 to 5,000 nodes (issue 9); smaller ones show the slope
LINEARITY_TARGET = 1.5     # time per node, largest / smallest model of a family
MEMORY_FACTOR, MEMORY_SLACK = 2.0, 300e6            # peak RSS <= 2 x (ONNX + artifact) + 300 MB
ARTIFACT_FACTOR, ARTIFACT_SLACK = 1.1, 64 * 1024    # artifact <= 1.1 x (weights + program) + 64 KiB
INSTRUCTION_BYTES = 8
BIAS_BYTES = 4             # per bias element: the artifact stores biases in fp32
RNN_SIZE = 64
SLOW_PROCESS_S = 2.0
QUICK_COMPILE_S, QUICK_COMPILE_RUNS = 5.0, 3  # a compile under 5 s runs 3 times; the fastest counts

# family: (label, kind, parameter, nodes (full), nodes (--quick))
FAMILIES = {
    "mlp16": ("MLP 16 (Gemm 16x16 + Tanh)", "mlp", 16, [500, 1000, 2000, 5000], [500, 2000]),
    "mlp256": ("MLP 256 (Gemm 256x256 + Tanh)", "mlp", 256, [500, 2000], [500]),
    "mlp1024": ("MLP 1024 (Gemm 1024x1024 + Tanh)", "mlp", 1024, [100, 250, 500], []),
    "lstm-unrolled": ("unrolled LSTM (H = 64)", "lstm", RNN_SIZE, [500, 1000, 2000, 5000], [500, 2000]),
    "gru-unrolled": ("unrolled GRU (H = 64)", "gru", RNN_SIZE, [500, 2000, 5000], [500]),
}


# --- models -------------------------------------------------------------------

def unrolled_lstm(path, hidden, steps, seed):
    """The LSTM form of make_unrolled_rnn.py at input = hidden size, batch 1, T = steps, output Y_h:
    x_t = Squeeze(Slice(X, t)); gates = x_t Wx + b_ih + h Rh + b_hh, Split i, f, g, o."""
    rng = onnx_gen.seeded_rng(seed, "lstm", hidden, steps)
    bound = 1.0 / np.sqrt(hidden)
    g = Graph()
    for name, shape in [("Wx", (hidden, 4 * hidden)), ("Rh", (hidden, 4 * hidden)), ("b_ih", (4 * hidden,)),
                        ("b_hh", (4 * hidden,))]:
        g.init(name, onnx_gen.uniform(rng, shape, bound))
    g.ints("axis0", [0])
    g.ints("split", [hidden] * 4)
    h = c = g.op("Constant", [], "zeros",
                 value=numpy_helper.from_array(np.zeros((1, hidden), np.float32), "zeros_value"))
    for t in range(steps):
        s = f"t{t}_"
        xs = g.op("Slice", ["X", g.ints(s + "start", [t]), g.ints(s + "end", [t + 1]), "axis0"], s + "x_slice")
        x = g.op("Squeeze", [xs, "axis0"], s + "x")
        xw = g.op("Add", [g.op("MatMul", [x, "Wx"], s + "xw"), "b_ih"], s + "xwb")
        hr = g.op("Add", [g.op("MatMul", [h, "Rh"], s + "hr"), "b_hh"], s + "hrb")
        gi, gf, gg, go = g.op("Split", [g.op("Add", [xw, hr], s + "gates"), "split"], s + "split",
                              outputs=4, axis=1)
        i, f, o = (g.op("Sigmoid", [v], s + n) for v, n in ((gi, "i"), (gf, "f"), (go, "o")))
        gc = g.op("Tanh", [gg], s + "g")
        c = g.op("Add", [g.op("Mul", [f, c], s + "fc"), g.op("Mul", [i, gc], s + "ig")], s + "c")
        h = g.op("Mul", [o, g.op("Tanh", [c], s + "tanh_c")], s + "h")
    g.op("Identity", [h], "Y_h")
    return onnx_gen.save_model(path, g.nodes, g.inits, [onnx_gen.value_info("X", [steps, 1, hidden])],
                               [onnx_gen.value_info("Y_h", [1, hidden])], "unrolled_lstm",
                               "softnpu bench/compile_speed.py")


def unrolled_gru(path, hidden, steps, seed):
    """The GRU (linear_before_reset 1) form of make_unrolled_rnn.py at input = hidden size, batch 1,
    T = steps, output Y_h: x_t = Reshape(Slice(X, t)); x Wx + bx and h Rh + bh cut into z, r, h by
    Slice; h~ = Tanh(xh + r * hh); h = (1 - z) * h~ + z * h_prev; zero initial h (initializer)."""
    rng = onnx_gen.seeded_rng(seed, "gru", hidden, steps)
    bound = 1.0 / np.sqrt(hidden)
    g = Graph()
    for name, shape in [("Wx", (hidden, 3 * hidden)), ("Rh", (hidden, 3 * hidden)), ("bx", (3 * hidden,)),
                        ("bh", (3 * hidden,))]:
        g.init(name, onnx_gen.uniform(rng, shape, bound))
    g.init("h_init", np.zeros((1, hidden), np.float32))
    g.init("one", np.array([1.0], np.float32))
    g.ints("axis0", [0]), g.ints("axis1", [1]), g.ints("x_shape", [1, hidden])
    for k in range(3):
        g.ints(f"lo{k}", [k * hidden]), g.ints(f"hi{k}", [(k + 1) * hidden])
    h = "h_init"
    for t in range(steps):
        s = f"t{t}_"
        xs = g.op("Slice", ["X", g.ints(s + "start", [t]), g.ints(s + "end", [t + 1]), "axis0"], s + "x_slice")
        x = g.op("Reshape", [xs, "x_shape"], s + "x")
        xg = g.op("Add", [g.op("MatMul", [x, "Wx"], s + "xw"), "bx"], s + "xg")
        hg = g.op("Add", [g.op("MatMul", [h, "Rh"], s + "hr"), "bh"], s + "hg")

        def part(v, k, tag):
            return g.op("Slice", [v, f"lo{k}", f"hi{k}", "axis1"], s + tag)
        z = g.op("Sigmoid", [g.op("Add", [part(xg, 0, "xz"), part(hg, 0, "hz")], s + "pz")], s + "z")
        r = g.op("Sigmoid", [g.op("Add", [part(xg, 1, "xr"), part(hg, 1, "hr_")], s + "pr")], s + "r")
        gated = g.op("Mul", [r, part(hg, 2, "hh_")], s + "gated")
        hh = g.op("Tanh", [g.op("Add", [part(xg, 2, "xh"), gated], s + "ph")], s + "hh")
        keep = g.op("Mul", [g.op("Sub", ["one", z], s + "one_minus_z"), hh], s + "new")
        h = g.op("Add", [keep, g.op("Mul", [z, h], s + "old")], s + "h")
    g.op("Identity", [h], "Y_h")
    return onnx_gen.save_model(path, g.nodes, g.inits, [onnx_gen.value_info("X", [steps, 1, hidden])],
                               [onnx_gen.value_info("Y_h", [1, hidden])], "unrolled_gru",
                               "softnpu bench/compile_speed.py")


# Nodes of each form: fixed + per-timestep (counted from the generators above).
UNROLLED_NODES = {"lstm": (2, 17), "gru": (1, 23)}


def make_model(path, kind, param, nodes):
    """Writes the model of a family with about `nodes` ONNX nodes; returns (bytes, actual nodes)."""
    if kind == "mlp":
        layers = max(1, nodes // 2)
        return onnx_gen.make_dense_stack(path, [param] * (layers + 1), activation="Tanh", bias=True, seed=SEED,
                                         name="layer", producer="softnpu bench/compile_speed.py")
    fixed, per_step = UNROLLED_NODES[kind]
    steps = max(1, round((nodes - fixed) / per_step))
    size = (unrolled_lstm if kind == "lstm" else unrolled_gru)(path, param, steps, SEED)
    return size, onnx_gen.graph_node_count(path)


# --- what the artifact should weigh ---------------------------------------------

def format_bits(name):
    """(element code bits, block size) of a weight format name (docs/numerics.md); block 1 and no
    shared exponent for fp32."""
    name = name.strip().lower()
    base, _, opts = name.partition(",")
    block = None
    if base.startswith("bfp:"):
        fields = dict(kv.split("=") for kv in name[4:].split(","))
        return int(fields["m"]) + 1, int(fields["k"])
    for opt in filter(None, opts.split(",")):
        key, _, value = opt.partition("=")
        if key == "k":
            block = int(value)
    if base == "fp32":
        return 32, None
    if base.startswith("msfp"):
        return int(base[4:]) - 8, 16  # sign + (N - 9) magnitude bits
    bits = {"mxfp8_e4m3": 8, "mxfp8_e5m2": 8, "mxfp6_e3m2": 6, "mxfp6_e2m3": 6, "mxfp4": 4, "mxint8": 8}
    if base in bits:
        return bits[base], block or 32
    raise ValueError(f"unknown weight format '{name}'")


def packed_bits(rows, row_length, fmt):
    bits, block = format_bits(fmt)
    scales = 0 if block is None else -(-row_length // block) * 8
    return rows * (row_length * bits + scales)


def constant_matrices(model_path):
    """(matrices [(name, rows, row length)], bias elements) of a model: every constant B operand of a
    MatMul / Gemm (rows = outputs, row length = the reduction size), W and R of RNN / GRU / LSTM;
    bias elements = the other constants added by Gemm (C) and recurrent cells (B), and the vectors
    added after an unrolled cell's MatMuls (in the budget at 4 bytes each, as the artifact stores them)."""
    model = onnx.load(model_path)
    shapes = {i.name: list(i.dims) for i in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    shapes[n.output[0]] = list(a.t.dims)
    matrices, seen, bias = [], set(), 0
    for n in model.graph.node:
        attrs = {a.name: a for a in n.attribute}
        if n.op_type in ("MatMul", "Gemm") and len(n.input) > 1 and n.input[1] in shapes:
            name, dims = n.input[1], shapes[n.input[1]]
            if name not in seen and len(dims) >= 2:
                seen.add(name)
                k, m = dims[-2], dims[-1]
                if n.op_type == "Gemm" and "transB" in attrs and attrs["transB"].i:
                    k, m = m, k
                matrices.append((name, int(np.prod(dims[:-2], dtype=np.int64)) * m, k))
            if n.op_type == "Gemm" and len(n.input) > 2 and n.input[2] in shapes and n.input[2] not in seen:
                seen.add(n.input[2])
                bias += int(np.prod(shapes[n.input[2]], dtype=np.int64))
        elif n.op_type in ("RNN", "GRU", "LSTM"):
            for idx in (1, 2):
                name = n.input[idx]
                if name in shapes and name not in seen:
                    seen.add(name)
                    d, rows, length = shapes[name]
                    matrices.append((name, d * rows, length))
            if len(n.input) > 3 and n.input[3] in shapes and n.input[3] not in seen:
                seen.add(n.input[3])
                bias += int(np.prod(shapes[n.input[3]], dtype=np.int64))
    # Unrolled cells: the bias vectors added after a MatMul.
    for n in model.graph.node:
        if n.op_type == "Add":
            for name in n.input:
                if name in shapes and name not in seen and len(shapes[name]) == 1 and shapes[name][0] > 1:
                    seen.add(name)
                    bias += shapes[name][0]
    return matrices, bias


ARTIFACT_MAGIC = b"SNPUART\0"
SECTION_TARGET, SECTION_PROGRAM, SECTION_WEIGHTS = 1, 3, 7


def artifact_summary(path):
    """{"bytes", "instructions", "weight_image", "weight_format"} from an artifact's header, section
    table, PROGRAM count and TARGET JSON (docs/artifact-format.md); reads only those bytes."""
    with open(path, "rb") as f:
        head = f.read(40)
        if len(head) < 40 or head[:8] != ARTIFACT_MAGIC:
            raise ValueError(f"{path}: not a softnpu artifact")
        header_size, = struct.unpack_from("<I", head, 12)
        file_size, = struct.unpack_from("<Q", head, 16)
        count, = struct.unpack_from("<I", head, 24)
        f.seek(header_size)
        table = f.read(24 * count)
        sections = {}
        for i in range(count):
            kind, _flags, offset, size = struct.unpack_from("<IIQQ", table, 24 * i)
            sections[kind] = (offset, size)
        out = {"bytes": file_size, "weight_image": sections.get(SECTION_WEIGHTS, (0, 0))[1]}
        f.seek(sections[SECTION_PROGRAM][0])
        out["instructions"], = struct.unpack("<Q", f.read(8))
        f.seek(sections[SECTION_TARGET][0] + 8)
        length, = struct.unpack("<I", f.read(4))
        out["weight_format"] = json.loads(f.read(length).decode())["weight_format"]
    return out


# --- processes ----------------------------------------------------------------

# Runs one command and reports its exit code, wall time and peak RSS (JSON into argv[3]). A small
# intermediate process is needed: Linux carries the high-water RSS of the address space a process had
# before exec into its ru_maxrss, and a child forked from this script (hundreds of MB after generating a
# large model) would report at least this script's peak. Forked from this small interpreter, the
# compiler's ru_maxrss is its own (plus at most the wrapper's ~10 MB, far below any compile).
MEASURE_WRAPPER = r"""
import json, os, subprocess, sys, time
out, err, result = sys.argv[1:4]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    proc = subprocess.Popen(sys.argv[4:], stdout=o, stderr=e)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
with open(result, "w") as f:
    json.dump({"code": os.waitstatus_to_exitcode(status), "seconds": seconds, "maxrss_kb": usage.ru_maxrss}, f)
"""


def run_measured(argv, stdout_path, stderr_path, timeout):
    """Runs argv alone (stdout and stderr to files) under MEASURE_WRAPPER, which reaps it with os.wait4:
    (exit code, wall seconds, peak RSS bytes of that process). Kills it after timeout seconds (exit
    code None)."""
    result = stderr_path + ".rusage.json"
    if os.path.exists(result):
        os.remove(result)
    wrapper = subprocess.Popen([sys.executable, "-c", MEASURE_WRAPPER, stdout_path, stderr_path, result] + argv,
                               start_new_session=True)
    try:
        wrapper.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(wrapper.pid, 9)
        wrapper.wait()
        return None, float(timeout), 0
    with open(result) as f:
        r = json.load(f)
    return r["code"], r["seconds"], r["maxrss_kb"] * 1024


def file_first_line(path):
    with open(path, errors="replace") as f:
        for line in f:
            if line.strip():
                return line.strip()
    return ""


def wall(argv, timeout=600):
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise ToolError(f"{os.path.basename(argv[0])} failed: {first_line(proc)}")
    return seconds


def time_processes(npu_argv, ort_argv, repeats):
    """Medians of up to `repeats` interleaved wall times of the npu-run process and the ORT process (the
    latter None when ort_argv is None). One pair only when either takes over SLOW_PROCESS_S seconds and they
    differ by more than 2x (the verdict is clear; repeats of such runs would cost minutes)."""
    npu, ort = [], []
    for _ in range(repeats):
        npu.append(wall(npu_argv))
        if ort_argv:
            ort.append(wall(ort_argv))
        if ort and max(npu[0], ort[0]) > SLOW_PROCESS_S and max(npu[0] / ort[0], ort[0] / npu[0]) > 2:
            break
    return statistics.median(npu), (statistics.median(ort) if ort else None), len(npu)


# --- one model ----------------------------------------------------------------

def bench_model(m, tools, work, target, ort_module, repeats, timeout):
    model_dir, tdir = os.path.join(work, "models"), os.path.join(work, target)
    path = os.path.join(model_dir, f"{m['key']}.onnx")
    t0 = time.perf_counter()
    _, m["nodes"] = make_model(path, m["kind"], m["param"], m["want_nodes"])
    m["onnx_bytes"] = os.path.getsize(path)
    log(f"{m['label']}: {m['nodes']:,} nodes, {m['onnx_bytes'] / 1e6:.1f} MB, generated in "
        f"{time.perf_counter() - t0:.1f} s")
    matrices, m["bias_elements"] = constant_matrices(path)

    artifact = os.path.join(tdir, f"{m['key']}.npu")
    if os.path.exists(artifact):
        os.remove(artifact)
    argv = [tools.path("npu-compile"), path, "-o", artifact, "--target", target]
    stderr_path = os.path.join(tdir, f"{m['key']}.compile.log")
    code, seconds, rss = run_measured(argv, os.path.join(tdir, f"{m['key']}.compile.out"), stderr_path, timeout)
    runs = 1
    while code == 0 and seconds < QUICK_COMPILE_S and runs < QUICK_COMPILE_RUNS:  # fastest of a few: less noise
        code, again, peak = run_measured(argv, os.path.join(tdir, f"{m['key']}.compile.out"), stderr_path, timeout)
        seconds, rss, runs = min(seconds, again), max(rss, peak), runs + 1
    m.update(compile_s=seconds, rss=rss, compile_runs=runs)
    if code != 0:
        why = f"timed out after {timeout} s" if code is None else file_first_line(stderr_path)
        m["error"] = "compile error: " + why.replace("npu-compile: error: ", "")
        log(f"  {m['error']} ({seconds:.1f} s)")
        return
    a = artifact_summary(artifact)
    m["artifact"] = a
    m["matrix_bytes"] = -(-sum(packed_bits(r, k, a["weight_format"]) for _, r, k in matrices) // 8)
    m["bias_bytes"] = BIAS_BYTES * m["bias_elements"]
    m["weight_bytes"] = m["matrix_bytes"] + m["bias_bytes"]
    m["matrices"] = len(matrices)
    m["artifact_budget"] = ARTIFACT_FACTOR * (m["weight_bytes"] + INSTRUCTION_BYTES * a["instructions"]) \
        + ARTIFACT_SLACK
    m["rss_budget"] = MEMORY_FACTOR * (m["onnx_bytes"] + a["bytes"]) + MEMORY_SLACK
    log(f"  compile {seconds:.2f} s ({1000 * seconds / m['nodes']:.2f} s/1000 nodes), peak RSS "
        f"{rss / 1e6:.0f} MB (budget {m['rss_budget'] / 1e6:.0f}); artifact {a['bytes']:,} bytes, "
        f"{a['instructions']:,} instructions (budget {m['artifact_budget']:,.0f})")

    inputs = timing.write_inputs(model_dir, m["key"], timing.input_specs(path), SEED)
    out_dir = os.path.join(tdir, f"{m['key']}_out")
    os.makedirs(out_dir, exist_ok=True)
    npu_argv = [tools.path("npu-run"), artifact, "--output-dir", out_dir]
    for name, (_, npy, _) in inputs.items():
        npu_argv += ["--input", f"{name}={npy}"]
    ort_argv = None
    if ort_module:
        job = {"model": path, "output_file": os.path.join(tdir, f"{m['key']}_ort_out.f32"),
               "inputs": {name: {"shape": shape, "file": f32} for name, (shape, _, f32) in inputs.items()}}
        job_path = os.path.join(tdir, f"{m['key']}_ort_process.json")
        with open(job_path, "w") as f:
            json.dump(job, f)
        ort_argv = ["node", os.path.join(HERE, "ort_process.js"), ort_module, job_path]
    try:
        m["npu_run_s"], m["ort_s"], m["process_runs"] = time_processes(npu_argv, ort_argv, repeats)
    except (ToolError, subprocess.TimeoutExpired) as e:
        m["process_error"] = str(e).splitlines()[0]
        log(f"  whole process: {m['process_error']}")
        return
    log(f"  whole process: npu-run {m['npu_run_s']:.3f} s, onnxruntime " +
        (f"{m['ort_s']:.3f} s" if m["ort_s"] is not None else "not measured"))


# --- verdicts -------------------------------------------------------------------

def verdict(ok):
    return "PASS" if ok else "**FAIL**"


def verdicts(m):
    """{target: bool} of one compiled model (whole process only when both were timed)."""
    if m.get("error"):
        return {}
    v = {"memory": m["rss"] <= m["rss_budget"],
         "artifact": m["artifact"]["bytes"] <= m["artifact_budget"]}
    if m["want_nodes"] >= TIME_MIN_NODES:  # the size asked for (an unrolled cell's count is near it)
        v["time"] = 1000 * m["compile_s"] / m["nodes"] <= TIME_TARGET
    if m.get("ort_s") is not None:
        v["process"] = m["npu_run_s"] <= m["ort_s"]
    return v


def linearity(models):
    """Per family with two or more compiled models: (label, smallest, largest, ratio of time per node)."""
    out = []
    for fam in dict.fromkeys(m["family"] for m in models):
        ok = [m for m in models if m["family"] == fam and not m.get("error")]
        if len(ok) < 2:
            continue
        lo, hi = min(ok, key=lambda m: m["nodes"]), max(ok, key=lambda m: m["nodes"])
        per = lambda m: m["compile_s"] / m["nodes"]  # noqa: E731
        out.append((FAMILIES[fam][0], lo, hi, per(hi) / per(lo)))
    return out


# --- document -------------------------------------------------------------------

def render(args, models, ort_note, info, loads, command, seconds):
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    fams = list(dict.fromkeys(m["family"] for m in models))
    lines = ["## Compiler: speed, memory, artifact size (issue 9)", "",
             "<!-- Generated by bench/compile_speed.py; do not edit by hand. bench/timing.py keeps this section. -->",
             "",
             f"Generated {date} by `{command}` (the whole run took {seconds / 60:.1f} min).", "",
             f"Models, generated by the script (seeded fp32 constants), compiled for `{args.target}` with its",
             "default number format:", ""]
    for fam in fams:
        label, kind, param, _, _ = FAMILIES[fam]
        sizes = ", ".join(f"{m['nodes']:,}" for m in models if m["family"] == fam)
        if kind == "mlp":
            desc = f"layers of `Gemm` ({param}x{param} weight and bias) + `Tanh`, 2 nodes per layer"
            if param >= 1024:
                desc += (" (fewer nodes than the other families: 4 MB of fp32 weights per layer, so 500 nodes "
                         "are a 1 GB ONNX file, half protobuf's limit)")
        elif kind == "lstm":
            desc = (f"one LSTM layer (input = hidden = {param}, batch 1) written out over T timesteps in the "
                    "fused-gate form of `tests/inputs/make_unrolled_rnn.py` (`Slice`, `Squeeze`, `MatMul`, `Add`, "
                    "`Split`, `Sigmoid`, `Tanh`, `Mul`), 17 nodes per timestep, output the last h")
        else:
            desc = (f"one GRU layer (`linear_before_reset` 1, input = hidden = {param}, batch 1) written out "
                    "over T timesteps in the form of `tests/inputs/make_unrolled_rnn.py` (`Slice`, `Reshape`, "
                    "`MatMul`, `Add`, gates cut by `Slice`), 23 nodes per timestep, output the last h")
        lines.append(f"- **{label}**: {desc}; {sizes} nodes.")
    lines += ["",
              "Targets (issue 9), each judged per model:", "",
              f"- *time*: `npu-compile` wall time (one process, including reading the ONNX file and writing "
              f"the artifact; the fastest of {QUICK_COMPILE_RUNS} runs when one takes under {QUICK_COMPILE_S:g} s) "
              f"<= {TIME_TARGET:g} s per 1,000 ONNX nodes, judged on models of {TIME_MIN_NODES:,} nodes and more "
              "(issue 9's range is 500 to 5,000; a smaller model is listed for its family's slope, its fixed cost "
              "per node is larger);",
              f"- *memory*: the peak resident set size of that `npu-compile` process (`ru_maxrss` from "
              f"`os.wait4`) <= {MEMORY_FACTOR:g} x (ONNX file + artifact) + {MEMORY_SLACK / 1e6:.0f} MB "
              "(MB = 10^6 bytes);",
              f"- *artifact*: artifact bytes <= {ARTIFACT_FACTOR:g} x (packed real weight bytes + "
              f"{INSTRUCTION_BYTES} x instructions) + 64 KiB. Packed real weight bytes: every constant matrix of",
              "  the ONNX graph (`MatMul` / `Gemm` B operand; recurrent W and R; shared constants once) at its real",
              "  rows x cols in the artifact's weight format: per row, the element code bits of each element plus",
              "  one 8-bit shared exponent per block (e.g. msfp15: 7 bits per element and 8 bits per 16 elements);",
              "  plus every bias vector (`Gemm` C, recurrent B, the vectors an unrolled cell adds after its `MatMul`s;",
              f"  shared ones once) at the size the artifact stores it, fp32: {BIAS_BYTES} bytes per element. Biases are real",
              "  weight data the artifact must hold, and it holds them in fp32 (DRAM initialisers the multifunction",
              "  units add in the MFU format), not in the weight format. Instructions: the count in the artifact's",
              "  PROGRAM section;",
              "- *process*: one `npu-run` process (load the artifact and run one inference on the simulator,",
              "  writing the outputs) no slower than one onnxruntime process on the same ONNX model and input:",
              "  `node bench/ort_process.js` loads onnxruntime-node "
              f"{timing.ORT_VERSION}, creates a session (1 thread, as `bench/ort_time.js`), runs",
              f"  once and writes the output. Both are timed from Python as process wall time, median of {args.repeats}",
              f"  interleaved runs (1 when either takes over {SLOW_PROCESS_S:g} s and they differ by more than 2x).", ""]
    if ort_note:
        lines += [f"**onnxruntime not measured: {ort_note}.**", ""]
    lines += ["| model | nodes | ONNX MB | compile s | s / 1000 nodes | time | peak RSS MB / budget | memory "
              "| artifact bytes / budget | artifact | npu-run s / ORT s | process |",
              "|---|---:|---:|---:|---:|---|---:|---|---:|---|---:|---|"]
    tally = {}
    for m in models:
        head = f"| {m['label']} | {m.get('nodes', 0):,} | {m.get('onnx_bytes', 0) / 1e6:,.1f} |"
        if m.get("error"):
            lines.append(f"{head} {m['error']} (after {m['compile_s']:.1f} s, peak RSS {m['rss'] / 1e6:,.0f} MB) "
                         "|||||||||")
            continue
        v = verdicts(m)
        for k, ok in v.items():
            tally.setdefault(k, [0, 0])[0 if ok else 1] += 1
        if m.get("process_error"):
            proc = f"{m['process_error']} | - |"
        elif m.get("ort_s") is None:
            proc = f"{m['npu_run_s']:.3f} / - | - |"
        else:
            proc = f"{m['npu_run_s']:.3f} / {m['ort_s']:.3f} | {verdict(v['process'])} |"
        time_ok = verdict(v["time"]) if "time" in v else "-"
        lines.append(f"{head} {m['compile_s']:.2f} | {1000 * m['compile_s'] / m['nodes']:.2f} | {time_ok} | "
                     f"{m['rss'] / 1e6:,.0f} / {m['rss_budget'] / 1e6:,.0f} | {verdict(v['memory'])} | "
                     f"{m['artifact']['bytes']:,} / {m['artifact_budget']:,.0f} | {verdict(v['artifact'])} | {proc}")
    lines += ["", "Linearity (compile time per node of a family's largest model over its smallest's; "
              f"<= {LINEARITY_TARGET:g} counts as linear; the fixed cost of a process, about 0.3 s, makes small",
              "models look slower per node, so a ratio below 1 is expected; *per added node* is the slope):", ""]
    for label, lo, hi, ratio in linearity(models):
        ok = ratio <= LINEARITY_TARGET
        tally.setdefault("linear", [0, 0])[0 if ok else 1] += 1
        marginal = 1000 * (hi["compile_s"] - lo["compile_s"]) / max(hi["nodes"] - lo["nodes"], 1)
        lines.append(f"- {label}: {1000 * lo['compile_s'] / lo['nodes']:.2f} ms/node at {lo['nodes']:,} nodes, "
                     f"{1000 * hi['compile_s'] / hi['nodes']:.2f} ms/node at {hi['nodes']:,} nodes: "
                     f"x{ratio:.2f} ({verdict(ok)}); between them {marginal:.2f} ms per added node")
    names = {"time": "time (<= 1 s / 1000 nodes)", "linear": "linear growth", "memory": "memory",
             "artifact": "artifact size", "process": "whole process"}
    failed = sum(1 for m in models if m.get("error"))
    lines += ["", "Result: " + "; ".join(f"{names[k]} {tally[k][0]} of {sum(tally[k])} PASS"
                                       for k in names if k in tally)
              + (f"; {failed} model(s) did not compile" if failed else "") + ".", ""]

    lines += ["Artifact size in detail (what the budget is made of):", "",
              "| model | weight format | constant matrices | packed matrix bytes | bias (fp32 bytes) "
              "| packed real weight bytes | instructions | weight image bytes | artifact bytes "
              "| artifact / (weights + program) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in models:
        if m.get("error"):
            continue
        a = m["artifact"]
        base = m["weight_bytes"] + INSTRUCTION_BYTES * a["instructions"]
        lines.append(f"| {m['label']} | {a['weight_format']} | {m['matrices']:,} | {m['matrix_bytes']:,} | "
                     f"{m['bias_bytes']:,} | {m['weight_bytes']:,} | {a['instructions']:,} | {a['weight_image']:,} | "
                     f"{a['bytes']:,} | {a['bytes'] / base:,.1f} |")
    lines += [""]
    if info.get("nproc") and max(loads) > info["nproc"]:
        lines += [f"**Caution:** the 1-minute load average was {loads[0]:.2f} at start and {loads[1]:.2f} at end "
                  f"on {info['nproc']} cores: other processes competed for the CPU, so the times are noisy.", ""]
    lines += ["Machine:", ""] + timing.machine_lines(info, loads) + [""]
    lines += ["Regenerate this section (a few minutes on 2 cores; needs the built tools, `node`, `npm`; the "
              "work directory holds up to about 1 GB at a time):", "",
              "```sh",
              "/usr/bin/python3 bench/compile_speed.py --bin-dir build/bin",
              "```", "",
              "Options: `--bin-dir DIR` (the tools to measure; default `build/bin` of this checkout),",
              "`--work-dir D` (default `softnpu-bench-compile` in the temp directory; models and",
              "artifacts are written there), `--quick` (a few small models; for a look, not for the committed",
              "table), `--skip-ort`, `--target NAME` (default brainwave-s10), `--families a,b` (of "
              + ", ".join(f"`{f}`" for f in FAMILIES) + "),",
              "`--repeats N` (whole-process timings, default 3), `--ort-prefix DIR` (npm prefix of onnxruntime-node;",
              "default: bench/timing.py's), `--output FILE`. It replaces only the text between the `compile-speed`",
              "marker comments. Not part of ctest.", ""]
    return "\n".join(lines), tally


# --- main -----------------------------------------------------------------------

def main():
    start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"),
                    help="the built tools (default: this checkout's build/bin)")
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-compile"))
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="a few small models only")
    ap.add_argument("--skip-ort", action="store_true", help="do not install or time onnxruntime")
    ap.add_argument("--target", default=timing.DEFAULT_TARGET, help="preset or target JSON (default %(default)s)")
    ap.add_argument("--families", help="comma-separated families (default: all): " + ", ".join(FAMILIES))
    ap.add_argument("--repeats", type=int, default=3, help="whole-process timing repeats (default 3)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per npu-compile (default 900)")
    ap.add_argument("--ort-prefix", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-timing", "ort"),
                    help="npm prefix of onnxruntime-node (default: bench/timing.py's, %(default)s)")
    args = ap.parse_args()
    fams = list(FAMILIES)
    if args.families:
        fams = [f.strip() for f in args.families.split(",") if f.strip()]
        unknown = [f for f in fams if f not in FAMILIES]
        if unknown or not fams:
            ap.error(f"--families: unknown {', '.join(unknown) or '(none given)'} (families: {', '.join(FAMILIES)})")
    if args.repeats < 1:
        ap.error("--repeats must be at least 1")
    loads = [os.getloadavg()[0], None]

    work = os.path.abspath(args.work_dir)
    models = []
    try:
        for d in ("models", args.target):
            os.makedirs(os.path.join(work, d), exist_ok=True)
        tools = timing.snapshot_tools(args.bin_dir, os.path.join(work, "bin"))
        ort_module, ort_note = (None, "skipped (--skip-ort)") if args.skip_ort else \
            timing.ensure_ort(work, os.path.abspath(args.ort_prefix))
        if ort_note:
            log(f"onnxruntime: {ort_note}")
        for fam in fams:
            label, kind, param, full, quick = FAMILIES[fam]
            for n in (quick if args.quick else full):
                m = {"family": fam, "kind": kind, "param": param, "want_nodes": n, "key": f"{fam}_{n}",
                     "label": f"{label.split(' (')[0]}, {n:,} nodes"}
                bench_model(m, tools, work, args.target, ort_module, args.repeats, args.timeout)
                models.append(m)
                # The largest models are hundreds of MB: keep the work directory from growing.
                for ext in (".onnx", ".npu"):
                    p = os.path.join(work, "models" if ext == ".onnx" else args.target, m["key"] + ext)
                    if os.path.exists(p) and os.path.getsize(p) > 200e6:
                        os.remove(p)
    except (ToolError, OSError, ValueError) as e:
        print(f"compile_speed: error: {e}", file=sys.stderr)
        return 1

    loads[1] = os.getloadavg()[0]
    shown = timing.regen_command("bench/compile_speed.py", args, [
        ("--target", args.target if args.target != timing.DEFAULT_TARGET else None),
        ("--families", ",".join(fams) if fams != list(FAMILIES) else None),
        ("--repeats", str(args.repeats) if args.repeats != 3 else None)])
    seconds = time.perf_counter() - start
    text, tally = render(args, models, ort_note, timing.machine_info(args.bin_dir), loads, shown, seconds)
    if timing.write_section("compile_speed", args.output, SECTION, text, seconds):
        return 1
    for k, (ok, bad) in tally.items():
        log(f"{'PASS' if not bad else 'FAIL'}: {k}: {ok} of {ok + bad} pass")
    for m in models:
        if m.get("error"):
            log(f"ERROR: {m['label']}: {m['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
