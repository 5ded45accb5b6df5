"""softnpu: compile ONNX models for the soft NPU and run them on its bit-accurate simulator.

    import softnpu
    artifact = softnpu.compile("model.onnx", target="brainwave-s10")
    session = softnpu.InferenceSession(artifact)
    (y,) = session.run(None, {"x": x})

The API follows onnxruntime's; docs/python.md is the reference. Everything is
the C++ extension module _softnpu; this file only re-exports it.
"""
from ._softnpu import (  # noqa: F401
    DEFAULT_TARGET,
    Artifact,
    Error,
    InferenceSession,
    NodeArg,
    Target,
    __version__,
    compile,
    list_targets,
)

__all__ = [
    "DEFAULT_TARGET",
    "Artifact",
    "Error",
    "InferenceSession",
    "NodeArg",
    "Target",
    "__version__",
    "compile",
    "list_targets",
]
