#!/usr/bin/python3
"""rnn_bench.py - DeepBench-style batch-1 LSTM / GRU: modeled NPU performance, compile time, host speed.

Writes the section "Recurrent networks" of docs/benchmarks.md.

A benchmark, not a test (about a minute on 2 cores; its host-speed numbers depend on the machine).

1. Models. For each cell (LSTM, GRU) and size H x T of SIZES it generates, in WORK/models (never in
   the repository; LSTM 2816 is ~250 MB), one ONNX (opset 14) model in the style of DeepBench's
   batch-1 inference RNNs: one forward, one-layer LSTM or GRU node (GRU with linear_before_reset=1,
   as cuDNN and PyTorch), input size = hidden size H, input x [T, 1, H], output Y_h [1, 1, H] only
   (Y omitted with an empty output name), fp32 W, R, B uniform in (-1/sqrt(H), 1/sqrt(H)) from a
   seeded RNG. Input: one seeded sequence uniform in [-1, 1). A numpy fp32 evaluation of the ONNX
   semantics is the reference output.
2. Modeled performance. Each model is compiled for brainwave-s10 (npu-compile's default preset; one
   timed npu-compile run) and run with `npu-run --profile --report=json` on the seeded input:
   cycles, latency, MVU utilisation (MACs on whole native-dim tiles / peak, as the timing model
   reports it), and effective TFLOPS = 2 x useful MACs / latency, where useful MACs =
   T x gates x H x (I + H) (gates: LSTM 4, GRU 3; I = H; no padding). Rows with H >= 1024 whose
   MVU utilisation is below 50% (the target) are marked. SNR of the NPU's Y_h against the reference.
3. Host speed (LSTM 1024x25, and GRU 1024x25 when GRU is benchmarked): the simulator's wall time per
   inference against onnxruntime-node single-thread, measured in this run, as a ratio (target:
   simulator <= 1.5x ORT), with bench/timing.py's methods (bench/ort_time.js; simulator =
   (T(npu-run --batch over K copies) - T(1 copy)) / (K - 1)); SNR of the NPU's output against ORT's.
4. Document. Replaces the part of --output between the lines <!-- rnn-bench:begin --> and
   <!-- rnn-bench:end --> (appended at the end of the file when absent); bench/timing.py keeps it
   when it regenerates the rest.

Usage:
  bench/rnn_bench.py [--bin-dir build/bin] [--work-dir D] [--output docs/benchmarks.md]
                     [--quick] [--skip-ort] [--cells lstm,gru] [--ort-prefix DIR]
--quick: only H = 256 and 1024, shorter timing (for a look, not for the committed table).
ORT is installed (npm onnxruntime-node@1.30.0, --ignore-scripts) into --ort-prefix unless already
there; the default is bench/timing.py's (TMP/softnpu-bench-timing/ort), so both share one install.
Exits 1 when a tool is missing or the work directory or document cannot be written; compile and run
failures of single models, and an unavailable ORT, are reported in the document, not as errors.
Missed targets are reported, not errors.
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time

import numpy as np

import timing  # bench/timing.py (this script's directory is on sys.path); it also sets up tests/e2e
from timing import log, fmt_num
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import npu_tools  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, ToolError, first_line, output_file  # noqa: E402

HERE = timing.HERE
REPO = timing.REPO
SECTION = "rnn-bench"
# H x T, both cells; after DeepBench's inference RNN set (batch 1).
SIZES = [(256, 150), (512, 25), (1024, 25), (1536, 50), (2048, 25), (2816, 25)]
QUICK_HIDDEN = (256, 1024)
CELLS = {"lstm": ("LSTM", 4), "gru": ("GRU", 3)}
HOST_SPEED_SIZE = (1024, 25)
SPEED_TARGET = 1.5      # simulator wall time <= 1.5x onnxruntime's
UTIL_TARGET = 0.5       # MVU utilisation target ...
UTIL_TARGET_MIN_H = 1024  # ... for H >= 1024
TARGET = timing.DEFAULT_TARGET
SEED = timing.SEED


# --- models -----------------------------------------------------------------

def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def reference_y_h(cell, x, w, r, b, h_size):
    """Y_h [1, 1, H] of a forward one-layer ONNX LSTM (gates i, o, f, c) or GRU (z, r, h;
    linear_before_reset=1) with zero initial state, in fp32 numpy."""
    gates = CELLS[cell][1]
    wb, rb = b[0, :gates * h_size], b[0, gates * h_size:]
    xw = x[:, 0, :] @ w[0].T + wb  # [T, gates H]
    h = np.zeros(h_size, np.float32)
    c = np.zeros(h_size, np.float32)
    for t in range(x.shape[0]):
        hr = r[0] @ h + rb
        if cell == "lstm":
            i, o, f, g = np.split(xw[t] + hr, 4)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = (sigmoid(o) * np.tanh(c)).astype(np.float32)
        else:
            xz, xr, xh = np.split(xw[t], 3)
            hz, hrr, hh = np.split(hr, 3)
            z = sigmoid(xz + hz)
            h = ((1.0 - z) * np.tanh(xh + sigmoid(xr + hrr) * hh) + z * h).astype(np.float32)
    return h.reshape(1, 1, h_size)


def make_rnn(path, cell, h_size, steps, x):
    """Writes the ONNX model of one cell and size and returns the reference Y_h for input x."""
    op, gates = CELLS[cell]
    rng = np.random.default_rng((SEED, gates, h_size, steps))
    bound = np.float32(1.0 / np.sqrt(h_size))

    def uniform(shape):  # uniform in [-bound, bound), generated in fp32 (LSTM 2816: 63 M values)
        a = rng.random(shape, dtype=np.float32)
        a *= 2 * bound
        a -= bound
        return a

    w = uniform((1, gates * h_size, h_size))
    r = uniform((1, gates * h_size, h_size))
    b = uniform((1, 2 * gates * h_size))
    attrs = {"hidden_size": h_size, "direction": "forward"}
    if cell == "gru":
        attrs["linear_before_reset"] = 1
    node = helper.make_node(op, ["x", "W", "R", "B"], ["", "Y_h"], name=f"{cell}{h_size}x{steps}", **attrs)
    graph = helper.make_graph([node], f"{cell}{h_size}x{steps}",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [steps, 1, h_size])],
                              [helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, 1, h_size])],
                              [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"),
                               numpy_helper.from_array(b, "B")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)],
                              producer_name="softnpu bench/rnn_bench.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return reference_y_h(cell, x, w, r, b, h_size)


def useful_macs(cell, h_size, steps):
    """T x gates x H x (I + H) with I = H: the cell's matrix products without padding."""
    return steps * CELLS[cell][1] * h_size * (h_size + h_size)


