// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// A product whose rows are an fpga.window (a convolution) is one loop over
// the output pixels: the window registers once, then a chain per pixel that
// gathers its receptive field from the [H, W, C] map in DRAM (v_rd window
// iter), multiplies, adds the bias and writes the result row WR_STEP = Cout
// further on each iteration (v_wr iter). No im2col tensor gets DRAM: only
// the map, the output and the bias do (tiny: N = 16).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<6x5x3xf32> {onnx.name = "x"}) -> (tensor<6x4xf32> {onnx.name = "y"}) {
    %b = arith.constant dense<0.5> : tensor<4xf32>
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<4x27xf32>} : tensor<4x27xf32, #fpga.format<"msfp15">>
    %win = fpga.window %x {channel_offset = 0 : i64, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>, window_channels = 3 : i64} : (tensor<6x5x3xf32>) -> tensor<6x27xf32>
    %0 = fpga.linear %win, %w, %b {activation = #fpga<activation relu>, tile_grid = array<i64: 1, 2>} : (tensor<6x27xf32>, tensor<4x27xf32, #fpga.format<"msfp15">>, tensor<4xf32>) -> tensor<6x4xf32>
    return %0 : tensor<6x4xf32>
  }
}

// x: 90 elements at 0, y: 24 at 90, the bias: 4 at 114; 118 in all.
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 118 : i64
// CHECK: fpga.input "x" shape [6, 5, 3] at 0
// CHECK: fpga.output "y" shape [6, 4] at 90
// CHECK: fpga.dram_const at 114
// The bias is staged once (one row for every pixel).
// CHECK: fpga.v_rd DRAM[114]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// Then the geometry: a 6 x 5 map of 3 channels, 3 x 3 kernel, stride 2,
// one row and one column of padding above and left; OUT_W 2 (rows 6 / 2).
// CHECK-DAG: fpga.s_wr IN_H, 6
// CHECK-DAG: fpga.s_wr IN_W, 5
// CHECK-DAG: fpga.s_wr IN_C, 3
// CHECK-DAG: fpga.s_wr WIN_C, 3
// CHECK-DAG: fpga.s_wr K_H, 3
// CHECK-DAG: fpga.s_wr K_W, 3
// CHECK-DAG: fpga.s_wr STRIDE_H, 2
// CHECK-DAG: fpga.s_wr STRIDE_W, 2
// CHECK-DAG: fpga.s_wr PAD_T, 1
// CHECK-DAG: fpga.s_wr PAD_L, 1
// CHECK-DAG: fpga.s_wr OUT_W, 2
// CHECK-DAG: fpga.s_wr WR_LEN, 4
// CHECK-DAG: fpga.s_wr WR_STEP, 4
// CHECK: fpga.loop 6 {
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0] {iter, window}
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[90] {iter}
// CHECK-NEXT: }
// CHECK-NEXT: }
