// RUN: npu-opt --fpga-lower-to-isa %s | FileCheck %s
// Point-wise ops on tensors kept in the IVRF (tiny: N = 16, IVRF 256): a
// residual block h = fc1(x); s = fc2(h) + h; t = relu(s); y = fc3(t). Rows of
// 24 elements take two vectors each, so every chain covers one row: the add
// moves a row of h from the IVRF into the ASVRF and adds it to the row of
// fc2's result read from the IVRF; the activation reads and writes the IVRF.
// No chain touches DRAM between fc1's staging of x and fc3's result.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x16xf32> {onnx.name = "x"}) -> (tensor<2x16xf32> {onnx.name = "y"}) {
    %w1 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<24x16xf32>} : tensor<24x16xf32, #fpga.format<"msfp15">>
    %h = fpga.linear %x, %w1 {tile_grid = array<i64: 2, 1>} : (tensor<2x16xf32>, tensor<24x16xf32, #fpga.format<"msfp15">>) -> tensor<2x24xf32>
    %w2 = fpga.weights {mrf_tile = 2 : i64, value = dense<0.5> : tensor<24x24xf32>} : tensor<24x24xf32, #fpga.format<"msfp15">>
    %r = fpga.linear %h, %w2 {tile_grid = array<i64: 2, 2>} : (tensor<2x24xf32>, tensor<24x24xf32, #fpga.format<"msfp15">>) -> tensor<2x24xf32>
    %s = fpga.add %r, %h : (tensor<2x24xf32>, tensor<2x24xf32>) -> tensor<2x24xf32>
    %t = fpga.activation relu %s : (tensor<2x24xf32>) -> tensor<2x24xf32>
    %w3 = fpga.weights {mrf_tile = 6 : i64, value = dense<0.25> : tensor<16x24xf32>} : tensor<16x24xf32, #fpga.format<"msfp15">>
    %y = fpga.linear %t, %w3 {tile_grid = array<i64: 1, 2>} : (tensor<2x24xf32>, tensor<16x24xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    return %y : tensor<2x16xf32>
  }
}

// Regions: h [252, 256) until the add; r [248, 252); s [244, 248); t takes
// the top again, [252, 256), once h is dead. Nothing in DRAM but x and y.
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 64 : i64
// fc1 writes h's rows at 252 and 254; fc2 reads them there and writes r.
// CHECK:      fpga.v_wr IVRF[252]
// CHECK:      fpga.v_wr IVRF[254]
// CHECK:      fpga.v_rd IVRF[252]
// CHECK-NEXT: fpga.mv_mul 2
// CHECK-NEXT: fpga.v_wr IVRF[248]
// CHECK:      fpga.v_rd IVRF[254]
// CHECK-NEXT: fpga.mv_mul 2
// CHECK-NEXT: fpga.v_wr IVRF[250]
// The add, row 0: h's row to the ASVRF, then r's row + it into s.
// CHECK:      fpga.v_rd IVRF[252]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK:      fpga.v_rd IVRF[248]
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.v_wr IVRF[244]
// Row 1.
// CHECK:      fpga.v_rd IVRF[254]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK:      fpga.v_rd IVRF[250]
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.v_wr IVRF[246]
// The activation, IVRF to IVRF, a row per chain.
// CHECK:      fpga.v_rd IVRF[244]
// CHECK-NEXT: fpga.mfu v_relu
// CHECK-NEXT: fpga.v_wr IVRF[252]
// CHECK:      fpga.v_rd IVRF[246]
// CHECK-NEXT: fpga.mfu v_relu
// CHECK-NEXT: fpga.v_wr IVRF[254]
// fc3 reads t from the IVRF and writes y to DRAM.
// CHECK:      fpga.v_rd IVRF[252]
// CHECK-NEXT: fpga.mv_mul 6
// CHECK-NEXT: fpga.v_wr DRAM[32]
// CHECK:      fpga.v_rd IVRF[254]
// CHECK-NEXT: fpga.mv_mul 6
// CHECK-NEXT: fpga.v_wr DRAM[48]
// CHECK-NOT:  DRAM
