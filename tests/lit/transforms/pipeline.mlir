// RUN: npu-opt --npu-pipeline %s | FileCheck %s
// The whole pipeline on imported onnx ops: Gemm + bias + Relu become one
// product chain per row with pinned, rounded weights.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
    %w = onnx.Constant {value = dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.25, 0.0]]> : tensor<2x4xf32>} : tensor<2x4xf32>
    %b = onnx.Constant {value = dense<[0.5, -0.5]> : tensor<2xf32>} : tensor<2xf32>
    %0 = onnx.Gemm %x, %w, %b {transB = 1 : i64, beta = 2.0 : f32} : (tensor<1x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("fc")
    %1 = onnx.Relu %0 : (tensor<1x2xf32>) -> tensor<1x2xf32> loc("relu")
    return %1 : tensor<1x2xf32>
  }
}

// CHECK-NOT: onnx.
// CHECK-NOT: func.func
// tiny's formats are msfp15 x msfp15: the only format table entry.
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 8 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">]]}
// CHECK-NEXT: fpga.input "x" shape [1, 4] at 0
// CHECK-NEXT: fpga.output "y" shape [1, 2] at 4
// The values are exact in msfp15 (E = 2, step 1/8; E = 0, step 1/32).
// CHECK-NEXT: fpga.pinned_matrix tile 0 grid 1 x 1 {value = dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00], [-1.000000e+00, 5.000000e-01, 2.500000e-01, 0.000000e+00]]> : tensor<2x4xf32>}
// beta is folded into the constant bias.
// CHECK-NEXT: fpga.dram_const at 6 {value = dense<[1.000000e+00, -1.000000e+00]> : tensor<2xf32>}
// The fused Gemm + Relu writes y in place: one tensor record, located at the
// fused node names (checked with debug info below).
// CHECK-NEXT: fpga.tensor_record shape [1, 2] at 4
// CHECK-NOT: MFMT
// CHECK:      fpga.v_rd DRAM[6]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr IVRF[0]
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[4]
// CHECK-NEXT: }
// CHECK-NOT: fpga.chain

// RUN: npu-opt --npu-pipeline --mlir-print-debuginfo %s | FileCheck %s --check-prefix=LOC
// LOC: fpga.tensor_record shape [1, 2] at 4 loc(#[[REC:loc[0-9]+]])
// LOC: #[[FC:loc[0-9]+]] = loc("fc")
// LOC-NEXT: #[[RELU:loc[0-9]+]] = loc("relu")
// LOC-NEXT: #[[REC]] = loc(fused[#[[FC]], #[[RELU]]])
