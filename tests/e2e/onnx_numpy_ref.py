#!/usr/bin/python3
"""onnx_numpy_ref.py - a small, independent numpy interpreter for ONNX graphs.

The fp32 reference the end-to-end tests compare the NPU against. It shares no
code with the compiler: it reads the ModelProto with the onnx Python package and
evaluates each node in float64 (so its own rounding is negligible next to the
NPU's), returning float32 outputs. Supported ops (those softnpu imports):

  Gemm      alpha, beta, transA, transB, optional C (unidirectional broadcast)
  MatMul    numpy matmul semantics
  Add       numpy (multidirectional) broadcasting
  Relu, Sigmoid, Tanh, Identity
  Flatten   axis in [-r, r], default 1
  Reshape   shape from a constant/initializer/input; 0 copies the input dim
            unless allowzero=1; one -1 is inferred
  Constant  value, value_float(s), value_int(s)
  Mul, Sub  numpy (multidirectional) broadcasting
  Div       numpy broadcasting; integers truncate toward zero (C division, as in
            onnxruntime; torch.onnx.export's chunk computes its sizes with it)
  Slice     starts, ends, optional axes and steps (inputs, opset 10+), ONNX clamping
  Split     optional split sizes (input, opset 13+), axis; equal parts otherwise
  Squeeze, Unsqueeze
            axes as an input (opset 13+) or an attribute (older); Squeeze without
            axes drops every dimension of size 1
  Concat    axis (negative counts from the end)
  Gather    axis, int64 indices (negative ones count from the end)
  Shape     start, end; Expand (numpy broadcasting); ConstantOfShape (value, default float 0)
  LSTM, GRU, RNN
            inputs X, W, R and optional B, sequence_lens, initial_h, initial_c and
            P (LSTM peepholes); outputs Y, Y_h, Y_c (LSTM), empty names skipped;
            hidden_size, direction (forward, reverse, bidirectional), layout 0/1,
            linear_before_reset (GRU), input_forget (LSTM: f = 1 - i, as in
            onnxruntime), clip (bounds every gate pre-activation, not the cell
            state before h, as in onnxruntime), activations (Relu, Tanh, Sigmoid,
            Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu,
            Softsign, Softplus; case-insensitive) with activation_alpha/beta
            consumed in order by the activations that take them. Gate order
            LSTM i,o,f,c; GRU z,r,h; B = [Wb, Rb]. Per-sequence sequence_lens:
            Y is 0 past a sequence's length, Y_h/Y_c hold its last valid step
            (0 for a length of 0, as in onnxruntime).

Library use:   outputs = run(model_or_path, {"x": array, ...})  -> {name: array}
Command line:  onnx_numpy_ref.py model.onnx --input x=x.npy [--output-dir D]
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


class RefError(Exception):
    """An unsupported op or malformed node, with the node named."""


def _attrs(node):
    out = {}
    for a in node.attribute:
        out[a.name] = onnx.helper.get_attribute_value(a)
    return out


def _node_label(node):
    return f"{node.op_type} node '{node.name or '<unnamed>'}'"


def _to_compute(arr):
    """Floats are evaluated in float64; integer tensors (shapes) stay integer."""
    arr = np.asarray(arr)
    if np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float64)
    return arr


def _gemm(node, args, at):
    if len(args) < 2:
        raise RefError(f"{_node_label(node)} needs inputs A and B")
    a, b = args[0], args[1]
    c = args[2] if len(args) > 2 else None
    if at.get("transA", 0):
        a = a.T
    if at.get("transB", 0):
        b = b.T
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise RefError(f"{_node_label(node)}: bad shapes {a.shape} x {b.shape}")
    y = float(at.get("alpha", 1.0)) * (a @ b)
    if c is not None:
        y = y + float(at.get("beta", 1.0)) * np.broadcast_to(c, y.shape)
    return y


def _flatten(node, args, at):
    x = args[0]
    axis = int(at.get("axis", 1))
    if axis < 0:
        axis += x.ndim
    if not 0 <= axis <= x.ndim:
        raise RefError(f"{_node_label(node)}: axis {at.get('axis')} out of range for rank {x.ndim}")
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    return x.reshape(outer, int(np.prod(x.shape[axis:], dtype=np.int64)))


def _reshape(node, args, at):
    if len(args) < 2:
        raise RefError(f"{_node_label(node)} needs a shape input")
    x, shape = args[0], [int(s) for s in np.asarray(args[1]).reshape(-1)]
    allowzero = int(at.get("allowzero", 0))
    out = []
    for i, s in enumerate(shape):
        if s == 0 and not allowzero:
            if i >= x.ndim:
                raise RefError(f"{_node_label(node)}: shape entry {i} is 0 but input has rank {x.ndim}")
            out.append(x.shape[i])
        else:
            out.append(s)
    if out.count(-1) > 1:
        raise RefError(f"{_node_label(node)}: more than one -1 in shape {shape}")
    return x.reshape(out)


def _constant(node, args, at):
    if "value" in at:
        return numpy_helper.to_array(at["value"])
    if "value_float" in at:
        return np.array(at["value_float"], dtype=np.float32)
    if "value_floats" in at:
        return np.array(at["value_floats"], dtype=np.float32)
    if "value_int" in at:
        return np.array(at["value_int"], dtype=np.int64)
    if "value_ints" in at:
        return np.array(at["value_ints"], dtype=np.int64)
    raise RefError(f"{_node_label(node)}: unsupported Constant attribute {sorted(at)}")


# ---------------------------------------------------------------------------
# Recurrent ops: LSTM, GRU, RNN (opset 7-17 semantics).

# name -> (function(x, alpha, beta), number of alpha/beta values it takes, defaults)
# Defaults follow the standalone ONNX ops (LeakyRelu 0.01, HardSigmoid 0.2/0.5, Elu 1,
# ThresholdedRelu 1); Affine and ScaledTanh have none and need explicit values.
_RNN_ACTIVATIONS = {
    "relu": (lambda x, a, b: np.maximum(x, 0.0), 0, ()),
    "tanh": (lambda x, a, b: np.tanh(x), 0, ()),
    "sigmoid": (lambda x, a, b: 1.0 / (1.0 + np.exp(-x)), 0, ()),
    "affine": (lambda x, a, b: a * x + b, 2, None),
    "leakyrelu": (lambda x, a, b: np.where(x >= 0, x, a * x), 1, (0.01,)),
    "thresholdedrelu": (lambda x, a, b: np.where(x > a, x, 0.0), 1, (1.0,)),
    "scaledtanh": (lambda x, a, b: a * np.tanh(b * x), 2, None),
    "hardsigmoid": (lambda x, a, b: np.clip(a * x + b, 0.0, 1.0), 2, (0.2, 0.5)),
    "elu": (lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1.0)), 1, (1.0,)),
    "softsign": (lambda x, a, b: x / (1.0 + np.abs(x)), 0, ()),
    "softplus": (lambda x, a, b: np.logaddexp(0.0, x), 0, ()),
}

# op -> (gates, default activations of one direction)
_RNN_KINDS = {
    "LSTM": (4, ["Sigmoid", "Tanh", "Tanh"]),
    "GRU": (3, ["Sigmoid", "Tanh"]),
    "RNN": (1, ["Tanh"]),
}


def _rnn_activations(node, at, per_dir, dirs, defaults):
    """[[callable] * per_dir] * dirs from activations/activation_alpha/activation_beta.

    alpha and beta values are consumed in order, only by the activations that
    take them (as onnxruntime does); a missing value takes the op's default.
    """
    names = [n.decode() if isinstance(n, bytes) else n for n in at.get("activations", [])]
    if not names:
        names = defaults * dirs
    if len(names) != per_dir * dirs:
        raise RefError(f"{_node_label(node)}: {len(names)} activations, expected {per_dir * dirs}")
    alphas = list(at.get("activation_alpha", []))
    betas = list(at.get("activation_beta", []))
    funcs = []
    for name in names:
        entry = _RNN_ACTIVATIONS.get(name.lower())
        if entry is None:
            raise RefError(f"{_node_label(node)}: unsupported activation '{name}'")
        fn, nargs, dflt = entry
        params = []
        for k, pool in enumerate((alphas, betas)[:nargs]):
            if pool:
                params.append(float(pool.pop(0)))
            elif dflt is not None:
                params.append(dflt[k])
            else:
                raise RefError(f"{_node_label(node)}: activation '{name}' needs "
                               f"activation_{'alpha' if k == 0 else 'beta'}")
        a, b = (params + [0.0, 0.0])[:2]
        funcs.append(lambda x, fn=fn, a=a, b=b: fn(x, a, b))
    return [funcs[d * per_dir:(d + 1) * per_dir] for d in range(dirs)]


def _rnn_direction(kind, x, lens, w, r, wb, rb, p, h0, c0, acts, clip, lbr, input_forget):
    """One direction over time-major x [T, N, I], forward in time; sequence n stops at lens[n].

    Returns (Y [T, N, H] zero at t >= lens[n], h_last [N, H], c_last [N, H] or None).
    """
    steps, batch = x.shape[0], x.shape[1]
    hidden = r.shape[-1]
    xw = np.einsum("tni,gi->tng", x, w) + wb  # X_t W^T + Wb for every step at once
    y = np.zeros((steps, batch, hidden))
    h, c = h0.copy(), (c0.copy() if c0 is not None else None)
    h_last = np.zeros((batch, hidden))
    c_last = np.zeros((batch, hidden)) if kind == "LSTM" else None

    def pre(v):
        return v if clip is None else np.clip(v, -clip, clip)

    for t in range(steps):
        live = (t < lens)[:, None]
        if not live.any():
            break
        if kind == "LSTM":
            f, g, hact = acts
            gates = xw[t] + h @ r.T + rb
            gi, go, gf, gc = np.split(gates, 4, axis=1)
            pi, po, pf = p
            i_t = f(pre(gi + pi * c))
            f_t = 1.0 - i_t if input_forget else f(pre(gf + pf * c))
            c_new = f_t * c + i_t * g(pre(gc))
            o_t = f(pre(go + po * c_new))
            h_new = o_t * hact(c_new)
            c = np.where(live, c_new, c)
        elif kind == "GRU":
            f, g = acts
            xz, xr, xh = np.split(xw[t], 3, axis=1)
            rz, rr, rh = np.split(r, 3, axis=0)
            rbz, rbr, rbh = np.split(rb, 3)
            z_t = f(pre(xz + h @ rz.T + rbz))
            r_t = f(pre(xr + h @ rr.T + rbr))
            if lbr:
                hh = g(pre(xh + r_t * (h @ rh.T + rbh)))
            else:
                hh = g(pre(xh + (r_t * h) @ rh.T + rbh))
            h_new = (1.0 - z_t) * hh + z_t * h
        else:
            (f,) = acts
            h_new = f(pre(xw[t] + h @ r.T + rb))
        h = np.where(live, h_new, h)
        y[t] = np.where(live, h_new, 0.0)
        ended = (lens == t + 1)
        h_last[ended] = h[ended]
        if c_last is not None:
            c_last[ended] = c[ended]
    return y, h_last, c_last


def _reverse_valid(a, lens):
    """Reverses time-major a [T, N, ...] within each sequence's first lens[n] steps."""
    out = a.copy()
    for n, length in enumerate(lens):
        out[:length, n] = a[:length, n][::-1]
    return out


