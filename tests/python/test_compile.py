"""softnpu.compile, softnpu.Artifact, softnpu.Target, softnpu.list_targets."""
import json
import os
import pathlib
import re
import subprocess

import numpy as np
import onnx

import softnpu
from conftest import REPO


def test_list_targets_are_npu_compiles(bin_dir):
    out = subprocess.run([os.path.join(bin_dir, "npu-compile"), "--list-targets"], capture_output=True, text=True,
                         check=True).stdout.split()
    assert softnpu.list_targets() == out
    assert softnpu.DEFAULT_TARGET in out


def test_target_has_every_field_of_the_docs():
    doc = open(os.path.join(REPO, "docs", "targets.md")).read()
    table = doc[doc.index("| JSON key"):]
    keys = re.findall(r"^\| `([a-z_]+)`", table[:table.index("\n\n")], re.M)
    assert len(keys) > 20
    for name in softnpu.list_targets():
        t = softnpu.Target(name)
        for k in keys:
            assert getattr(t, k) == t.fields[k], k
        assert t.name == name
        assert set(keys) <= set(dir(t))
    t = softnpu.Target("tiny")
    assert t.native_dim == 16 and t.weight_format == "msfp15"
    assert json.loads(t.to_json()) == t.fields


def test_target_from_json_file(tmp_path):
    fields = softnpu.Target("tiny").fields
    fields["name"] = "tiny-wide"
    fields["mrf_tiles"] = 512
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(fields))
    t = softnpu.Target(path)
    assert t.name == "tiny-wide" and t.mrf_tiles == 512
    assert t != softnpu.Target("tiny") and softnpu.Target("tiny") == softnpu.Target("tiny")


def test_compile_path_bytes_and_modelproto_agree(mlp_path, mlp):
    a, _ = mlp
    by_path = softnpu.compile(pathlib.Path(mlp_path), target="tiny")
    assert by_path.to_bytes() == a.to_bytes()
    data = open(mlp_path, "rb").read()
    from_bytes = softnpu.compile(data, target="tiny")
    from_proto = softnpu.compile(onnx.load(mlp_path), target=softnpu.Target("tiny"))
    assert from_bytes.to_bytes() == from_proto.to_bytes()
    assert softnpu.compile(bytearray(data), target="tiny").to_bytes() == from_bytes.to_bytes()
    assert softnpu.Artifact.from_bytes(bytearray(a.to_bytes())).to_bytes() == a.to_bytes()
    assert from_bytes.producer.endswith("(<model bytes>)")
    assert a.producer.endswith("(mlp.onnx)")
    # Only the producer string differs from the path's artifact.
    assert from_bytes.sizes["instructions"] == a.sizes["instructions"]
    assert from_bytes.sizes["weight_bytes"] == a.sizes["weight_bytes"]


def test_compile_matches_npu_compile(mlp_path, mlp, bin_dir, tmp_path, images):
    """The same compile as npu-compile: the same outputs on the same inputs."""
    a, _ = mlp
    out = tmp_path / "cli.npu"
    subprocess.run([os.path.join(bin_dir, "npu-compile"), mlp_path, "--target", "tiny", "-o", str(out)], check=True,
                   capture_output=True)
    cli = softnpu.Artifact.load(out)
    assert cli.sizes["instructions"] == a.sizes["instructions"]
    assert cli.sizes["weight_bytes"] == a.sizes["weight_bytes"]
    x = images[0][:1]
    (y_cli,) = softnpu.InferenceSession(cli).run(None, {"image": x})
    (y_api,) = softnpu.InferenceSession(a).run(None, {"image": x})
    assert np.array_equal(y_cli, y_api)


def test_artifact_reports(mlp, tmp_path):
    a, path = mlp
    assert a.target.name == "tiny"
    assert a.formats == [{"weight": "msfp15", "input": "msfp15"}]
    assert a.placement["npu_segments"] == 1 and a.placement["host_segments"] == 0
    report = a.placement["report"]
    assert report["target"] == "tiny" and {n["where"] for n in report["nodes"]} == {"npu"}
    sizes = a.sizes
    assert sizes["file_bytes"] == len(a.to_bytes()) == os.path.getsize(path)
    assert sizes["instructions"] > 0 and sizes["weight_bytes"] > 0 and sizes["dram_bytes"] > 0
    loaded = softnpu.Artifact.load(path)
    assert loaded.to_bytes() == a.to_bytes()
    assert loaded.placement["report"] is None  # not compiled in this process
    assert softnpu.Artifact.from_bytes(a.to_bytes()).to_bytes() == a.to_bytes()
    assert [(i.name, i.shape, i.type) for i in a.inputs] == [("image", [1, 1, 28, 28], "tensor(float)")]
    assert [(o.name, o.shape, o.type) for o in a.outputs] == [("logits", [1, 10], "tensor(float)")]


def test_compile_options(mlp_path):
    fp32 = softnpu.compile(mlp_path, target="tiny", precision="fp32")
    assert fp32.formats == [{"weight": "fp32", "input": "fp32"}]
    mixed = softnpu.compile(mlp_path, target="tiny", precision_for={"*": "msfp12"})
    assert {"weight": "msfp12", "input": "msfp12"} in mixed.formats
    host = softnpu.compile(mlp_path, target="tiny", placement="host")
    assert host.placement["npu_segments"] == 0 and host.placement["host_segments"] == 1


def test_input_shapes_fix_a_dynamic_batch(tmp_path):
    model = onnx.load(os.path.join(REPO, "tests", "inputs", "onnx", "dynamic_batch.onnx"))
    name = model.graph.input[0].name
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
    a = softnpu.compile(model, target="tiny", input_shapes={name: [3] + dims})
    assert a.inputs[0].shape == [3] + dims
    b = softnpu.compile(model, target="tiny", input_shapes={name: "x".join(map(str, [3] + dims))})
    assert b.to_bytes() == a.to_bytes()
    c = softnpu.compile(model, target="tiny")  # the leading dimension defaults to 1, with a note
    assert c.inputs[0].shape[0] == 1
    assert any("--input-shape" in n for n in c.notes)
