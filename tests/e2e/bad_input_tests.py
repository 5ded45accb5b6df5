#!/usr/bin/python3
"""bad_input_tests.py - npu-compile and npu-run must reject bad input cleanly.

Every case runs a tool on bad input and requires: a non-zero exit status below
128 (not killed by a signal), exactly one non-empty line on stderr starting with
"<tool>: error: ", no crash text (segmentation fault, "terminate called",
assertion, LLVM stack dump), and the case's key words in that line (the file,
op type, node name or input name the user needs to fix the problem).

Cases: malformed .onnx, ops the NPU lacks under --placement=npu (Softsign from
tests/inputs/onnx and a generated Einsum model), a host kernel's run-time error
(a Gather index out of range), a Gemm with mismatched inner dims, an unknown target,
a bad precision, npu-compile command-line errors (an unknown option, an option
without its value, no model), a corrupt artifact (byte flips in header, middle and end; a
truncated file), a wrong input shape, a missing input, an unknown input name,
nonexistent model / artifact / input files; declared sizes past the data or
the limits of docs/limits.md (a weight larger than its bytes, ConstantOfShape
of 2^31, Expand to 2^62: refused before any allocation or shape inference);
2,000 nodes that all fail under --placement=npu, named with "\n" and "\r"
(one error line, the names escaped, then a note counting the others); an input file that
is a directory or /dev/zero.

Usage: bad_input_tests.py --bin-dir DIR [--work-dir D] [--inputs-dir tests/inputs/onnx]
Prints "PASS/FAIL case: detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from npu_tools import DEFAULT_BIN_DIR, ToolError, Tools  # noqa: E402

CRASH_MARKERS = ("segmentation", "terminate called", "stack dump", "assertion",
                 "please submit a bug report", "core dumped", "traceback")


def check(proc, tool, must_contain, notes=()):
    """Returns (ok, detail) for one finished process. `notes`: words of the
    "<tool>: note: " lines that must follow the error line (a count of errors
    not shown), one line each."""
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    note_lines = [l for l in lines[1:] if l.startswith(f"{tool}: note: ")]
    if notes:
        if len(note_lines) != len(notes) or any(w not in l for w, l in zip(notes, note_lines)):
            return False, f"expected notes {list(notes)} after the error: {' | '.join(lines[1:4])}"
        lines = [l for l in lines if l not in note_lines]
    shown = lines[0] if lines else "<no stderr>"
    if proc.returncode == 0:
        return False, f"exit 0 (expected failure); stderr: {shown}"
    if proc.returncode < 0 or proc.returncode >= 128:
        return False, f"crashed (exit {proc.returncode}); stderr: {shown}"
    low = proc.stderr.lower()
    for marker in CRASH_MARKERS:
        if marker in low:
            return False, f"crash text '{marker}' on stderr: {shown}"
    if len(lines) != 1:
        return False, f"{len(lines)} stderr lines, expected 1: {' | '.join(lines[:4])}"
    if not lines[0].startswith(f"{tool}: error: "):
        return False, f"stderr does not start with '{tool}: error: ': {shown}"
    missing = [w for w in must_contain if w not in lines[0]]
    if missing:
        return False, f"message lacks {missing}: {shown}"
    return True, f"exit {proc.returncode}: {shown}"


def einsum_model(path):
    nodes = [helper.make_node("Einsum", ["A", "B"], ["y"], name="mix0", equation="ij,jk->ik")]
    g = helper.make_graph(nodes, "einsum", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [2, 3]),
                                            helper.make_tensor_value_info("B", TensorProto.FLOAT, [3, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, path)


def gather_model(path):
    """y = Gather(data, idx): runs on the host (int64 indices)."""
    nodes = [helper.make_node("Gather", ["data", "idx"], ["y"], name="pick0", axis=0)]
    g = helper.make_graph(nodes, "gather", [helper.make_tensor_value_info("data", TensorProto.FLOAT, [3, 2]),
                                            helper.make_tensor_value_info("idx", TensorProto.INT64, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, path)


def save_model(path, nodes, inputs, outputs, initializers=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    with open(path, "wb") as f:  # onnx.save would check the model
        f.write(m.SerializeToString())


def short_weight_model(path):
    """A [4, 2^26] weight holding 16 bytes: once allocated in full (1 GB) before the size check."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 1 << 26], raw_data=b"\0" * 16)
    save_model(path, [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1 << 26])], [w])


