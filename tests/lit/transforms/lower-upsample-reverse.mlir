// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes -split-input-file %s | FileCheck %s
// An upsampled window sets UP_H / UP_W (their reset value 1 is not written
// for an ordinary window); fpga.reverse copies each result row from the
// operand row its reversed index names.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x2x1xf32> {onnx.name = "x"}) -> (tensor<12x1xf32> {onnx.name = "y"}) {
    %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]]> : tensor<1x9xf32>
    %win = fpga.window %x {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, upsample = array<i64: 2, 3>, window_channels = 1 : i64} : (tensor<2x2x1xf32>) -> tensor<12x9xf32>
    %0 = fpga.linear %win, %w {tile_grid = array<i64: 1, 1>} : (tensor<12x9xf32>, tensor<1x9xf32>) -> tensor<12x1xf32>
    return %0 : tensor<12x1xf32>
  }
}


// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.s_wr OUT_W, 4
// CHECK-NEXT: fpga.s_wr UP_H, 2
// CHECK-NEXT: fpga.s_wr UP_W, 3
// CHECK:      fpga.loop 12 {
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[0] {iter, window}
// CHECK-NEXT:     fpga.mv_mul 0

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x3x4xf32> {onnx.name = "x"}) -> (tensor<2x3x4xf32> {onnx.name = "y"}) {
    %0 = fpga.reverse %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
    return %0 : tensor<2x3x4xf32>
  }
}

// x [2, 3, 4] at 0, y at 24: result row (i, j) copies operand row (i, 2 - j).
// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.v_rd DRAM[8]
// CHECK-NEXT: fpga.v_wr DRAM[24]
// CHECK:      fpga.v_rd DRAM[4]
// CHECK-NEXT: fpga.v_wr DRAM[28]
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr DRAM[32]
// CHECK:      fpga.v_rd DRAM[20]
// CHECK-NEXT: fpga.v_wr DRAM[36]
// CHECK:      fpga.v_rd DRAM[16]
// CHECK-NEXT: fpga.v_wr DRAM[40]
// CHECK:      fpga.v_rd DRAM[12]
// CHECK-NEXT: fpga.v_wr DRAM[44]
