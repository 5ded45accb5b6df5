"""rnn_bfp_bound.py - element-wise error bounds of a recurrent layer run in block floating point.

Used by run_node_tests.py --mode bfp for graphs with one LSTM, GRU or RNN node.

Each timestep multiplies the gate matrices [W R] by the vector [x_t, h_{t-1}],
both quantized to BFP with m magnitude bits per element, and runs the bias
add, activations and point-wise steps in fp32 on the multifunction units. The
bound follows the ONNX reference trajectory (float64, computed here from the
node's inputs) and carries a bound on the NPU's deviation from it through the
recurrence:

* Matrix-vector product M v when the NPU's vector is v + dv with |dv| <= Dv
  element-wise: |error| <= q(M, |v| + Dv) + |M| Dv, where q is the quantization
  and accumulation bound of run_node_tests.product_bound for one row of inputs:
      q_j = sum_k |M_jk| e_v + e_M(j) sum_k |v_k| + K e_v e_M(j) + K 2^-23 sum_k |M_jk| |v_k|
  with e_v = s max_k |v_k|, e_M(j) = s max_k |M_jk|, s = 2^-m / (1 - 2^-(m+1))
  (doubled for rounding toward zero) plus 2^(-126-m) for clamped exponents.
* Activations are monotonic: |f(a + e) - f(a)| over |e| <= Da is at most
  max(|f(a + Da) - f(a)|, |f(a - Da) - f(a)|) (small where they saturate).
* Products of perturbed values: |d(uv)| <= (|u| + Du) Dv + |v| Du.
* Every fp32 step on the MFUs adds at most 2^-23 (|value| + 1), counted once
  per timestep with a factor 8 for the handful of steps.

So the bound is rigorous for the model of docs/numerics.md (no linearisation),
and it grows with the sequence exactly as far as the recurrence amplifies errors.
"""
import numpy as np
import onnx
from onnx import numpy_helper

RECURRENT_OPS = ("LSTM", "GRU", "RNN")


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


class _Product:
    def __init__(self, m, rounding):
        self.scale = 2.0 ** -m / (1.0 - 2.0 ** -(m + 1))
        if "zero" in rounding.lower():
            self.scale *= 2.0
        self.tiny = 2.0 ** (-126 - m)

    def error(self, mat, v, dv):
        """Bound of |NPU(mat @ (v + dv)) - mat @ v|, mat [P, K], v and dv [K]."""
        a = np.abs(mat)
        vabs = np.abs(v) + dv
        k = mat.shape[1]
        e_v = self.scale * vabs.max() + self.tiny
        e_m = self.scale * a.max(axis=1) + self.tiny
        quant = a.sum(axis=1) * e_v + e_m * vabs.sum() + k * e_v * e_m
        accum = k * 2.0 ** -23 * (a @ vabs)
        return quant + accum + a @ dv


def _act(f, a, da):
    """Bound of |f(a + e) - f(a)| for |e| <= da, f monotonic."""
    return np.maximum(np.abs(f(a + da) - f(a)), np.abs(f(a - da) - f(a)))


def _fp32(a):
    return 8 * 2.0 ** -23 * (np.abs(a) + 1.0)


