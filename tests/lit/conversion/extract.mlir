// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// Gather of one constant index and a one-axis Slice become fpga.extract (rows
// copied out of the operand); Squeeze and Unsqueeze are views.

// CHECK-LABEL: func.func @last_step
// y[:, -1, :] of [1, 5, 8]: one row of 8 elements from element 32.
// CHECK: fpga.extract %arg0 {offset = 32 : i64, row_length = 8 : i64, row_stride = 40 : i64} : (tensor<1x5x8xf32>) -> tensor<1x8xf32>
func.func @last_step(%y: tensor<1x5x8xf32>) -> tensor<1x8xf32> {
  %last = onnx.Constant {value = dense<-1> : tensor<i64>} : tensor<i64>
  %g = onnx.Gather %y, %last {axis = 1 : i64} : (tensor<1x5x8xf32>, tensor<i64>) -> tensor<1x8xf32>
  return %g : tensor<1x8xf32>
}

// CHECK-LABEL: func.func @columns
// Columns [2, 5) of [3, 6]: three rows of 3 elements, 6 apart, from element 2.
// CHECK: fpga.extract %arg0 {offset = 2 : i64, row_length = 3 : i64, row_stride = 6 : i64}
func.func @columns(%x: tensor<3x6xf32>) -> tensor<3x3xf32> {
  %s = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %e = onnx.Constant {value = dense<5> : tensor<1xi64>} : tensor<1xi64>
  %a = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %r = onnx.Slice %x, %s, %e axes %a : (tensor<3x6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x3xf32>
  return %r : tensor<3x3xf32>
}

// CHECK-LABEL: func.func @views
// CHECK: fpga.reshape %arg0 : (tensor<5x1x1x8xf32>) -> tensor<5x1x8xf32>
// CHECK: fpga.reshape {{.*}} : (tensor<5x1x8xf32>) -> tensor<1x5x1x8xf32>
func.func @views(%y: tensor<5x1x1x8xf32>) -> tensor<1x5x1x8xf32> {
  %a = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %s = onnx.Squeeze %y, %a : (tensor<5x1x1x8xf32>, tensor<1xi64>) -> tensor<5x1x8xf32>
  %z = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %u = onnx.Unsqueeze %s, %z : (tensor<5x1x8xf32>, tensor<1xi64>) -> tensor<1x5x1x8xf32>
  return %u : tensor<1x5x1x8xf32>
}

// A Transpose that moves data becomes fpga.transpose (one strided copy chain
// per result row when lowered); one that only moves size-1 dimensions is a view.
// CHECK-LABEL: func.func @transposes
// CHECK: fpga.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK: fpga.reshape %arg1 : (tensor<5x2x1x4xf32>) -> tensor<5x1x2x4xf32>
func.func @transposes(%x: tensor<2x3x4xf32>, %y: tensor<5x2x1x4xf32>) -> (tensor<4x2x3xf32>, tensor<5x1x2x4xf32>) {
  %t = onnx.Transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %v = onnx.Transpose %y {perm = array<i64: 0, 2, 1, 3>} : (tensor<5x2x1x4xf32>) -> tensor<5x1x2x4xf32>
  return %t, %v : tensor<4x2x3xf32>, tensor<5x1x2x4xf32>
}
