// RUN: npu-opt --fpga-cancel-layout %s | FileCheck %s
// A squeeze-and-excitation block's scale: the NCHW view of a channels-innermost
// result times a [1, C, 1, 1] tensor computed at run time becomes the product
// of the [pixels, C] result and that tensor as one [1, C] row (one staging
// chain and one loop on the NPU), viewed back; the next layer's layout change
// then cancels, and the map's views stay for its other reader (the pooling).

// CHECK-LABEL: func.func @se_scale
// CHECK-SAME: (%[[X:.*]]: tensor<6x4xf32>, %[[G:.*]]: tensor<1x4x1x1xf32>, %[[W:.*]]: tensor<3x4xf32>)
// CHECK: %[[ROW:.*]] = fpga.reshape %[[G]] : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
// CHECK: %[[M:.*]] = fpga.mul %[[X]], %[[ROW]] : (tensor<6x4xf32>, tensor<1x4xf32>) -> tensor<6x4xf32>
// CHECK: %[[Y:.*]] = fpga.linear %[[M]], %[[W]]
// CHECK: return %[[Y]], %{{.*}} : tensor<6x3xf32>, tensor<1x4x2x3xf32>
func.func @se_scale(%x: tensor<6x4xf32>, %g: tensor<1x4x1x1xf32>, %w: tensor<3x4xf32>) -> (tensor<6x3xf32>, tensor<1x4x2x3xf32>) {
  %0 = fpga.transpose %x {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %1 = fpga.reshape %0 : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
  %2 = fpga.mul %1, %g : (tensor<1x4x2x3xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x3xf32>
  %3 = fpga.reshape %2 : (tensor<1x4x2x3xf32>) -> tensor<4x6xf32>
  %4 = fpga.transpose %3 {perm = array<i64: 1, 0>} : (tensor<4x6xf32>) -> tensor<6x4xf32>
  %5 = fpga.linear %4, %w : (tensor<6x4xf32>, tensor<3x4xf32>) -> tensor<6x3xf32>
  return %5, %1 : tensor<6x3xf32>, tensor<1x4x2x3xf32>
}

// A per-channel sum works the same way (the tensor on the left here).
// CHECK-LABEL: func.func @channel_add
// CHECK: %[[ROW:.*]] = fpga.reshape %arg1 : (tensor<1x4x1x1xf32>) -> tensor<1x4xf32>
// CHECK: fpga.add %arg0, %[[ROW]] : (tensor<6x4xf32>, tensor<1x4xf32>) -> tensor<6x4xf32>
func.func @channel_add(%x: tensor<6x4xf32>, %g: tensor<1x4x1x1xf32>) -> tensor<1x4x2x3xf32> {
  %0 = fpga.transpose %x {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %1 = fpga.reshape %0 : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
  %2 = fpga.add %g, %1 : (tensor<1x4x1x1xf32>, tensor<1x4x2x3xf32>) -> tensor<1x4x2x3xf32>
  return %2 : tensor<1x4x2x3xf32>
}

// Not per channel ([1, 1, 2, 3]: per pixel): left alone.
// CHECK-LABEL: func.func @per_pixel
// CHECK: fpga.mul %{{.*}}, %arg1 : (tensor<1x4x2x3xf32>, tensor<1x1x2x3xf32>) -> tensor<1x4x2x3xf32>
func.func @per_pixel(%x: tensor<6x4xf32>, %g: tensor<1x1x2x3xf32>) -> tensor<1x4x2x3xf32> {
  %0 = fpga.transpose %x {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %1 = fpga.reshape %0 : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
  %2 = fpga.mul %1, %g : (tensor<1x4x2x3xf32>, tensor<1x1x2x3xf32>) -> tensor<1x4x2x3xf32>
  return %2 : tensor<1x4x2x3xf32>
}
