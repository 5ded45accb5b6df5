// RUN: npu-opt --split-input-file --fpga-fuse %s | FileCheck %s
// A min with a one-element constant after a linear becomes `min_ceiling`, the
// last step of its chain (after the activation, leaky relu and floor): a
// Relu6 (relu, then min 6) runs in the product's chain. fpga-fuse asks the
// target's MFUs first: brainwave-s10 has two, so two add/sub/min/max stages.

// Relu6 after a convolution's bias: the bias takes MFU 0's add/sub stage, the
// relu its activation stage, the min MFU 1's add/sub stage.
// CHECK-LABEL: func.func @bias_relu6
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1, %arg2 {activation = #fpga<activation relu>, min_ceiling = 6.000000e+00 : f32}
// CHECK-NEXT: %[[T:.*]] = fpga.transpose %[[Y]]
// CHECK-NOT: fpga.min
// CHECK-NOT: fpga.activation
func.func @bias_relu6(%x: tensor<6x8xf32>, %w: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<4x6xf32> {
  %c = arith.constant dense<6.000000e+00> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<6x8xf32>, tensor<4x8xf32>) -> tensor<6x4xf32>
  %1 = fpga.add %0, %b : (tensor<6x4xf32>, tensor<4xf32>) -> tensor<6x4xf32>
  %2 = fpga.transpose %1 {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %3 = fpga.activation relu %2 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %4 = fpga.min %3, %c : (tensor<4x6xf32>, tensor<1xf32>) -> tensor<4x6xf32>
  return %4 : tensor<4x6xf32>
}

// -----

// Clip(-1, 1) without a bias: floor and ceiling take the two add/sub stages.
// CHECK-LABEL: func.func @floor_ceiling
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1 {max_floor = -1.000000e+00 : f32, min_ceiling = 1.000000e+00 : f32}
// CHECK-NEXT: return %[[Y]]
func.func @floor_ceiling(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
  %lo = arith.constant dense<-1.000000e+00> : tensor<1xf32>
  %hi = arith.constant dense<1.000000e+00> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.max %0, %lo : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  %2 = fpga.min %1, %hi : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// -----

// With a bias as well there is no third add/sub stage: the min stays its own
// op.
// CHECK-LABEL: func.func @bias_floor_ceiling
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1, %arg2 {max_floor = -1.000000e+00 : f32}
// CHECK-NEXT: %[[M:.*]] = fpga.min %[[Y]], %{{.*}}
// CHECK-NEXT: return %[[M]]
func.func @bias_floor_ceiling(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<1x6xf32> {
  %lo = arith.constant dense<-1.000000e+00> : tensor<1xf32>
  %hi = arith.constant dense<1.000000e+00> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.add %0, %b : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  %2 = fpga.max %1, %lo : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  %3 = fpga.min %2, %hi : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  return %3 : tensor<1x6xf32>
}

// -----

// The floor comes before the ceiling in a chain: a max after a fused min
// stays its own op, and so does a second min.
// CHECK-LABEL: func.func @order
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1 {min_ceiling = 2.000000e+00 : f32}
// CHECK-NEXT: %[[M:.*]] = fpga.max %[[Y]], %{{.*}}
// CHECK-NEXT: %[[N:.*]] = fpga.min %[[M]], %{{.*}}
// CHECK-NEXT: return %[[N]]
func.func @order(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
  %c = arith.constant dense<2.000000e+00> : tensor<1xf32>
  %z = arith.constant dense<0.000000e+00> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.min %0, %c : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  %2 = fpga.max %1, %z : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  %3 = fpga.min %2, %c : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  return %3 : tensor<1x6xf32>
}
