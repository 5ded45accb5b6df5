// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// ConvTranspose is the convolution of the map read upsampled by the strides
// (fpga.window `upsample`: stride - 1 zeros between pixels), padded by the
// kernel's extent - 1 - pad (output_padding added at the end), with stride 1,
// the kernel flipped and its in and out channels swapped.

// Stride 2, pads 1, a 1-channel 2x2 map, kernel 3x3 [Cin 1, Cout 1]: the
// window pads by 3 - 1 - 1 = 1 and the matrix row is W read back to front.
// CHECK-LABEL: func.func @stride2
// CHECK: %[[W:.*]] = fpga.window %{{.*}} {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, upsample = array<i64: 2, 2>, window_channels = 1 : i64} : (tensor<2x2x1xf32>) -> tensor<9x9xf32>
// CHECK: %[[M:.*]] = arith.constant dense<{{\[}}[9.000000e+00, 8.000000e+00, 7.000000e+00, 6.000000e+00, 5.000000e+00, 4.000000e+00, 3.000000e+00, 2.000000e+00, 1.000000e+00]]> : tensor<1x9xf32>
// CHECK: fpga.linear %[[W]], %[[M]] : (tensor<9x9xf32>, tensor<1x9xf32>) -> tensor<9x1xf32>
func.func @stride2(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %w = onnx.Constant {value = dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>} : tensor<1x1x3x3xf32>
  %y = "onnx.ConvTranspose"(%x, %w) <{pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x1x2x2xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

// Run-time weights W [Cin 2, Cout 3, 2, 2]: a transpose to [Cout, Kh, Kw, Cin],
// the kernel axes reversed, viewed as the [3, 8] matrix.
// CHECK-LABEL: func.func @runtime_weights
// CHECK: %[[T:.*]] = fpga.transpose %arg1 {perm = array<i64: 1, 2, 3, 0>} : (tensor<2x3x2x2xf32>) -> tensor<3x2x2x2xf32>
// CHECK: %[[R:.*]] = fpga.reverse %[[T]] {axes = array<i64: 1, 2>} : (tensor<3x2x2x2xf32>) -> tensor<3x2x2x2xf32>
// CHECK: %[[M:.*]] = fpga.reshape %[[R]] : (tensor<3x2x2x2xf32>) -> tensor<3x8xf32>
// CHECK: fpga.linear %{{.*}}, %[[M]]
func.func @runtime_weights(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x2x2xf32>) -> tensor<1x3x4x4xf32> {
  %y = "onnx.ConvTranspose"(%x, %w) : (tensor<1x2x3x3xf32>, tensor<2x3x2x2xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Pads beyond the kernel's extent would crop the output: the host runs it.
func.func @crop(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %w = onnx.Constant {value = dense<1.0> : tensor<1x1x2x2xf32>} : tensor<1x1x2x2xf32>
  // expected-error @+1 {{pads larger than the kernel's extent (a cropped output) are not on the NPU}}
  %y = "onnx.ConvTranspose"(%x, %w) <{pads = array<i64: 2, 2, 1, 1>}> : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
