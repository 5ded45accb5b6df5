# -*- Python -*-
# lit configuration for softnpu's compiler and tool tests.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "softnpu"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.softnpu_obj_root, "tests", "lit")

config.substitutions.append(("%inputs", os.path.join(config.softnpu_src_root, "tests", "inputs", "onnx")))
config.substitutions.append(("%python", config.python_executable))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [
    ToolSubst("npu-opt", unresolved="fatal"),
    ToolSubst("npu-compile", unresolved="fatal"),
    ToolSubst("npu-objdump", unresolved="fatal"),
    ToolSubst("npu-run", unresolved="fatal"),
    ToolSubst("npu-sweep", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.softnpu_tools_dir])
