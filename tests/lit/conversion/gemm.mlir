// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// Gemm computes alpha * A' * B' + beta * C. fpga.linear wants W' in [out, in]
// layout, so transpose_w is set exactly when Gemm's transB is NOT set.

// CHECK-LABEL: func.func @plain
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x6xf32>)
// CHECK: %[[Y:.*]] = fpga.linear %[[A]], %[[B]] {transpose_w = true} : (tensor<4x8xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
// CHECK-NOT: onnx.
// CHECK: return %[[Y]]
func.func @plain(%a: tensor<4x8xf32>, %b: tensor<8x6xf32>) -> tensor<4x6xf32> {
  %0 = onnx.Gemm %a, %b : (tensor<4x8xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @trans_b
// CHECK: fpga.linear %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
func.func @trans_b(%a: tensor<4x8xf32>, %b: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = onnx.Gemm %a, %b {transB = 1 : i64} : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @trans_a
// CHECK: fpga.linear %{{.*}}, %{{.*}} {transpose_w = true, transpose_x = true} : (tensor<8x4xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
func.func @trans_a(%a: tensor<8x4xf32>, %b: tensor<8x6xf32>) -> tensor<4x6xf32> {
  %0 = onnx.Gemm %a, %b {transA = 1 : i64} : (tensor<8x4xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @trans_both
// CHECK: fpga.linear %{{.*}}, %{{.*}} {transpose_x = true} : (tensor<8x4xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
func.func @trans_both(%a: tensor<8x4xf32>, %b: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = onnx.Gemm %a, %b {transA = 1 : i64, transB = 1 : i64} : (tensor<8x4xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// alpha, beta and C are carried over unchanged (folding happens in fpga-quantize).
// CHECK-LABEL: func.func @alpha_beta_bias
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<6x8xf32>, %[[C:.*]]: tensor<6xf32>)
// CHECK: fpga.linear %[[A]], %[[B]], %[[C]] {alpha = 2.500000e+00 : f32, beta = 5.000000e-01 : f32} : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<4x6xf32>
func.func @alpha_beta_bias(%a: tensor<4x8xf32>, %b: tensor<6x8xf32>, %c: tensor<6xf32>) -> tensor<4x6xf32> {
  %0 = onnx.Gemm %a, %b, %c {alpha = 2.5 : f32, beta = 0.5 : f32, transB = 1 : i64} : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// A full [R, P] C and a scalar-like [1, 1] C are both valid linear biases.
// CHECK-LABEL: func.func @matrix_bias
// CHECK: fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {transpose_w = true} : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
// CHECK: fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {transpose_w = true} : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<1x1xf32>) -> tensor<4x6xf32>
func.func @matrix_bias(%a: tensor<4x8xf32>, %b: tensor<8x6xf32>, %c: tensor<4x6xf32>, %s: tensor<1x1xf32>) -> (tensor<4x6xf32>, tensor<4x6xf32>) {
  %0 = onnx.Gemm %a, %b, %c : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %1 = onnx.Gemm %a, %b, %s : (tensor<4x8xf32>, tensor<8x6xf32>, tensor<1x1xf32>) -> tensor<4x6xf32>
  return %0, %1 : tensor<4x6xf32>, tensor<4x6xf32>
}

// Initializers become arith.constant and feed the linear directly.
// CHECK-LABEL: func.func @constant_weights
// CHECK: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<3x2xf32>
// CHECK: fpga.linear %{{.*}}, %[[W]] : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
// CHECK-NOT: onnx.Constant
func.func @constant_weights(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>} : tensor<3x2xf32>
  %0 = onnx.Gemm %x, %w {transB = 1 : i64} : (tensor<1x2xf32>, tensor<3x2xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
