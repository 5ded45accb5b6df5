#!/usr/bin/python3
"""cnn_bench.py - torchvision CNNs on the NPU: placement, modelled time, per-layer bounds, SNR, simulator speed.

Writes the section "Torchvision CNNs" of docs/benchmarks.md (between <!-- cnn-bench:begin --> and
<!-- cnn-bench:end -->; bench/timing.py keeps it). A benchmark, not a test: about 4 minutes on 2 cores.

Models: ResNet-18, ResNet-50 and MobileNetV2 at 1x3x224x224 with random weights, exported by
models/torchvision/export_models.py (run here when its output is missing), and their test input.
Per model (issue 11's targets):
1. per preset (brainwave-s10, cnn-n128), compiled with the preset's default format and the default
   placement (`npu-compile --placement-report`): the share of the graph's MACs on the NPU (target
   >= 99%), segments; `npu-run --profile --report=json` on the test input: modelled latency,
   effective TOPS (2 x MACs the hardware performs, zero padding included, / latency) and MVU
   utilisation; model TOPS (2 x the graph's own MACs / latency);
2. the SNR of the logits against onnxruntime's on the test input, on brainwave-s10 for fp32, msfp16,
   the default (msfp15) and msfp12 (target at the default: >= 20 dB); and the model's own
   sensitivity: the fp32 build on the test input plus seeded white noise at NOISE_DB dB SNR, a
   perturbation smaller than one rounding to msfp15 (about 37 dB on N(0,1) data), against the same
   reference; and, for information, the default build against the fp32 build on smooth inputs (the
   first IMAGES Fashion-MNIST test images, upsampled), the lowest of them;
3. simulator wall time per inference on brainwave-s10 (bench/timing.py's time_sim: npu-run --batch
   over K copies minus one copy, / (K - 1), medians of interleaved repeats) against onnxruntime-node's
   (bench/ort_time.js, 1 thread), in SPEED_ROUNDS rounds of onnxruntime then the simulator, back to
   back; the verdict is the median of the rounds' ratios (target: <= 1.0 x onnxruntime on ResNet-18
   and MobileNetV2).
Then ResNet-50's per-layer profile on brainwave-s10: each ONNX node's cycles and the unit that
bounds it (`npu-run --profile`: MVU, MFU, DRAM, control = the control processor / host, latency).

Usage:
  bench/cnn_bench.py [--bin-dir build/bin] [--models-dir build/models/torchvision] [--work-dir D]
                     [--output docs/benchmarks.md] [--quick] [--skip-ort] [--models a,b] [--ort-prefix DIR]
                     [--cpu N]
Every timed process runs on one CPU (timing.pin_to_one_cpu: --cpu, else the fastest allowed).
Exits 1 when a tool is missing or the models cannot be exported; a model that does not compile or
run is a row of the table, and a missed target is reported, not an error.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

import timing  # bench/timing.py (this script's directory is on sys.path); it also sets up tests/e2e
from timing import log
from npu_tools import ToolError, first_line  # noqa: E402

REPO = timing.REPO
SECTION = "cnn-bench"
MODELS = ["resnet18", "resnet50", "mobilenet_v2"]
LABELS = {"resnet18": "ResNet-18", "resnet50": "ResNet-50", "mobilenet_v2": "MobileNetV2"}
PRESETS = ["brainwave-s10", "cnn-n128"]
FORMATS = ["fp32", "msfp16", None, "msfp12"]  # None: the preset's default (msfp15)
SPEED_MODELS = ["resnet18", "mobilenet_v2"]  # the models with a simulator-speed target
# Speed rounds per model, each onnxruntime then the simulator, back to back: the verdict takes the
# median of the rounds' ratios, so that a slow spell of this shared machine hits both sides of one.
SPEED_ROUNDS, QUICK_SPEED_ROUNDS = 3, 1
MAC_TARGET, SNR_TARGET, SPEED_TARGET = 0.99, 20.0, 1.0
NOISE_DB, NOISE_SEED = 40.0, 1234  # the sensitivity column: input + white noise at this SNR
FASHION_MNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"  # Debian's dataset-fashion-mnist
IMAGES = 3  # the image column: the first test images, upsampled
LAYER_MODEL = "resnet50"


def export_missing(models_dir, names):
    missing = [n for n in names if not os.path.exists(os.path.join(models_dir, n, "model.onnx"))]
    if not missing:
        return
    log(f"exporting {', '.join(missing)} (models/torchvision/export_models.py)")
    proc = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "models", "torchvision", "export_models.py"),
                           "--out-dir", models_dir, "--models", ",".join(missing)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"export_models.py failed: {first_line(proc)}")


def test_input(models_dir, name, work):
    """{input name: (shape, .npy, .f32)} of the model's test_data_set_0 input."""
    t = onnx.load_tensor(os.path.join(models_dir, name, "test_data_set_0", "input_0.pb"))
    x = numpy_helper.to_array(t).astype(np.float32)
    npy, f32 = os.path.join(work, f"{name}_input.npy"), os.path.join(work, f"{name}_input.f32")
    np.save(npy, x)
    x.tofile(f32)
    return {t.name: (list(x.shape), npy, f32)}


