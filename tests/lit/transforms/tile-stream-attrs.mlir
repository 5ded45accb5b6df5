// RUN: npu-opt --fpga-tile %s 2>/dev/null | FileCheck %s
// The attributes fpga-tile leaves for the lowering, declared in ODS: the
// module's fpga.mrf_scratch [first tile, tiles per buffer, buffers] and a
// streamed matrix's panel_rows (tiny: 272 x 256 weights, 272 tiles, do not
// fit its 256; two buffers of 128 tiles, panels of 128 / 16 = 8 tile rows).

// CHECK: module attributes {fpga.mrf_scratch = array<i64: 0, 128, 2>
// CHECK: fpga.weights {mrf_tile = 0 : i64, panel_rows = 8 : i64, streamed, value =
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @streamed(%x: tensor<1x256xf32>) -> tensor<1x272xf32> {
    %w = fpga.weights {value = dense<1.0> : tensor<272x256xf32>} : tensor<272x256xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w : (tensor<1x256xf32>, tensor<272x256xf32, #fpga.format<"msfp15">>) -> tensor<1x272xf32>
    return %0 : tensor<1x272xf32>
  }
}
