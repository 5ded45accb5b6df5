// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// Pooling reads the receptive fields a convolution reads (an fpga.window view
// of the channels-innermost map) and combines each field's taps channel by
// channel: fpga.pool max, or sum with scale 1 / count for an average.

// MaxPool 3x3, stride 2, pads 1 over 2 channels of 5x5: OH = OW = 3.
// CHECK-LABEL: func.func @max2d
// CHECK: %[[T:.*]] = fpga.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<2x25xf32>) -> tensor<25x2xf32>
// CHECK: %[[MAP:.*]] = fpga.reshape %[[T]] : (tensor<25x2xf32>) -> tensor<5x5x2xf32>
// CHECK: %[[WIN:.*]] = fpga.window %[[MAP]] {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, window_channels = 2 : i64} : (tensor<5x5x2xf32>) -> tensor<9x18xf32>
// CHECK: %[[P:.*]] = fpga.pool max %[[WIN]] : (tensor<9x18xf32>) -> tensor<9x2xf32>
// CHECK: fpga.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<9x2xf32>) -> tensor<2x9xf32>
func.func @max2d(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %y = "onnx.MaxPool"(%x) <{kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// ceil_mode: 2x2 stride 2 over 5x5 gives 3x3; the last window sticks out one
// row and column, read as one more row and column of bottom / right padding.
// CHECK-LABEL: func.func @max_ceil
// CHECK: fpga.window %{{.*}} {{{.*}}pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>{{.*}}} : (tensor<5x5x1xf32>) -> tensor<9x4xf32>
// CHECK: fpga.pool max
func.func @max_ceil(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %y = "onnx.MaxPool"(%x) <{ceil_mode = 1 : i64, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

// An average without padding: the sum times 1 / 4.
// CHECK-LABEL: func.func @average
// CHECK: fpga.pool sum %{{.*}} {scale = 2.500000e-01 : f32} : (tensor<4x12xf32>) -> tensor<4x3xf32>
func.func @average(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  %y = "onnx.AveragePool"(%x) <{kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : (tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// Padding left out of the count gives border pixels other divisors: a mean,
// which divides by the taps inside the map, with no scale.
// CHECK-LABEL: func.func @average_pads_not_counted
// CHECK: fpga.pool mean %{{.*}} : (tensor<16x27xf32>) -> tensor<16x3xf32>
func.func @average_pads_not_counted(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y = "onnx.AveragePool"(%x) <{kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>}> : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// ceil_mode's partial window with padding counted: ONNX counts the pads but
// not the cells past them, which neither a sum's scale nor a mean gives.
func.func @average_ceil_pads_counted(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{an average that counts padding but not ceil_mode's partial windows past it is not on the NPU}}
  %y = "onnx.AveragePool"(%x) <{ceil_mode = 1 : i64, count_include_pad = 1 : i64, kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}> : (tensor<1x3x5x5xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// ceil_mode's partial windows, padding not counted: a mean too.
// CHECK-LABEL: func.func @average_ceil
// CHECK: fpga.pool mean
func.func @average_ceil(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x3x3xf32> {
  %y = "onnx.AveragePool"(%x) <{ceil_mode = 1 : i64, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}> : (tensor<1x3x5x5xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// -----

// GlobalAveragePool: one window over the whole 3x5 map, scale 1 / 15.
// CHECK-LABEL: func.func @global_average
// CHECK: fpga.window %{{.*}} {{{.*}}kernel = array<i64: 3, 5>{{.*}}} : (tensor<3x5x4xf32>) -> tensor<1x60xf32>
// CHECK: fpga.pool sum %{{.*}} {scale = 0.0666666701 : f32} : (tensor<1x60xf32>) -> tensor<1x4xf32>
func.func @global_average(%x: tensor<1x4x3x5xf32>) -> tensor<1x4x1x1xf32> {
  %y = "onnx.GlobalAveragePool"(%x) : (tensor<1x4x3x5xf32>) -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

// ReduceMean over the spatial axes (torchvision's x.mean((2, 3))) is that
// global pooling; without keepdims the result is [N, C].
// CHECK-LABEL: func.func @reduce_mean_spatial
// CHECK: fpga.window %{{.*}} {{{.*}}kernel = array<i64: 3, 5>{{.*}}} : (tensor<3x5x4xf32>) -> tensor<1x60xf32>
// CHECK: %[[P:.*]] = fpga.pool sum %{{.*}} {scale = 0.0666666701 : f32} : (tensor<1x60xf32>) -> tensor<1x4xf32>
// CHECK: fpga.reshape %{{.*}} : (tensor<4x1xf32>) -> tensor<1x4xf32>
func.func @reduce_mean_spatial(%x: tensor<1x4x3x5xf32>) -> tensor<1x4xf32> {
  %y = "onnx.ReduceMean"(%x) <{axes = array<i64: -1, 2>, keepdims = 0 : i64}> : (tensor<1x4x3x5xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// ReduceMax over the spatial axes: a global max pooling, keepdims.
// CHECK-LABEL: func.func @reduce_max_spatial
// CHECK: fpga.pool max %{{.*}} : (tensor<1x60xf32>) -> tensor<1x4xf32>
func.func @reduce_max_spatial(%x: tensor<1x4x3x5xf32>) -> tensor<1x4x1x1xf32> {
  %y = "onnx.ReduceMax"(%x) <{axes = array<i64: 2, 3>}> : (tensor<1x4x3x5xf32>) -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

// Over the channels: not a pooling (placement leaves it to the host).
func.func @reduce_mean_channels(%x: tensor<1x4x3x5xf32>) -> tensor<1x1x3x5xf32> {
  // expected-error @+1 {{only a reduction over the spatial axes of an [N, C, H, W] or [N, C, W] tensor runs on the NPU}}
  %y = "onnx.ReduceMean"(%x) <{axes = array<i64: 1>}> : (tensor<1x4x3x5xf32>) -> tensor<1x1x3x5xf32>
  return %y : tensor<1x1x3x5xf32>
}

// -----

// A nearest Resize by 2 x 3 (half_pixel, round_prefer_floor: output o reads
// input o / s): a pooled read (sum of the one real tap) of the map upsampled
// by [2, 3] with a 2 x 3 window padded by s - 1.
// CHECK-LABEL: func.func @resize_nearest
// CHECK: fpga.window %{{.*}} {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 3>, pads = array<i64: 1, 2, 1, 2>, strides = array<i64: 1, 1>, upsample = array<i64: 2, 3>, window_channels = 2 : i64} : (tensor<2x2x2xf32>) -> tensor<24x12xf32>
// CHECK: fpga.pool sum %{{.*}} : (tensor<24x12xf32>) -> tensor<24x2xf32>
func.func @resize_nearest(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x4x6xf32> {
  %s = onnx.Constant {value = dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>} : tensor<4xf32>
  %y = "onnx.Resize"(%x, %s) <{operandSegmentSizes = array<i32: 1, 0, 1, 0>}> {mode = "nearest"} : (tensor<1x2x2x2xf32>, tensor<4xf32>) -> tensor<1x2x4x6xf32>
  return %y : tensor<1x2x4x6xf32>
}

// -----

// half_pixel with nearest_mode ceil maps output 1 to ceil(1.5 / 2 - 0.5) =
// input 1, not 1 / 2 = 0: the host resizes it.
func.func @resize_ceil(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %s = onnx.Constant {value = dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>} : tensor<4xf32>
  // expected-error @+1 {{a nearest resize that is not an upsampling by an integer factor}}
  %y = "onnx.Resize"(%x, %s) <{operandSegmentSizes = array<i32: 1, 0, 1, 0>}> {mode = "nearest", nearest_mode = "ceil"} : (tensor<1x1x2x2xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
