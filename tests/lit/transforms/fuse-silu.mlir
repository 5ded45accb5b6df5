// RUN: npu-opt --fpga-fuse %s | FileCheck %s
// x * sigmoid(x) (SiLU: torch exports a Sigmoid and a Mul) becomes the
// activation silu (v_silu), which folds into the product behind x, also
// through a convolution's views back to NCHW; a HardSwish (the activation
// hardswish) folds like any activation.

// CHECK-LABEL: func.func @silu_of_product
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %arg0, %arg1, %arg2 {activation = #fpga<activation silu>}
// CHECK-NEXT: return %[[Y]]
func.func @silu_of_product(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w, %b : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  %1 = fpga.activation sigmoid %0 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %2 = fpga.mul %1, %0 : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// CHECK-LABEL: func.func @silu_through_views
// CHECK-NEXT: %[[L:.*]] = fpga.linear %arg0, %arg1 {activation = #fpga<activation silu>} : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
// CHECK-NEXT: %[[T:.*]] = fpga.transpose %[[L]]
// CHECK-NEXT: %[[R:.*]] = fpga.reshape %[[T]]
// CHECK-NEXT: return %[[R]]
func.func @silu_through_views(%x: tensor<12x3xf32>, %w: tensor<4x3xf32>) -> tensor<1x4x3x4xf32> {
  %0 = fpga.linear %x, %w : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<12x4xf32>) -> tensor<4x12xf32>
  %2 = fpga.reshape %1 : (tensor<4x12xf32>) -> tensor<1x4x3x4xf32>
  %3 = fpga.activation sigmoid %2 : (tensor<1x4x3x4xf32>) -> tensor<1x4x3x4xf32>
  %4 = fpga.mul %2, %3 : (tensor<1x4x3x4xf32>, tensor<1x4x3x4xf32>) -> tensor<1x4x3x4xf32>
  return %4 : tensor<1x4x3x4xf32>
}

// Without a product: the activation silu on its own.
// CHECK-LABEL: func.func @silu_alone
// CHECK-NEXT: %[[Y:.*]] = fpga.activation silu %arg0
// CHECK-NEXT: return %[[Y]]
func.func @silu_alone(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = fpga.activation sigmoid %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = fpga.mul %x, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// The sigmoid has another reader: nothing fuses.
// CHECK-LABEL: func.func @sigmoid_read_twice
// CHECK: fpga.activation sigmoid
// CHECK: fpga.mul
// CHECK-NOT: silu
func.func @sigmoid_read_twice(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = fpga.activation sigmoid %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = fpga.mul %x, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1, %0 : tensor<2x8xf32>, tensor<2x8xf32>
}

// x * sigmoid(y), y not x: a product of two tensors, not a SiLU.
// CHECK-LABEL: func.func @not_silu
// CHECK: fpga.activation sigmoid %arg1
// CHECK: fpga.mul %arg0
func.func @not_silu(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = fpga.activation sigmoid %y : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = fpga.mul %x, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @hardswish_of_product
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %arg0, %arg1 {activation = #fpga<activation hardswish>}
// CHECK-NEXT: return %[[Y]]
func.func @hardswish_of_product(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.activation hardswish %0 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}
