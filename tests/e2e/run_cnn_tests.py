#!/usr/bin/python3
"""run_cnn_tests.py - the Fashion-MNIST CNN end to end on the NPU (convolutions, pools, Gemms), vs torch.

models/fashion_mnist/cnn.onnx (Conv/Relu/MaxPool x2 -> Flatten -> Gemm/Relu/Gemm)
is compiled with the default placement (all of it on the NPU, docs/cnn.md) twice: --precision fp32 and the target's default format. Both
run the first --limit test images through `npu-run --batch`. The reference is
torch (torch.nn.functional in float64) evaluating the ONNX graph's nodes with
its initializers: no softnpu code.

  fp32     every logit within a rigorous fp32 bound of the float64 reference:
           each K-term dot product (any summation order, oneDNN's or the MVU's)
           is off by at most K 2^-24 sum |w||x| plus 2^-24 |y| for the bias, and
           an input error e becomes at most |W| e (ReLU and MaxPool do not
           increase it); the bound is that error carried through the layers.
  default  (block floating point) top-1 agreement with the reference >= 98% of
           the images, top-1 accuracy within 1 point of the reference's; the
           logits' SNR is printed.

Usage: run_cnn_tests.py --bin-dir DIR [--target T] [--limit N] [--work-dir D]
Prints "PASS/FAIL cnn (mode): detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "models", "fashion_mnist"))
import dataset  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools, first_line, output_file, snr_db  # noqa: E402

MODEL = os.path.join(REPO, "models", "fashion_mnist", "cnn.onnx")
INPUT, OUTPUT = "image", "logits"
MIN_AGREEMENT, MAX_ACC_DIFF = 98.0, 1.0
U = 2.0 ** -24  # fp32 unit roundoff


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pads(at):
    p = at.get("pads", [0, 0, 0, 0])
    if p[:2] != p[2:] or at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise ValueError(f"asymmetric or automatic padding {at} is not supported here")
    return tuple(p[:2])


def torch_reference(model, x):
    """(logits, fp32 error bound), both float64 [N, 10], for images x [N,1,28,28]."""
    w = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
    v = {INPUT: torch.from_numpy(x.astype(np.float64))}
    e = {INPUT: torch.zeros_like(v[INPUT])}  # the input is exact in both
    with torch.no_grad():
        for node in model.graph.node:
            at, ins, out = _attrs(node), list(node.input), node.output[0]
            a, ea = v[ins[0]], e[ins[0]]
            if node.op_type in ("Conv", "Gemm"):
                wt, b = w[ins[1]], w[ins[2]] if len(ins) > 2 else None
                if node.op_type == "Conv":
                    kw = dict(stride=tuple(at.get("strides", [1, 1])), padding=_pads(at),
                              dilation=tuple(at.get("dilations", [1, 1])), groups=at.get("group", 1))
                    lin = lambda t, m, c: F.conv2d(t, m, c, **kw)  # noqa: E731
                    k = wt[0].numel()
                else:
                    if at.get("transA", 0) or not at.get("transB", 0) or at.get("alpha", 1.0) != 1.0 \
                            or at.get("beta", 1.0) != 1.0:
                        raise ValueError(f"Gemm attributes {at} are not supported here")
                    lin = F.linear
                    k = wt.shape[1]
                y = lin(a, wt, b)
                mag = lin(a.abs(), wt.abs(), None)
                e[out] = lin(ea, wt.abs(), None) + k * U * mag + U * y.abs()
                v[out] = y
            elif node.op_type == "Relu":
                v[out], e[out] = F.relu(a), ea
            elif node.op_type == "MaxPool":
                kw = dict(kernel_size=tuple(at["kernel_shape"]), stride=tuple(at.get("strides", at["kernel_shape"])),
                          padding=_pads(at))
                v[out], e[out] = F.max_pool2d(a, **kw), F.max_pool2d(ea, **kw)
            elif node.op_type == "Flatten":
                axis = at.get("axis", 1)
                v[out], e[out] = a.flatten(axis), ea.flatten(axis)
            else:
                raise ValueError(f"op {node.op_type} is not supported by this reference")
    return v[OUTPUT].numpy(), e[OUTPUT].numpy()


def run_npu(tools, work, images_path, n, precision, target):
    """The logits [n, 10] of npu-run --batch, or raises ToolError."""
    artifact = os.path.join(work, f"cnn_{precision or 'default'}.npu")
    proc = tools.compile(MODEL, artifact, target=target, precision=precision)
    if proc.returncode != 0:
        raise ToolError(f"npu-compile exit {proc.returncode}: {first_line(proc)}")
    out_dir = os.path.join(work, f"out_{precision or 'default'}")
    proc = tools.run(artifact, [(INPUT, images_path)], output_dir=out_dir, batch=True)
    if proc.returncode != 0:
        raise ToolError(f"npu-run exit {proc.returncode}: {first_line(proc)}")
    logits = np.load(output_file(out_dir, OUTPUT))
    if logits.shape[0] != n:
        raise ToolError(f"npu-run wrote {list(logits.shape)} for {n} images")
    return logits.reshape(n, -1).astype(np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target")
    ap.add_argument("--limit", type=int, default=1000, help="test images (default 1000)")
    ap.add_argument("--work-dir")
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    args = ap.parse_args()
    torch.set_num_threads(2)
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
        images, labels = dataset.load("test", args.data_dir)
    except (ToolError, OSError, ValueError) as e:
        print(f"run_cnn_tests: error: {e}", file=sys.stderr)
        return 1
    images, labels = images[:args.limit], labels[:args.limit]
    n = len(images)
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-cnn-"), "cnn")
    os.makedirs(work, exist_ok=True)
    images_path = os.path.join(work, "images.npy")
    np.save(images_path, np.ascontiguousarray(images, dtype=np.float32))

    ref, bound = torch_reference(onnx.load(MODEL), images)
    ref_pred = ref.argmax(1)
    ref_acc = 100.0 * float((ref_pred == labels).mean())
    print(f"{n} test images; torch reference (float64) top-1 {ref_acc:.2f}%")

    tally = Tally()
    try:
        got = run_npu(tools, work, images_path, n, "fp32", args.target)
        err = np.abs(got - ref)
        acc = 100.0 * float((got.argmax(1) == labels).mean())
        worst = np.unravel_index(np.argmax(err / bound), err.shape)
        detail = (f"top-1 {acc:.2f}%, max |npu - ref| {err.max():.3g}, at most {(err / bound).max():.3g} "
                  f"of the bound (image {worst[0]} logit {worst[1]}: {err[worst]:.3g} <= {bound[worst]:.3g})")
        ok = bool((err <= bound).all())
        if not ok:
            detail = f"{int((err > bound).sum())} logits outside the fp32 bound; " + detail
        tally.report("cnn (fp32)", ok, detail)
    except (ToolError, OSError, ValueError) as e:
        tally.report("cnn (fp32)", False, str(e))

    try:
        got = run_npu(tools, work, images_path, n, None, args.target)
        pred = got.argmax(1)
        acc = 100.0 * float((pred == labels).mean())
        agree = 100.0 * float((pred == ref_pred).mean())
        ok = agree >= MIN_AGREEMENT and abs(acc - ref_acc) <= MAX_ACC_DIFF
        tally.report("cnn (default format)", ok,
                     f"top-1 {acc:.2f}% ({acc - ref_acc:+.2f} points, limit {MAX_ACC_DIFF}), "
                     f"agrees with fp32 on {agree:.2f}% (>= {MIN_AGREEMENT}), "
                     f"logits SNR {snr_db(got, ref):.1f} dB, max |npu - ref| {np.abs(got - ref).max():.3g}")
    except (ToolError, OSError, ValueError) as e:
        tally.report("cnn (default format)", False, str(e))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
