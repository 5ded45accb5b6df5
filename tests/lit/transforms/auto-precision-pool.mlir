// fpga-auto-precision evaluates a pooling layer (fpga.pool) on the way to the
// product after it, as the op's description defines it: here a 2 x 2 max pool
// of a 4 x 4 map of one channel, then a product. The windows hold
// {1, 0.3, 0.1, 0}, {-2, 0.5, -0.3, 0}, {0.7, 4, 0, 0} and {0.5, 0.2, 0, 0}:
// their maxima (1, 0.5, 4, 0.5) and the weights are exact in mxfp4, so the
// narrowest format reproduces the fp32 output exactly, while sums (1.4, -1.8,
// 4.7, 0.7) or wrong taps would not be and would push the choice wider.
// RUN: %python -c "import numpy as np; x = np.zeros((1, 4, 4, 1), np.float32); x[0, 0, 0, 0] = 1; x[0, 0, 1, 0] = 0.3; x[0, 1, 0, 0] = 0.1; x[0, 0, 2, 0] = -2; x[0, 0, 3, 0] = 0.5; x[0, 1, 2, 0] = -0.3; x[0, 2, 0, 0] = 0.7; x[0, 3, 1, 0] = 4; x[0, 2, 3, 0] = 0.5; x[0, 3, 3, 0] = 0.2; np.save('%t.npy', x)"
// RUN: npu-opt "--fpga-auto-precision=bound=1e-6 samples=x=%t.npy" %s 2>&1 >/dev/null | FileCheck %s
// CHECK: remark: {{.*}}node 'fc' (fpga.linear): auto-precision chose mxfp4 (relative RMS error 0 <= 1e-06){{$}}

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4x4x1xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
    %win = fpga.window %x {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window_channels = 1 : i64} : (tensor<4x4x1xf32>) -> tensor<4x4xf32>
    %p = fpga.pool max %win : (tensor<4x4xf32>) -> tensor<4x1xf32>
    %r = fpga.reshape %p : (tensor<4x1xf32>) -> tensor<1x4xf32>
    %w = arith.constant dense<[[1.0, 0.5, 2.0, 1.0], [0.5, -1.0, 1.0, 4.0]]> : tensor<2x4xf32>
    %0 = fpga.linear %r, %w : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32> loc("fc")
    return %0 : tensor<1x2xf32>
  }
}
