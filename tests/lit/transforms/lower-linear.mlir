// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s --implicit-check-not=MFMT
// func.func @main becomes fpga.program @main: graph inputs, then outputs, get
// DRAM element addresses in order; pinned weights become pinned_matrix,
// constants dram_const after the I/O; each row of X is staged into the IVRF
// and run through one mv_mul chain with the bias add and activation (tiny:
// N = 16, 30 x 20 weights are a 2 x 2 tile grid).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x20xf32> {onnx.name = "x"}) -> (tensor<2x30xf32> {onnx.name = "y"}) {
    %b = arith.constant dense<0.5> : tensor<30xf32>
    %w = fpga.weights {mrf_tile = 3 : i64, value = dense<1.0> : tensor<30x20xf32>} : tensor<30x20xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w, %b {activation = #fpga<activation relu>, tile_grid = array<i64: 2, 2>} : (tensor<2x20xf32>, tensor<30x20xf32, #fpga.format<"msfp15">>, tensor<30xf32>) -> tensor<2x30xf32>
    return %0 : tensor<2x30xf32>
  }
}

// x: 40 elements at 0; y: 60 at 40; the bias: 30 at 100. The linear has no
// formats of its own, so the format table is just entry 0, the target's pair
// (tiny: msfp15 x msfp15), the pinned matrix uses entry 0 (format_index 0 is
// the default and not printed) and MFMT keeps its reset value 0 (no s_wr).
// The linear's result is recorded where it lives: y, [2, 30] at 40.
// CHECK-NOT: func.func
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 130 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">]]} {
// CHECK-NEXT: fpga.input "x" shape [2, 20] at 0
// CHECK-NEXT: fpga.output "y" shape [2, 30] at 40
// CHECK-NEXT: fpga.pinned_matrix tile 3 grid 2 x 2 {value = dense<1.000000e+00> : tensor<30x20xf32>}
// CHECK-NEXT: fpga.dram_const at 100 {value = dense<5.000000e-01> : tensor<30xf32>}
// CHECK-NEXT: fpga.tensor_record shape [2, 30] at 40

// The bias (one row, the same for every row of X) is staged once into the
// ASVRF of the MFU that runs vv_add: 30 elements = 2 vectors.
// CHECK-NEXT: fpga.s_wr COLS, 2
// CHECK-NEXT: fpga.s_wr RD_LEN, 30
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[100]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK-NEXT: }

// Row 0 of X: 20 elements into IVRF[0] (still 2 vectors: no COLS write).
// CHECK-NEXT: fpga.s_wr RD_LEN, 20
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr IVRF[0]
// CHECK-NEXT: }
// The product chain: 2 output vectors, 30 elements written to y's row 0.
// CHECK-NEXT: fpga.s_wr ROWS, 2
// CHECK-NEXT: fpga.s_wr WR_LEN, 30
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 3
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[40]
// CHECK-NEXT: }

// Row 1 of X and y, in the second IVRF buffer (2 x COLS = 4 vectors fit), so
// its staging can overlap row 0's product.
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[20]
// CHECK-NEXT:   fpga.v_wr IVRF[2]
// CHECK-NEXT: }
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[2]
// CHECK-NEXT:   fpga.mv_mul 3
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[70]
// CHECK-NEXT: }
// CHECK-NOT: fpga.chain
// CHECK-NOT: fpga.linear
