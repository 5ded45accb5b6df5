#!/usr/bin/python3
"""report_tests.py - end-to-end checks of npu-run's accuracy reports on the Fashion-MNIST MLP.

Three tests (one ctest each), every number checked against an independent numpy
computation from outputs npu-run wrote with --output-dir, never against values
this script got from the code under test:

  layer    `npu-run m.npu --reference f.npu --batch --layer-report=FILE.json` on the
           first 300 test images (m at msfp15, f at fp32): the JSON is valid, has one
           entry per Gemm node (fused nodes are named "a+b"), finite SNRs in a sane
           range; its output SNR and max abs error equal numpy's from the two runs'
           outputs; the node holding the last Gemm equals the output; the report of
           f against itself is exact (SNR "inf" everywhere); a reference of another
           model is refused with one error line.
  dataset  `npu-run m.npu --batch --labels labels.npy --reference f.npu` on 1000
           images: the printed NPU top-1, fp32 top-1 and agreement equal numpy's
           argmax of the --output-dir outputs vs the labels (int64 and float labels);
           --min-accuracy above the result exits 1; a wrong label count is an error;
           --threads 2 prints the same (and the layer test's report is the same file).
  compare  `npu-run m.npu --compare logits=ref.npy` (m at msfp12, 50 images, ref = the
           numpy fp32 reference): the printed SNR, max abs and max rel error equal
           numpy's; comparing with the run's own output prints "SNR inf dB".

Usage: report_tests.py --test layer|dataset|compare --bin-dir DIR [--work-dir D]
Prints "PASS/FAIL <check>: detail" lines; exits 1 if any check failed.
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "models", "fashion_mnist"))
import dataset  # noqa: E402
import onnx  # noqa: E402
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, ToolError, Tools, first_line, output_file, snr_db  # noqa: E402

MODEL = os.path.join(REPO, "models", "fashion_mnist", "mlp.onnx")
INPUT, OUTPUT = "image", "logits"


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what, detail=""):
        print(f"{'PASS' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}", flush=True)
        self.failed += not ok
        return ok


class Setup:
    """Test images, labels and artifacts compiled once per precision in the work dir."""

    def __init__(self, tools, work, count):
        self.tools, self.work = tools, work
        os.makedirs(work, exist_ok=True)
        images, labels = dataset.load("test")
        self.images, self.labels = images[:count], labels[:count]
        self.images_path = os.path.join(work, f"images{count}.npy")
        self.labels_path = os.path.join(work, f"labels{count}.npy")
        np.save(self.images_path, np.ascontiguousarray(self.images, dtype=np.float32))
        np.save(self.labels_path, self.labels.astype(np.int64))

    def compile(self, precision, model=MODEL, name=None, keep=False):
        """keep: --keep-intermediates, so that every node's tensor can be reported."""
        out = os.path.join(self.work, f"{name or 'mlp'}_{precision}{'_keep' if keep else ''}.npu")
        proc = self.tools.compile(model, out, precision=precision,
                                  extra=["--keep-intermediates"] if keep else [])
        if proc.returncode != 0:
            raise ToolError(f"npu-compile --precision {precision} failed: {first_line(proc)}")
        return out

    def outputs(self, artifact, images_path=None):
        """Runs every image with --output-dir; returns the output [n, 10]."""
        out_dir = os.path.join(self.work, "out_" + os.path.basename(artifact))
        proc = self.tools.run(artifact, [(INPUT, images_path or self.images_path)], output_dir=out_dir,
                              batch=True, timeout=1800)
        if proc.returncode != 0:
            raise ToolError(f"npu-run {artifact} failed: {first_line(proc)}")
        return np.load(output_file(out_dir, OUTPUT))

    def npu_run(self, *argv, timeout=1800):
        return self.tools._run([self.tools.path("npu-run"), *argv], timeout)


