// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// alpha != 1 becomes a vv_mul by a vector of alpha staged in the MULVRF; a
// run-time bias with beta != 1 is multiplied by a vector of beta while it is
// staged into the ASVRF; transpose_x reads each row of X' with RD_STRIDE R.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<20x2xf32> {onnx.name = "x"}, %b: tensor<1x3xf32> {onnx.name = "b"}) -> (tensor<2x3xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<3x20xf32>} : tensor<3x20xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w, %b {alpha = 2.0 : f32, beta = 0.5 : f32, transpose_x = true, activation = #fpga<activation sigmoid>, tile_grid = array<i64: 1, 2>} : (tensor<20x2xf32>, tensor<3x20xf32, #fpga.format<"msfp15">>, tensor<1x3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// x at 0 (40), b at 40 (3), y at 43 (6); then the alpha and beta splats.
// The format table holds only the target's pair (the linear sets none).
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 55 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">]]}
// CHECK-DAG: fpga.dram_const at [[ALPHA:[0-9]+]] {value = dense<2.000000e+00> : tensor<3xf32>}
// CHECK-DAG: fpga.dram_const at [[BETA:[0-9]+]] {value = dense<5.000000e-01> : tensor<3xf32>}
// CHECK-DAG: fpga.tensor_record shape [2, 3] at 43
// alpha into MULVRF[0] of MFU 0 (the MFU of the product chain's vv_mul).
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[[[ALPHA]]]
// CHECK-NEXT:   fpga.v_wr MULVRF[0]
// CHECK-NEXT: }
// beta after it (one vector on), on MFU 0.
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[[[BETA]]]
// CHECK-NEXT:   fpga.v_wr MULVRF[1]
// CHECK-NEXT: }
// b * beta into the ASVRF of MFU 1: vv_mul and vv_add cannot share an MFU in
// the order mul -> add, so the product chain's vv_add runs on MFU 1.
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[40]
// CHECK-NEXT:   fpga.mfu vv_mul[1]
// CHECK-NEXT:   fpga.v_wr ASVRF[0] {mfu = 1 : i64}
// CHECK-NEXT: }
// Column 0 of x, then column 1: 20 elements with stride 2.
// CHECK:      fpga.s_wr RD_STRIDE, 2
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr IVRF[0]
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_mul
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_sigm
// CHECK-NEXT:   fpga.v_wr DRAM[43]
// CHECK:      fpga.v_rd DRAM[1]
// CHECK:      fpga.mv_mul 0
// CHECK:      fpga.v_wr DRAM[46]
