// RUN: npu-opt --fpga-cancel-layout --split-input-file %s | FileCheck %s
// Between two NPU layers the transpose back to NCHW meets the transpose to
// channels innermost, with only views between: both go, the second layer's
// window reads the first layer's [pixels, C] result.
// An add of two such NCHW views (a residual connection) and an element-wise
// op after it move in front of the transposes first.

// CHECK-LABEL: func.func @conv_then_pool
// CHECK: %[[Y:.*]] = fpga.linear
// CHECK-NOT: fpga.transpose
// CHECK: %[[MAP:.*]] = fpga.reshape %[[Y]] : (tensor<16x3xf32>) -> tensor<4x4x3xf32>
// CHECK: %[[WIN:.*]] = fpga.window %[[MAP]]
// CHECK: fpga.pool max %[[WIN]]
func.func @conv_then_pool(%x: tensor<16x8xf32>, %w: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %0 = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %2 = fpga.reshape %1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %3 = fpga.reshape %2 : (tensor<1x3x4x4xf32>) -> tensor<3x16xf32>
  %4 = fpga.transpose %3 {perm = array<i64: 1, 0>} : (tensor<3x16xf32>) -> tensor<16x3xf32>
  %5 = fpga.reshape %4 : (tensor<16x3xf32>) -> tensor<4x4x3xf32>
  %6 = fpga.window %5 {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window_channels = 3 : i64} : (tensor<4x4x3xf32>) -> tensor<4x12xf32>
  %7 = fpga.pool max %6 : (tensor<4x12xf32>) -> tensor<4x3xf32>
  return %7 : tensor<4x3xf32>
}

// -----

// The NCHW tensor is also a result: the first transpose stays for it, the
// second still goes.
// CHECK-LABEL: func.func @nchw_also_returned
// CHECK: %[[Y:.*]] = fpga.linear
// CHECK: %[[T:.*]] = fpga.transpose %[[Y]]
// CHECK-NOT: fpga.transpose
// CHECK: return
func.func @nchw_also_returned(%x: tensor<16x8xf32>, %w: tensor<3x8xf32>) -> (tensor<3x16xf32>, tensor<4x4x3xf32>) {
  %0 = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %2 = fpga.transpose %1 {perm = array<i64: 1, 0>} : (tensor<3x16xf32>) -> tensor<16x3xf32>
  %3 = fpga.reshape %2 : (tensor<16x3xf32>) -> tensor<4x4x3xf32>
  return %1, %3 : tensor<3x16xf32>, tensor<4x4x3xf32>
}

// -----

// Reshapes that do not give back the first transpose's type: the data would
// be read in another order, nothing cancels.
// CHECK-LABEL: func.func @other_shape
// CHECK-COUNT-2: fpga.transpose
func.func @other_shape(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = fpga.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x6xf32>) -> tensor<6x4xf32>
  %1 = fpga.reshape %0 : (tensor<6x4xf32>) -> tensor<6x4xf32>
  %2 = fpga.reshape %1 : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %3 = fpga.reshape %2 : (tensor<4x6xf32>) -> tensor<6x4xf32>
  %4 = fpga.reshape %3 : (tensor<6x4xf32>) -> tensor<3x8xf32>
  %5 = fpga.transpose %4 {perm = array<i64: 1, 0>} : (tensor<3x8xf32>) -> tensor<8x3xf32>
  %6 = fpga.reshape %5 : (tensor<8x3xf32>) -> tensor<4x6xf32>
  return %6 : tensor<4x6xf32>
}

// -----

