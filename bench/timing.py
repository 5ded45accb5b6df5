#!/usr/bin/python3
"""timing.py - regenerates docs/benchmarks.md: modeled NPU performance and host-side simulator speed.

A benchmark, not a test (minutes; its host-speed numbers depend on the machine).

1. Modeled performance. It generates batch-1 matrix-vector models y = x W + b
   (ONNX Gemm, square W of size 256 ... 2816, fp32 weights from a seeded RNG) in
   the work directory and takes the Fashion-MNIST MLP (models/fashion_mnist/mlp.onnx).
   For every preset (`npu-compile --list-targets`) and model it compiles the model
   (a compile error, e.g. a model that does not fit the target, becomes a row) and
   runs `npu-run --profile --report=json` on a seeded input: cycles, latency,
   effective TOPS, MVU utilisation, DRAM bytes of the timing model
   (docs/timing-model.md).
2. Host speed. The wall time per inference of the bit-accurate simulator
   (npu-run) against onnxruntime (npm onnxruntime-node@1.30.0, installed with
   --ignore-scripts into WORK/ort unless already there), single thread, both
   measured in this run, as a ratio; issue 4's target is simulator <= 2x ORT.
   ORT: bench/ort_time.js (in-process timing of session.run()). Simulator: wall
   time of `npu-run --batch` over K copies of the input minus that of one copy,
   divided by K - 1 (removes process start, artifact load, input/output I/O).
   The simulator's output is also compared with ORT's (SNR in dB).
3. The document replaces --output, except for sections other scripts maintain in it between
   marker comments <!-- NAME:begin --> ... <!-- NAME:end --> (bench/rnn_bench.py's
   "rnn-bench", bench/compile_speed.py's "compile-speed", bench/fpga_npu_workloads.py's
   "fpga-npu-workloads", bench/models.py's "real-models", bench/cnn_bench.py's "cnn-bench"), which are
   kept unchanged at its end.

Usage:
  bench/timing.py [--bin-dir build/bin] [--work-dir D] [--output docs/benchmarks.md]
                  [--quick] [--skip-ort] [--targets a,b] [--sizes 256,512]
Exits 1 when a tool is missing or the work directory cannot be written; compile
and run failures of single models, and an unavailable ORT, are reported in the
document, not as errors. A missed speed target is reported, not an error.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, ToolError, Tools, first_line  # noqa: E402

SIZES = [256, 512, 1024, 1536, 2048, 2560, 2816]
QUICK_SIZES = [256, 1024, 2816]
MLP = os.path.join(REPO, "models", "fashion_mnist", "mlp.onnx")
ORT_PACKAGE = "onnxruntime-node"
ORT_VERSION = "1.30.0"
SPEED_TARGET = 2.0  # issue 4: simulator wall time <= 2x onnxruntime's
SEED = 20240604
DEFAULT_TARGET = "brainwave-s10"


def log(msg):
    print(msg, flush=True)


# --- models -----------------------------------------------------------------

def make_matvec(path, n, seed):
    """Writes a batch-1 Gemm y[1,n] = x[1,n] W[n,n] + b[n] with seeded fp32 constants."""
    rng = np.random.default_rng(seed + n)
    w = (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32)
    b = (0.1 * rng.standard_normal(n)).astype(np.float32)
    node = helper.make_node("Gemm", ["x", "W", "b"], ["y"], name=f"matvec{n}")
    graph = helper.make_graph([node], f"matvec{n}",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
                              [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="softnpu bench/timing.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def input_specs(model_path):
    """[(name, shape)] of a model's graph inputs that are not initializers (static shapes)."""
    model = onnx.load(model_path, load_external_data=False)
    inits = {i.name for i in model.graph.initializer}
    specs = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        dims = [d.dim_value if d.HasField("dim_value") else 1 for d in vi.type.tensor_type.shape.dim]
        specs.append((vi.name, dims))
    return specs


def model_macs(model_path):
    """Multiply-accumulates of one batch-1 inference of the ONNX graph itself (no padding): the
    element count of the constant weight of every Gemm / MatMul."""
    model = onnx.load(model_path)
    sizes = {i.name: int(np.prod(i.dims)) for i in model.graph.initializer}
    return sum(sizes.get(n.input[1], 0) for n in model.graph.node if n.op_type in ("Gemm", "MatMul"))


