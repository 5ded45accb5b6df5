// RUN: npu-opt --fpga-fuse %s | FileCheck %s
// RUN: npu-opt --fpga-fuse --fpga-cancel-layout %s | FileCheck %s --check-prefix=CANCEL
// The add of a tensor of the product's own shape (a ResNet block's skip
// connection) folds into the product's chain as its residual, after the
// bias; an activation after it folds too.

// CHECK-LABEL: func.func @residual_then_relu
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<6x8xf32>, %[[B:.*]]: tensor<6xf32>, %[[M:.*]]: tensor<4x6xf32>)
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %[[X]], %[[W]], %[[B]] residual %[[M]] {activation = #fpga<activation relu>} : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[Y]]
func.func @residual_then_relu(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>, %m: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w, %b : (tensor<4x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %m, %0 : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %2 = fpga.activation relu %1 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// Two products (a projection shortcut): the later one takes the earlier
// one's result as its residual.
// CHECK-LABEL: func.func @two_products
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W1:.*]]: tensor<6x8xf32>, %[[W2:.*]]: tensor<6x8xf32>)
// CHECK-NEXT: %[[A:.*]] = fpga.linear %[[X]], %[[W1]] :
// CHECK-NEXT: %[[Y:.*]] = fpga.linear %[[X]], %[[W2]] residual %[[A]] :
// CHECK-NEXT: return %[[Y]]
func.func @two_products(%x: tensor<4x8xf32>, %w1: tensor<6x8xf32>, %w2: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w1 : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.linear %x, %w2 : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %2 = fpga.add %1, %0 : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// Behind a convolution's views back to NCHW: the skip tensor (here the
// previous convolution's NCHW result) is viewed back to [pixels, C] for the
// product; fpga-cancel-layout then cancels those views against the ones it
// came through, so the residual is the previous product itself.
// CHECK-LABEL: func.func @through_views
// CHECK: %[[P:.*]] = fpga.linear %{{.*}}, %{{.*}} : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
// CHECK: %[[PT:.*]] = fpga.transpose %[[P]]
// CHECK: %[[S:.*]] = fpga.reshape %[[PT]] : (tensor<4x12xf32>) -> tensor<1x4x3x4xf32>
// CHECK: %[[U:.*]] = fpga.reshape %[[S]] : (tensor<1x4x3x4xf32>) -> tensor<4x12xf32>
// CHECK: %[[R:.*]] = fpga.transpose %[[U]] {perm = array<i64: 1, 0>} : (tensor<4x12xf32>) -> tensor<12x4xf32>
// CHECK: %[[Y:.*]] = fpga.linear %{{.*}}, %{{.*}} residual %[[R]] {activation = #fpga<activation relu>}
// CHECK: fpga.transpose %[[Y]]
// CANCEL-LABEL: func.func @through_views
// CANCEL: %[[P:.*]] = fpga.linear %{{.*}}, %{{.*}} : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
// CANCEL: fpga.linear %{{.*}}, %{{.*}} residual %[[P]] {activation = #fpga<activation relu>}
func.func @through_views(%x: tensor<12x3xf32>, %w1: tensor<4x3xf32>, %x2: tensor<12x5xf32>, %w2: tensor<4x5xf32>) -> tensor<1x4x3x4xf32> {
  %0 = fpga.linear %x, %w1 : (tensor<12x3xf32>, tensor<4x3xf32>) -> tensor<12x4xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<12x4xf32>) -> tensor<4x12xf32>
  %2 = fpga.reshape %1 : (tensor<4x12xf32>) -> tensor<1x4x3x4xf32>
  %5 = fpga.linear %x2, %w2 : (tensor<12x5xf32>, tensor<4x5xf32>) -> tensor<12x4xf32>
  %6 = fpga.transpose %5 {perm = array<i64: 1, 0>} : (tensor<12x4xf32>) -> tensor<4x12xf32>
  %7 = fpga.reshape %6 : (tensor<4x12xf32>) -> tensor<1x4x3x4xf32>
  %8 = fpga.add %7, %2 : (tensor<1x4x3x4xf32>, tensor<1x4x3x4xf32>) -> tensor<1x4x3x4xf32>
  %9 = fpga.activation relu %8 : (tensor<1x4x3x4xf32>) -> tensor<1x4x3x4xf32>
  return %9 : tensor<1x4x3x4xf32>
}
