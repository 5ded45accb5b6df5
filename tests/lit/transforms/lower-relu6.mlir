// RUN: npu-opt --split-input-file --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// min_ceiling: vv_min by a splat of the ceiling staged at ASVRF 2 x rows, the
// last step of the product's chain; with a bias and a relu it is a Relu6 in
// one chain: vv_add (MFU 0 add/sub), v_relu (MFU 0 activation), vv_min
// (MFU 1 add/sub). A standalone fpga.min is chains of vv_min over the tensor
// (tiny: N = 16, two MFUs).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x20xf32> {onnx.name = "x"}, %b: tensor<3xf32> {onnx.name = "b"}) -> (tensor<2x3xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<3x20xf32>} : tensor<3x20xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w, %b {activation = #fpga<activation relu>, min_ceiling = 6.000000e+00 : f32, tile_grid = array<i64: 1, 2>} : (tensor<2x20xf32>, tensor<3x20xf32, #fpga.format<"msfp15">>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK-DAG: fpga.dram_const at [[CEIL:[0-9]+]] {value = dense<6.000000e+00> : tensor<3xf32>}
// The ceiling into ASVRF[2] (rows = 1) of MFU 1, then the bias into ASVRF[0]
// of MFU 0.
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[[[CEIL]]]
// CHECK-NEXT:   fpga.v_wr ASVRF[2] {mfu = 1 : i64}
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[{{[0-9]+}}]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK-NEXT: }
// CHECK:        fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add{{$}}
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.mfu vv_min[2]
// CHECK-NEXT:   fpga.v_wr DRAM[{{[0-9]+}}]
// CHECK-NEXT: }

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<3x16xf32> {onnx.name = "x"}) -> (tensor<3x16xf32> {onnx.name = "y"}) {
    %c = arith.constant dense<6.000000e+00> : tensor<1xf32>
    %0 = fpga.min %x, %c : (tensor<3x16xf32>, tensor<1xf32>) -> tensor<3x16xf32>
    return %0 : tensor<3x16xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK-DAG: fpga.dram_const at [[C:[0-9]+]] {value = dense<6.000000e+00> : tensor<1xf32>}
// CHECK: fpga.s_wr RD_STRIDE, 0
// CHECK: fpga.v_rd DRAM[[[C]]]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK: fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu vv_min
// CHECK-NEXT: fpga.v_wr DRAM