def write_inputs(model_dir, key, specs, seed):
    """Seeded inputs of one inference: {name: (shape, .npy path, raw .f32 path)}."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in specs:
        x = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        if key == "mlp":  # image pixels in [0, 1]
            x = (x + 1.0) / 2.0
        base = os.path.join(model_dir, f"{key}_{re.sub(r'[^A-Za-z0-9]+', '_', name)}")
        np.save(base + ".npy", x)
        x.tofile(base + ".f32")
        out[name] = (shape, base + ".npy", base + ".f32")
    return out


def batch_file(inputs, name, k):
    """The .npy of k copies of one inference's input `name` along dimension 0 (cached)."""
    _, npy, _ = inputs[name]
    path = npy[:-4] + f"_x{k}.npy"
    if not os.path.exists(path):
        x = np.load(npy)
        np.save(path, np.concatenate([x] * k, axis=0))
    return path


# --- modeled performance ----------------------------------------------------

def snapshot_tools(bin_dir, dest):
    """Copies npu-compile and npu-run to dest and returns Tools for the copies, so that a rebuild of
    bin_dir during the run (which removes and rewrites the binaries) cannot disturb it. Waits up to
    two minutes for a binary that is missing (being relinked)."""
    source = Tools(bin_dir)
    os.makedirs(dest, exist_ok=True)
    for tool in ("npu-compile", "npu-run"):
        deadline = time.time() + 120
        while True:
            try:
                path = source.path(tool)
                shutil.copy2(path, os.path.join(dest, tool))
                break
            except (ToolError, OSError):
                if time.time() > deadline:
                    raise
                time.sleep(5)
    return Tools(dest)


def list_targets(tools):
    proc = subprocess.run([tools.path("npu-compile"), "--list-targets"], capture_output=True, text=True,
                          timeout=60)
    if proc.returncode != 0:
        raise ToolError(f"npu-compile --list-targets failed: {first_line(proc)}")
    return [t.strip() for t in proc.stdout.splitlines() if t.strip()]