def shape_input_model(path, op, value):
    """op(x, shape) or op(shape) with a constant shape of one huge entry."""
    shape = helper.make_tensor("shape", TensorProto.INT64, [1], [value])
    inputs = ["shape"] if op == "ConstantOfShape" else ["x", "shape"]
    save_model(path, [helper.make_node(op, inputs, ["y"], name="big")],
               [] if op == "ConstantOfShape" else [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
               [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [shape])


def failing_chain_model(path, n):
    """n Sin nodes (no NPU lowering) named with a newline and a carriage return."""
    nodes, prev = [], "x"
    for i in range(n):
        nodes.append(helper.make_node("Sin", [prev], [f"t{i}"], name=f"n\n{i}\r"))
        prev = f"t{i}"
    save_model(path, nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
               [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 4])])


def corrupt(src, dst, how):
    data = bytearray(open(src, "rb").read())
    if how == "truncated":
        data = data[:len(data) // 2]
    else:
        pos = {"header": 0, "middle": len(data) // 2, "end": len(data) - 1}[how]
        data[pos] ^= 0x5A
    with open(dst, "wb") as f:
        f.write(bytes(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir")
    ap.add_argument("--inputs-dir", default=os.path.join(os.path.dirname(HERE), "inputs", "onnx"))
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"bad_input_tests: error: {e}", file=sys.stderr)
        return 1
    work = args.work_dir or tempfile.mkdtemp(prefix="softnpu-bad-input-")
    work = os.path.join(work, "bad-inputs")
    os.makedirs(work, exist_ok=True)
    inp = lambda name: os.path.join(args.inputs_dir, name)  # noqa: E731
    wk = lambda name: os.path.join(work, name)  # noqa: E731
    out = wk("out.npu")

    results = []

    def case(name, fn):
        try:
            ok, detail = fn()
        except ToolError as e:
            ok, detail = False, str(e)
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        results.append(ok)

    compile_ = lambda model, **kw: tools.compile(model, out, timeout=120, **kw)  # noqa: E731

    # --- npu-compile --------------------------------------------------------
    case("malformed onnx", lambda: check(compile_(inp("malformed.onnx")), "npu-compile",
                                         ["malformed.onnx"]))
    strict = ["--placement=npu"]
    case("unsupported op Softsign", lambda: check(compile_(inp("unsupported_op.onnx"), extra=strict),
                                                  "npu-compile", ["Softsign", "act0", "unsupported_op.onnx"]))
    einsum = wk("einsum.onnx")
    einsum_model(einsum)
    case("unsupported op Einsum", lambda: check(compile_(einsum, extra=strict), "npu-compile",
                                                ["Einsum", "mix0", "einsum.onnx"]))
    case("gemm inner dims mismatch", lambda: check(compile_(inp("bad_shape.onnx")), "npu-compile",
                                                   ["fc_bad"]))
    case("nonexistent model", lambda: check(compile_(wk("no_such_model.onnx")), "npu-compile",
                                            ["no_such_model.onnx"]))
    case("unknown target", lambda: check(compile_(inp("gemm_bias_relu.onnx"), target="no-such-target"),
                                         "npu-compile", ["no-such-target"]))
    case("bad precision", lambda: check(compile_(inp("gemm_bias_relu.onnx"), precision="msfp99"),
                                        "npu-compile", ["msfp99"]))
    case("unknown option", lambda: check(compile_(inp("gemm_bias_relu.onnx"), extra=["--bogus"]),
                                         "npu-compile", ["--bogus"]))
    case("option without its value", lambda: check(compile_(inp("gemm_bias_relu.onnx"), extra=["--target"]),
                                                   "npu-compile", ["--target"]))
    case("no model", lambda: check(tools._run([tools.path("npu-compile")], timeout=60), "npu-compile",
                                   ["no input model"]))
    short = wk("short_weight.onnx")
    short_weight_model(short)
    case("weight declared larger than its data", lambda: check(compile_(short), "npu-compile",
                                                               ["'w'", "[4, 67108864]", "holds 16 bytes"]))
    for op, value in (("ConstantOfShape", 1 << 31), ("Expand", 1 << 62)):
        path = wk(f"huge_{op}.onnx")
        shape_input_model(path, op, value)
        case(f"{op} of {value}", lambda path=path, op=op, value=value: check(
            compile_(path), "npu-compile", ["'big'", op, str(value), "docs/limits.md"]))
    chain = wk("failing_chain.onnx")
    failing_chain_model(chain, 2000)
    case("2,000 failing nodes with newlines in their names", lambda: check(
        compile_(chain, extra=strict), "npu-compile", ["'n\\n0\\r' (Sin)"],
        notes=["1999 more errors after the first, not shown"]))

    # --- npu-run ------------------------------------------------------------
    good = wk("good.npu")
    proc = tools.compile(inp("gemm_bias_relu.onnx"), good, timeout=120)
    if proc.returncode != 0:
        print(f"FAIL setup: npu-compile gemm_bias_relu.onnx failed: {proc.stderr.strip()}")
        results.append(False)
    else:
        x = wk("x.npy")
        np.save(x, np.linspace(-1, 1, 20, dtype=np.float32).reshape(1, 20))
        x_bad = wk("x_wrong_shape.npy")
        np.save(x_bad, np.zeros((1, 21), dtype=np.float32))
        # Sanity: the good artifact runs, so the failures below are about the bad input.
        proc = tools.run(good, [("x", x)], timeout=120)
        case("good artifact runs", lambda: (proc.returncode == 0,
                                            f"exit {proc.returncode} {proc.stderr.strip()[:200]}"))
        for how in ("header", "middle", "end", "truncated"):
            bad = wk(f"corrupt_{how}.npu")
            corrupt(good, bad, how)
            case(f"corrupt artifact ({how})",
                 lambda bad=bad: check(tools.run(bad, [("x", x)], timeout=120), "npu-run",
                                       [os.path.basename(bad)]))
        case("wrong input shape", lambda: check(tools.run(good, [("x", x_bad)], timeout=120),
                                                "npu-run", ["x"]))
        case("missing input", lambda: check(tools.run(good, [], timeout=120), "npu-run", ["x"]))
        case("unknown input name", lambda: check(tools.run(good, [("x", x), ("bogus", x)], timeout=120),
                                                 "npu-run", ["bogus"]))
        case("nonexistent input file", lambda: check(
            tools.run(good, [("x", wk("no_such_input.npy"))], timeout=120), "npu-run",
            ["no_such_input.npy"]))
        directory = wk("a_directory.npy")
        os.makedirs(directory, exist_ok=True)
        case("input file is a directory", lambda: check(tools.run(good, [("x", directory)], timeout=120),
                                                        "npu-run", ["a_directory.npy", "is a directory"]))
        endless = wk("endless.npy")
        if not os.path.lexists(endless):
            os.symlink("/dev/zero", endless)
        case("input file is /dev/zero", lambda: check(tools.run(good, [("x", endless)], timeout=120),
                                                      "npu-run", ["endless.npy", "not a regular file"]))
        case("nonexistent artifact", lambda: check(
            tools.run(wk("no_such_artifact.npu"), [("x", x)], timeout=120), "npu-run",
            ["no_such_artifact.npu"]))

    # --- a host kernel's run-time error ---------------------------------------
    gather, gather_npu = wk("gather.onnx"), wk("gather.npu")
    gather_model(gather)
    proc = tools.compile(gather, gather_npu, timeout=120)
    if proc.returncode != 0:
        print(f"FAIL setup: npu-compile gather.onnx failed: {proc.stderr.strip()}")
        results.append(False)
    else:
        data, idx = wk("data.npy"), wk("idx.npy")
        np.save(data, np.arange(6, dtype=np.float32).reshape(3, 2))
        np.save(idx, np.array([0, 7], dtype=np.int64))
        case("host kernel error (Gather index out of range)",
             lambda: check(tools.run(gather_npu, [("data", data), ("idx", idx)], timeout=120), "npu-run",
                           ["pick0", "Gather", "7", "out of range"]))

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
