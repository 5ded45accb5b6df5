// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 %s | FileCheck %s --check-prefix=LOWER
// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 --fpga-elide-scalar-writes %s | FileCheck %s
// fpga-lower-to-isa writes every scalar register each chain needs before it
// (LOWER); fpga-elide-scalar-writes then keeps only the writes that change a
// register, from the reset values (ROWS 1, COLS 1, RD_LEN 0, RD_STRIDE 1,
// WR_LEN 0, MFMT 0). keep-intermediates keeps the product's result in DRAM
// (else the activation would read it from the IVRF), so the chains use all
// the DRAM transfer registers.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4x16xf32> {onnx.name = "x"}) -> (tensor<4x16xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w {tile_grid = array<i64: 1, 1>} : (tensor<4x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<4x16xf32>
    %1 = fpga.activation tanh %0 : (tensor<4x16xf32>) -> tensor<4x16xf32>
    return %1 : tensor<4x16xf32>
  }
}

// LOWER-LABEL: fpga.program @main
// LOWER:      fpga.s_wr COLS, 1
// LOWER-NEXT: fpga.s_wr RD_LEN, 16
// LOWER-NEXT: fpga.s_wr RD_STRIDE, 1
// LOWER-NEXT: fpga.chain {
// LOWER-NEXT:   fpga.v_rd DRAM[0]
// LOWER-NEXT:   fpga.v_wr IVRF[0]
// LOWER-NEXT: }
// LOWER-NEXT: fpga.s_wr ROWS, 1
// LOWER-NEXT: fpga.s_wr COLS, 1
// LOWER-NEXT: fpga.s_wr WR_LEN, 16
// LOWER-NEXT: fpga.s_wr MFMT, 0
// LOWER-NEXT: fpga.chain {
// LOWER-NEXT:   fpga.v_rd IVRF[0]
// LOWER-NEXT:   fpga.mv_mul 0
// LOWER-NEXT:   fpga.v_wr DRAM[128]
// LOWER-NEXT: }
// The next row states the same values again.
// LOWER-NEXT: fpga.s_wr COLS, 1
// LOWER-NEXT: fpga.s_wr RD_LEN, 16
// LOWER-NEXT: fpga.s_wr RD_STRIDE, 1
// LOWER-NEXT: fpga.chain {
// LOWER-NEXT:   fpga.v_rd DRAM[16]

// After the elision:
// 16 x 16 on N = 16: one tile, COLS and ROWS stay 1, never written.
// CHECK-LABEL: fpga.program @main
// CHECK-NOT: "COLS"
// CHECK-NOT: "ROWS"
// Row 0: staging needs RD_LEN 16 (WR_LEN stays 0), the product WR_LEN 16.
// CHECK:      fpga.s_wr RD_LEN, 16
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr IVRF[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr WR_LEN, 16
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.v_wr DRAM[128]
// CHECK-NEXT: }
// Rows 1..3: RD_LEN is still 16 and is not written again (the intermediate
// lives at 128, after y).
// CHECK-NOT: "RD_LEN"
// CHECK:      fpga.v_rd DRAM[16]
// CHECK-NOT: "RD_LEN"
// CHECK:      fpga.v_wr DRAM[144]
// CHECK-NOT: "RD_LEN"
// CHECK:      fpga.v_wr DRAM[176]
// The activation: all 64 elements (4 vectors) in one chain.
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr COLS, 4
// CHECK-NEXT: fpga.s_wr RD_LEN, 64
// CHECK-NEXT: fpga.s_wr WR_LEN, 64
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[128]
// CHECK-NEXT:   fpga.mfu v_tanh
// CHECK-NEXT:   fpga.v_wr DRAM[64]
// CHECK-NEXT: }
// CHECK-NOT: fpga.s_wr
