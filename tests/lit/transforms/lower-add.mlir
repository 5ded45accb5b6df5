// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes -split-input-file %s | FileCheck %s
// fpga.add: the right operand is staged in the ASVRF, the left one streams
// from DRAM through vv_add. Broadcasting works row by row (rows = the last
// dimension); an operand that broadcasts along the last dimension is read
// with RD_STRIDE 0 (one element repeated).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<3x4xf32> {onnx.name = "a"}, %c: tensor<3x1xf32> {onnx.name = "c"}) -> (tensor<3x4xf32> {onnx.name = "y"}) {
    %0 = fpga.add %a, %c : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
    return %0 : tensor<3x4xf32>
  }
}

// a at 0 (12), c at 12 (3), y at 15. Entry 0 of the format table is the
// target's pair even without matrix products; the add's result is recorded
// where it lives (y).
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 27 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">]]}
// CHECK:      fpga.output "y" shape [3, 4] at 15
// CHECK-NEXT: fpga.tensor_record shape [3, 4] at 15
// Row 0: c[0] repeated 4 times into the ASVRF ...
// CHECK:      fpga.s_wr RD_LEN, 4
// CHECK-NEXT: fpga.s_wr RD_STRIDE, 0
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[12]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK-NEXT: }
// ... then a's row 0 (stride 1) + it, 4 elements to y's row 0.
// CHECK-NEXT: fpga.s_wr RD_STRIDE, 1
// CHECK-NEXT: fpga.s_wr WR_LEN, 4
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.v_wr DRAM[15]
// CHECK-NEXT: }
// CHECK:        fpga.v_rd DRAM[13]
// CHECK:        fpga.v_rd DRAM[4]
// CHECK:        fpga.v_wr DRAM[19]
// CHECK:        fpga.v_rd DRAM[14]
// CHECK:        fpga.v_rd DRAM[8]
// CHECK:        fpga.v_wr DRAM[23]
// CHECK-NOT: fpga.chain

// -----

// The broadcast operand on the left: a [1] scalar read with stride 0 for
// each of the 3 rows; B (the full operand) is staged row by row.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%s: tensor<1xf32> {onnx.name = "s"}, %b: tensor<3x5xf32> {onnx.name = "b"}) -> (tensor<3x5xf32> {onnx.name = "y"}) {
    %0 = fpga.add %s, %b : (tensor<1xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    return %0 : tensor<3x5xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.tensor_record shape [3, 5] at 16
// CHECK:      fpga.v_rd DRAM[1]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK:      fpga.s_wr RD_STRIDE, 0
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.v_wr DRAM[16]
// CHECK:      fpga.v_rd DRAM[6]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK:      fpga.s_wr RD_STRIDE, 0
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.v_wr DRAM[21]
// CHECK:      fpga.v_rd DRAM[11]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.v_wr DRAM[26]

// -----

// [3, 4, 5] + [5]: the same row of B serves every row of A, so it is staged
// only once, and one loop adds it to A's 12 rows (RD_STEP = WR_STEP = 5).
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<3x4x5xf32> {onnx.name = "A"}, %b: tensor<5xf32> {onnx.name = "B"}) -> (tensor<3x4x5xf32> {onnx.name = "y"}) {
    %0 = fpga.add %a, %b : (tensor<3x4x5xf32>, tensor<5xf32>) -> tensor<3x4x5xf32>
    return %0 : tensor<3x4x5xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.v_rd DRAM[60]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr WR_LEN, 5
// CHECK-NEXT: fpga.s_wr RD_STEP, 5
// CHECK-NEXT: fpga.s_wr WR_STEP, 5
// CHECK-NEXT: fpga.loop 12 {
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[0] {iter}
// CHECK-NEXT:     fpga.mfu vv_add
// CHECK-NEXT:     fpga.v_wr DRAM[65] {iter}
// CHECK-NEXT:   }
// CHECK-NEXT: }
// CHECK-NOT:  fpga.chain

// -----

// Equal shapes: one staging chain and one add chain over the flattened
// tensors (40 elements = 3 vectors on N = 16).
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<4x10xf32> {onnx.name = "a"}, %b: tensor<4x10xf32> {onnx.name = "b"}) -> (tensor<4x10xf32> {onnx.name = "y"}) {
    %0 = fpga.add %a, %b : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
    return %0 : tensor<4x10xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.s_wr COLS, 3
// CHECK-NEXT: fpga.s_wr RD_LEN, 40
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[40]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr WR_LEN, 40
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.v_wr DRAM[80]
// CHECK-NEXT: }
// CHECK-NOT: fpga.chain
