// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// A convolution with a residual (a ResNet block's skip add, fused by
// fpga-fuse): the residual rows go to the ASVRF of the MFU of the second
// vv_add a part of the pixels at a time, in two buffers above the epilogue's
// operands, each part one chain of rows RD_PITCH apart padded to whole vectors;
// each part's loop starts at PIX_BASE and its vv_add steps OP_STEP vectors per
// pixel (iter). tiny: N = 16, ASVRF 256: 20 channels are 2 vectors per pixel,
// the epilogue keeps 6, so parts of (256 - 6) / (2 x 2) = 62 pixels.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<16x16x4xf32> {onnx.name = "x"}, %r: tensor<256x20xf32> {onnx.name = "r"}) -> (tensor<256x20xf32> {onnx.name = "y"}) {
    %b = arith.constant dense<0.5> : tensor<20xf32>
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<20x4xf32>} : tensor<20x4xf32, #fpga.format<"msfp15">>
    %win = fpga.window %x {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, window_channels = 4 : i64} : (tensor<16x16x4xf32>) -> tensor<256x4xf32>
    %0 = fpga.linear %win, %w, %b residual %r {activation = #fpga<activation relu>, tile_grid = array<i64: 2, 1>} : (tensor<256x4xf32>, tensor<20x4xf32, #fpga.format<"msfp15">>, tensor<20xf32>, tensor<256x20xf32>) -> tensor<256x20xf32>
    return %0 : tensor<256x20xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK: fpga.input "r" shape [256, 20] at 1024
// CHECK: fpga.output "y" shape [256, 20] at 6144
// Parts 0 and 1 staged before part 0's loop.
// CHECK: fpga.s_wr COLS, 124
// CHECK-NEXT: fpga.s_wr RD_PITCH, 20
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[1024]
// CHECK-NEXT:   fpga.v_wr ASVRF[6] {mfu = 1 : i64}
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr RD_PITCH, 0
// CHECK: fpga.v_rd DRAM[2264]
// CHECK-NEXT: fpga.v_wr ASVRF[130] {mfu = 1 : i64}
// CHECK: fpga.s_wr OP_STEP, 2
// CHECK-NEXT: fpga.loop 62 {
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0] {iter, window}
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu vv_add[6] {iter}
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[6144] {iter}
// Part 2 into the first buffer, then part 1's loop from pixel 62.
// CHECK: fpga.v_rd DRAM[3504]
// CHECK-NEXT: fpga.v_wr ASVRF[6] {mfu = 1 : i64}
// CHECK: fpga.s_wr PIX_BASE, 62
// CHECK: fpga.loop 62 {
// CHECK: fpga.mfu vv_add[130] {iter}
// CHECK: fpga.v_wr DRAM[7384] {iter}
// The last part: 256 - 4 x 62 = 8 pixels from pixel 248.
// CHECK: fpga.s_wr PIX_BASE, 248
// CHECK: fpga.loop 8 {
// CHECK-NOT: fpga.loop
