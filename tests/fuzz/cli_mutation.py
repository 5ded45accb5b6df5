#!/usr/bin/python3
"""cli_mutation.py - a mutation campaign against the command-line tools (issue 12).

Mutates seed files and feeds each mutant to a tool, then checks the tools' contract
(docs/reliability.md): exit 0, or exit 1 with exactly one "TOOL: error: ..." line on stderr
(npu-compile's notes and warnings may stand beside it); never a signal, an abort, a hang (TIMEOUT s), more than
4 GiB of address space (RLIMIT_AS), or a flood of lines.

  npu-compile   mutated ONNX models (tests/inputs/onnx/*.onnx) -> an artifact for `tiny`
  npu-run       mutated artifacts (those models compiled for `tiny`, half of them mlp2's; the
                checksum rewritten so that the parser behind it is reached, except for every other
                mutant), each run with mlp2's input (zeros)
  npu-run       a good artifact with a mutated input file (.npy)
  npu-objdump   mutated artifacts (checksum rewritten)

Mutations: bit flips, bytes set to 0 / 0xff / 0x7f / 0x80, 32- and 64-bit fields set to extreme
values, truncation, a chunk deleted or duplicated, random bytes inserted, two seeds spliced.
Deterministic for a given --seed. Failing inputs are kept in WORK/failures/ with the tool's
output.

Usage: cli_mutation.py --bin-dir build/bin [--cases N] [--seed S] [--work-dir D] [--timeout S]
Prints a tally per tool and "N cases, M failures"; exits 1 when any case broke the contract.
"""
import argparse
import os
import collections
import random
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import onnx

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED_MODELS = os.path.join(REPO, "tests", "inputs", "onnx")
ADDRESS_SPACE = 4 << 30
CHECKSUM_AT = 28  # docs/artifact-format.md: CRC-32 of the file with these 4 bytes read as zero


def with_checksum(data):
    if len(data) < CHECKSUM_AT + 4:
        return data
    zeroed = data[:CHECKSUM_AT] + b"\0\0\0\0" + data[CHECKSUM_AT + 4:]
    return data[:CHECKSUM_AT] + struct.pack("<I", zlib.crc32(zeroed) & 0xFFFFFFFF) + data[CHECKSUM_AT + 4:]