def profile(tools, artifact, inputs, out_dir):
    argv = [tools.path("npu-run"), artifact, "--profile", "--report=json", "--output-dir", out_dir]
    for name, (_, npy, _) in inputs.items():
        argv += ["--input", f"{name}={npy}"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return None, f"npu-run failed: {first_line(proc)}"
    try:
        return json.loads(proc.stdout), None
    except ValueError:
        return None, "npu-run --profile --report=json printed no JSON"


# --- host speed -------------------------------------------------------------

def ort_dir_module(prefix):
    """The onnxruntime-node package directory of an npm install prefix."""
    return os.path.join(prefix, "node_modules", ORT_PACKAGE)


def ensure_ort(work, prefix=None):
    """(module dir, None) when onnxruntime-node@ORT_VERSION is usable, else (None, reason). Installs it
    (npm --ignore-scripts) into the npm prefix `prefix` (default: WORK/ort) unless already there."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node:
        return None, "node is not installed"
    prefix = prefix or os.path.join(work, "ort")
    module = ort_dir_module(prefix)
    pkg = os.path.join(module, "package.json")
    installed = None
    if os.path.exists(pkg):
        with open(pkg) as f:
            installed = json.load(f).get("version")
    if installed != ORT_VERSION:
        if not npm:
            return None, "npm is not installed"
        os.makedirs(prefix, exist_ok=True)
        argv = [npm, "install", "--prefix", prefix, "--ignore-scripts", "--no-audit",
                "--no-fund", f"{ORT_PACKAGE}@{ORT_VERSION}"]
        log(f"installing {ORT_PACKAGE}@{ORT_VERSION}: {shlex.join(argv)}")
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return None, "npm install timed out"
        if proc.returncode != 0:
            return None, f"npm install {ORT_PACKAGE}@{ORT_VERSION} failed: {first_line(proc)}"
    probe = subprocess.run([node, "-e", f"require({json.dumps(module)})"], capture_output=True, text=True,
                           timeout=120)
    if probe.returncode != 0:
        return None, f"{ORT_PACKAGE} does not load: {first_line(probe)}"
    return module, None


def time_ort(module, model_path, inputs, work, key, quick):
    job = {"model": model_path, "warmup": 5 if quick else 20, "min_seconds": 0.3 if quick else 1.0,
           "repeats": 3 if quick else 5, "output_file": os.path.join(work, f"{key}_ort_out.f32"),
           "inputs": {name: {"shape": shape, "file": f32} for name, (shape, _, f32) in inputs.items()}}
    job_path = os.path.join(work, f"{key}_ort_job.json")
    with open(job_path, "w") as f:
        json.dump(job, f)
    proc = subprocess.run(["node", os.path.join(HERE, "ort_time.js"), module, job_path], capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        return None, first_line(proc)
    result = json.loads(proc.stdout)
    result["output_values"] = np.fromfile(job["output_file"], dtype=np.float32)
    return result, None


def wall(argv):
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=3600)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise ToolError(f"npu-run failed: {first_line(proc)}")
    return seconds


def time_sim(tools, artifact, inputs, quick):
    """Microseconds per inference of npu-run: (T(K copies) - T(1 copy)) / (K - 1), medians of repeats."""
    def argv(k):
        a = [tools.path("npu-run"), artifact, "--batch"]
        for name in inputs:
            a += ["--input", f"{name}={batch_file(inputs, name, k)}"]
        return a

    # Probe: choose K so that one K-copy run takes about `budget` seconds.
    budget = 0.5 if quick else 2.0
    t1 = min(wall(argv(1)) for _ in range(2))
    t8 = wall(argv(8))
    per = max((t8 - t1) / 7, 1e-5)
    k = int(min(20000, max(8, round(budget / per) + 1)))
    repeats = 3 if quick else 5
    ones, ks = [], []
    for _ in range(repeats):  # interleaved, so load changes hit both alike
        ones.append(wall(argv(1)))
        ks.append(wall(argv(k)))
    t_one, t_k = statistics.median(ones), statistics.median(ks)
    return {"us_per_inference": max(t_k - t_one, 0.0) / (k - 1) * 1e6, "k": k, "t1_s": t_one, "tk_s": t_k,
            "repeats": repeats}


def snr_db(got, ref):
    got, ref = got.astype(np.float64).ravel(), ref.astype(np.float64).ravel()
    if got.shape != ref.shape:
        return None
    noise = float(np.sum((got - ref) ** 2))
    signal = float(np.sum(ref ** 2))
    return float("inf") if noise == 0 else 10.0 * np.log10(signal / noise)


# --- machine ----------------------------------------------------------------

def machine_info(bin_dir):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    build_type = "?"
    cache = os.path.join(os.path.dirname(os.path.abspath(bin_dir)), "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", f.read(), re.M)
            build_type = m.group(1) if m and m.group(1) else "?"
    node = "-"
    if shutil.which("node"):
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "build_type": build_type,
            "python": platform.python_version(), "node": node}


def _spin_seconds():
    t0 = time.perf_counter()
    x = 0
    for i in range(300000):
        x += i * i
    return time.perf_counter() - t0


def pin_to_one_cpu(cpu=None):
    """Pins this process, and so every tool it starts (npu-run, node), to one CPU: `cpu`, or else the
    fastest of those allowed by a short spin loop. The simulator and onnxruntime then run on the same
    core. Cores of a virtual machine can differ in speed (on the 2-core CI machine one ran the same
    npu-run 1.5x slower than the other), so unpinned, a ratio of two times measured on different cores
    says as much about the cores as about the programs. Returns (cpu, seconds of the spin loop on each
    CPU tried)."""
    allowed = sorted(os.sched_getaffinity(0))
    spins = {}
    if cpu is None:
        for c in allowed:
            os.sched_setaffinity(0, {c})
            spins[c] = min(_spin_seconds() for _ in range(5))
        cpu = min(spins, key=spins.get)
    elif cpu not in allowed:
        raise ValueError(f"CPU {cpu} is not one this process may use ({allowed})")
    os.sched_setaffinity(0, {cpu})
    return cpu, spins


def pinning_line(cpu, spins):
    """A Markdown bullet for machine_lines' `extra`: the CPU pin_to_one_cpu chose, and why."""
    if not spins:
        return f"- every timed process pinned to CPU {cpu} (`--cpu`)"
    tried = ", ".join(f"CPU {c} {1e3 * t:.1f} ms" for c, t in sorted(spins.items()))
    return f"- every timed process pinned to CPU {cpu}, the fastest by a spin loop ({tried})"


def machine_lines(info, loads, extra=()):
    """The Markdown bullets describing the machine (machine_info) and its load at start and end."""
    return [f"- CPU: {info['cpu']}, nproc {info['nproc']}; Linux {info['kernel']}",
            f"- load average (1 min) at start {loads[0]:.2f}, at end {loads[1]:.2f}",
            f"- simulator build: CMake build type {info['build_type']}; Python {info['python']}; "
            f"Node {info['node']}"] + list(extra)


# --- document ---------------------------------------------------------------

# Sections of the document that other scripts maintain (bench/rnn_bench.py: "rnn-bench", bench/compile_speed.py:
# "compile-speed", bench/fpga_npu_workloads.py: "fpga-npu-workloads", bench/models.py: "real-models",
# bench/cnn_bench.py: "cnn-bench"), each between
# <!-- NAME:begin --> and <!-- NAME:end --> on lines of their own. write_document keeps them.
MARKED_SECTION = re.compile(r"^<!-- ([A-Za-z0-9_-]+):begin -->$.*?^<!-- \1:end -->$", re.S | re.M)


def marker(name, which):
    return f"<!-- {name}:{which} -->"


def write_atomically(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def write_document(path, text):
    """Writes this script's document to path, keeping at its end the marked sections (MARKED_SECTION) of
    the file it replaces, unchanged."""
    kept = []
    if os.path.exists(path):
        with open(path) as f:
            kept = [m.group(0) for m in MARKED_SECTION.finditer(f.read())]
    if kept:
        text = text.rstrip("\n") + "\n\n" + "\n\n".join(kept) + "\n"
    write_atomically(path, text)


def regen_command(script, args, options):
    """The command line that regenerates a document, as the document shows it:
    `script --bin-dir build/bin`, the run's --quick / --skip-ort, then
    `options` (option, value) pairs whose value is set."""
    shown = [script, "--bin-dir", "build/bin"]
    if args.quick:
        shown.append("--quick")
    if args.skip_ort:
        shown.append("--skip-ort")
    for option, value in options:
        if value:
            shown += [option, value]
    return " ".join(shlex.quote(a) for a in shown)


def replace_marked_section(path, name, body):
    """Replaces what is between the lines <!-- NAME:begin --> and <!-- NAME:end --> of path with body
    (text without the markers); appends the marked section at the end of the file when the markers are
    absent (creates the file when it does not exist). Everything outside the markers is kept."""
    text = ""
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    section = f"{marker(name, 'begin')}\n\n{body.strip(chr(10))}\n\n{marker(name, 'end')}"
    for m in MARKED_SECTION.finditer(text):
        if m.group(1) == name:
            text = text[:m.start()] + section + text[m.end():]
            break
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section + "\n"
    write_atomically(path, text)


def write_section(tool, path, name, body, seconds=None):
    """A benchmark's last step: its marked section `name` of `path` replaced by
    `body` (replace_marked_section), then "wrote ..." logged. Returns the exit
    status: 1 with one "TOOL: error:" line when the file cannot be written."""
    try:
        replace_marked_section(path, name, body)
    except OSError as e:
        print(f"{tool}: error: cannot write {path}: {e}", file=sys.stderr)
        return 1
    took = "" if seconds is None else f" ({seconds / 60:.1f} min)"
    log(f"wrote the {name} section of {path}{took}")
    return 0


def fmt_num(x, digits=2):
    return "-" if x is None else f"{x:,.{digits}f}"


def render(args, models, targets, modeled, host, ort_note, info, loads, command):
    main_target = DEFAULT_TARGET if DEFAULT_TARGET in targets else targets[0]
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks: modeled NPU performance and simulator speed", "",
             "<!-- Generated by bench/timing.py; do not edit by hand. -->", "",
             f"Generated {date} by `{command}`.", "",
             "Models: batch-1 matrix-vector products `y = x W + b` (one ONNX `Gemm`, square `W`,",
             f"fp32 constants from a seeded RNG, seed {SEED} + size), generated by the script, and the",
             "Fashion-MNIST MLP (`models/fashion_mnist/mlp.onnx`: 784 -> 256 -> 128 -> 10, Gemm + Relu).",
             "Each model is compiled for each preset with the preset's default number format. Inputs:",
             "one seeded vector, uniform in [-1, 1) (the MLP's image: uniform in [0, 1)).", "",
             "## Modeled performance (timing model)", "",
             "From `npu-run --profile --report=json` on one seeded input: the timing model of",
             "[timing-model.md](timing-model.md) at the target's clock, not a board measurement.",
             "*latency* = cycles / clock; *eff. TOPS* = 2 x MACs / latency, where MACs are what the",
             "hardware performs (matrices padded to whole N x N tiles); *MVU util.* = MACs /",
             "(T x N x L x cycles); *DRAM* = bytes the run moves to and from DRAM (the input and",
             "output vectors, plus the weights when the compiler streams them from DRAM because",
             "they do not fit the MRF).",
             "*model TOPS* = 2 x the ONNX graph's own MACs (no padding) / latency.",
             "*peak* = 2 x T x N x L x clock.", ""]
    for t in targets:
        rows = [r for r in modeled if r["target"] == t]
        peak = next((r["peak"] for r in rows if r.get("peak")), None)
        clock = next((r["clock"] for r in rows if r.get("clock")), None)
        head = f"### `{t}`"
        if peak and clock:
            head += f" ({clock:g} MHz, peak {2 * peak * clock * 1e6 / 1e12:.3g} TOPS)"
        lines += [head, "",
                  "| model | cycles | latency (us) | eff. TOPS | MVU util. | DRAM (bytes) | MACs (padded) "
                  "| model TOPS |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            if r.get("error"):
                lines.append(f"| {r['model']} | {r['error']} |||||||")
                continue
            p = r["profile"]
            lines.append(f"| {r['model']} | {p['cycles']:,} | {p['latency_us']:.3f} | {p['effective_tops']:.3f} | "
                         f"{100.0 * p['mvu_utilisation']:.1f}% | {p['dram_bytes']:,} | {p['macs']:,} | "
                         f"{2.0 * r['model_macs'] / (p['latency_us'] * 1e6):.3f} |")
        lines.append("")

    lines += ["## Host speed: simulator against onnxruntime", "",
              "Wall time per inference on this machine, both single-threaded and measured in the same run",
              "(interleaved model by model). Issue 4's target: the bit-accurate simulator no slower than",
              f"{SPEED_TARGET:g}x onnxruntime on these models (*ratio* = simulator / ORT; PASS when <= "
              f"{SPEED_TARGET:g}).", ""]
    if ort_note:
        lines += [f"**onnxruntime not measured: {ort_note}.** Only the simulator's times are shown.", ""]
    lines += [f"### {'Default preset' if main_target == DEFAULT_TARGET else 'Preset'} `{main_target}`", "",
              "| model | ORT (us/inference) | simulator (us/inference) | ratio | target | SNR sim vs ORT (dB) |",
              "|---|---:|---:|---:|---|---:|"]
    verdicts = []
    for m in models:
        h = host.get((m["key"], main_target))
        ort = host.get((m["key"], "ort"))
        ort_us = ort["us_per_inference"] if ort and not ort.get("error") else None
        if not h or h.get("error"):
            why = h["error"] if h else "not compiled"
            lines.append(f"| {m['label']} | {fmt_num(ort_us, 1)} | {why} | - | - | - |")
            continue
        ratio = h["us_per_inference"] / ort_us if ort_us else None
        verdict = "-" if ratio is None else ("PASS" if ratio <= SPEED_TARGET else "FAIL")
        if ratio is not None:
            verdicts.append((m["label"], ratio, verdict))
        snr = h.get("snr_db")
        lines.append(f"| {m['label']} | {fmt_num(ort_us, 1)} | {h['us_per_inference']:,.1f} | "
                     f"{fmt_num(ratio, 2)} | {verdict} | {fmt_num(snr, 1)} |")
    lines += ["", "### Every preset: simulator us/inference (ratio to ORT)", "",
              "| model | ORT | " + " | ".join(f"`{t}`" for t in targets) + " |",
              "|---|---:|" + "---:|" * len(targets)]
    for m in models:
        ort = host.get((m["key"], "ort"))
        ort_us = ort["us_per_inference"] if ort and not ort.get("error") else None
        cells = []
        for t in targets:
            h = host.get((m["key"], t))
            if not h or h.get("error"):
                cells.append("-")
            elif ort_us:
                cells.append(f"{h['us_per_inference']:,.0f} ({h['us_per_inference'] / ort_us:.1f}x)")
            else:
                cells.append(f"{h['us_per_inference']:,.0f}")
        lines.append(f"| {m['label']} | {fmt_num(ort_us, 0)} | " + " | ".join(cells) + " |")
    if ort_note is None and any(host.get((m["key"], "ort"), {}).get("error") for m in models):
        lines += ["", "ORT failures: " + "; ".join(f"{m['label']}: {host[(m['key'], 'ort')]['error']}"
                                                    for m in models if host.get((m['key'], 'ort'), {}).get('error'))]
    n_pass = sum(1 for v in verdicts if v[2] == "PASS")
    lines += ["", f"Result: {n_pass} of {len(verdicts)} models meet the {SPEED_TARGET:g}x target on "
              f"`{main_target}`." if verdicts else "", ""]

    ort_s, sim_s, reps = (0.3, 0.5, 3) if args.quick else (1.0, 2.0, 5)
    lines += ["### Method", "",
              f"- **onnxruntime**: npm `{ORT_PACKAGE}@{ORT_VERSION}` (CPU execution provider, the binary",
              "  shipped in the package; installed with `--ignore-scripts` into the work directory, outside",
              "  the repository). `bench/ort_time.js` creates one session with `intraOpNumThreads: 1,",
              "  interOpNumThreads: 1` (sequential), feeds the same seeded input the simulator gets,",
              f"  warms up, picks N so that N back-to-back `session.run()` calls take about {ort_s:g} s, and",
              f"  reports the median over {reps} repeats of (time of N runs) / N. This includes the Node",
              "  binding's per-call cost, as a caller of ORT from a script would see it.",
              "- **simulator**: `npu-run MODEL.npu --batch --input x=K copies` runs the artifact K times",
              "  in one process (the bit-accurate functional simulator; one thread; no `--profile`). The",
              "  per-inference time is (T(K) - T(1)) / (K - 1), with T the process wall time (median of"
              f" {reps}",
              "  interleaved repeats each), which removes process start, artifact loading (weight-image",
              f"  decoding) and file I/O common to both runs. K is chosen so that T(K) is about {sim_s:g} s.",
              "  It includes what `--batch` does per run: slicing the input, running the simulator",
              "  (quantizing input vectors, the MVU's block dot products, the MFU chain), concatenating",
              "  the outputs.",
              "- *SNR sim vs ORT*: the simulator's output for the seeded input against ORT's fp32 output,",
              "  `10 log10(sum ref^2 / sum (sim - ref)^2)`; it shows both ran the same model (the gap",
              "  is the preset's narrow number format).",
              "- The machine is shared: other processes' load (below) adds noise to both columns alike;",
              "  the ratio is more stable than the absolute times.", "",
              "## Machine", ""] + machine_lines(info, loads) + [""]
    lines += ["## Regenerating", "",
              "Build the tools (npu-compile needs `SOFTNPU_BUILD_COMPILER=ON`), then:", "",
              "```sh",
              "/usr/bin/python3 bench/timing.py --bin-dir build/bin",
              "```", "",
              "It installs onnxruntime-node into the work directory on first use (needs `node`, `npm` and",
              "the npm registry; without them the document says ORT was unavailable).",
              "Options: `--work-dir D` (default: `softnpu-bench-timing` in the temp directory, kept",
              "between runs so ORT is installed once), `--quick` (sizes 256, 1024, 2816 and shorter",
              "timing; for a look, not for the committed table), `--skip-ort` (simulator times only),",
              "`--targets a,b`, `--sizes n,m`, `--output FILE`. Not part of ctest.", ""]
    return "\n".join(lines), verdicts, main_target


# --- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-timing"))
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="fewer sizes, shorter timing")
    ap.add_argument("--skip-ort", action="store_true", help="do not install or time onnxruntime")
    ap.add_argument("--targets", help="comma-separated presets (default: every preset)")
    ap.add_argument("--sizes", help="comma-separated matrix sizes (default: %s)" % ",".join(map(str, SIZES)))
    args = ap.parse_args()
    loads = [os.getloadavg()[0], None]

    work = os.path.abspath(args.work_dir)
    try:
        os.makedirs(os.path.join(work, "models"), exist_ok=True)
        tools = snapshot_tools(args.bin_dir, os.path.join(work, "bin"))
        targets = list_targets(tools)
        if args.targets:
            wanted = [t.strip() for t in args.targets.split(",") if t.strip()]
            unknown = [t for t in wanted if t not in targets]
            if unknown:
                raise ToolError(f"unknown preset(s) {', '.join(unknown)} (presets: {', '.join(targets)})")
            targets = wanted
        sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else (QUICK_SIZES if args.quick else SIZES)

        models = []
        model_dir = os.path.join(work, "models")
        for n in sizes:
            path = os.path.join(model_dir, f"matvec{n}.onnx")
            make_matvec(path, n, SEED)
            models.append({"key": f"matvec{n}", "label": f"matvec {n}x{n}", "path": path})
        models.append({"key": "mlp", "label": "Fashion-MNIST MLP", "path": MLP})
        for i, m in enumerate(models):
            m["macs"] = model_macs(m["path"])
            m["inputs"] = write_inputs(model_dir, m["key"], input_specs(m["path"]), SEED + i)

        ort_module, ort_note = (None, "skipped (--skip-ort)") if args.skip_ort else ensure_ort(work)
        if ort_note:
            log(f"onnxruntime: {ort_note}")

        modeled, host = [], {}
        for m in models:
            key = m["key"]
            if ort_module:
                res, err = time_ort(ort_module, m["path"], m["inputs"], work, key, args.quick)
                host[(key, "ort")] = res if res else {"error": err}
                log(f"{m['label']}: ORT " + (f"{res['us_per_inference']:.1f} us/inference" if res else err))
            for t in targets:
                tdir = os.path.join(work, t)
                os.makedirs(tdir, exist_ok=True)
                artifact = os.path.join(tdir, f"{key}.npu")
                row = {"model": m["label"], "key": key, "target": t, "model_macs": m["macs"]}
                proc = tools.compile(m["path"], artifact, target=t)
                if proc.returncode != 0:
                    row["error"] = "compile error: " + re.sub(r"^npu-compile: error: [^:]*: ", "", first_line(proc))
                    modeled.append(row)
                    host[(key, t)] = {"error": "does not compile"}
                    log(f"  {t:>14}: {row['error']}")
                    continue
                out_dir = os.path.join(tdir, f"{key}_out")
                prof, err = profile(tools, artifact, m["inputs"], out_dir)
                if err:
                    row["error"] = err
                    modeled.append(row)
                    host[(key, t)] = {"error": err}
                    log(f"  {t:>14}: {err}")
                    continue
                row.update(profile=prof, peak=prof.get("peak_macs_per_cycle"), clock=prof.get("clock_mhz"))
                modeled.append(row)
                try:
                    h = time_sim(tools, artifact, m["inputs"], args.quick)
                except ToolError as e:
                    h = {"error": str(e)}
                ort = host.get((key, "ort"))
                if not h.get("error") and ort and not ort.get("error"):
                    outs = [f for f in os.listdir(out_dir) if f.endswith(".npy")]
                    if len(outs) == 1:
                        h["snr_db"] = snr_db(np.load(os.path.join(out_dir, outs[0])), ort["output_values"])
                host[(key, t)] = h
                speed = (f"{h['us_per_inference']:.1f} us/inference (K={h['k']})" if not h.get("error")
                         else h["error"])
                log(f"  {t:>14}: {prof['cycles']} cycles, {prof['latency_us']:.3f} us, "
                    f"{prof['effective_tops']:.3f} TOPS, util {100 * prof['mvu_utilisation']:.1f}%; sim {speed}")
    except (ToolError, OSError, ValueError) as e:
        print(f"timing: error: {e}", file=sys.stderr)
        return 1

    loads[1] = os.getloadavg()[0]
    shown = regen_command("bench/timing.py", args, [("--targets", args.targets), ("--sizes", args.sizes)])
    text, verdicts, main_target = render(args, models, targets, modeled, host, ort_note,
                                         machine_info(args.bin_dir), loads, shown)
    write_document(args.output, text)
    log(f"wrote {args.output}")
    for label, ratio, verdict in verdicts:
        log(f"{verdict}: {label} simulator/ORT = {ratio:.2f} on {main_target} (target <= {SPEED_TARGET:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