def noisy_input(inputs, work):
    """The inputs with seeded N(0, 1) noise added, scaled to NOISE_DB dB SNR against each input's
    own mean square, as {name: (shape, .npy, .f32)}."""
    rng = np.random.default_rng(NOISE_SEED)
    out = {}
    for name, (shape, npy, _) in inputs.items():
        x = np.load(npy).astype(np.float64)
        noise = rng.standard_normal(x.shape)
        noise *= np.sqrt(np.mean(x * x) / np.mean(noise * noise) / 10 ** (NOISE_DB / 10))
        path = os.path.join(work, f"{os.path.basename(npy)[:-4]}_noisy.npy")
        np.save(path, (x + noise).astype(np.float32))
        out[name] = (shape, path, None)
    return out


def image_batch(work):
    """The first IMAGES Fashion-MNIST test images as one [IMAGES, 3, 224, 224] .npy for npu-run --batch:
    each upsampled bilinearly from 28 x 28, normalised to mean 0 and variance 1, in all three
    channels (smooth inputs, unlike the white-noise test input); None without the dataset."""
    import gzip
    if not os.path.exists(FASHION_MNIST):
        return None
    with gzip.open(FASHION_MNIST) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:IMAGES]
    src = (np.arange(224) + 0.5) * 28 / 224 - 0.5  # pixel centres, as torch's align_corners=False
    lo = np.clip(np.floor(src).astype(int), 0, 27)
    hi, t = np.clip(lo + 1, 0, 27), np.clip(src - lo, 0.0, 1.0)
    batch = []
    for img in images.astype(np.float64) / 255.0:
        rows = img[lo] * (1 - t)[:, None] + img[hi] * t[:, None]
        x = rows[:, lo] * (1 - t)[None, :] + rows[:, hi] * t[None, :]
        x = (x - x.mean()) / x.std()
        batch.append(np.stack([x, x, x]))
    path = os.path.join(work, "fashion_mnist_224.npy")
    np.save(path, np.array(batch, dtype=np.float32))
    return path


def image_snr(tools, m, work, images):
    """The lowest SNR over the images of the default build's logits against the fp32 build's (which
    matches onnxruntime's to ~100 dB: the fp32 column), or None."""
    if images is None:
        return None
    name, input_name = m["name"], next(iter(m["inputs"]))
    logits = {}
    for key in ("default", "fp32"):
        out_dir = os.path.join(work, f"{name}.{key}_images_out")
        proc = tools.run(os.path.join(work, f"{name}.{key}.npu"), [(input_name, images)], output_dir=out_dir,
                         batch=True)
        logits[key] = output_of(out_dir) if proc.returncode == 0 else None
    if logits["default"] is None or logits["fp32"] is None:
        return None
    return min(timing.snr_db(g, r) for g, r in zip(logits["default"], logits["fp32"]))