def mutate(rng, data, other):
    """One to three mutations of `data` (bytes); `other` is a second seed for splicing. Most keep
    the length: a file of another length mostly stops at the first size check."""
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.choices(range(8), weights=[4, 4, 3, 3, 1, 1, 1, 1])[0]
        if not b:
            b = bytearray(rng.randbytes(rng.randint(1, 64)))
            continue
        at = rng.randrange(len(b))
        if kind == 0:
            b[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            b[at] = rng.choice([0, 0xFF, 0x7F, 0x80])
        elif kind == 2 and len(b) >= 4:
            at = rng.randrange(len(b) - 3)
            b[at:at + 4] = struct.pack("<I", rng.choice([0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]))
        elif kind == 3 and len(b) >= 8:
            at = rng.randrange(len(b) - 7)
            b[at:at + 8] = struct.pack("<Q", rng.choice([0, 1 << 31, 1 << 40, (1 << 63) - 1, (1 << 64) - 1]))
        elif kind == 4:
            del b[rng.randrange(len(b)):]
        elif kind == 5:
            n = rng.randint(1, min(256, len(b) - at))
            if rng.random() < 0.5:
                del b[at:at + n]
            else:
                b[at:at] = b[at:at + n]
        elif kind == 6:
            b[at:at] = rng.randbytes(rng.randint(1, 16))
        else:
            cut = rng.randrange(len(other) + 1)
            b = b[:at] + bytearray(other[cut:])
    return bytes(b)


def limit_memory():
    # ASan reserves terabytes of address space for its shadow: under a sanitizer lane
    # (ASAN_OPTIONS set) its own allocator limits stand in for RLIMIT_AS.
    if not os.environ.get("ASAN_OPTIONS"):
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def contract(tool, proc):
    """'' when the tool kept the contract, else what it broke."""
    if proc.returncode < 0:
        return f"killed by signal {-proc.returncode}"
    if proc.returncode not in (0, 1):
        return f"exit code {proc.returncode}"
    lines = proc.stderr.splitlines()
    if len(lines) > 10:
        return f"{len(lines)} lines on stderr"
    errors = [ln for ln in lines if ln.startswith(f"{tool}: error: ")]
    if proc.returncode == 1:
        if len(errors) != 1:
            return f"exit 1 with {len(errors)} error lines"
        others = [ln for ln in lines if ln != errors[0] and not ln.startswith((f"{tool}: note: ", f"{tool}: warning: "))]
        if others:
            return f"stray stderr line {others[0][:80]!r}"
    elif errors:
        return "an error line with exit 0"
    return ""


def outcome(tool, proc):
    """How a run ended, with paths, names and numbers blanked: 'exit 0' or the error's shape."""
    if proc.returncode != 1 or not proc.stderr:
        return f"exit {proc.returncode}"
    line = proc.stderr.splitlines()[0][len(f"{tool}: error: "):]
    line = re.sub(r"/\S*", "PATH", line)
    line = re.sub(r"'[^']*'", "'X'", line)
    return re.sub(r"\d+", "N", line)[:90]


class Campaign:
    def __init__(self, args):
        self.bin, self.work, self.timeout = args.bin_dir, args.work_dir, args.timeout
        self.rng = random.Random(args.seed)
        self.tally = {}
        self.failures = 0
        self.outcomes = collections.defaultdict(collections.Counter)  # label -> how the runs ended

    def tool(self, name):
        return os.path.join(self.bin, name)

    def run(self, label, tool, argv, keep):
        try:
            proc = subprocess.run([self.tool(tool), *argv], capture_output=True, text=True, errors="replace",
                                  timeout=self.timeout, preexec_fn=limit_memory, cwd=self.work)
            why = contract(tool, proc)
            out = proc.stderr
            self.outcomes[label][outcome(tool, proc)] += 1
        except subprocess.TimeoutExpired:
            why, out = f"no answer within {self.timeout} s", ""
        ok, bad = self.tally.get(label, (0, 0))
        self.tally[label] = (ok + (not why), bad + bool(why))
        if why:
            self.failures += 1
            case = os.path.join(self.work, "failures", f"{label}-{self.failures}")
            os.makedirs(case, exist_ok=True)
            for path in keep:
                shutil.copy(path, case)
            with open(os.path.join(case, "report.txt"), "w") as f:
                f.write(f"{tool} {' '.join(argv)}\n{why}\n{out}")
            print(f"FAIL {label}: {why} ({case})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--cases", type=int, default=400, help="mutants per kind (default 400)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work-dir")
    ap.add_argument("--timeout", type=float, default=60)
    args = ap.parse_args()
    args.bin_dir = os.path.abspath(args.bin_dir)
    args.work_dir = os.path.abspath(args.work_dir or tempfile.mkdtemp(prefix="cli-mutation-"))
    os.makedirs(args.work_dir, exist_ok=True)
    c = Campaign(args)

    models = sorted(os.path.join(SEED_MODELS, f) for f in os.listdir(SEED_MODELS) if f.endswith(".onnx"))
    model_bytes = [open(m, "rb").read() for m in models]
    artifacts = []
    for m in models:
        out = os.path.join(args.work_dir, os.path.basename(m)[:-5] + ".npu")
        if subprocess.run([c.tool("npu-compile"), m, "--target", "tiny", "-o", out], capture_output=True).returncode == 0:
            artifacts.append(open(out, "rb").read())
    good = os.path.join(args.work_dir, "good.npu")
    shutil.copy(os.path.join(args.work_dir, "mlp2.npu"), good)
    x = os.path.join(args.work_dir, "x.npy")
    graph_input = onnx.load(os.path.join(SEED_MODELS, "mlp2.onnx")).graph.input[0]
    shape = [d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    np.save(x, np.zeros(shape, np.float32))  # mlp2's input; its mutants probe the tensor readers
    npy_seed = open(x, "rb").read()
    print(f"cli_mutation: {len(models)} seed models, {len(artifacts)} seed artifacts, {args.cases} mutants "
          f"per kind, seed {args.seed}, work {args.work_dir}", flush=True)

    mutant = os.path.join(args.work_dir, "mutant")
    for i in range(args.cases):
        data = mutate(c.rng, c.rng.choice(model_bytes), c.rng.choice(model_bytes))
        with open(mutant + ".onnx", "wb") as f:
            f.write(data)
        c.run("npu-compile", "npu-compile", [mutant + ".onnx", "--target", "tiny", "-o", mutant + "-out.npu"],
              [mutant + ".onnx"])

        # Half the artifact mutants come from mlp2, whose input x.npy fits: those can get to a run.
        seed = open(good, "rb").read() if i % 4 < 2 else c.rng.choice(artifacts)
        data = mutate(c.rng, seed, c.rng.choice(artifacts))
        if i % 2 == 0:
            data = with_checksum(data)
        with open(mutant + ".npu", "wb") as f:
            f.write(data)
        c.run("npu-run(artifact)", "npu-run", [mutant + ".npu", "--input", x], [mutant + ".npu"])
        c.run("npu-objdump", "npu-objdump", [mutant + ".npu"], [mutant + ".npu"])

        with open(mutant + ".npy", "wb") as f:
            f.write(mutate(c.rng, npy_seed, npy_seed))
        c.run("npu-run(input)", "npu-run", [good, "--input", mutant + ".npy"], [mutant + ".npy"])

    total = 0
    for label, (ok, bad) in sorted(c.tally.items()):
        total += ok + bad
        print(f"{label}: {ok + bad} cases, {bad} broke the contract; most common endings:")
        for what, n in c.outcomes[label].most_common(4):
            print(f"  {n:6d}  {what}")
    print(f"{total} cases, {c.failures} failures")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
