// RUN: npu-opt --split-input-file --fpga-fuse %s | FileCheck %s
// A LeakyRelu and a max with a one-element constant after a linear become the
// last two steps of its chain (leaky_alpha, then max_floor), also through the
// views of a convolution's result; fpga-fuse first asks the target's MFUs
// whether they can run the longer chain.

// linear -> bias add -> leaky_relu -> max(constant, .): one linear.
// CHECK-LABEL: func.func @bias_leaky_max
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1, %arg2 {leaky_alpha = 2.000000e-01 : f32, max_floor = -4.000000e-01 : f32}
// CHECK-NOT: fpga.leaky_relu
// CHECK-NOT: fpga.max
// CHECK: return %[[Y]]
func.func @bias_leaky_max(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {
  %c = arith.constant dense<-4.000000e-01> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %0, %b : (tensor<4x6xf32>, tensor<6xf32>) -> tensor<4x6xf32>
  %2 = fpga.leaky_relu %1 {alpha = 2.000000e-01 : f32} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %3 = fpga.max %c, %2 : (tensor<1xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %3 : tensor<4x6xf32>
}

// -----

// A convolution's linear is followed by the views back to NCHW: both steps
// fold through them, and the views are rebuilt on the fused linear.
// CHECK-LABEL: func.func @through_views
// CHECK: %[[Y:.*]] = fpga.linear %{{.*}}, %{{.*}} {leaky_alpha = 1.000000e-01 : f32, max_floor = 5.000000e-01 : f32}
// CHECK-NEXT: %[[T:.*]] = fpga.transpose %[[Y]] {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: %[[R:.*]] = fpga.reshape %[[T]] : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
// CHECK-NEXT: return %[[R]]
func.func @through_views(%x: tensor<6x8xf32>, %w: tensor<4x8xf32>) -> tensor<1x4x2x3xf32> {
  %c = arith.constant dense<5.000000e-01> : tensor<1x1x1x1xf32>
  %0 = fpga.linear %x, %w : (tensor<6x8xf32>, tensor<4x8xf32>) -> tensor<6x4xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %2 = fpga.reshape %1 : (tensor<4x6xf32>) -> tensor<1x4x2x3xf32>
  %3 = fpga.leaky_relu %2 {alpha = 1.000000e-01 : f32} : (tensor<1x4x2x3xf32>) -> tensor<1x4x2x3xf32>
  %4 = fpga.max %3, %c : (tensor<1x4x2x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x2x3xf32>
  return %4 : tensor<1x4x2x3xf32>
}

// -----

// A floor may follow an activation (it is the chain's last step); a leaky
// relu may not (one activation per chain).
// CHECK-LABEL: func.func @relu_then_floor_then_leaky
// CHECK: %[[Y:.*]] = fpga.linear %arg0, %arg1 {activation = #fpga<activation relu>, max_floor = 1.000000e+00 : f32}
// CHECK-NEXT: %[[L:.*]] = fpga.leaky_relu %[[Y]]
// CHECK-NEXT: return %[[L]]
func.func @relu_then_floor_then_leaky(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
  %c = arith.constant dense<1.000000e+00> : tensor<1xf32>
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.activation relu %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %2 = fpga.max %1, %c : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  %3 = fpga.leaky_relu %2 {alpha = 2.000000e-01 : f32} : (tensor<1x6xf32>) -> tensor<1x6xf32>
  return %3 : tensor<1x6xf32>
}

// -----

// Left alone: a max with a tensor that is not a one-element constant, a max
// whose linear side is broadcast, and a linear with a second user.
// CHECK-LABEL: func.func @not_fused
// CHECK: %[[A:.*]] = fpga.linear %arg0, %arg1 :
// CHECK-NEXT: fpga.max %[[A]], %cst :
// CHECK-NEXT: %[[B:.*]] = fpga.linear %arg0, %arg1 :
// CHECK-NEXT: fpga.max %[[B]], %cst_0 :
// CHECK-NEXT: %[[C:.*]] = fpga.linear %arg0, %arg1 :
// CHECK-NEXT: fpga.max %[[C]], %arg2 :
func.func @not_fused(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %s: tensor<1xf32>) -> (tensor<1x6xf32>, tensor<2x6xf32>, tensor<1x6xf32>, tensor<1x6xf32>) {
  %c2 = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %c = arith.constant dense<0.0> : tensor<2x1xf32>
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.max %0, %c2 : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  %2 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %3 = fpga.max %2, %c : (tensor<1x6xf32>, tensor<2x1xf32>) -> tensor<2x6xf32>
  %4 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %5 = fpga.max %4, %s : (tensor<1x6xf32>, tensor<1xf32>) -> tensor<1x6xf32>
  return %1, %3, %5, %4 : tensor<1x6xf32>, tensor<2x6xf32>, tensor<1x6xf32>, tensor<1x6xf32>
}

// -----

// A target whose MFUs have no vv_prelu keeps the LeakyRelu as its own op.
// CHECK-LABEL: func.func @no_prelu
// CHECK: fpga.linear %arg0, %arg1 :
// CHECK-NEXT: fpga.leaky_relu
module attributes {fpga.target = #fpga.target<"{\22name\22: \22tiny-no-prelu\22, \22native_dim\22: 16, \22tile_engines\22: 2, \22lanes\22: 4, \22num_mfus\22: 2, \22ivrf_depth\22: 256, \22asvrf_depth\22: 256, \22mulvrf_depth\22: 256, \22mrf_tiles\22: 256, \22dram_bytes\22: 67108864, \22clock_mhz\22: 100.0, \22weight_format\22: \22msfp15\22, \22input_format\22: \22msfp15\22, \22mfu_operations\22: [\22vv_add\22, \22vv_max\22, \22vv_mul\22, \22v_relu\22, \22v_pass\22]}">} {
  func.func @no_prelu(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
    %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
    %1 = fpga.leaky_relu %0 {alpha = 2.000000e-01 : f32} : (tensor<1x6xf32>) -> tensor<1x6xf32>
    return %1 : tensor<1x6xf32>
  }
}