// Element-wise ops between two layers let the transpose in front of them
// move behind them (a LeakyRelu, a max with one element, reshaped to [1]),
// so it meets the next layer's transpose and both go.
// CHECK-LABEL: func.func @sink_elementwise
// CHECK: %[[Y:.*]] = fpga.linear
// CHECK-NEXT: %[[L:.*]] = fpga.leaky_relu %[[Y]] {alpha = 2.000000e-01 : f32} : (tensor<16x3xf32>) -> tensor<16x3xf32>
// CHECK-NEXT: %[[C:.*]] = fpga.reshape %{{.*}} : (tensor<1x1x1x1xf32>) -> tensor<1xf32>
// CHECK-NEXT: %[[M:.*]] = fpga.max %[[L]], %[[C]] : (tensor<16x3xf32>, tensor<1xf32>) -> tensor<16x3xf32>
// CHECK-NOT: fpga.transpose
// CHECK: fpga.window
func.func @sink_elementwise(%x: tensor<16x8xf32>, %w: tensor<3x8xf32>, %c: tensor<1x1x1x1xf32>) -> tensor<4x3xf32> {
  %0 = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %2 = fpga.reshape %1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %3 = fpga.leaky_relu %2 {alpha = 0.2 : f32} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %4 = fpga.max %3, %c : (tensor<1x3x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x3x4x4xf32>
  %5 = fpga.reshape %4 : (tensor<1x3x4x4xf32>) -> tensor<3x16xf32>
  %6 = fpga.transpose %5 {perm = array<i64: 1, 0>} : (tensor<3x16xf32>) -> tensor<16x3xf32>
  %7 = fpga.reshape %6 : (tensor<16x3xf32>) -> tensor<4x4x3xf32>
  %8 = fpga.window %7 {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window_channels = 3 : i64} : (tensor<4x4x3xf32>) -> tensor<4x12xf32>
  %9 = fpga.pool max %8 : (tensor<4x12xf32>) -> tensor<4x3xf32>
  return %9 : tensor<4x3xf32>
}

// -----

// A residual block: add(conv result, skip) and the relu after it, both NCHW
// views of [pixels, C] tensors, move in front of the transposes (SinkAdd,
// then SinkElementwise), which then cancel against the next layer's: the
// add and the relu work channels innermost and no transpose is left.
// CHECK-LABEL: func.func @residual
// CHECK: %[[A:.*]] = fpga.linear %arg0
// CHECK: %[[B:.*]] = fpga.linear %arg0
// CHECK: %[[S:.*]] = fpga.add %[[B]], %[[A]] : (tensor<16x3xf32>, tensor<16x3xf32>) -> tensor<16x3xf32>
// CHECK: %[[R:.*]] = fpga.activation relu %[[S]] : (tensor<16x3xf32>) -> tensor<16x3xf32>
// CHECK-NOT: fpga.transpose
// CHECK: fpga.window
func.func @residual(%x: tensor<16x8xf32>, %w: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %a = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %a1 = fpga.transpose %a {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %a2 = fpga.reshape %a1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %b = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %b1 = fpga.transpose %b {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %b2 = fpga.reshape %b1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %s = fpga.add %b2, %a2 : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %r = fpga.activation relu %s : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %3 = fpga.reshape %r : (tensor<1x3x4x4xf32>) -> tensor<3x16xf32>
  %4 = fpga.transpose %3 {perm = array<i64: 1, 0>} : (tensor<3x16xf32>) -> tensor<16x3xf32>
  %5 = fpga.reshape %4 : (tensor<16x3xf32>) -> tensor<4x4x3xf32>
  %6 = fpga.window %5 {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window_channels = 3 : i64} : (tensor<4x4x3xf32>) -> tensor<4x12xf32>
  %7 = fpga.pool max %6 : (tensor<4x12xf32>) -> tensor<4x3xf32>
  return %7 : tensor<4x3xf32>
}

// -----

// Left alone: an add whose operands are views of different tensors' layouts
// (one is a plain NCHW input). A broadcasting add of a per-channel tensor
// works channels innermost instead (cancel-layout-channelwise.mlir).
// CHECK-LABEL: func.func @add_kept
// CHECK: fpga.transpose
// CHECK: fpga.add %{{.*}}, %arg2 : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>)
// CHECK: %[[ROW:.*]] = fpga.reshape %arg3 : (tensor<1x3x1x1xf32>) -> tensor<1x3xf32>
// CHECK: fpga.add %{{.*}}, %[[ROW]] : (tensor<16x3xf32>, tensor<1x3xf32>)
func.func @add_kept(%x: tensor<16x8xf32>, %w: tensor<3x8xf32>, %n: tensor<1x3x4x4xf32>, %c: tensor<1x3x1x1xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %a = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %a1 = fpga.transpose %a {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %a2 = fpga.reshape %a1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %s = fpga.add %a2, %n : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %b = fpga.linear %x, %w : (tensor<16x8xf32>, tensor<3x8xf32>) -> tensor<16x3xf32>
  %b1 = fpga.transpose %b {perm = array<i64: 1, 0>} : (tensor<16x3xf32>) -> tensor<3x16xf32>
  %b2 = fpga.reshape %b1 : (tensor<3x16xf32>) -> tensor<1x3x4x4xf32>
  %t = fpga.add %b2, %c : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  return %s, %t : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}
