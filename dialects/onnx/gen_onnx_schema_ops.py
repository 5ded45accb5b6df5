#!/usr/bin/python3
"""gen_onnx_schema_ops.py - writes OnnxSchemaOps.td: an ODS op for every ONNX op the compiler does not define by hand.

The ops of ONNX 1.12's default domain (opsets up to 17) come from ONNX's own
schemas (onnx.defs, Debian's python3-onnx), as onnx-mlir generates its dialect.
Each op follows the newest schema at or below MAX_OPSET: its inputs and outputs
in schema order (Optional / Variadic, with segment sizes when more than one is,
so the importer can mirror the node's lists one to one), its attributes with
their ONNX names (INT -> I64Attr, FLOAT -> F32Attr, STRING -> StrAttr, INTS ->
DenseI64ArrayAttr, FLOATS -> DenseF32ArrayAttr, STRINGS -> ArrayAttr, TENSOR ->
ElementsAttr; required ones required, others optional, their defaults being
ONNX's). The ops in OnnxOps.td (the ones the compiler folds, verifies or lowers)
are skipped; among them the ops whose attributes are subgraphs (If, Loop, Scan,
SequenceMap) or types (Optional). Not generated: ONNX's deprecated ops.

Regenerate after changing OnnxOps.td:
    /usr/bin/python3 dialects/onnx/gen_onnx_schema_ops.py
`--check` writes nothing and exits 1 when the committed file is stale (ctest runs it).
"""
import argparse
import os
import re
import sys

import onnx
from onnx import defs

MAX_OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "OnnxSchemaOps.td")
HAND_WRITTEN = os.path.join(HERE, "OnnxOps.td")

ATTR_TYPES = {
    defs.OpSchema.AttrType.INT: "I64Attr",
    defs.OpSchema.AttrType.FLOAT: "F32Attr",
    defs.OpSchema.AttrType.STRING: "StrAttr",
    defs.OpSchema.AttrType.INTS: "DenseI64ArrayAttr",
    defs.OpSchema.AttrType.FLOATS: "DenseF32ArrayAttr",
    defs.OpSchema.AttrType.STRINGS: "StrArrayAttr",
    defs.OpSchema.AttrType.TENSOR: "ElementsAttr",
}
UNSUPPORTED_ATTRS = {defs.OpSchema.AttrType.GRAPH, defs.OpSchema.AttrType.GRAPHS,
                     defs.OpSchema.AttrType.TYPE_PROTO, defs.OpSchema.AttrType.TYPE_PROTOS,
                     defs.OpSchema.AttrType.SPARSE_TENSOR, defs.OpSchema.AttrType.SPARSE_TENSORS}
# ODS reserves these as argument names; ONNX uses a few of them.
RESERVED = {"operands", "results", "attributes", "properties", "regions", "successors", "in", "out",
            "def", "let", "class", "include", "type", "location", "loc", "context", "operation"}


def hand_written_ops():
    with open(HAND_WRITTEN) as f:
        text = f.read()
    return set(re.findall(r'Onnx_\w*Op<"(\w+)"', text))


def schemas():
    latest = {}
    for s in defs.get_all_schemas_with_history():
        if s.domain not in ("", "ai.onnx") or s.since_version > MAX_OPSET or s.deprecated:
            continue
        if s.name not in latest or s.since_version > latest[s.name].since_version:
            latest[s.name] = s
    return [latest[k] for k in sorted(latest)]


def arg_name(name):
    n = re.sub(r"\W", "_", name)
    return n + "_" if n in RESERVED else n


def summary(s):
    doc = re.sub(r"\s+", " ", s.doc or "").strip().replace('"', "'").replace("\\", "")
    first = re.split(r"(?<=[.:])\s", doc, maxsplit=1)[0].rstrip(".:")
    if len(first) > 100:
        first = first[:97].rstrip() + "..."
    return f"{first} (opset {s.since_version})" if first else f"ONNX {s.name} (opset {s.since_version})"


def operand(p, kind):
    opt = p.option
    if opt == defs.OpSchema.FormalParameterOption.Optional:
        return f"Optional<{kind}>"
    if opt == defs.OpSchema.FormalParameterOption.Variadic:
        return f"Variadic<{kind}>"
    return kind


def needs_segments(params):
    flexible = [i for i, p in enumerate(params) if p.option != defs.OpSchema.FormalParameterOption.Single]
    # One optional/variadic operand at the end needs no sizes; anything else does.
    return len(flexible) > 1 or (len(flexible) == 1 and flexible[0] != len(params) - 1)


def attribute(a):
    t = ATTR_TYPES[a.type]
    return t if a.required else f"OptionalAttr<{t}>"


# Ops with effects: their results differ from run to run.
RANDOM = {"Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike"}


def op_def(s):
    traits = [] if s.name in RANDOM else ["Pure"]
    if needs_segments(s.inputs):
        traits.append("AttrSizedOperandSegments")
    if needs_segments(s.outputs):
        traits.append("AttrSizedResultSegments")
    args = [f"{operand(p, 'AnyType')}:${arg_name(p.name)}" for p in s.inputs]
    args += [f"{attribute(a)}:${arg_name(a.name)}" for a in sorted(s.attributes.values(), key=lambda a: a.name)]
    results = [f"{operand(p, 'AnyType')}:${arg_name(p.name)}" for p in s.outputs]
    cls = re.sub(r"\W", "_", s.name)
    lines = [f'def Onnx_{cls}Op : Onnx_Op<"{s.name}", [{", ".join(traits)}]> {{',
             f'  let summary = "{summary(s)}";']
    lines.append("  let arguments = (ins" + ("\n    " + ",\n    ".join(args) if args else "") + ");")
    lines.append("  let results = (outs" + ("\n    " + ",\n    ".join(results) if results else "") + ");")
    lines.append("}")
    return "\n".join(lines)


def generate():
    skip = hand_written_ops()
    out = ["//===- OnnxSchemaOps.td - ONNX ops generated from ONNX's schemas -*- tablegen -*-===//",
           "//",
           "// GENERATED by dialects/onnx/gen_onnx_schema_ops.py from onnx.defs "
           f"(onnx {onnx.__version__}, opsets up to {MAX_OPSET}); do not edit.",
           "// The ops the compiler looks into are hand-written in OnnxOps.td.",
           "//",
           "//===----------------------------------------------------------------------===//",
           "#ifndef SOFTNPU_ONNX_SCHEMA_OPS", "#define SOFTNPU_ONNX_SCHEMA_OPS", "",
           'include "dialects/onnx/OnnxDialect.td"', 'include "mlir/Interfaces/SideEffectInterfaces.td"', ""]
    left_out = []
    for s in schemas():
        if s.name in skip:
            continue
        if any(a.type in UNSUPPORTED_ATTRS for a in s.attributes.values()):
            left_out.append(s.name)
            continue
        out += [op_def(s), ""]
    if left_out:
        out += [f"// Not generated (subgraph, type or sparse attributes): {', '.join(left_out)}", ""]
    out += ["#endif", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args()
    text = generate()
    if args.check:
        with open(args.output) as f:
            if f.read() != text:
                print(f"{args.output} is stale: run {os.path.relpath(__file__)}", file=sys.stderr)
                return 1
        return 0
    with open(args.output, "w") as f:
        f.write(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