def compile_model(tools, path, art, target, precision=None, report=None):
    extra = [f"--placement-report={report}"] if report else []
    proc = tools.compile(path, art, target=target, precision=precision, extra=extra)
    return None if proc.returncode == 0 else "compile error: " + first_line(proc)


def output_of(out_dir):
    """The logits npu-run wrote (the model's one output)."""
    files = [f for f in os.listdir(out_dir) if f.endswith(".npy")]
    return np.load(os.path.join(out_dir, files[0])) if len(files) == 1 else None


def bench_model(m, tools, ort_module, work, quick, images):
    """Fills m (name, path, inputs) with per-preset placement and profile, SNRs, and times."""
    name, inputs = m["name"], m["inputs"]
    if ort_module:  # the reference logits (time_speed times it): a short job
        res, err = timing.time_ort(ort_module, m["path"], inputs, work, name, True)
        m["ort"], m["ort_error"] = res, err
    ref = m["ort"]["output_values"] if m.get("ort") else None
    for target in PRESETS:
        art = os.path.join(work, f"{name}.{target}.npu")
        report = os.path.join(work, f"{name}.{target}.placement.json")
        err = compile_model(tools, m["path"], art, target, report=report)
        if err:
            m.setdefault("presets", {})[target] = {"error": err}
            continue
        with open(report) as f:
            placement = json.load(f)["summary"]
        prof, err = timing.profile(tools, art, inputs, os.path.join(work, f"{name}.{target}_out"))
        m.setdefault("presets", {})[target] = {"placement": placement, "profile": prof, "error": err,
                                               "artifact": art}
    for fmt in FORMATS:
        key = fmt or "default"
        art = os.path.join(work, f"{name}.{key}.npu")
        err = compile_model(tools, m["path"], art, PRESETS[0], precision=fmt)
        out_dir = os.path.join(work, f"{name}.{key}_out")
        if not err:
            _, err = timing.profile(tools, art, inputs, out_dir)
        got = None if err else output_of(out_dir)
        m.setdefault("snr", {})[key] = None if got is None or ref is None else timing.snr_db(got, ref)
        if fmt == "fp32" and not err:
            noisy_dir = os.path.join(work, f"{name}.fp32_noisy_out")
            _, err = timing.profile(tools, art, noisy_input(inputs, work), noisy_dir)
            got = None if err else output_of(noisy_dir)
            m["snr"]["noisy"] = None if got is None or ref is None else timing.snr_db(got, ref)
    m["snr"]["images"] = image_snr(tools, m, work, images)
    default = m["presets"].get(PRESETS[0], {})
    if name in SPEED_MODELS and not default.get("error"):
        time_speed(m, tools, ort_module, work, quick, default["artifact"])


def time_speed(m, tools, ort_module, work, quick, artifact):
    """m["rounds"]: [(ORT us, simulator us)] of SPEED_ROUNDS rounds, each timing onnxruntime and then
    the simulator; m["sim_error"] or m["ort_error"] when one cannot be timed."""
    m["rounds"] = []
    for _ in range(QUICK_SPEED_ROUNDS if quick else SPEED_ROUNDS):
        ort = None
        if ort_module:
            res, err = timing.time_ort(ort_module, m["path"], m["inputs"], work, m["name"], quick)
            if err:
                m["ort_error"] = err
                return
            ort = res["us_per_inference"]
        try:
            sim = timing.time_sim(tools, artifact, m["inputs"], quick)["us_per_inference"]
        except ToolError as e:
            m["sim_error"] = str(e)
            return
        m["rounds"].append((ort, sim))


def fmt(x, digits=1):
    return "-" if x is None else f"{x:,.{digits}f}"


def verdict(ok):
    return "-" if ok is None else "PASS" if ok else "**FAIL**"


