// RUN: npu-opt --fpga-lower-to-isa %s | FileCheck %s
// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 %s | FileCheck %s --check-prefix=KEEP
// Activations on chip: a product's result read only by the next product is
// written into the IVRF and read there (no DRAM write, read or staging
// chain). tiny: N = 16, IVRF 256 vectors. fc1's result [2, 20] is two rows of
// two vectors, kept at the top of the IVRF (252..255) while fc1 stages its
// own x rows from address 0. fc2 ends in a sigmoid and 6 is not a multiple
// of N: its padded lanes would hold 0.5 instead of a DRAM read's zeros, so
// its result goes through DRAM. Nothing on chip gets a tensor record.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x4xf32> {onnx.name = "x"}) -> (tensor<2x3xf32> {onnx.name = "y"}) {
    %w1 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<20x4xf32>} : tensor<20x4xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w1 {activation = #fpga<activation relu>, tile_grid = array<i64: 2, 1>} : (tensor<2x4xf32>, tensor<20x4xf32, #fpga.format<"msfp15">>) -> tensor<2x20xf32> loc("fc1")
    %w2 = fpga.weights {mrf_tile = 2 : i64, value = dense<0.5> : tensor<6x20xf32>} : tensor<6x20xf32, #fpga.format<"msfp15">>
    %1 = fpga.linear %0, %w2 {activation = #fpga<activation sigmoid>, tile_grid = array<i64: 1, 2>} : (tensor<2x20xf32>, tensor<6x20xf32, #fpga.format<"msfp15">>) -> tensor<2x6xf32> loc("fc2")
    %w3 = fpga.weights {mrf_tile = 4 : i64, value = dense<0.25> : tensor<3x6xf32>} : tensor<3x6xf32, #fpga.format<"msfp15">>
    %2 = fpga.linear %1, %w3 {tile_grid = array<i64: 1, 1>} : (tensor<2x6xf32>, tensor<3x6xf32, #fpga.format<"msfp15">>) -> tensor<2x3xf32> loc("fc3")
    return %2 : tensor<2x3xf32>
  }
}

// DRAM: x 8, y 6, fc2's result 12 (fc1's is on chip).
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 26 : i64
// CHECK-NOT:  fpga.tensor_record shape [2, 20]
// CHECK:      fpga.tensor_record shape [2, 6] at 14
// CHECK-NEXT: fpga.tensor_record shape [2, 3] at 8
// fc1, row 0: x row 0 staged at IVRF 0, result row 0 to IVRF 252 (ROWS 2).
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr IVRF[0]
// CHECK:      fpga.s_wr ROWS, 2
// CHECK:      fpga.v_rd IVRF[0]
// CHECK-NEXT: fpga.mv_mul 0
// CHECK-NEXT: fpga.mfu v_relu
// CHECK-NEXT: fpga.v_wr IVRF[252]
// Row 1 goes to 254.
// CHECK:      fpga.v_rd IVRF[1]
// CHECK-NEXT: fpga.mv_mul 0
// CHECK-NEXT: fpga.mfu v_relu
// CHECK-NEXT: fpga.v_wr IVRF[254]
// fc2 reads its rows where fc1 left them: no staging chain in between.
// CHECK-NOT:  fpga.v_wr IVRF
// CHECK:      fpga.v_rd IVRF[252]
// CHECK-NEXT: fpga.mv_mul 2
// CHECK-NEXT: fpga.mfu v_sigm
// CHECK-NEXT: fpga.v_wr DRAM[14]
// CHECK:      fpga.v_rd IVRF[254]
// CHECK-NEXT: fpga.mv_mul 2
// CHECK-NEXT: fpga.mfu v_sigm
// CHECK-NEXT: fpga.v_wr DRAM[20]
// fc3 stages fc2's rows from DRAM.
// CHECK:      fpga.v_rd DRAM[14]
// CHECK-NEXT: fpga.v_wr IVRF[0]

// KEEP-LABEL: fpga.program @main attributes {dram_elements = 66 : i64
// KEEP:      fpga.tensor_record shape [2, 20] at 14
// KEEP-NOT:  fpga.v_wr IVRF[252]
// KEEP:      fpga.mfu v_relu
// KEEP-NEXT: fpga.v_wr DRAM[14]
