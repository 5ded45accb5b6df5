// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// onnx.Conv becomes a matrix product over receptive fields: the NCHW input
// as a channels-innermost [H, W, C] map (a transpose; a view for one
// channel), an fpga.window view of it, the weights reordered to the window's
// (kh, kw, c) columns (block diagonal with groups), and the [OH * OW, Cout]
// result back to NCHW.

// 2 input channels, 3x3 kernel, stride 2, pads [top 1, left 0, bottom 0,
// right 1]: OH = (5 + 1 - 3) / 2 + 1 = 2, OW = (5 + 1 - 3) / 2 + 1 = 2.
// W[o, c, i, j] = 100 o + 10 c + 3 i + j; column (i * 3 + j) * 2 + c of the
// matrix holds it, so row 0 starts 0 (c0 i0 j0), 10 (c1 i0 j0), 1 (c0 i0 j1).
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[FLAT:.*]] = fpga.reshape %arg0 : (tensor<1x2x5x5xf32>) -> tensor<2x25xf32>
// CHECK: %[[T:.*]] = fpga.transpose %[[FLAT]] {perm = array<i64: 1, 0>} : (tensor<2x25xf32>) -> tensor<25x2xf32>
// CHECK: %[[MAP:.*]] = fpga.reshape %[[T]] : (tensor<25x2xf32>) -> tensor<5x5x2xf32>
// CHECK: %[[WIN:.*]] = fpga.window %[[MAP]] {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>, window_channels = 2 : i64} : (tensor<5x5x2xf32>) -> tensor<4x18xf32>
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+01, 1.000000e+00, 1.100000e+01, 2.000000e+00, 1.200000e+01, 3.000000e+00,
// CHECK: %[[Y:.*]] = fpga.linear %[[WIN]], %[[M]], %{{.*}} : (tensor<4x18xf32>, tensor<3x18xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK: %[[YF:.*]] = fpga.reshape %[[Y]] : (tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK: %[[YT:.*]] = fpga.transpose %[[YF]] {perm = array<i64: 1, 0>} : (tensor<4x3xf32>) -> tensor<3x4xf32>
// CHECK: fpga.reshape %[[YT]] : (tensor<3x4xf32>) -> tensor<1x3x2x2xf32>
func.func @conv2d(%x: tensor<1x2x5x5xf32>, %b: tensor<3xf32>) -> tensor<1x3x2x2xf32> {
  %w = onnx.Constant {value = dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]], [[[100.0, 101.0, 102.0], [103.0, 104.0, 105.0], [106.0, 107.0, 108.0]], [[110.0, 111.0, 112.0], [113.0, 114.0, 115.0], [116.0, 117.0, 118.0]]], [[[200.0, 201.0, 202.0], [203.0, 204.0, 205.0], [206.0, 207.0, 208.0]], [[210.0, 211.0, 212.0], [213.0, 214.0, 215.0], [216.0, 217.0, 218.0]]]]> : tensor<3x2x3x3xf32>} : tensor<3x2x3x3xf32>
  %y = "onnx.Conv"(%x, %w, %b) <{pads = array<i64: 1, 0, 0, 1>, strides = array<i64: 2, 2>}> : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// 1-D, one input channel (a view, no transpose), SAME_UPPER with dilation 2:
// extent 5 over 7 elements at stride 1 pads 2 + 2; one output channel.
// CHECK-LABEL: func.func @conv1d_same
// CHECK-NOT: fpga.transpose
// CHECK: fpga.window %{{.*}} {channel_offset = 0 : i64, dilations = array<i64: 1, 2>, kernel = array<i64: 1, 3>, pads = array<i64: 0, 2, 0, 2>, strides = array<i64: 1, 1>, window_channels = 1 : i64} : (tensor<1x7x1xf32>) -> tensor<7x3xf32>
// CHECK: fpga.linear
// CHECK-NOT: fpga.transpose
// CHECK: return
func.func @conv1d_same(%x: tensor<1x1x7xf32>) -> tensor<1x1x7xf32> {
  %w = onnx.Constant {value = dense<[[[1.0, 2.0, 3.0]]]> : tensor<1x1x3xf32>} : tensor<1x1x3xf32>
  %y = "onnx.Conv"(%x, %w) <{auto_pad = "SAME_UPPER", dilations = array<i64: 2>}> : (tensor<1x1x7xf32>, tensor<1x1x3xf32>) -> tensor<1x1x7xf32>
  return %y : tensor<1x1x7xf32>
}

// -----

// Depthwise (group = channels = 3), 1x2 kernel: output o reads only input
// channel o, so row o of the [3, 1 * 2 * 3] matrix holds W[o, 0, 0, j] at
// column j * 3 + o and zeros elsewhere (block diagonal per tap).
// CHECK-LABEL: func.func @depthwise
// CHECK: fpga.window %{{.*}} {channel_offset = 0 : i64, {{.*}}window_channels = 3 : i64} : (tensor<4x4x3xf32>) -> tensor<12x6xf32>
// CHECK: %[[M:.*]] = arith.constant dense<{{\[\[}}1.000000e+00, 0.000000e+00, 0.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00, 4.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 5.000000e+00, 0.000000e+00, 0.000000e+00, 6.000000e+00]]> : tensor<3x6xf32>
// CHECK: fpga.linear %{{.*}}, %[[M]] : (tensor<12x6xf32>, tensor<3x6xf32>) -> tensor<12x3xf32>
func.func @depthwise(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x3xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]], [[[5.0, 6.0]]]]> : tensor<3x1x1x2xf32>} : tensor<3x1x1x2xf32>
  %y = "onnx.Conv"(%x, %w) <{group = 3 : i64}> : (tensor<1x3x4x4xf32>, tensor<3x1x1x2xf32>) -> tensor<1x3x4x3xf32>
  return %y : tensor<1x3x4x3xf32>
}

// -----

// Two groups of 2 input and 1 output channels, 1x1 kernel: output 0 reads
// channels 0-1, output 1 channels 2-3.
// CHECK-LABEL: func.func @grouped
// CHECK: arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 0.000000e+00, 3.000000e+00, 4.000000e+00]]> : tensor<2x4xf32>
func.func @grouped(%x: tensor<1x4x5x5xf32>) -> tensor<1x2x5x5xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>} : tensor<2x2x1x1xf32>
  %y = "onnx.Conv"(%x, %w) <{group = 2 : i64}> : (tensor<1x4x5x5xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}