def artifact_target(path):
    """The target description an artifact embeds (native_dim, clock_mhz, ...), or {} (for the header
    of the table only)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 20)
        return next((o for o in npu_tools._json_objects(head) if "native_dim" in o), {})
    except Exception:  # noqa: BLE001 - cosmetic
        return {}


# --- one model ----------------------------------------------------------------

def bench_model(m, tools, work, ort_module, quick):
    """Fills m (a dict with cell, h, t, key, label) with the results of one model."""
    model_dir, tdir = os.path.join(work, "models"), os.path.join(work, TARGET)
    path = os.path.join(model_dir, f"{m['key']}.onnx")
    inputs = timing.write_inputs(model_dir, m["key"], [("x", [m["t"], 1, m["h"]])],
                                 SEED + 10 * m["h"] + m["t"])
    t0 = time.perf_counter()
    ref = make_rnn(path, m["cell"], m["h"], m["t"], np.load(inputs["x"][1]))
    m["onnx_mb"] = os.path.getsize(path) / 1e6
    log(f"{m['label']}: generated {m['onnx_mb']:.0f} MB in {time.perf_counter() - t0:.1f} s")

    artifact = os.path.join(tdir, f"{m['key']}.npu")
    t0 = time.perf_counter()
    try:
        proc = tools.compile(path, artifact, target=TARGET)
        err = None if proc.returncode == 0 else first_line(proc).replace("npu-compile: error: ", "")
    except ToolError as e:  # timed out
        err = str(e)
    m["compile_s"] = time.perf_counter() - t0
    if err:
        m["error"] = "compile error: " + err
        log(f"  {m['error']}")
        return
    m["target_desc"] = artifact_target(artifact)

    out_dir = os.path.join(tdir, f"{m['key']}_out")
    shutil.rmtree(out_dir, ignore_errors=True)  # no stale Y_h of an earlier run
    prof, err = timing.profile(tools, artifact, inputs, out_dir)
    if err:
        m["error"] = err
        log(f"  {err}")
        return
    try:
        y = np.load(output_file(out_dir, "Y_h"))
    except (OSError, ValueError) as e:
        m["error"] = f"npu-run wrote no Y_h: {e}"
        log(f"  {m['error']}")
        return
    m["profile"] = prof
    m["tflops"] = 2.0 * m["macs"] / (prof["latency_us"] * 1e-6) / 1e12
    m["snr_ref"] = timing.snr_db(y, ref)
    log(f"  compile {m['compile_s']:.2f} s; {prof['cycles']:,} cycles, {prof['latency_us']:.3f} us, "
        f"{m['tflops']:.2f} TFLOPS, MVU util {100 * prof['mvu_utilisation']:.1f}%; "
        f"SNR vs fp32 reference {fmt_num(m['snr_ref'], 1)} dB")

    if (m["h"], m["t"]) != HOST_SPEED_SIZE:
        return
    host = m["host"] = {}
    if ort_module:
        res, err = timing.time_ort(ort_module, path, inputs, work, m["key"], quick)
        host["ort"] = res if res else {"error": err}
        if res:
            log(f"  ORT {res['us_per_inference']:.1f} us/inference; ORT vs numpy reference "
                f"{fmt_num(timing.snr_db(res['output_values'], ref), 1)} dB")
        else:
            log(f"  ORT: {err}")
    try:
        sim = timing.time_sim(tools, artifact, inputs, quick)
    except ToolError as e:
        sim = {"error": str(e)}
    host["sim"] = sim
    ort = host.get("ort")
    if not sim.get("error") and ort and not ort.get("error"):
        sim["snr_ort"] = timing.snr_db(y, ort["output_values"])
        sim["ratio"] = sim["us_per_inference"] / ort["us_per_inference"]
    log("  simulator " + (f"{sim['us_per_inference']:.1f} us/inference (K={sim['k']})" if not sim.get("error")
                          else sim["error"]))


# --- document -----------------------------------------------------------------

def util_mark(m):
    if m["h"] < UTIL_TARGET_MIN_H:
        return "-"
    return "ok" if m["profile"]["mvu_utilisation"] >= UTIL_TARGET else "**below**"


def render(args, models, sizes, ort_note, info, loads, command, seconds):
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    desc = next((m["target_desc"] for m in models if m.get("target_desc")), {})
    prof = next((m["profile"] for m in models if m.get("profile")), {})
    n = desc.get("native_dim")
    target_head = f"`{TARGET}`"
    if n and prof:
        peak_tops = 2 * prof["peak_macs_per_cycle"] * prof["clock_mhz"] * 1e6 / 1e12
        target_head += (f" ({n}x{n} tiles, {desc.get('tile_engines')} tile engines x {desc.get('lanes')} lanes, "
                        f"{prof['clock_mhz']:g} MHz, peak {peak_tops:.3g} TOPS)")
    fmt = f" ({desc['weight_format']} weights and matrix inputs)" if desc.get("weight_format") else ""
    cells = sorted({m["cell"] for m in models}, key=list(CELLS).index)
    lines = ["## Recurrent networks (DeepBench-style, batch 1)", "",
             "<!-- Generated by bench/rnn_bench.py; do not edit by hand. bench/timing.py keeps this section. -->",
             "",
             f"Generated {date} by `{command}` (the whole run took {seconds / 60:.1f} min).", "",
             "Models: DeepBench-style batch-1 inference RNNs, generated by the script as ONNX (opset 14):",
             "one forward, one-layer " + " or ".join(f"`{CELLS[c][0]}`" for c in cells) + " node"
             + (" (GRU with `linear_before_reset=1`, as in cuDNN and PyTorch)" if "gru" in cells else "") + ";",
             "input size = hidden size H; input `x` [T, 1, H]; output `Y_h` only (`Y` omitted); fp32 `W`,",
             "`R`, `B` uniform in (-1/sqrt(H), 1/sqrt(H)) from a seeded RNG. Input: one seeded sequence,",
             "uniform in [-1, 1). Sizes H x T, the same for both cells, after DeepBench's inference RNN set:",
             ", ".join(f"{h}x{t}" for h, t in sizes) + ".",
             f"Compiled for {target_head}",
             f"with the preset's default number format{fmt}.", "",
             "From `npu-run --profile --report=json`: the timing model of [timing-model.md](timing-model.md)",
             "at the target's clock, not a board measurement. *latency* = cycles / clock. *useful MACs* =",
             "T x gates x H x (I + H) (gates: LSTM 4, GRU 3; I = H), the ONNX node's own multiply-accumulates,",
             "without padding. *eff. TFLOPS* = 2 x useful MACs / latency. *MVU util.* as the timing model",
             "reports it: MACs the MVU performs on whole native-dim tiles / (peak MACs per cycle x cycles).",
             f"*util. >= {100 * UTIL_TARGET:.0f}%*: the MVU utilisation target for H >= {UTIL_TARGET_MIN_H}; "
             "**below** marks a row that misses it",
             "(- for smaller H). *compile*: wall time of one `npu-compile` run, including reading the ONNX",
             "file. *SNR*: the NPU's `Y_h` (bit-accurate simulator) against a numpy fp32 evaluation of the",
             "ONNX node, `10 log10(sum ref^2 / sum (npu - ref)^2)` in dB.", "",
             f"| cell | H x T | ONNX (MB) | useful MACs | cycles | latency (us) | eff. TFLOPS | MVU util. "
             f"| util. >= {100 * UTIL_TARGET:.0f}% | compile (s) | SNR (dB) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for m in models:
        head = f"| {CELLS[m['cell']][0]} | {m['h']}x{m['t']} | {fmt_num(m.get('onnx_mb'), 0)} | {m['macs']:,} |"
        if m.get("error"):
            lines.append(f"{head} {m['error']} ||||| {fmt_num(m.get('compile_s'), 2)} | - |")
            continue
        p = m["profile"]
        lines.append(f"{head} {p['cycles']:,} | {p['latency_us']:.3f} | {m['tflops']:.2f} | "
                     f"{100 * p['mvu_utilisation']:.1f}% | {util_mark(m)} | {m['compile_s']:.2f} | "
                     f"{fmt_num(m['snr_ref'], 1)} |")
    judged = [m for m in models if not m.get("error") and m["h"] >= UTIL_TARGET_MIN_H]
    failed = [m for m in models if m.get("error") and m["h"] >= UTIL_TARGET_MIN_H]
    lines += ["", f"MVU utilisation: {sum(util_mark(m) == 'ok' for m in judged)} of {len(judged) + len(failed)} "
              f"models with H >= {UTIL_TARGET_MIN_H} reach {100 * UTIL_TARGET:.0f}%"
              + (f" ({len(failed)} did not compile or run)" if failed else "") + "."
              + (" Where it is lower, [timing-model.md](timing-model.md#recurrent-layers) explains the"
                 " per-timestep critical path and the MFU bound behind it."
                 if any(util_mark(m) != "ok" for m in judged) else ""), ""]

    lines += ["### Host speed: simulator against onnxruntime", "",
              "Wall time per inference on this machine, both single-threaded and measured in this run, with",
              "bench/timing.py's methods (*Method* above): onnxruntime-node "
              f"{timing.ORT_VERSION} through `bench/ort_time.js`; the",
              "simulator as (T(`npu-run --batch`, K copies) - T(1 copy)) / (K - 1). *ratio* = simulator / ORT;",
              f"target: <= {SPEED_TARGET:g}. *SNR*: the NPU's `Y_h` against ORT's.", ""]
    if ort_note:
        lines += [f"**onnxruntime not measured: {ort_note}.** Only the simulator's times are shown.", ""]
    lines += ["| model | ORT (us/inference) | simulator (us/inference) | ratio | target | SNR sim vs ORT (dB) |",
              "|---|---:|---:|---:|---|---:|"]
    results = []
    for m in models:
        if (m["h"], m["t"]) != HOST_SPEED_SIZE:
            continue
        label = f"{CELLS[m['cell']][0]} {m['h']}x{m['t']}"
        host = m.get("host", {})
        ort, sim = host.get("ort"), host.get("sim")
        ort_us = ort["us_per_inference"] if ort and not ort.get("error") else None
        if not sim or sim.get("error"):
            why = sim["error"] if sim else m.get("error", "not run")
            lines.append(f"| {label} | {fmt_num(ort_us, 1)} | {why} | - | - | - |")
            continue
        ratio = sim.get("ratio")
        verdict = "-" if ratio is None else ("PASS" if ratio <= SPEED_TARGET else "FAIL")
        if ratio is not None:
            results.append(f"{label} {ratio:.2f}x ({verdict})")
        lines.append(f"| {label} | {fmt_num(ort_us, 1)} | {sim['us_per_inference']:,.1f} | {fmt_num(ratio, 2)} | "
                     f"{verdict} | {fmt_num(sim.get('snr_ort'), 1)} |")
    ort_errors = [f"{CELLS[m['cell']][0]} {m['h']}x{m['t']}: {m['host']['ort']['error']}" for m in models
                  if m.get("host", {}).get("ort", {}).get("error")]
    if ort_errors:
        lines += ["", "ORT failures: " + "; ".join(ort_errors)]
    if results:
        lines += ["", f"Host speed: simulator / onnxruntime = {', '.join(results)}; target <= {SPEED_TARGET:g}x."]
    if info.get("nproc") and max(loads) > info["nproc"]:
        lines += ["", f"**Caution:** the 1-minute load average was {loads[0]:.2f} at start and {loads[1]:.2f} at end "
                  f"on {info['nproc']} cores",
                  "(the benchmark itself adds about 1 while it runs): other processes competed for the CPU, and ORT",
                  "and the simulator are timed one after the other, so these times and their ratio are unreliable."]
    ort_s, sim_s, reps = (0.3, 0.5, 3) if args.quick else (1.0, 2.0, 5)
    lines += ["", f"ORT: N back-to-back `session.run()` calls of about {ort_s:g} s, median of {reps} repeats. "
              f"Simulator: K such that", f"T(K) is about {sim_s:g} s, medians of {reps} interleaved repeats.", "",
              "Machine:", ""] + timing.machine_lines(info, loads) + [""]
    lines += ["Regenerate this section (about a minute on 2 cores; needs the built tools, `node`, `npm`):", "",
              "```sh",
              "/usr/bin/python3 bench/rnn_bench.py --bin-dir build/bin",
              "```", "",
              "Options: `--work-dir D` (default `softnpu-bench-rnn` in the temp directory; the models, up to",
              "~250 MB each, are written there), `--quick` (H = 256 and 1024 only, shorter timing), `--skip-ort`,",
              "`--cells lstm,gru`, `--ort-prefix DIR` (npm prefix of onnxruntime-node; default: bench/timing.py's),",
              "`--output FILE`. It replaces only the text between the `rnn-bench` marker comments.", ""]
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------

def main():
    start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-rnn"))
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="H = 256 and 1024 only, shorter timing")
    ap.add_argument("--skip-ort", action="store_true", help="do not install or time onnxruntime")
    ap.add_argument("--cells", default="lstm,gru", help="comma-separated cells: lstm, gru (default: both)")
    ap.add_argument("--ort-prefix", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-timing", "ort"),
                    help="npm prefix of onnxruntime-node (default: bench/timing.py's, %(default)s)")
    args = ap.parse_args()
    cells = [c.strip().lower() for c in args.cells.split(",") if c.strip()]
    unknown = [c for c in cells if c not in CELLS]
    if unknown or not cells:
        ap.error(f"--cells: unknown cell(s) {', '.join(unknown) or '(none given)'} (cells: {', '.join(CELLS)})")
    cells = [c for c in CELLS if c in cells]
    sizes = [(h, t) for h, t in SIZES if not args.quick or h in QUICK_HIDDEN]
    loads = [os.getloadavg()[0], None]

    work = os.path.abspath(args.work_dir)
    try:
        for d in ("models", TARGET):
            os.makedirs(os.path.join(work, d), exist_ok=True)
        tools = timing.snapshot_tools(args.bin_dir, os.path.join(work, "bin"))
        ort_module, ort_note = (None, "skipped (--skip-ort)") if args.skip_ort else \
            timing.ensure_ort(work, os.path.abspath(args.ort_prefix))
        if ort_note:
            log(f"onnxruntime: {ort_note}")
        models = []
        for cell in cells:
            for h, t in sizes:
                m = {"cell": cell, "h": h, "t": t, "key": f"{cell}{h}x{t}",
                     "label": f"{CELLS[cell][0]} {h}x{t}", "macs": useful_macs(cell, h, t)}
                bench_model(m, tools, work, ort_module, args.quick)
                models.append(m)
    except (ToolError, OSError, ValueError) as e:
        print(f"rnn_bench: error: {e}", file=sys.stderr)
        return 1

    loads[1] = os.getloadavg()[0]
    shown = timing.regen_command("bench/rnn_bench.py", args,
                                 [("--cells", ",".join(cells) if set(cells) != set(CELLS) else None)])
    seconds = time.perf_counter() - start
    text = render(args, models, sizes, ort_note, timing.machine_info(args.bin_dir), loads, shown, seconds)
    if timing.write_section("rnn_bench", args.output, SECTION, text, seconds):
        return 1
    for m in models:
        if m.get("error"):
            log(f"ERROR: {m['label']}: {m['error']}")
        elif m["h"] >= UTIL_TARGET_MIN_H and util_mark(m) != "ok":
            log(f"BELOW: {m['label']} MVU utilisation {100 * m['profile']['mvu_utilisation']:.1f}% "
                f"(target >= {100 * UTIL_TARGET:.0f}%)")
        sim = m.get("host", {}).get("sim", {})
        if sim.get("ratio") is not None:
            verdict = "PASS" if sim["ratio"] <= SPEED_TARGET else "FAIL"
            log(f"{verdict}: {m['label']} simulator/ORT = {sim['ratio']:.2f} (target <= {SPEED_TARGET:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
