// RUN: not npu-opt --onnx-to-fpga %s 2>&1 | FileCheck %s
// An onnx op with no lowering in the table is reported by name after the
// conversion, next to nodes whose lowering refused them; the ops around
// them are still converted, and no generic "failed to legalize" is added.

// CHECK-DAG: error: {{.*}}node 'soft' (Softsign): no lowering to the NPU for this op
// CHECK-DAG: error: {{.*}}node 'mm3' (MatMul): MatMul with 3-D x 2-D operands is not supported yet (2-D only)
// CHECK-NOT: failed to legalize

func.func @bad(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %x: tensor<2x3xf32>) -> (tensor<2x3x5xf32>, tensor<2x3xf32>) {
  %0 = onnx.MatMul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32> loc("mm3")
  %1 = onnx.Relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("act")
  %2 = "onnx.Softsign"(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("soft")
  return %0, %2 : tensor<2x3x5xf32>, tensor<2x3xf32>
}