def test_layer(s, c):
    m15, f32 = s.compile("msfp15", keep=True), s.compile("fp32", keep=True)
    report = os.path.join(s.work, "layers.json")
    if os.path.exists(report):
        os.remove(report)
    proc = s.npu_run(m15, "--reference", f32, "--batch", "--input", f"{INPUT}={s.images_path}",
                     f"--layer-report={report}")
    if not c.check(proc.returncode == 0, "layer report runs", first_line(proc) if proc.returncode else ""):
        return
    try:
        with open(report) as f:
            j = json.load(f)
    except (OSError, ValueError) as e:
        c.check(False, "layer report JSON is valid", str(e))
        return
    c.check(j.get("runs") == len(s.images), "JSON counts every batch run", f"runs={j.get('runs')}")
    nodes = j.get("nodes", [])
    gemms = [n.name for n in onnx.load(MODEL).graph.node if n.op_type == "Gemm"]
    for g in gemms:
        holders = [n["node"] for n in nodes if g in n["node"].split("+")]
        c.check(len(holders) == 1, f"one entry for Gemm node {g}", f"entries {holders}")
    onnx_names = {n.name for n in onnx.load(MODEL).graph.node}
    strays = [n["node"] for n in nodes if not set(n["node"].split("+")) <= onnx_names]
    c.check(not strays, "every entry names ONNX nodes", f"unknown {strays}" if strays else "")
    for n in nodes:
        snr = float(n["snr_db"])
        c.check(math.isfinite(snr) and 15.0 < snr < 120.0, f"node {n['node']} SNR sane",
                f"{snr:.2f} dB, max abs err {n['max_abs_err']}, ref rms {n['ref_rms']}")
        c.check(float(n["ref_rms"]) > 0 and math.isfinite(float(n["max_abs_err"])),
                f"node {n['node']} error and rms finite")
        # Each line of the readable table carries the node name.
        c.check(any(line.strip().startswith(n["node"] + " ") for line in proc.stdout.splitlines()),
                f"table lists {n['node']}")
    # --threads 2 runs two batch runs at a time; the report sums them in run order: the same file.
    threaded = os.path.join(s.work, "layers_threads.json")
    proc = s.npu_run(m15, "--reference", f32, "--batch", "--threads", "2", "--input", f"{INPUT}={s.images_path}",
                     f"--layer-report={threaded}")
    if c.check(proc.returncode == 0, "layer report on 2 threads runs", first_line(proc) if proc.returncode else ""):
        with open(report) as a, open(threaded) as b:
            c.check(a.read() == b.read(), "--threads 2 writes the same layer report")
    # Independent check of the output row: numpy on both artifacts' outputs.
    got, ref = s.outputs(m15), s.outputs(f32)
    outs = {o["output"]: o for o in j.get("outputs", [])}
    if c.check(OUTPUT in outs, "JSON has the output row"):
        row = outs[OUTPUT]
        want_snr = snr_db(got, ref)
        want_abs = float(np.abs(got.astype(np.float64) - ref).max())
        want_rms = float(np.sqrt((ref.astype(np.float64) ** 2).mean()))
        c.check(abs(float(row["snr_db"]) - want_snr) < 1e-6, "output SNR equals numpy's",
                f"npu-run {row['snr_db']}, numpy {want_snr}")
        c.check(math.isclose(float(row["max_abs_err"]), want_abs, rel_tol=1e-9), "output max abs err equals numpy's",
                f"npu-run {row['max_abs_err']}, numpy {want_abs}")
        c.check(math.isclose(float(row["ref_rms"]), want_rms, rel_tol=1e-9), "output ref rms equals numpy's")
        last = [n for n in nodes if gemms[-1] in n["node"].split("+")]
        if last:
            c.check(abs(float(last[0]["snr_db"]) - want_snr) < 1e-6, "last Gemm's node equals the output",
                    f"{last[0]['snr_db']} vs {want_snr}")
    # The fp32 artifact against itself: exact everywhere.
    self_report = os.path.join(s.work, "layers_self.json")
    proc = s.npu_run(f32, "--reference", f32, "--batch", "--input", f"{INPUT}={s.images_path}",
                     f"--layer-report={self_report}")
    if c.check(proc.returncode == 0, "self report runs", first_line(proc) if proc.returncode else ""):
        with open(self_report) as f:
            js = json.load(f)
        rows = js["nodes"] + js["outputs"]
        c.check(len(js["nodes"]) == len(nodes) and all(float(r["snr_db"]) == math.inf for r in rows),
                "fp32 against itself: SNR inf everywhere", str([r["snr_db"] for r in rows]))
        c.check(all(float(r["max_abs_err"]) == 0 for r in rows), "fp32 against itself: zero error")
    # Compiled without --keep-intermediates, the hidden layers stay on chip:
    # the report says why they are missing and how to see them.
    plain = s.compile("msfp15")
    proc = s.npu_run(plain, "--reference", f32, "--batch", "--input", f"{INPUT}={s.images_path}", "--layer-report")
    c.check(proc.returncode == 0 and "--keep-intermediates" in proc.stdout,
            "a report over on-chip layers names --keep-intermediates", first_line(proc))
    # Without --reference, or against a different model: one-line errors.
    proc = s.npu_run(m15, "--input", f"{INPUT}={s.images_path}", "--batch", "--layer-report")
    c.check(proc.returncode == 2 and "--reference" in proc.stderr, "--layer-report without --reference is a usage error",
            first_line(proc))
    other = os.path.join(REPO, "tests", "inputs", "onnx", "mlp2.onnx")
    if os.path.exists(other):
        o32 = s.compile("fp32", model=other, name="mlp2")
        proc = s.npu_run(m15, "--reference", o32, "--batch", "--input", f"{INPUT}={s.images_path}",
                         "--layer-report")
        c.check(proc.returncode == 1 and proc.stderr.count("\n") == 1 and "does not match" in proc.stderr,
                "a reference of another model is refused", first_line(proc))


