// RUN: npu-opt --fpga-cancel-layout --split-input-file %s | FileCheck %s
// An element-wise op with a constant operand behind a layout change moves in
// front of it with the constant re-laid out for the channels-innermost
// tensor: a per-channel [C, 1, 1] factor becomes one row [C], a constant
// that varies along another axis the whole tensor in the new order.

// A batch normalization's factor and shift and a per-channel PRelu slope,
// between two products: all three run on the [pixels, C] rows and the two
// layout changes cancel.
// CHECK-LABEL: func.func @per_channel
// CHECK: %[[Y:.*]] = fpga.linear
// CHECK: %[[S:.*]] = arith.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[M:.*]] = fpga.mul %[[Y]], %[[S]] : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK: %[[T:.*]] = arith.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[A:.*]] = fpga.add %[[M]], %[[T]]
// CHECK: %[[P:.*]] = fpga.prelu %[[A]], {{.*}} : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NOT: fpga.transpose
// CHECK: fpga.linear %[[P]]
func.func @per_channel(%x: tensor<4x8xf32>, %w: tensor<2x8xf32>, %w2: tensor<3x2xf32>) -> tensor<4x3xf32> {
  %s = arith.constant dense<[[[2.0]], [[3.0]]]> : tensor<2x1x1xf32>
  %t = arith.constant dense<[[[-1.0]], [[1.0]]]> : tensor<2x1x1xf32>
  %p = arith.constant dense<[[[0.25]], [[0.5]]]> : tensor<2x1x1xf32>
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %2 = fpga.reshape %1 : (tensor<2x4xf32>) -> tensor<1x2x2x2xf32>
  %3 = fpga.mul %2, %s : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %4 = fpga.add %3, %t : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %5 = fpga.prelu %4, %p : (tensor<1x2x2x2xf32>, tensor<2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %6 = fpga.reshape %5 : (tensor<1x2x2x2xf32>) -> tensor<2x4xf32>
  %7 = fpga.transpose %6 {perm = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %8 = fpga.linear %7, %w2 : (tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<4x3xf32>
  return %8 : tensor<4x3xf32>
}

// -----

// A constant that varies along the width: the whole [pixels, C] tensor,
// element (p, c) = k[c, p mod 2]. A one-element constant stays one element.
// CHECK-LABEL: func.func @per_column
// CHECK: arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00], [1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<4x2xf32>
// CHECK: fpga.mul %{{.*}}, %{{.*}} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK: arith.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK: fpga.add %{{.*}}, %{{.*}} : (tensor<4x2xf32>, tensor<1xf32>) -> tensor<4x2xf32>
// CHECK: fpga.transpose
func.func @per_column(%x: tensor<4x8xf32>, %w: tensor<2x8xf32>) -> tensor<1x2x2x2xf32> {
  %k = arith.constant dense<[[[1.0, 2.0]], [[3.0, 4.0]]]> : tensor<2x1x2xf32>
  %h = arith.constant dense<0.5> : tensor<1x1x1x1xf32>
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %2 = fpga.reshape %1 : (tensor<2x4xf32>) -> tensor<1x2x2x2xf32>
  %3 = fpga.mul %2, %k : (tensor<1x2x2x2xf32>, tensor<2x1x2xf32>) -> tensor<1x2x2x2xf32>
  %4 = fpga.add %3, %h : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %4 : tensor<1x2x2x2xf32>
}

// -----

// A product of two tensors behind the same transpose moves in front of it
// (as a residual add does).
// CHECK-LABEL: func.func @product
// CHECK: %[[P:.*]] = fpga.mul %{{.*}}, %{{.*}} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK: fpga.transpose %[[P]]
func.func @product(%a: tensor<4x2xf32>, %b: tensor<4x2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = fpga.transpose %a {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %1 = fpga.reshape %0 : (tensor<2x4xf32>) -> tensor<1x2x2x2xf32>
  %2 = fpga.transpose %b {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %3 = fpga.reshape %2 : (tensor<2x4xf32>) -> tensor<1x2x2x2xf32>
  %4 = fpga.mul %1, %3 : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %4 : tensor<1x2x2x2xf32>
}
