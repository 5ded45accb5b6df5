// RUN: npu-opt --fpga-fuse %s | FileCheck %s
// A bias add with one value per output column and a following activation run
// in the same chain as the matrix-vector product, so both fold into
// fpga.linear.

// CHECK-LABEL: func.func @bias_1d
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<6x8xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %[[X]], %[[W]], %[[B]] : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[Y]]
func.func @bias_1d(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %0, %b : (tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// The bias may be the left operand and may be [1, P].
// CHECK-LABEL: func.func @bias_row_lhs
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<6x8xf32>, %[[B:.*]]: tensor<1x6xf32>)
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %[[X]], %[[W]], %[[B]] : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<1x6xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[Y]]
func.func @bias_row_lhs(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %b: tensor<1x6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %b, %0 : (tensor<1x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// linear -> add -> relu: both fold, transposes and alpha are kept.
// CHECK-LABEL: func.func @bias_and_relu
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W:.*]]: tensor<8x6xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %[[X]], %[[W]], %[[B]]
// CHECK-SAME: activation = #fpga<activation relu>
// CHECK-SAME: alpha = 2.000000e+00 : f32
// CHECK-SAME: transpose_w = true, transpose_x = true
// CHECK-NEXT: return %[[Y]]
func.func @bias_and_relu(%x: tensor<8x4xf32>, %w: tensor<8x6xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w {alpha = 2.0 : f32, transpose_x = true, transpose_w = true} : (tensor<8x4xf32>, tensor<8x6xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %0, %b : (tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  %2 = fpga.activation relu %1 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// An activation after a linear that already has a bias (with beta) folds and
// keeps beta.
// CHECK-LABEL: func.func @tanh_after_bias
// CHECK-NEXT: fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = #fpga<activation tanh>, beta = 5.000000e-01 : f32}
// CHECK-NEXT: return
func.func @tanh_after_bias(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w, %b {beta = 0.5 : f32} : (tensor<1x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  %1 = fpga.activation tanh %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  return %1 : tensor<1x6xf32>
}

// The fused op carries the locations of both nodes, so diagnostics and the
// artifact name both.
// RUN: npu-opt --fpga-fuse --mlir-print-debuginfo %s | FileCheck %s --check-prefix=LOC
// LOC: #[[FC:loc[0-9]+]] = loc("fc")
// LOC-NEXT: #[[ACT:loc[0-9]+]] = loc("act")
// LOC: = loc(fused[#[[FC]], #[[ACT]]])
func.func @fused_loc(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32> loc("fc")
  %1 = fpga.activation sigmoid %0 : (tensor<1x6xf32>) -> tensor<1x6xf32> loc("act")
  return %1 : tensor<1x6xf32>
}

// Both operands of the add are bias-free linears: the one defined first
// absorbs the other (a [1, P] row) as its bias, whichever side it is on.
// CHECK-LABEL: func.func @two_linears
// CHECK-NEXT: %[[R:.*]] = fpga.linear %arg2, %arg1 : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %arg0, %arg1, %[[R]] : (tensor<1x8xf32>, tensor<6x8xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
// CHECK-NEXT: return %[[Y]]
func.func @two_linears(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %z: tensor<1x8xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.linear %z, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %2 = fpga.add %1, %0 : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// A convolution's linear is followed by views back to NCHW; a relu after
// them folds into the linear and the views are rebuilt on its result.
// CHECK-LABEL: func.func @relu_through_views
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = #fpga<activation relu>}
// CHECK-NEXT: %[[T:.*]] = fpga.transpose %[[Y]] {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: %[[R:.*]] = fpga.reshape %[[T]] : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @relu_through_views(%x: tensor<6x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<1x4x2x3xf32> {
  %0 = fpga.linear %x, %w, %b : (tensor<6x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %2 = fpga.reshape %1 : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
  %3 = fpga.activation relu %2 : (tensor<1x4x2x3xf32>) -> tensor<1x4x2x3xf32>
  return %3 : tensor<1x4x2x3xf32>
}