def _rnn(node, args, at):
    """LSTM, GRU and RNN: outputs (Y, Y_h) and for LSTM also Y_c."""
    kind = node.op_type
    gates, default_acts = _RNN_KINDS[kind]
    args = list(args) + [None] * (8 - len(args))
    x, w, r, b, seq_lens, h0, c0, p = args[:8]
    if kind != "LSTM" and (c0 is not None or p is not None):
        raise RefError(f"{_node_label(node)}: too many inputs")
    if x is None or w is None or r is None:
        raise RefError(f"{_node_label(node)} needs inputs X, W and R")
    direction = at.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else direction
    if direction not in ("forward", "reverse", "bidirectional"):
        raise RefError(f"{_node_label(node)}: unknown direction '{direction}'")
    dirs = 2 if direction == "bidirectional" else 1
    layout = int(at.get("layout", 0))
    if layout not in (0, 1):
        raise RefError(f"{_node_label(node)}: layout {layout} is not 0 or 1")
    if x.ndim != 3:
        raise RefError(f"{_node_label(node)}: X must have rank 3, got shape {list(x.shape)}")
    if layout == 1:  # [N, T, I] -> [T, N, I]; initial states [N, dirs, H] -> [dirs, N, H]
        x = x.transpose(1, 0, 2)
        h0 = h0.transpose(1, 0, 2) if h0 is not None else None
        c0 = c0.transpose(1, 0, 2) if c0 is not None else None
    steps, batch, inputs = x.shape
    hidden = int(at.get("hidden_size", r.shape[-1]))
    if w.shape != (dirs, gates * hidden, inputs) or r.shape != (dirs, gates * hidden, hidden):
        raise RefError(f"{_node_label(node)}: W {list(w.shape)} / R {list(r.shape)} do not match "
                       f"{dirs} direction(s), {gates} gate(s), hidden {hidden}, input {inputs}")
    if b is None:
        b = np.zeros((dirs, 2 * gates * hidden))
    if b.shape != (dirs, 2 * gates * hidden):
        raise RefError(f"{_node_label(node)}: B has shape {list(b.shape)}, "
                       f"expected {[dirs, 2 * gates * hidden]}")
    if seq_lens is None:
        lens = np.full(batch, steps, dtype=np.int64)
    else:
        lens = np.asarray(seq_lens).astype(np.int64).reshape(-1)
        if lens.shape != (batch,) or (lens < 0).any() or (lens > steps).any():
            raise RefError(f"{_node_label(node)}: sequence_lens {lens.tolist()} invalid for "
                           f"batch {batch}, {steps} steps")
    for name, s in (("initial_h", h0), ("initial_c", c0)):
        if s is not None and s.shape != (dirs, batch, hidden):
            raise RefError(f"{_node_label(node)}: {name} has shape {list(s.shape)} "
                           f"(layout {layout}), expected {[dirs, batch, hidden]} in layout 0")
    if p is None:
        p = np.zeros((dirs, 3 * hidden))
    if p.shape != (dirs, 3 * hidden):
        raise RefError(f"{_node_label(node)}: P has shape {list(p.shape)}, expected {[dirs, 3 * hidden]}")
    clip = float(at["clip"]) if "clip" in at else None
    lbr = int(at.get("linear_before_reset", 0))
    input_forget = int(at.get("input_forget", 0))
    acts = _rnn_activations(node, at, len(default_acts), dirs, default_acts)

    ys, hs, cs = [], [], []
    for d in range(dirs):
        reverse = direction == "reverse" or d == 1
        xd = _reverse_valid(x, lens) if reverse else x
        y, h_last, c_last = _rnn_direction(
            kind, xd, lens, w[d], r[d], b[d, :gates * hidden], b[d, gates * hidden:],
            np.split(p[d], 3), h0[d] if h0 is not None else np.zeros((batch, hidden)),
            (c0[d] if c0 is not None else np.zeros((batch, hidden))) if kind == "LSTM" else None,
            acts[d], clip, lbr, input_forget)
        ys.append(_reverse_valid(y, lens) if reverse else y)
        hs.append(h_last)
        cs.append(c_last)
    y = np.stack(ys, axis=1)  # [T, dirs, N, H]
    y_h = np.stack(hs)        # [dirs, N, H]
    y_c = np.stack(cs) if kind == "LSTM" else None
    if layout == 1:
        y = y.transpose(2, 0, 1, 3)  # [N, T, dirs, H]
        y_h = y_h.transpose(1, 0, 2)
        y_c = y_c.transpose(1, 0, 2) if y_c is not None else None
    return (y, y_h, y_c) if kind == "LSTM" else (y, y_h)


