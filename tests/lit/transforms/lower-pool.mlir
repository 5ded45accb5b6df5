// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// fpga.pool is one loop over the output pixels: the window registers once,
// then a chain per pixel whose read combines the pixel's taps channel by
// channel (v_rd window, pool) and whose write goes WR_STEP = C further on.
// An average's scale is a vv_mul by a vector staged once (tiny: N = 16).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4x4x3xf32> {onnx.name = "x"}) -> (tensor<4x3xf32> {onnx.name = "mx"}, tensor<4x3xf32> {onnx.name = "avg"}, tensor<4x3xf32> {onnx.name = "mean"}) {
    %win = fpga.window %x {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, window_channels = 3 : i64} : (tensor<4x4x3xf32>) -> tensor<4x12xf32>
    %0 = fpga.pool max %win : (tensor<4x12xf32>) -> tensor<4x3xf32>
    %1 = fpga.pool sum %win {scale = 0.25 : f32} : (tensor<4x12xf32>) -> tensor<4x3xf32>
    %2 = fpga.pool mean %win : (tensor<4x12xf32>) -> tensor<4x3xf32>
    return %0, %1, %2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
  }
}

// x: 48 elements at 0; mx: 12 at 48; avg: 12 at 60; the scale vector after.
// CHECK-LABEL: fpga.program @main
// CHECK: fpga.input "x" shape [4, 4, 3] at 0
// CHECK: fpga.output "mx" shape [4, 3] at 48
// CHECK: fpga.output "avg" shape [4, 3] at 60
// CHECK-DAG: fpga.s_wr IN_H, 4
// CHECK-DAG: fpga.s_wr IN_W, 4
// CHECK-DAG: fpga.s_wr IN_C, 3
// CHECK-DAG: fpga.s_wr WIN_C, 3
// CHECK-DAG: fpga.s_wr K_H, 2
// CHECK-DAG: fpga.s_wr K_W, 2
// CHECK-DAG: fpga.s_wr STRIDE_H, 2
// CHECK-DAG: fpga.s_wr STRIDE_W, 2
// CHECK-DAG: fpga.s_wr OUT_W, 2
// CHECK-DAG: fpga.s_wr WR_LEN, 3
// CHECK-DAG: fpga.s_wr WR_STEP, 3
// CHECK: fpga.loop 4
// CHECK-NEXT: fpga.chain
// CHECK-NEXT: fpga.v_rd DRAM[0] {iter, pool = #fpga<pool max>, window}
// CHECK-NEXT: fpga.v_wr DRAM[48] {iter}
// The average: the scale staged into the MULVRF, then the same loop with a
// vv_mul after the pooled read.
// CHECK: fpga.v_wr MULVRF[0]
// CHECK: fpga.loop 4
// CHECK-NEXT: fpga.chain
// CHECK-NEXT: fpga.v_rd DRAM[0] {iter, pool = #fpga<pool sum>, window}
// CHECK-NEXT: fpga.mfu vv_mul
// CHECK-NEXT: fpga.v_wr DRAM[60] {iter}
// The mean divides in the read: no vv_mul.
// CHECK: fpga.loop 4
// CHECK-NEXT: fpga.chain
// CHECK-NEXT: fpga.v_rd DRAM[0] {iter, pool = #fpga<pool mean>, window}
// CHECK-NEXT: fpga.v_wr DRAM[72] {iter}