def parse_top1(text):
    found = {}
    for key, label in (("npu", "NPU top-1"), ("ref", "fp32 top-1"), ("agree", "agreement")):
        m = re.search(rf"^{label}: ([0-9.]+)% \((\d+)/(\d+)\)$", text, re.M)
        if m:
            found[key] = (float(m.group(1)), int(m.group(2)), int(m.group(3)))
    return found


def test_dataset(s, c):
    m15, f32 = s.compile("msfp15"), s.compile("fp32")
    n = len(s.labels)
    got, ref = s.outputs(m15).reshape(n, -1), s.outputs(f32).reshape(n, -1)
    pg, pr = got.argmax(1), ref.argmax(1)
    want = {"npu": int((pg == s.labels).sum()), "ref": int((pr == s.labels).sum()), "agree": int((pg == pr).sum())}
    float_labels = os.path.join(s.work, "labels_float.npy")
    np.save(float_labels, s.labels.astype(np.float32))
    for labels in (s.labels_path, float_labels):
        proc = s.npu_run(m15, "--batch", "--input", f"{INPUT}={s.images_path}", "--labels", labels,
                         "--reference", f32)
        kind = "int64" if labels == s.labels_path else "float"
        if not c.check(proc.returncode == 0, f"dataset mode runs ({kind} labels)", first_line(proc)):
            continue
        found = parse_top1(proc.stdout)
        for key in ("npu", "ref", "agree"):
            if not c.check(key in found, f"prints {key} line ({kind} labels)",
                           "" if key in found else proc.stdout.strip()):
                continue
            pct, hits, total = found[key]
            c.check(hits == want[key] and total == n and abs(pct - 100.0 * hits / n) < 0.006,
                    f"{key} equals numpy ({kind} labels)", f"printed {pct}% ({hits}/{total}), numpy {want[key]}/{n}")
    proc = s.npu_run(m15, "--batch", "--input", f"{INPUT}={s.images_path}", "--labels", s.labels_path)
    found = parse_top1(proc.stdout)
    c.check(proc.returncode == 0 and "npu" in found and found["npu"][1] == want["npu"] and "ref" not in found,
            "without --reference only the NPU line", proc.stdout.strip())
    threaded = s.npu_run(m15, "--batch", "--threads", "2", "--input", f"{INPUT}={s.images_path}", "--labels",
                         s.labels_path)
    c.check(threaded.returncode == 0 and threaded.stdout == proc.stdout and threaded.stderr == "",
            "--threads 2 prints the same, and no progress line when stderr is not a terminal", first_line(threaded))
    above = 100.0 * want["npu"] / n + 0.5
    proc = s.npu_run(m15, "--batch", "--input", f"{INPUT}={s.images_path}", "--labels", s.labels_path,
                     "--min-accuracy", f"{min(above, 100.0):.2f}")
    c.check(proc.returncode == 1, "--min-accuracy above the result exits 1", proc.stdout.strip())
    short = os.path.join(s.work, "labels_short.npy")
    np.save(short, s.labels[:-1])
    proc = s.npu_run(m15, "--batch", "--input", f"{INPUT}={s.images_path}", "--labels", short)
    c.check(proc.returncode == 1 and "labels" in proc.stderr and proc.stderr.count("\n") == 1,
            "a wrong label count is one error line", first_line(proc))


