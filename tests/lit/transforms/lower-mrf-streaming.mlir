// RUN: npu-opt --fpga-lower-to-isa %s | FileCheck %s
// The MRF streaming plan (lowering/MrfStreaming.h) on tiny (N = 16, 256 MRF
// tiles). fc1's 272 x 256 weights (17 x 16 tiles) are streamed in panels of
// 7 tile rows through two scratch buffers of 119 tiles from tile 17 (the
// module's fpga.mrf_scratch); fc2's weights are pinned at tile 0.
// Panels: rows 0-6 and 7-13 (7 x 16 each; views of the weights when large)
// and 14-16 (3 x 16), each a
// streamed matrix of its own. Both buffers are filled before the first
// chain; the third panel goes into the first buffer as soon as the first
// panel's chain has been issued, so its transfer overlaps the second panel.

module attributes {fpga.mrf_scratch = array<i64: 17, 119, 2>, fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x256xf32> {onnx.name = "x"}) -> (tensor<1x16xf32> {onnx.name = "y"}) {
    %w1 = fpga.weights {mrf_tile = 17 : i64, panel_rows = 7 : i64, streamed, value = dense<1.0> : tensor<272x256xf32>} : tensor<272x256xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w1 {tile_grid = array<i64: 17, 16>} : (tensor<1x256xf32>, tensor<272x256xf32, #fpga.format<"msfp15">>) -> tensor<1x272xf32>
    %w2 = fpga.weights {mrf_tile = 0 : i64, value = dense<0.5> : tensor<16x272xf32>} : tensor<16x272xf32, #fpga.format<"msfp15">>
    %1 = fpga.linear %0, %w2 {tile_grid = array<i64: 1, 17>} : (tensor<1x272xf32>, tensor<16x272xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    return %1 : tensor<1x16xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.streamed_matrix matrix 0 grid 7 x 16 {value = {{.*}} : tensor<112x256xf32>}
// CHECK-NEXT: fpga.streamed_matrix matrix 1 grid 7 x 16 {value = {{.*}} : tensor<112x256xf32>}
// CHECK-NEXT: fpga.streamed_matrix matrix 2 grid 3 x 16 {value = dense<1.000000e+00> : tensor<48x256xf32>}
// CHECK-NEXT: fpga.pinned_matrix tile 0 grid 1 x 17
// CHECK:      fpga.m_rd_stream matrix 0 to tile 17
// CHECK-NEXT: fpga.m_rd_stream matrix 1 to tile 136
// Panel 0: x staged once, its 7 tile rows of the result into fc1's IVRF
// region (rows 0-6 of 17 vectors at 239).
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr IVRF[0]
// CHECK:      fpga.s_wr ROWS, 7
// CHECK:      fpga.v_rd IVRF[0]
// CHECK-NEXT: fpga.mv_mul 17
// CHECK-NEXT: fpga.v_wr IVRF[239]
// Panel 2 replaces panel 0 while panel 1 runs (x is still in the IVRF: one row).
// CHECK-NEXT: }
// CHECK-NEXT: fpga.m_rd_stream matrix 2 to tile 17
// CHECK-NOT:  fpga.v_wr IVRF[0]
// CHECK:      fpga.v_rd IVRF[0]
// CHECK-NEXT: fpga.mv_mul 136
// CHECK-NEXT: fpga.v_wr IVRF[246]
// CHECK:      fpga.s_wr ROWS, 3
// CHECK:      fpga.v_rd IVRF[0]
// CHECK-NEXT: fpga.mv_mul 17
// CHECK-NEXT: fpga.v_wr IVRF[253]
// fc2, pinned, reads fc1's result where the panels left it.
// CHECK:      fpga.v_rd IVRF[239]
// CHECK-NEXT: fpga.mv_mul 0
// CHECK-NEXT: fpga.v_wr DRAM[256]
// CHECK-NOT:  fpga.m_rd_stream
