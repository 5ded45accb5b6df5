// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// A linear with the steps fpga-fuse adds after its activation: leaky_alpha
// (vv_prelu by a splat of alpha staged at MULVRF 2 x rows) and max_floor
// (vv_max by a splat of the floor staged at ASVRF rows), after the bias, in
// the product chain itself (tiny: N = 16, two MFUs).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x20xf32> {onnx.name = "x"}, %b: tensor<3xf32> {onnx.name = "b"}) -> (tensor<2x3xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<3x20xf32>} : tensor<3x20xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w, %b {leaky_alpha = 2.500000e-01 : f32, max_floor = -5.000000e-01 : f32, tile_grid = array<i64: 1, 2>} : (tensor<2x20xf32>, tensor<3x20xf32, #fpga.format<"msfp15">>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK-DAG: fpga.dram_const at [[LEAKY:[0-9]+]] {value = dense<2.500000e-01> : tensor<3xf32>}
// CHECK-DAG: fpga.dram_const at [[FLOOR:[0-9]+]] {value = dense<-5.000000e-01> : tensor<3xf32>}
// The leaky alpha into MULVRF[2] (rows = 1) of MFU 0, the floor into
// ASVRF[1] of MFU 1, then the bias into ASVRF[0] of MFU 0.
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[[[LEAKY]]]
// CHECK-NEXT:   fpga.v_wr MULVRF[2]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[[[FLOOR]]]
// CHECK-NEXT:   fpga.v_wr ASVRF[1] {mfu = 1 : i64}
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[40]
// CHECK-NEXT:   fpga.v_wr ASVRF[0]
// CHECK-NEXT: }
// Each row's chain: the product, the bias, the leaky relu, the floor.
// CHECK:        fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add{{$}}
// CHECK-NEXT:   fpga.mfu vv_prelu[2]
// CHECK-NEXT:   fpga.mfu vv_max[1]
// CHECK-NEXT:   fpga.v_wr DRAM[43]
// CHECK-NEXT: }

// Operands that would not fit the MFUs' VRFs are an error, not a wrong
// program (fpga-fuse does not make such a linear).
// RUN: not npu-opt --fpga-lower-to-isa %S/Inputs/epilogue-too-wide.mlir 2>&1 | FileCheck %s --check-prefix=WIDE
// WIDE: the epilogue's operands ({{[0-9]+}} vectors each) do not fit the MFUs' VRFs
