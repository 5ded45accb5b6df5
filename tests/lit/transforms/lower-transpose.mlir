// RUN: npu-opt --fpga-lower-to-isa --split-input-file %s | FileCheck %s
// A 2-D transpose [2, 3] -> [3, 2]: three result rows of 2 elements, each
// read from the operand with stride 3 (the operand's row length). With more
// than two rows, one loop walks them: row i reads from 0 + i x RD_STEP (1)
// and writes to 6 + i x WR_STEP (2).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
    %t = fpga.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    return %t : tensor<3x2xf32>
  }
}
// CHECK: fpga.input "input0" shape [2, 3] at 0
// CHECK: fpga.output "output0" shape [3, 2] at 6
// CHECK: fpga.s_wr RD_LEN, 2
// CHECK: fpga.s_wr RD_STRIDE, 3
// CHECK: fpga.s_wr RD_STEP, 1
// CHECK: fpga.s_wr WR_STEP, 2
// CHECK: fpga.loop 3 {
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT: fpga.v_rd DRAM[0] {iter}
// CHECK-NEXT: fpga.v_wr DRAM[6] {iter}

// -----

// Other ranks (and two rows or fewer): one copy chain per result row. [2, 1, 3]
// -> [3, 1, 2] (perm 2, 1, 0): rows of 2 read with stride 3.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x1x3xf32>) -> tensor<3x1x2xf32> {
    %t = fpga.transpose %x {perm = array<i64: 2, 1, 0>} : (tensor<2x1x3xf32>) -> tensor<3x1x2xf32>
    return %t : tensor<3x1x2xf32>
  }
}
// CHECK-NOT: fpga.loop
// CHECK: fpga.s_wr RD_STRIDE, 3
// CHECK: fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr DRAM[6]
// CHECK: fpga.v_rd DRAM[1]
// CHECK-NEXT: fpga.v_wr DRAM[8]
// CHECK: fpga.v_rd DRAM[2]
// CHECK-NEXT: fpga.v_wr DRAM[10]