def recurrent_bounds(model, feeds, m, rounding):
    """{output name: bound array} for the graph's one recurrent node, or None."""
    nodes = [n for n in model.graph.node if n.op_type in RECURRENT_OPS]
    if not nodes:
        return None
    if len(nodes) > 1 or len(model.graph.node) > 1:
        raise ValueError("the recurrent bfp bound supports graphs of one LSTM/GRU/RNN node")
    node = nodes[0]
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    get = lambda i: (values[node.input[i]].astype(np.float64)  # noqa: E731
                     if len(node.input) > i and node.input[i] else None)
    x, w, r, b = get(0), get(1), get(2), get(3)
    layout = attrs.get("layout", 0)
    hsize = attrs["hidden_size"]
    lbr = attrs.get("linear_before_reset", 0)
    direction = attrs.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else direction
    dirs = 2 if direction == "bidirectional" else 1
    if layout == 1:
        x = x.transpose(1, 0, 2)
    seq, batch, _ = x.shape
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[node.op_type]
    if b is None:
        b = np.zeros((dirs, 2 * gates * hsize))
    h0 = get(5)
    c0 = get(6) if node.op_type == "LSTM" else None
    if h0 is not None and layout == 1:
        h0 = h0.transpose(1, 0, 2)
    if c0 is not None and layout == 1:
        c0 = c0.transpose(1, 0, 2)
    prod = _Product(m, rounding)
    y = np.zeros((seq, dirs, batch, hsize))
    yh = np.zeros((dirs, batch, hsize))
    yc = np.zeros((dirs, batch, hsize))
    for d in range(dirs):
        reverse = direction == "reverse" or d == 1
        steps = range(seq - 1, -1, -1) if reverse else range(seq)
        wg = np.split(w[d], gates)
        rg = np.split(r[d], gates)
        wb = np.split(b[d][:gates * hsize], gates)
        rb = np.split(b[d][gates * hsize:], gates)
        for bi in range(batch):
            h = h0[d, bi] if h0 is not None else np.zeros(hsize)
            c = c0[d, bi] if c0 is not None else np.zeros(hsize)
            dh = np.zeros(hsize)
            dc = np.zeros(hsize)
            for t in steps:
                xt = x[t, bi]
                v = np.concatenate([xt, h])
                dv = np.concatenate([np.zeros_like(xt), dh])

                def gate(g):
                    mat = np.concatenate([wg[g], rg[g]], axis=1)
                    a = mat @ v + wb[g] + rb[g]
                    return a, prod.error(mat, v, dv) + _fp32(a)

                if node.op_type == "LSTM":
                    (ai, dai), (ao, dao), (af, daf), (ag, dag) = (gate(g) for g in range(4))
                    i, o, f, g_ = _sigmoid(ai), _sigmoid(ao), _sigmoid(af), np.tanh(ag)
                    di, do = _act(_sigmoid, ai, dai), _act(_sigmoid, ao, dao)
                    df, dg = _act(_sigmoid, af, daf), _act(np.tanh, ag, dag)
                    c_new = f * c + i * g_
                    dc = np.abs(f) * dc + (np.abs(c) + dc) * df + np.abs(i) * dg + (np.abs(g_) + dg) * di
                    dc += _fp32(c_new)
                    tc = np.tanh(c_new)
                    dtc = _act(np.tanh, c_new, dc)
                    h_new = o * tc
                    dh = (np.abs(o) + do) * dtc + np.abs(tc) * do + _fp32(h_new)
                    c = c_new
                elif node.op_type == "GRU":
                    (az, daz), (ar, dar) = gate(0), gate(1)
                    z, rr = _sigmoid(az), _sigmoid(ar)
                    dz, dr = _act(_sigmoid, az, daz), _act(_sigmoid, ar, dar)
                    if lbr:
                        p = rg[2] @ h + rb[2]
                        dp = prod.error(rg[2], h, dh)
                        q = wg[2] @ xt
                        dq = prod.error(wg[2], xt, np.zeros_like(xt))
                        ah = q + wb[2] + rr * p
                        dah = dq + (np.abs(rr) + dr) * dp + np.abs(p) * dr
                    else:
                        rh = rr * h
                        drh = (np.abs(rr) + dr) * dh + np.abs(h) * dr
                        mat = np.concatenate([wg[2], rg[2]], axis=1)
                        v2 = np.concatenate([xt, rh])
                        dv2 = np.concatenate([np.zeros_like(xt), drh])
                        ah = mat @ v2 + wb[2] + rb[2]
                        dah = prod.error(mat, v2, dv2)
                    dah += _fp32(ah)
                    hc = np.tanh(ah)
                    dhc = _act(np.tanh, ah, dah)
                    h_new = (1.0 - z) * hc + z * h
                    dh = (1.0 - z) * dhc + z * dh + np.abs(h - hc) * dz + dz * (dh + dhc) + _fp32(h_new)
                else:
                    a, da = gate(0)
                    h_new = np.tanh(a)
                    dh = _act(np.tanh, a, da) + _fp32(h_new)
                h = h_new
                y[t, d, bi] = dh
            yh[d, bi] = dh
            yc[d, bi] = dc
    if layout == 1:
        y = y.transpose(2, 0, 1, 3)
        yh = yh.transpose(1, 0, 2)
        yc = yc.transpose(1, 0, 2)
    out = {}
    for name, bound in zip(node.output, (y, yh, yc)):
        if name:
            out[name] = bound
    return out
