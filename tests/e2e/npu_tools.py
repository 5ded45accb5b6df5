"""npu_tools.py - runs the softnpu command-line tools for the Python test harnesses.

Finds npu-compile / npu-run in a bin directory (clear error when one is missing),
runs them with a timeout, and reads the number formats an artifact was compiled
for (from the target JSON the artifact embeds), so harnesses can derive error
bounds without keeping their own copy of the target presets.
"""
import json
import math
import os
import re
import subprocess

DEFAULT_BIN_DIR = "/work/main/build/bin"


class Tally:
    """The "PASS/FAIL name: detail" lines and the "N passed, M failed" summary
    of a test script."""

    def __init__(self):
        self.passed = self.failed = 0

    def report(self, name, ok, detail):
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)
        self.passed += bool(ok)
        self.failed += not ok

    def finish(self):
        """Prints the summary; returns the exit code (1 when any failed)."""
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


class ToolError(Exception):
    """A tool is missing or could not be started; the message is one line."""


class Tools:
    def __init__(self, bin_dir):
        self.bin_dir = os.path.abspath(bin_dir)

    def path(self, tool):
        p = os.path.join(self.bin_dir, tool)
        if not (os.path.isfile(p) and os.access(p, os.X_OK)):
            raise ToolError(f"{tool} not found in {self.bin_dir} (build it, e.g. "
                            f"'ninja -C <build> {tool}', or pass --bin-dir)")
        return p

    def require(self, *tools):
        for t in tools:
            self.path(t)

    def _run(self, argv, timeout):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ToolError(f"{os.path.basename(argv[0])} timed out after {timeout}s: {' '.join(argv)}")
        except OSError as e:
            raise ToolError(f"cannot run {argv[0]}: {e}")

    def compile(self, model, out, target=None, precision=None, extra=(), timeout=600):
        argv = [self.path("npu-compile"), model, "-o", out]
        if target:
            argv += ["--target", target]
        if precision:
            argv += ["--precision", precision]
        return self._run(argv + list(extra), timeout)

    def run(self, artifact, inputs, output_dir=None, compare=(), atol=None, rtol=None,
            batch=False, timeout=600):
        """inputs/compare: [(name, file)]."""
        argv = [self.path("npu-run"), artifact]
        for name, f in inputs:
            argv += ["--input", f"{name}={f}"]
        if output_dir:
            argv += ["--output-dir", output_dir]
        for name, f in compare:
            argv += ["--compare", f"{name}={f}"]
        if atol is not None:
            argv += ["--atol", repr(float(atol))]
        if rtol is not None:
            argv += ["--rtol", repr(float(rtol))]
        if batch:
            argv.append("--batch")
        return self._run(argv, timeout)


def output_file(output_dir, name):
    """Where `npu-run --output-dir` writes output `name` ('/' in names becomes '_')."""
    return os.path.join(output_dir, name.replace("/", "_") + ".npy")


def snr_db(out, ref):
    """10 log10(sum ref^2 / sum (out - ref)^2) in float64; inf when exact."""
    import numpy as np  # only the harnesses that compare outputs need numpy
    out, ref = np.asarray(out, np.float64).ravel(), np.asarray(ref, np.float64).ravel()
    noise = float(((out - ref) ** 2).sum())
    signal = float((ref ** 2).sum())
    if noise == 0:
        return math.inf
    return -math.inf if signal == 0 else 10 * math.log10(signal / noise)


def first_line(proc):
    """The first non-empty line of a finished process's stderr (else stdout), for reports."""
    for text in (proc.stderr, proc.stdout):
        for line in (text or "").splitlines():
            if line.strip():
                return line.strip()
    return f"exit code {proc.returncode}, no output"


# --- number formats -------------------------------------------------------

def parse_format(value):
    """Returns magnitude bits m of a BFP format, or None for fp32.

    Accepts the names of numerics::NumberFormat::name() ("fp32", "msfpN" which
    is sign + (N - 9) magnitude bits with an 8-bit shared exponent, e.g. msfp12
    -> m=3 ... msfp16 -> m=7, and "bfp:m=M,k=K") or a JSON object with a
    mantissa-bits field.
    """
    if isinstance(value, dict):
        kind = str(value.get("kind", "")).lower()
        if kind == "fp32":
            return None
        for key in ("mantissaBits", "mantissa_bits", "m"):
            if key in value:
                return int(value[key])
        if "name" in value:
            return parse_format(value["name"])
        raise ValueError(f"unrecognised number format {value!r}")
    text = str(value).strip().lower()
    if text == "fp32":
        return None
    mm = re.fullmatch(r"msfp(\d+)", text)
    if mm:
        return int(mm.group(1)) - 9
    mm = re.fullmatch(r"bfp:m=(\d+),k=(\d+)", text)
    if mm:
        return int(mm.group(1))
    raise ValueError(f"unrecognised number format '{value}'")


def _json_objects(data):
    """Yields the top-level JSON objects embedded in bytes."""
    text = data.decode("latin-1")
    dec = json.JSONDecoder()
    i = text.find("{")
    while i != -1:
        try:
            obj, end = dec.raw_decode(text, i)
        except ValueError:
            i = text.find("{", i + 1)
            continue
        if isinstance(obj, dict):
            yield obj
        i = text.find("{", end)


def artifact_formats(path):
    """{"weight": m or None, "input": m or None, "rounding": str} from an artifact's target JSON."""
    with open(path, "rb") as f:
        data = f.read()
    def walk(obj):  # the object itself, then nested objects
        yield obj
        for v in obj.values():
            if isinstance(v, dict):
                yield from walk(v)

    for obj in (o for top in _json_objects(data) for o in walk(top)):
        keys = {k.lower(): k for k in obj}
        wk = next((keys[k] for k in keys if "weight" in k and "format" in k), None)
        ik = next((keys[k] for k in keys if "input" in k and "format" in k), None)
        if wk and ik:
            rk = next((keys[k] for k in keys if "round" in k), None)
            return {"weight": parse_format(obj[wk]), "input": parse_format(obj[ik]),
                    "rounding": str(obj.get(rk, "nearest_even")) if rk else "nearest_even"}
    raise ValueError(f"{path}: no target JSON with weight/input formats found in the artifact")
