// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// WR_LEN only affects v_wr to DRAM (Isa.def): staging chains that write a
// VRF do not state it, so after fpga-elide-scalar-writes a multi-row linear
// writes WR_LEN once.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4x16xf32> {onnx.name = "x"}) -> (tensor<4x16xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w {tile_grid = array<i64: 1, 1>} : (tensor<4x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<4x16xf32>
    return %0 : tensor<4x16xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:     fpga.s_wr WR_LEN, 16
// CHECK-NOT: fpga.s_wr WR_LEN
// CHECK:     fpga.v_wr DRAM[112]
