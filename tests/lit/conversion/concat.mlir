// RUN: npu-opt --onnx-to-fpga --split-input-file %s | FileCheck %s
// Concat of float32 tensors becomes fpga.concat, a negative axis counted from
// the end.

// CHECK-LABEL: func.func @negative_axis
// CHECK: fpga.concat %arg0, %arg1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x7xf32>
func.func @negative_axis(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x7xf32> {
  %y = onnx.Concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x7xf32>
  return %y : tensor<2x7xf32>
}
