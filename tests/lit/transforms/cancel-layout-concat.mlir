// RUN: npu-opt --fpga-cancel-layout --split-input-file %s | FileCheck %s
// A concatenation of NCHW channels whose operands are each the layout change
// of a [pixels, C] result joins the [pixels, C] results along their last
// axis, changed once (SinkConcat); then that change meets the next layer's.

// CHECK-LABEL: func.func @channels
// CHECK:      %[[A:.*]] = fpga.linear %arg0, %arg1
// CHECK-NEXT: %[[B:.*]] = fpga.linear %arg0, %arg2
// CHECK-NEXT: %[[C:.*]] = fpga.concat %[[A]], %[[B]] {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<4x5xf32>
// CHECK-NEXT: fpga.linear %[[C]], %arg3
// CHECK-NOT:  fpga.transpose
func.func @channels(%x: tensor<4x8xf32>, %wa: tensor<3x8xf32>, %wb: tensor<2x8xf32>, %wc: tensor<6x5xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %wa : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x3xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %2 = fpga.reshape %1 : (tensor<3x4xf32>) -> tensor<1x3x2x2xf32>
  %3 = fpga.linear %x, %wb : (tensor<4x8xf32>, tensor<2x8xf32>) -> tensor<4x2xf32>
  %4 = fpga.transpose %3 {perm = array<i64: 1, 0>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
  %5 = fpga.reshape %4 : (tensor<2x4xf32>) -> tensor<1x2x2x2xf32>
  %6 = fpga.concat %2, %5 {axis = 1 : i64} : (tensor<1x3x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x5x2x2xf32>
  %7 = fpga.reshape %6 : (tensor<1x5x2x2xf32>) -> tensor<5x4xf32>
  %8 = fpga.transpose %7 {perm = array<i64: 1, 0>} : (tensor<5x4xf32>) -> tensor<4x5xf32>
  %9 = fpga.linear %8, %wc : (tensor<4x5xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
  return %9 : tensor<4x6xf32>
}

// -----

// Concatenated along the width: not channels, nothing moves.
// CHECK-LABEL: func.func @width
// CHECK-COUNT-2: fpga.transpose
// CHECK: fpga.concat %{{.*}}, %{{.*}} {axis = 3 : i64}
func.func @width(%a: tensor<4x3xf32>, %b: tensor<4x3xf32>) -> tensor<1x3x2x4xf32> {
  %0 = fpga.transpose %a {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %1 = fpga.reshape %0 : (tensor<3x4xf32>) -> tensor<1x3x2x2xf32>
  %2 = fpga.transpose %b {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %3 = fpga.reshape %2 : (tensor<3x4xf32>) -> tensor<1x3x2x2xf32>
  %4 = fpga.concat %1, %3 {axis = 3 : i64} : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x4xf32>
  return %4 : tensor<1x3x2x4xf32>
}
