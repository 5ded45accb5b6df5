#!/usr/bin/python3
"""determinism_tests.py - the same model gives a byte-identical artifact, wherever it is compiled from.

For every bundled model (models/fashion_mnist/*.onnx and the models of
tests/inputs/onnx that compile) on every target preset, compiles twice:
from the repository root with a relative model path into one folder, and
from another working directory with an absolute path into another folder
under another file name. The two artifacts must be equal byte for byte
(docs/reliability.md, "Determinism"). A model that fails to compile for a
preset must fail the same way both times.

The importer views a large float32 initializer in the mapped ONNX file when
its bytes are 4-byte aligned there and copies it otherwise: the Fashion-MNIST
MLP, written four times with its weights shifted by 0 to 3 bytes in the file
(a longer model doc_string), must give one artifact.

Usage: determinism_tests.py --bin-dir DIR [--work-dir D]
Prints one line per difference and "N compared, M differ"; exits 1 if any differ.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from npu_tools import DEFAULT_BIN_DIR  # noqa: E402

PRESETS = ["brainwave-s10", "cnn-n128", "fpga-npu", "tiny"]
SKIP = {"malformed.onnx", "bad_shape.onnx", "unsupported_op.onnx"}  # bad-input cases, not models


def models():
    found = []
    for folder in ("models/fashion_mnist", "tests/inputs/onnx"):
        for name in sorted(os.listdir(os.path.join(REPO, folder))):
            if name.endswith(".onnx") and name not in SKIP:
                found.append(os.path.join(folder, name))
    return found


def compile_(compiler, model, target, out, cwd):
    p = subprocess.run([compiler, model, "--target", target, "-o", out], cwd=cwd, capture_output=True, text=True,
                       timeout=600)
    return p.returncode, p.stderr.replace(model, "MODEL").replace(out, "OUT")


def check(compiler, work, model, target):
    tag = f"{os.path.basename(model)[:-5]}.{target}"
    a_dir, b_dir, other = (os.path.join(work, d) for d in ("a", "b", "elsewhere"))
    a, b = os.path.join(a_dir, tag + ".npu"), os.path.join(b_dir, "copy-" + tag + ".npu")
    ra, ea = compile_(compiler, model, target, a, REPO)
    rb, eb = compile_(compiler, os.path.join(REPO, model), target, b, other)
    if ra != rb:
        return f"{model} on {target}: exit {ra} from the root, {rb} from elsewhere"
    if ra != 0:
        return None if ea.splitlines()[:1] == eb.splitlines()[:1] else f"{model} on {target}: errors differ"
    if open(a, "rb").read() != open(b, "rb").read():
        return f"{model} on {target}: the artifacts differ"
    return None


def check_shifted_payloads(compiler, work):
    """The MLP with its weights at every offset mod 4 in the file: one artifact."""
    import onnx  # only this check needs it
    model = onnx.load(os.path.join(REPO, "models", "fashion_mnist", "mlp.onnx"))
    largest = max(model.graph.initializer, key=lambda t: len(t.raw_data))
    artifacts, residues = [], set()
    for shift in range(4):
        model.doc_string = "x" * shift
        folder = os.path.join(work, f"shift{shift}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "mlp.onnx")
        onnx.save(model, path)
        residues.add(open(path, "rb").read().find(largest.raw_data) % 4)
        code, err = compile_(compiler, path, PRESETS[0], os.path.join(folder, "mlp.npu"), folder)
        if code != 0:
            return [f"shifted mlp.onnx ({shift}): {err.strip()}"]
        artifacts.append(open(os.path.join(folder, "mlp.npu"), "rb").read())
    problems = []
    if residues != {0, 1, 2, 3}:
        problems.append(f"shifted mlp.onnx: the weights sit at offsets {sorted(residues)} mod 4, not all four")
    if any(a != artifacts[0] for a in artifacts):
        problems.append("shifted mlp.onnx: the artifacts differ with the weights' offset in the file")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir")
    args = ap.parse_args()
    compiler = os.path.join(os.path.abspath(args.bin_dir), "npu-compile")
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-determinism-"), "determinism")
    for d in ("a", "b", "elsewhere"):
        os.makedirs(os.path.join(work, d), exist_ok=True)
    cases = [(m, t) for m in models() for t in PRESETS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        problems = [p for p in pool.map(lambda c: check(compiler, work, *c), cases) if p]
    problems += check_shifted_payloads(compiler, work)
    for p in problems:
        print("DIFFER", p)
    print(f"{len(cases) + 1} compared, {len(problems)} differ")
    return 1 if problems or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