def render_presets(models):
    lines = ["| model | preset | NPU MACs | target | NPU / host seg. | latency (us) | eff. TOPS | MVU util. "
             "| model TOPS |", "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for m in models:
        for target in PRESETS:
            p = m["presets"].get(target, {})
            head = f"| {LABELS[m['name']]} | `{target}` |"
            if p.get("error"):
                lines.append(f"{head} **{p['error']}** |||||||")
                continue
            s, prof = p["placement"], p["profile"]
            model_tops = 2 * s["macs"] / (prof["latency_us"] * 1e6) if prof["latency_us"] else None
            lines.append(f"{head} {100 * s['npu_mac_share']:.2f}% | {verdict(s['npu_mac_share'] >= MAC_TARGET)} | "
                         f"{s['npu_segments']} / {s['host_segments']} | {fmt(prof['latency_us'])} | "
                         f"{fmt(prof['effective_tops'], 2)} | {100 * prof['mvu_utilisation']:.1f}% | "
                         f"{fmt(model_tops, 2)} |")
    return lines


def render_snr(models):
    lines = ["| model | fp32 | msfp16 | msfp15 (default) | msfp12 | target (default >= 20 dB) "
             f"| fp32, input + noise at {NOISE_DB:.0f} dB | msfp15 on images, lowest of {IMAGES} |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    for m in models:
        s = m.get("snr", {})
        cells = [fmt(s.get(k or "default")) for k in FORMATS]
        d = s.get("default")
        lines.append(f"| {LABELS[m['name']]} | " + " | ".join(cells) +
                     f" | {verdict(None if d is None else d >= SNR_TARGET)} | {fmt(s.get('noisy'))} "
                     f"| {fmt(s.get('images'))} |")
    return lines


def render_speed(models):
    lines = ["| model | ORT (us/inference) | simulator (us/inference) | sim / ORT per round | sim / ORT (median) "
             "| target (<= 1.0) |", "|---|---:|---:|---|---:|---|"]
    for m in models:
        if m["name"] not in SPEED_MODELS:
            continue
        rounds = m.get("rounds") or []
        orts = [o for o, _ in rounds if o]
        sims = [t for _, t in rounds]
        ratios = [t / o for o, t in rounds if o and t]
        ratio = statistics.median(ratios) if ratios else None
        ort = statistics.median(orts) if orts else None
        sim = statistics.median(sims) if sims else None
        lines.append(f"| {LABELS[m['name']]} | {fmt(ort) if ort else m.get('ort_error') or '-'} | "
                     f"{fmt(sim) if sim else m.get('sim_error', '-')} | "
                     f"{', '.join(fmt(r, 2) for r in ratios) or '-'} | {fmt(ratio, 2)} | "
                     f"{verdict(None if ratio is None else ratio <= SPEED_TARGET)} |")
    return lines


def render_layers(models):
    m = next((m for m in models if m["name"] == LAYER_MODEL), None)
    if not m:
        return [f"({LABELS[LAYER_MODEL]} was not in this run.)"]
    p = m["presets"].get(PRESETS[0], {})
    if not p.get("profile"):
        return [f"({LABELS[LAYER_MODEL]} did not run on `{PRESETS[0]}`.)"]
    nodes = p["profile"]["nodes"]
    bounds = {}
    for n in nodes:
        bounds[n["bound"]] = bounds.get(n["bound"], 0) + n["cycles"]
    total = sum(bounds.values()) or 1
    lines = [f"{LABELS[LAYER_MODEL]} on `{PRESETS[0]}`, one row per ONNX node (or fused group) in program order; "
             "*cycles*: what the node adds to the end-to-end time; *bound*: the unit busy at least half of the "
             "node's span (control = the control processor issuing chains; latency = none is). Cycles by bound: "
             + ", ".join(f"{b} {100 * c / total:.0f}%" for b, c in sorted(bounds.items(), key=lambda x: -x[1]))
             + ".", "",
             "| node | cycles | share | MACs (padded) | MVU busy | bound |", "|---|---:|---:|---:|---:|---|"]
    for n in nodes:
        lines.append(f"| `{n['name']}` | {n['cycles']:,} | {100 * n['share']:.1f}% | {n['macs']:,} | "
                     f"{n['busy_percent'].get('MVU', 0):.0f}% | {n['bound']} |")
    return lines


def render(args, models, info, loads, command, seconds):
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## Torchvision CNNs: placement, modelled time, SNR, simulator speed (issue 11)", "",
             "<!-- Generated by bench/cnn_bench.py; do not edit by hand. bench/timing.py keeps this section. -->", "",
             f"Generated {date} by `{command}` (the whole run took {seconds / 60:.1f} min).", "",
             "Models: torchvision's ResNet-18, ResNet-50 and MobileNetV2 at 1x3x224x224, random weights with "
             "BatchNorm statistics re-estimated on random images (`models/torchvision/export_models.py`), "
             "and their seeded N(0,1) test input. Compiled with the default placement.", "",
             "### Placement and modelled time", "",
             "*NPU MACs*: share of the graph's MACs placed on the NPU (`npu-compile --placement-report`; target "
             f">= {100 * MAC_TARGET:.0f}%); *latency*: `npu-run --profile` (timing model, default format); *eff. "
             "TOPS*: 2 x the MACs the hardware performs (tiles padded with zeros, grouped convolutions' zero "
             "blocks included) / latency; *MVU util.*: those MACs / the MVU's peak over the latency; *model "
             "TOPS*: 2 x the graph's own MACs / latency.", ""]
    lines += render_presets(models)
    lines += ["", "### Output SNR against onnxruntime (`brainwave-s10`)", "",
              "The logits' SNR in dB against onnxruntime-node's on the test input, per number format "
              "(`npu-compile --precision`). The last column is the model's own sensitivity, with no "
              f"quantization at all: the fp32 build on the test input plus seeded white noise at {NOISE_DB:.0f} dB "
              "SNR, against the same reference. That perturbation is smaller than a single rounding of the input "
              "to msfp15 (about 37 dB on N(0,1) data; msfp16 43 dB), and a quantized build rounds every layer's "
              "input. Where the column is below 20 dB, the model alone turns a perturbation smaller than one "
              "msfp15 rounding into more error than the target allows, so msfp15 and msfp16, which round every "
              "layer's input, cannot reach the target on it (random weights; docs/cnn.md, *Accuracy*). The "
              f"last column takes smooth inputs instead of white noise: the first {IMAGES} Fashion-MNIST test "
              "images, upsampled to 224 x 224 and normalised, in all three channels; it is the default build's "
              "SNR against the fp32 build's (which matches onnxruntime's, first column) on the worst of them. "
              "It is information only: the target column stays the test input's.", ""]
    lines += render_snr(models)
    lines += ["", "### Simulator speed against onnxruntime (`brainwave-s10`)", "",
              "Wall time per inference, single-threaded, measured in the same run: the simulator "
              "(`npu-run --batch` over K copies minus one copy, / (K - 1), medians of interleaved repeats) and "
              f"onnxruntime-node {timing.ORT_VERSION} (`bench/ort_time.js`, 1 thread), in {SPEED_ROUNDS} rounds "
              "per model, each timing onnxruntime and then the simulator back to back. The times are the "
              "rounds' medians; the verdict takes the median of the rounds' ratios, so that a slow spell of "
              "the machine falls on both sides of one ratio.", ""]
    lines += render_speed(models)
    lines += ["", f"### Per layer: {LABELS[LAYER_MODEL]}", ""]
    lines += render_layers(models)
    lines += [""]
    if info.get("nproc") and loads[1] is not None and max(loads) > info["nproc"]:
        lines += [f"**Caution:** the 1-minute load average was {loads[0]:.2f} at start and {loads[1]:.2f} at end "
                  f"on {info['nproc']} cores: other processes competed for the CPU, so the times are noisy.", ""]
    lines += ["Machine:", ""] + timing.machine_lines(info, loads, [timing.pinning_line(*args.pinned)]) + [""]
    lines += ["Regenerate this section (about 4 minutes on 2 cores; needs the built tools, `node`, `npm`; "
              "exports the models first when `--models-dir` lacks them):", "", "```sh",
              "/usr/bin/python3 bench/cnn_bench.py --bin-dir build/bin", "```", "",
              "Options: `--models-dir DIR` (default `build/models/torchvision`), `--work-dir D`, `--quick` "
              "(shorter timing; not for the committed table), `--skip-ort`, `--models a,b` (of "
              f"{', '.join(f'`{n}`' for n in MODELS)}), `--ort-prefix DIR` (npm prefix of onnxruntime-node; "
              "default: bench/timing.py's), `--cpu N` (the CPU every timed process is pinned to; default: the "
              "fastest), `--output FILE`. It replaces only the text between the "
              f"`{SECTION}` marker comments. Not part of ctest.", ""]
    return "\n".join(lines)


def main():
    start = time.perf_counter()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--models-dir", default=os.path.join(REPO, "build", "models", "torchvision"))
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-cnn"))
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--quick", action="store_true", help="shorter timing")
    ap.add_argument("--cpu", type=int, help="pin every timed process to this CPU (default: the fastest allowed)")
    ap.add_argument("--skip-ort", action="store_true", help="no onnxruntime: no SNR, no speed ratio")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    ap.add_argument("--ort-prefix", default=os.path.join(tempfile.gettempdir(), "softnpu-bench-timing", "ort"))
    args = ap.parse_args()
    names = [n for n in args.models.split(",") if n]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        ap.error(f"unknown model(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(MODELS)}")
    loads = [os.getloadavg()[0], None]
    try:
        args.pinned = timing.pin_to_one_cpu(args.cpu)
    except ValueError as e:
        print(f"cnn_bench: error: {e}", file=sys.stderr)
        return 2
    work = os.path.abspath(args.work_dir)
    models = []
    try:
        os.makedirs(work, exist_ok=True)
        tools = timing.snapshot_tools(args.bin_dir, os.path.join(work, "bin"))
        export_missing(os.path.abspath(args.models_dir), names)
        ort_module = None
        if not args.skip_ort:
            ort_module, why = timing.ensure_ort(work, os.path.abspath(args.ort_prefix))
            if not ort_module:
                log(f"no onnxruntime ({why}): no SNR, no speed ratio")
        images = image_batch(work)
        for n in names:
            path = os.path.join(os.path.abspath(args.models_dir), n, "model.onnx")
            m = {"name": n, "path": path, "inputs": test_input(os.path.abspath(args.models_dir), n, work)}
            bench_model(m, tools, ort_module, work, args.quick, images)
            d = m["presets"].get(PRESETS[0], {})
            state = d.get("error") or "latency {:.0f} us".format(d["profile"]["latency_us"])
            log(f"{LABELS[n]}: {state}; SNR {m['snr'].get('default')}; "
                f"sim / ORT per round {[round(t / o, 2) for o, t in m.get('rounds', []) if o and t]}")
            models.append(m)
    except (ToolError, OSError, ValueError, RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"cnn_bench: error: {e}", file=sys.stderr)
        return 1
    loads[1] = os.getloadavg()[0]
    seconds = time.perf_counter() - start
    text = render(args, models, timing.machine_info(args.bin_dir), loads,
                  timing.regen_command("bench/cnn_bench.py", args, [("--models", args.models
                                                                      if names != MODELS else None),
                                                                     ("--cpu", None if args.cpu is None
                                                                      else str(args.cpu))]), seconds)
    if timing.write_section("cnn_bench", args.output, SECTION, text, seconds):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
