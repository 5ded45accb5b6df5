// RUN: npu-opt --fpga-lower-to-isa %s | FileCheck %s
// [2, 3] -> [3, 2]: three result rows of 2 elements, each read from the
// operand with stride 3 (the operand's row length), one copy chain per row.

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
// CHECK: fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr DRAM[6]
// CHECK: fpga.v_rd DRAM[1]
// CHECK-NEXT: fpga.v_wr DRAM[8]
// CHECK: fpga.v_rd DRAM[2]
// CHECK-NEXT: fpga.v_wr DRAM[10]
