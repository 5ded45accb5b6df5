#!/usr/bin/python3
"""check_auto_precision.py - checks npu-compile --auto-precision notes (lit tests).

    check_auto_precision.py BOUND NOTES.txt

Reads the `npu-compile: note: node 'N' (fpga.linear): auto-precision chose ...`
lines and checks each decision against the rule of docs/precision.md: the
candidates are tried in the documented order (fewest storage bits first), the
"narrower formats" listed are exactly the candidates before the chosen one,
each of them with an error above BOUND, and the chosen one's error is at most
BOUND (an fp32 decision lists every candidate, all above BOUND). Prints
"ok NODE FORMAT" per decision, or "FAIL ..." and exits 1.
"""
import re
import sys

# docs/precision.md, --auto-precision step 2.
CANDIDATES = ["mxfp4", "msfp12", "msfp13", "mxfp6_e2m3", "mxfp6_e3m2", "msfp14", "msfp15",
              "mxfp8_e4m3", "mxfp8_e5m2", "mxint8", "msfp16"]

CHOSE = re.compile(r"npu-compile: note: node '([^']+)' \(fpga\.linear\): auto-precision chose "
                   r"(\S+) \(relative RMS error (\S+) <= (\S+)\)(?:; narrower formats: (.*))?$")
FP32 = re.compile(r"npu-compile: note: node '([^']+)' \(fpga\.linear\): auto-precision chose fp32: "
                  r"no block format keeps the relative RMS error within (\S+) \((.*)\)$")


def tried(text):
    pairs = [p.rsplit(" ", 1) for p in text.split(", ")] if text else []
    return [name for name, _ in pairs], [float(err) for _, err in pairs]


def main():
    bound = float(sys.argv[1])
    count = 0
    for line in open(sys.argv[2]):
        line = line.rstrip("\n")
        if "auto-precision" not in line:
            continue
        count += 1
        m, f = CHOSE.match(line), FP32.match(line)
        if m:
            node, fmt, err, shown, rest = m.group(1), m.group(2), float(m.group(3)), float(m.group(4)), m.group(5)
            names, errs = tried(rest)
            expected = CANDIDATES[:CANDIDATES.index(fmt)] if fmt in CANDIDATES else None
            ok = expected == names and err <= bound and all(e > bound for e in errs) and shown == bound
        elif f:
            node, fmt = f.group(1), "fp32"
            names, errs = tried(f.group(3))
            ok = names == CANDIDATES and all(e > bound for e in errs) and float(f.group(2)) == bound
        else:
            print("FAIL unparsed: " + line)
            return 1
        if not ok:
            print("FAIL " + line)
            return 1
        print(f"ok {node} {fmt}")
    if count == 0:
        print("FAIL no auto-precision notes")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