# ---------------------------------------------------------------------------
# Data movement (Slice, Split, Squeeze, Unsqueeze, Concat, Gather): the ops an
# unrolled recurrent cell is written with.

def _ints(node, value, what):
    if value is None:
        return None
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.integer):
        raise RefError(f"{_node_label(node)}: {what} must be integers")
    return [int(v) for v in arr.reshape(-1)]


def _slice(node, args, at):
    args = list(args) + [None] * (5 - len(args))
    x = args[0]
    starts, ends = _ints(node, args[1], "starts"), _ints(node, args[2], "ends")
    if starts is None or ends is None or len(starts) != len(ends):
        raise RefError(f"{_node_label(node)} needs starts and ends of one length")
    axes = _ints(node, args[3], "axes") or list(range(len(starts)))
    steps = _ints(node, args[4], "steps") or [1] * len(starts)
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        if axis < 0:
            axis += x.ndim
        if not 0 <= axis < x.ndim or step == 0:
            raise RefError(f"{_node_label(node)}: bad axis {axis} or step {step}")
        dim = x.shape[axis]
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        index[axis] = slice(start, end if end >= 0 else None, step)
    return x[tuple(index)]


def _split(node, args, at):
    x = args[0]
    axis = int(at.get("axis", 0))
    axis = axis + x.ndim if axis < 0 else axis
    n = len(node.output)
    sizes = _ints(node, args[1] if len(args) > 1 else None, "split")
    if sizes is None:
        chunk = -(-x.shape[axis] // n)
        sizes = [min(chunk, x.shape[axis] - i * chunk) for i in range(n)]
    if len(sizes) != n or sum(sizes) != x.shape[axis] or min(sizes) < 0:
        raise RefError(f"{_node_label(node)}: split {sizes} does not cut dimension "
                       f"{x.shape[axis]} into {n} outputs")
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


def _squeeze(node, args, at):
    x = args[0]
    axes = _ints(node, args[1], "axes") if len(args) > 1 else at.get("axes")
    if axes is None:
        return x.reshape([d for d in x.shape if d != 1])
    axes = [a + x.ndim if a < 0 else a for a in axes]
    if any(x.shape[a] != 1 for a in axes):
        raise RefError(f"{_node_label(node)}: cannot squeeze axes {axes} of shape {list(x.shape)}")
    return np.squeeze(x, axis=tuple(axes))


def _unsqueeze(node, args, at):
    x = args[0]
    axes = _ints(node, args[1], "axes") if len(args) > 1 else at.get("axes")
    if axes is None:
        raise RefError(f"{_node_label(node)} needs axes")
    rank = x.ndim + len(axes)
    axes = sorted(a + rank if a < 0 else a for a in axes)
    for a in axes:
        x = np.expand_dims(x, a)
    return x


def _shape(node, args, at):
    dims = np.array(args[0].shape, dtype=np.int64)
    rank = len(dims)
    start, end = int(at.get("start", 0)), int(at.get("end", rank))
    start, end = (start + rank if start < 0 else start), (end + rank if end < 0 else end)
    return dims[max(0, min(start, rank)):max(0, min(end, rank))]


def _constant_of_shape(node, args, at):
    value = at.get("value")
    fill = numpy_helper.to_array(value).reshape(-1) if value is not None else np.zeros(1, dtype=np.float32)
    return np.full(tuple(int(d) for d in args[0]), fill[0], dtype=fill.dtype)


def _div(node, args, at):
    a, b = np.asarray(args[0]), np.asarray(args[1])
    if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
        q = np.abs(a) // np.abs(b)
        return (np.sign(a) * np.sign(b) * q).astype(np.result_type(a, b))
    return a / b


def _gather(node, args, at):
    data, indices = args[0], args[1]
    if not np.issubdtype(np.asarray(indices).dtype, np.integer):
        raise RefError(f"{_node_label(node)}: indices must be integers")
    return np.take(data, indices, axis=int(at.get("axis", 0)))


def _window_geometry(node, at, x, kernel):
    """(pads [top, left, bottom, right], strides, dilations) of a 2-D Conv or
    pool with explicit pads (auto_pad NOTSET) and ceil_mode 0; RefError else."""
    if x.ndim != 4 or len(kernel) != 2:
        raise RefError(f"{_node_label(node)}: only 2-D NCHW windows are supported")
    if at.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or at.get("ceil_mode", 0):
        raise RefError(f"{_node_label(node)}: only explicit pads and ceil_mode 0 are supported")
    pads = list(at.get("pads", [0, 0, 0, 0]))
    strides = list(at.get("strides", [1, 1]))
    dilations = list(at.get("dilations", [1, 1]))
    return pads, strides, dilations


def _windows(x, kernel, pads, strides, dilations, fill):
    """[N, C, OH, OW, KH, KW] views of x's receptive fields, padded with `fill`."""
    top, left, bottom, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    kh, kw = kernel
    eh, ew = (kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1
    full = np.lib.stride_tricks.sliding_window_view(xp, (eh, ew), axis=(2, 3))
    return full[:, :, ::strides[0], ::strides[1], ::dilations[0], ::dilations[1]]


def _conv(node, args, at):
    x, w = args[0], args[1]
    groups = int(at.get("group", 1))
    kernel = list(at.get("kernel_shape", w.shape[2:]))
    pads, strides, dilations = _window_geometry(node, at, x, kernel)
    win = _windows(x, kernel, pads, strides, dilations, 0.0)
    cin, cout = x.shape[1] // groups, w.shape[0] // groups
    # Group g: its outputs read only its input channels.
    y = np.concatenate([np.einsum("nchwij,ocij->nohw", win[:, g * cin:(g + 1) * cin], w[g * cout:(g + 1) * cout],
                                  optimize=True) for g in range(groups)], axis=1)
    if len(args) > 2 and args[2] is not None:
        y = y + args[2].reshape(1, -1, 1, 1)
    return y


def conv_transpose_geometry(at, x_shape, w_shape):
    """(strides, dilations, output_padding, pad begins, pad ends, full sizes) of a
    ConvTranspose over NCHW / NCW x, each per axis of a 2-D map (a 1-D one is a map
    of one row). full: (in - 1) * stride + (k - 1) * dilation + 1 + output_padding,
    the output before the pads crop it; negative pads add zeros."""
    one_d = len(x_shape) == 3
    sp = 1 if one_d else 2
    lift = (lambda v, fill: [fill] + list(v)) if one_d else (lambda v, fill: list(v))
    strides = lift(at.get("strides", [1] * sp), 1)
    dil = lift(at.get("dilations", [1] * sp), 1)
    opad = lift(at.get("output_padding", [0] * sp), 0)
    ins, ks = lift(x_shape[2:], 1), lift(w_shape[2:], 1)
    full = [(ins[a] - 1) * strides[a] + (ks[a] - 1) * dil[a] + 1 + opad[a] for a in range(2)]
    mode = at.get("auto_pad", b"NOTSET")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if "output_shape" in at or mode in ("SAME_UPPER", "SAME_LOWER"):
        shape = lift(at["output_shape"], 1) if "output_shape" in at else [ins[a] * strides[a] for a in range(2)]
        begins, ends = [], []
        for a in range(2):
            total = full[a] - shape[a]  # negative when output_shape is larger: zeros at the end
            half = total // 2           # rounded down (ONNX's test data: the extra zeros go last)
            begins.append(half if mode == "SAME_UPPER" else total - half)
            ends.append(total - begins[-1])
    else:
        pads = list(at.get("pads", [0] * 2 * sp))
        begins, ends = lift(pads[:sp], 0), lift(pads[sp:], 0)
    return strides, dil, opad, begins, ends, full


def _conv_transpose(node, args, at):
    """ConvTranspose by its scatter definition: input pixel (h, w) adds x * W[c, o, i, j]
    to output (h * stride + i * dilation - pad_begin, ...); 1-D and 2-D, groups,
    output_padding, and pads from auto_pad / output_shape as the operator defines them."""
    x, w = args[0], args[1]
    if x.ndim not in (3, 4):
        raise RefError(f"{_node_label(node)}: only 1-D and 2-D ConvTranspose is supported")
    strides, dil, _, begins, ends, full = conv_transpose_geometry(at, x.shape, w.shape)
    one_d = x.ndim == 3
    if one_d:
        x, w = x[:, :, None, :], w[:, :, None, :]
    n, cin, h, wd = x.shape
    groups = int(at.get("group", 1))
    coutg, kh, kw = w.shape[1], w.shape[2], w.shape[3]
    cing = cin // groups
    y = np.zeros((n, coutg * groups, full[0], full[1]), dtype=np.float64)
    for g in range(groups):
        xg = x[:, g * cing:(g + 1) * cing]
        wg = w[g * cing:(g + 1) * cing]
        for i in range(kh):
            for j in range(kw):
                contrib = np.einsum("nchw,co->nohw", xg, wg[:, :, i, j])
                r0, c0 = i * dil[0], j * dil[1]
                y[:, g * coutg:(g + 1) * coutg, r0:r0 + (h - 1) * strides[0] + 1:strides[0],
                  c0:c0 + (wd - 1) * strides[1] + 1:strides[1]] += contrib
    # Negative pads add zero rows / columns: pad first, then crop the positive ones.
    y = np.pad(y, ((0, 0), (0, 0), (max(-begins[0], 0), max(-ends[0], 0)), (max(-begins[1], 0), max(-ends[1], 0))))
    b0, b1 = max(begins[0], 0), max(begins[1], 0)
    y = y[:, :, b0:y.shape[2] - max(ends[0], 0), b1:y.shape[3] - max(ends[1], 0)]
    if len(args) > 2 and args[2] is not None:
        y = y + args[2].reshape(1, -1, 1, 1)
    return y[:, :, 0, :] if one_d else y


def _resize_nearest(node, args, at):
    """Resize (opset 11+) and Upsample, mode nearest, by ONNX's definition: output index o
    of an axis reads the input index its coordinate transformation and nearest_mode give."""
    x = args[0]
    mode = at.get("mode", b"nearest")
    if (mode.decode() if isinstance(mode, bytes) else mode) != "nearest":
        raise RefError(f"{_node_label(node)}: only nearest resizing is supported")
    text = lambda v, d: (v.decode() if isinstance(v, bytes) else v) if v is not None else d
    if node.op_type == "Upsample":
        scales, sizes, coord, rounding = args[1], None, "asymmetric", "floor"
    else:
        scales = args[2] if len(args) > 2 and args[2] is not None and args[2].size else None
        sizes = args[3] if len(args) > 3 and args[3] is not None and args[3].size else None
        coord = text(at.get("coordinate_transformation_mode"), "half_pixel")
        rounding = text(at.get("nearest_mode"), "round_prefer_floor")
    out_shape = [int(v) for v in sizes] if sizes is not None else [int(np.floor(d * s)) for d, s in zip(x.shape, scales)]
    y = x
    for axis, (n_in, n_out) in enumerate(zip(x.shape, out_shape)):
        scale = float(scales[axis]) if scales is not None else n_out / n_in
        o = np.arange(n_out, dtype=np.float64)
        if coord == "half_pixel" or (coord == "pytorch_half_pixel" and n_out > 1):
            c = (o + 0.5) / scale - 0.5
        elif coord == "pytorch_half_pixel":
            c = np.zeros_like(o)
        elif coord == "asymmetric":
            c = o / scale
        elif coord == "tf_half_pixel_for_nn":
            c = (o + 0.5) / scale
        elif coord == "align_corners":
            c = o * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros_like(o)
        else:
            raise RefError(f"{_node_label(node)}: coordinate_transformation_mode {coord} is not supported")
        tie = (c - np.floor(c)) == 0.5
        idx = {"round_prefer_floor": np.where(tie, np.floor(c), np.round(c)),
               "round_prefer_ceil": np.where(tie, np.ceil(c), np.round(c)),
               "floor": np.floor(c), "ceil": np.ceil(c)}[rounding]
        y = np.take(y, np.clip(idx.astype(np.int64), 0, n_in - 1), axis=axis)
    return y


def _max_pool(node, args, at):
    x = args[0]
    kernel = list(at["kernel_shape"])
    pads, strides, dilations = _window_geometry(node, at, x, kernel)
    return _windows(x, kernel, pads, strides, dilations, -np.inf).max(axis=(4, 5))


def _clip(n, a, at):
    """Clip (opset 11+): bounds as optional inputs 1 and 2."""
    y = a[0]
    if len(a) > 1 and a[1] is not None:
        y = np.maximum(y, a[1].astype(y.dtype))
    if len(a) > 2 and a[2] is not None:
        y = np.minimum(y, a[2].astype(y.dtype))
    return y


def _hard_sigmoid(x, alpha, beta):
    """ONNX HardSigmoid: max(0, min(1, alpha * x + beta))."""
    return np.maximum(0.0, np.minimum(1.0, alpha * x + beta)).astype(x.dtype)


def _batch_norm(node, args, at):
    """ONNX BatchNormalization, inference form: (x - mean) / sqrt(var + eps) * scale + B
    per channel (dimension 1)."""
    x, scale, bias, mean, var = args[:5]
    shape = (1, -1) + (1,) * (x.ndim - 2)
    eps = at.get("epsilon", 1e-5)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * scale.reshape(shape) + bias.reshape(shape)
    return y.astype(x.dtype)


def _reduce(fn):
    """ONNX ReduceMean / ReduceMax (opset 13: axes an attribute, all axes when absent; keepdims default 1)."""
    def reduce(node, args, at):
        axes = at.get("axes")
        axes = tuple(int(a) for a in axes) if axes is not None else None
        return fn(args[0], axis=axes, keepdims=bool(at.get("keepdims", 1))).astype(args[0].dtype)
    return reduce


OPS = {
    "Gemm": _gemm,
    "MatMul": lambda n, a, at: np.matmul(a[0], a[1]),
    "Add": lambda n, a, at: a[0] + a[1],
    "Relu": lambda n, a, at: np.maximum(a[0], 0.0),
    "Sigmoid": lambda n, a, at: 1.0 / (1.0 + np.exp(-a[0])),
    "Tanh": lambda n, a, at: np.tanh(a[0]),
    "Identity": lambda n, a, at: a[0],
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Constant": _constant,
    "LSTM": _rnn,
    "GRU": _rnn,
    "RNN": _rnn,
    "Transpose": lambda n, a, at: np.transpose(a[0], _attrs(n).get("perm")),
    "Mul": lambda n, a, at: a[0] * a[1],
    "Sub": lambda n, a, at: a[0] - a[1],
    "Div": _div,
    "Slice": _slice,
    "Split": _split,
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Concat": lambda n, a, at: np.concatenate(a, axis=int(at["axis"])),
    "Gather": _gather,
    "Shape": _shape,
    "Expand": lambda n, a, at: a[0] * np.ones(tuple(int(d) for d in a[1]), dtype=a[0].dtype),
    "ConstantOfShape": _constant_of_shape,
    "Conv": _conv,
    "ConvTranspose": _conv_transpose,
    "Resize": _resize_nearest,
    "Upsample": _resize_nearest,
    "MaxPool": _max_pool,
    "LeakyRelu": lambda n, a, at: np.where(a[0] < 0, a[0] * np.float32(at.get("alpha", 0.01)), a[0]),
    "Max": lambda n, a, at: np.maximum.reduce(np.broadcast_arrays(*a)),
    "Min": lambda n, a, at: np.minimum.reduce(np.broadcast_arrays(*a)),
    "Clip": _clip,
    "PRelu": lambda n, a, at: np.where(a[0] < 0, a[0] * a[1], a[0]),
    "HardSigmoid": lambda n, a, at: _hard_sigmoid(a[0], at.get("alpha", 0.2), at.get("beta", 0.5)),
    "HardSwish": lambda n, a, at: a[0] * _hard_sigmoid(a[0], 1.0 / 6.0, 0.5),
    "BatchNormalization": _batch_norm,
    "ReduceMean": _reduce(np.mean),
    "GlobalAveragePool": lambda n, a, at: np.mean(a[0], axis=tuple(range(2, a[0].ndim)), keepdims=True),
    "GlobalMaxPool": lambda n, a, at: np.max(a[0], axis=tuple(range(2, a[0].ndim)), keepdims=True),
    "ReduceMax": _reduce(np.max),
}


def graph_inputs(model):
    """Names of the graph inputs that are not initializers, in order."""
    inits = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in inits]


def run_each(model, name, batch, output):
    """Output `output` for every entry of `batch` (stacked along dimension 0) as
    rows [len(batch), -1]: in one run when the graph takes the stacked batch,
    else one run per entry (a recurrent graph reshapes its one input into a
    sequence, which fixes the batch)."""
    if isinstance(model, (str, os.PathLike)):
        model = onnx.load(model)
    if not any(node.op_type in ("LSTM", "GRU", "RNN") for node in model.graph.node):
        # In chunks: a convolution's windows take memory per image.
        return np.concatenate([run(model, {name: batch[i:i + 500]})[output].reshape(len(batch[i:i + 500]), -1)
                               for i in range(0, len(batch), 500)])
    return np.concatenate([run(model, {name: batch[i:i + 1]})[output].reshape(1, -1)
                           for i in range(len(batch))])


def run(model, feeds):
    """Evaluates `model` (ModelProto or path) on feeds {name: array}.

    Returns {output name: array}, float outputs as float32, in graph output order.
    Raises RefError for unsupported ops or missing inputs.
    """
    if isinstance(model, (str, os.PathLike)):
        model = onnx.load(str(model))
    values = {}
    for t in model.graph.initializer:
        values[t.name] = _to_compute(numpy_helper.to_array(t))
    for name in graph_inputs(model):
        if name not in feeds:
            raise RefError(f"missing graph input '{name}'")
        values[name] = _to_compute(feeds[name])
    for node in model.graph.node:
        fn = OPS.get(node.op_type)
        if fn is None or (node.domain not in ("", "ai.onnx")):
            raise RefError(f"unsupported op {node.op_type} (node '{node.name or '<unnamed>'}')")
        args = []
        for name in node.input:
            if name == "":  # optional input left out: None keeps later inputs' positions
                args.append(None)
                continue
            if name not in values:
                raise RefError(f"{_node_label(node)}: input '{name}' is not defined")
            args.append(values[name])
        while args and args[-1] is None:
            args.pop()
        result = fn(node, args, _attrs(node))
        results = result if isinstance(result, tuple) else (result,)
        for name, value in zip(node.output, results):
            if name:  # optional outputs with an empty name are not produced
                values[name] = _to_compute(value)
    outputs = {}
    for o in model.graph.output:
        v = values[o.name]
        outputs[o.name] = v.astype(np.float32) if np.issubdtype(v.dtype, np.floating) else v
    return outputs


def load_tensor(path):
    """Reads a .npy file or an ONNX TensorProto .pb file."""
    if path.endswith(".npy"):
        return np.load(path)
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    ap = argparse.ArgumentParser(description="Evaluate an ONNX model with numpy (float64 inside).")
    ap.add_argument("model")
    ap.add_argument("--input", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--output-dir", help="write <output name>.npy files here")
    args = ap.parse_args()
    feeds = {}
    for spec in args.input:
        name, sep, path = spec.partition("=")
        if not sep:
            ap.error(f"--input expects NAME=FILE, got '{spec}'")
        feeds[name] = load_tensor(path)
    try:
        outs = run(args.model, feeds)
    except (RefError, OSError, ValueError) as e:
        print(f"onnx_numpy_ref: error: {e}", file=sys.stderr)
        return 1
    for name, v in outs.items():
        if args.output_dir:
            os.makedirs(args.output_dir, exist_ok=True)
            np.save(os.path.join(args.output_dir, name + ".npy"), v)
        print(f"{name}: shape {list(v.shape)} {v.dtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
