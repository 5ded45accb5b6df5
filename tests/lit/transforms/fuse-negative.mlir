// RUN: npu-opt --fpga-fuse %s | FileCheck %s
// Cases fpga-fuse must leave alone.

// The linear result has a second user: fusing would lose it.
// CHECK-LABEL: func.func @two_users
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}} : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
// CHECK: %[[A:.*]] = fpga.add %[[L]], %{{.*}}
// CHECK: %[[R:.*]] = fpga.activation relu %[[L]]
// CHECK: return %[[A]], %[[R]]
func.func @two_users(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>) {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.add %0, %b : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  %2 = fpga.activation relu %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  return %1, %2 : tensor<1x6xf32>, tensor<1x6xf32>
}

// The result is also a graph output: the activation must not be fused.
// CHECK-LABEL: func.func @also_returned
// CHECK: %[[L:.*]] = fpga.linear
// CHECK-NOT: activation = 
// CHECK: fpga.activation sigmoid %[[L]]
func.func @also_returned(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> (tensor<1x6xf32>, tensor<1x6xf32>) {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.activation sigmoid %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  return %0, %1 : tensor<1x6xf32>, tensor<1x6xf32>
}

// A residual add after the activation would change the result: not fused.
// CHECK-LABEL: func.func @residual_after_activation
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}} {activation = #fpga<activation relu>}
// CHECK: fpga.add %[[L]], %{{.*}} : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
func.func @residual_after_activation(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %m: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.activation relu %0 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  %2 = fpga.add %1, %m : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// A linear's own result as the residual (x W + x W) is not a residual.
// CHECK-LABEL: func.func @add_to_itself
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
// CHECK: fpga.add %[[L]], %[[L]]
func.func @add_to_itself(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %0, %0 : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// A column vector [R, 1] is not per-column either.
// CHECK-LABEL: func.func @column_add
// CHECK: fpga.add %{{.*}}, %{{.*}} : (tensor<4x6xf32>, tensor<4x1xf32>) -> tensor<4x6xf32>
func.func @column_add(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>, %c: tensor<4x1xf32>) -> tensor<4x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  %1 = fpga.add %0, %c : (tensor<4x6xf32>, tensor<4x1xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// A linear that already has a bias cannot take a second one.
// CHECK-LABEL: func.func @second_bias
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: fpga.add %[[L]], %{{.*}}
func.func @second_bias(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w, %b : (tensor<1x8xf32>, tensor<6x8xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  %1 = fpga.add %0, %b : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  return %1 : tensor<1x6xf32>
}

// A bias add after the activation would change the result: not fused.
// CHECK-LABEL: func.func @add_after_activation
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}} {activation = #fpga<activation relu>}
// CHECK: fpga.add %[[L]], %{{.*}}
func.func @add_after_activation(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>, %b: tensor<6xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.activation relu %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %2 = fpga.add %1, %b : (tensor<1x6xf32>, tensor<6xf32>) -> tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// Two activations: only the first folds.
// CHECK-LABEL: func.func @two_activations
// CHECK: %[[L:.*]] = fpga.linear %{{.*}}, %{{.*}} {activation = #fpga<activation relu>}
// CHECK: fpga.activation tanh %[[L]]
func.func @two_activations(%x: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> tensor<1x6xf32> {
  %0 = fpga.linear %x, %w : (tensor<1x8xf32>, tensor<6x8xf32>) -> tensor<1x6xf32>
  %1 = fpga.activation relu %0 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %2 = fpga.activation tanh %1 : (tensor<1x6xf32>) -> tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// A view between the linear and the activation that has another user keeps
// the un-activated values alive: nothing folds.
// CHECK-LABEL: func.func @view_with_two_users
// CHECK: fpga.linear
// CHECK-NOT: activation =
// CHECK: fpga.activation relu
func.func @view_with_two_users(%x: tensor<6x8xf32>, %w: tensor<4x8xf32>) -> (tensor<4x6xf32>, tensor<4x6xf32>) {
  %0 = fpga.linear %x, %w : (tensor<6x8xf32>, tensor<4x8xf32>) -> tensor<6x4xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %2 = fpga.activation relu %1 : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return %1, %2 : tensor<4x6xf32>, tensor<4x6xf32>
}