def test_compare(s, c):
    m12 = s.compile("msfp12")
    model = onnx.load(MODEL)
    ref = onnx_numpy_ref.run(model, {INPUT: s.images})[OUTPUT].astype(np.float32)
    ref_path = os.path.join(s.work, "ref_logits.npy")
    np.save(ref_path, ref)
    got = s.outputs(m12)
    proc = s.npu_run(m12, "--batch", "--input", f"{INPUT}={s.images_path}", "--compare", f"{OUTPUT}={ref_path}",
                     "--atol", "1e9")
    line = next((l for l in proc.stdout.splitlines() if l.startswith(f"output {OUTPUT}:")), "")
    m = re.search(r"max abs err (\S+), max rel err (\S+), (ok|FAIL) .*, SNR (\S+) dB$", line)
    if not c.check(proc.returncode == 0 and m is not None, "compare line has errors and SNR", line or first_line(proc)):
        return
    g64, r64 = got.astype(np.float64), ref.astype(np.float64)
    want_snr = snr_db(got, ref)
    want_abs = float(np.abs(g64 - r64).max())
    nz = r64 != 0
    want_rel = float((np.abs(g64 - r64)[nz] / np.abs(r64[nz])).max())
    c.check(abs(float(m.group(4)) - want_snr) <= 0.0051, "SNR equals numpy's (2 decimals)",
            f"printed {m.group(4)}, numpy {want_snr:.4f}")
    c.check(0 < want_snr < 80, "msfp12 SNR is finite and plausible", f"{want_snr:.2f} dB")
    c.check(math.isclose(float(m.group(1)), want_abs, rel_tol=2e-3), "max abs err equals numpy's",
            f"printed {m.group(1)}, numpy {want_abs:.6g}")
    c.check(math.isclose(float(m.group(2)), want_rel, rel_tol=2e-3), "max rel err equals numpy's",
            f"printed {m.group(2)}, numpy {want_rel:.6g}")
    own = os.path.join(s.work, "own_logits.npy")
    np.save(own, got)
    proc = s.npu_run(m12, "--batch", "--input", f"{INPUT}={s.images_path}", "--compare", f"{OUTPUT}={own}")
    c.check(proc.returncode == 0 and proc.stdout.rstrip().endswith(", SNR inf dB"),
            "comparing with its own output: SNR inf", proc.stdout.strip())


TESTS = {"layer": (test_layer, 300), "dataset": (test_dataset, 1000), "compare": (test_compare, 50)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--test", required=True, choices=sorted(TESTS))
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir")
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    fn, count = TESTS[args.test]
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-reports-"), f"reports-{args.test}")
    c = Checks()
    try:
        tools.require("npu-compile", "npu-run")
        fn(Setup(tools, work, count), c)
    except (ToolError, OSError, ValueError, KeyError, onnx_numpy_ref.RefError) as e:
        c.check(False, f"{args.test} test setup", f"{type(e).__name__}: {e}")
    print(f"{args.test}: {'FAILED' if c.failed else 'all checks passed'} ({c.failed} failed)")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
