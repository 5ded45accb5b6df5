// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// Add becomes fpga.add (broadcasting kept as is); Relu, Sigmoid and Tanh
// become fpga.activation of the matching kind.

// CHECK-LABEL: func.func @add
// CHECK-SAME: (%[[A:.*]]: tensor<3x4x5xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[Y:.*]] = fpga.add %[[A]], %[[B]] : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
// CHECK: return %[[Y]]
func.func @add(%a: tensor<3x4x5xf32>, %b: tensor<5xf32>) -> tensor<3x4x5xf32> {
  %0 = onnx.Add %a, %b : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
  return %0 : tensor<3x4x5xf32>
}

// CHECK-LABEL: func.func @activations
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[R:.*]] = fpga.activation relu %[[X]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[S:.*]] = fpga.activation sigmoid %[[R]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[T:.*]] = fpga.activation tanh %[[S]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[T]]
func.func @activations(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = onnx.Sigmoid %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = onnx.Tanh %1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
