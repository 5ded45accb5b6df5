// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 -split-input-file %s | FileCheck %s
// Per-layer formats: fpga.program gets a format table of [weight, input]
// pairs (entry 0 = the target's, then each new pair in program order),
// pinned matrices name their entry (format_index; 0 is the default and not
// printed), and the MFMT scalar register is written before a layer's
// m_rd / product chain only when its entry differs from the current value
// (reset 0). With keep-intermediates, every computing op records the DRAM
// tensor it produced (fpga.tensor_record, located at its ONNX node);
// lower-onchip.mlir shows the same layers without it.

// tiny (msfp15 x msfp15). fc1 and fc2: mxfp4 x mxfp4 (entry 1), fc3: no
// formats of its own (entry 0), fc4: mxfp4 weights x mxfp8_e4m3 inputs
// (entry 2; both block 32, element types may differ).
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x3xf32> {onnx.name = "y"}) {
    %w1 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<8x4xf32>} : tensor<8x4xf32, #fpga.format<"mxfp4">>
    %0 = fpga.linear %x, %w1 {activation = #fpga<activation relu>, tile_grid = array<i64: 1, 1>, weight_format = #fpga.format<"mxfp4">, input_format = #fpga.format<"mxfp4">} : (tensor<1x4xf32>, tensor<8x4xf32, #fpga.format<"mxfp4">>) -> tensor<1x8xf32> loc("fc1")
    %w2 = fpga.weights {mrf_tile = 1 : i64, value = dense<0.5> : tensor<6x8xf32>} : tensor<6x8xf32, #fpga.format<"mxfp4">>
    %1 = fpga.linear %0, %w2 {tile_grid = array<i64: 1, 1>, weight_format = #fpga.format<"mxfp4">, input_format = #fpga.format<"mxfp4">} : (tensor<1x8xf32>, tensor<6x8xf32, #fpga.format<"mxfp4">>) -> tensor<1x6xf32> loc("fc2")
    %w3 = fpga.weights {mrf_tile = 2 : i64, value = dense<0.25> : tensor<5x6xf32>} : tensor<5x6xf32, #fpga.format<"msfp15">>
    %2 = fpga.linear %1, %w3 {tile_grid = array<i64: 1, 1>} : (tensor<1x6xf32>, tensor<5x6xf32, #fpga.format<"msfp15">>) -> tensor<1x5xf32> loc("fc3")
    %w4 = fpga.weights {mrf_tile = 3 : i64, value = dense<2.0> : tensor<3x5xf32>} : tensor<3x5xf32, #fpga.format<"mxfp4">>
    %3 = fpga.linear %2, %w4 {tile_grid = array<i64: 1, 1>, weight_format = #fpga.format<"mxfp4">, input_format = #fpga.format<"mxfp8_e4m3">} : (tensor<1x5xf32>, tensor<3x5xf32, #fpga.format<"mxfp4">>) -> tensor<1x3xf32> loc("fc4")
    return %3 : tensor<1x3xf32>
  }
}

// DRAM: x [1,4] at 0, y [1,3] at 4, fc1's [1,8] at 7, fc2's [1,6] at 15,
// fc3's [1,5] at 21: 26 elements.
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 26 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">], [#fpga.format<"mxfp4">, #fpga.format<"mxfp4">], [#fpga.format<"mxfp4">, #fpga.format<"mxfp8_e4m3">]]} {
// Declarations: the pinned matrices in layer order, then the records of the
// tensors the layers produced, in layer order (fc4 writes y in place).
// CHECK:      fpga.pinned_matrix tile 0 grid 1 x 1 {format_index = 1 : i64, value = dense<1.000000e+00> : tensor<8x4xf32>}
// CHECK-NEXT: fpga.pinned_matrix tile 1 grid 1 x 1 {format_index = 1 : i64, value = dense<5.000000e-01> : tensor<6x8xf32>}
// CHECK-NEXT: fpga.pinned_matrix tile 2 grid 1 x 1 {value = dense<2.500000e-01> : tensor<5x6xf32>}
// CHECK-NEXT: fpga.pinned_matrix tile 3 grid 1 x 1 {format_index = 2 : i64, value = dense<2.000000e+00> : tensor<3x5xf32>}
// CHECK-NEXT: fpga.tensor_record shape [1, 8] at 7
// CHECK-NEXT: fpga.tensor_record shape [1, 6] at 15
// CHECK-NEXT: fpga.tensor_record shape [1, 5] at 21
// CHECK-NEXT: fpga.tensor_record shape [1, 3] at 4
// CHECK-NOT:  fpga.tensor_record
// fc1: MFMT 0 -> 1 before its product chain.
// CHECK:      fpga.s_wr MFMT, 1
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// fc2 uses the same entry: no MFMT write.
// CHECK-NOT:  "MFMT"
// CHECK:        fpga.mv_mul 1
// CHECK-NOT:  "MFMT"
// fc3: back to the target's entry.
// CHECK:      fpga.s_wr MFMT, 0
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 2
// CHECK:      fpga.s_wr MFMT, 2
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 3
// CHECK-NOT:  "MFMT"

// The records carry the producing node's location.
// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 --mlir-print-debuginfo -split-input-file %s | FileCheck %s --check-prefix=LOC
// LOC-DAG: fpga.tensor_record shape [1, 8] at 7 loc(#[[FC1:loc[0-9]*]])
// LOC-DAG: fpga.tensor_record shape [1, 3] at 4 loc(#[[FC4:loc[0-9]*]])
// LOC-DAG: #[[FC1]] = loc("fc1")
// LOC-DAG: #[[FC4]] = loc("fc4")

// -----

// A run-time matrix: m_rd rounds it into the weight format of MFMT's entry,
// so MFMT is set before the m_rd; the product chains that follow use the same
// entry and need no further write.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<2x20xf32> {onnx.name = "A"}, %c: tensor<5x20xf32> {onnx.name = "C"}) -> (tensor<2x5xf32> {onnx.name = "y"}) {
    %0 = fpga.linear %a, %c {tile_grid = array<i64: 1, 2>, weight_format = #fpga.format<"mxint8">, input_format = #fpga.format<"mxint8">} : (tensor<2x20xf32>, tensor<5x20xf32>) -> tensor<2x5xf32> loc("mm")
    return %0 : tensor<2x5xf32>
  }
}

// CHECK-LABEL: fpga.program @main attributes {dram_elements = 150 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">], [#fpga.format<"mxint8">, #fpga.format<"mxint8">]]} {
// CHECK:      fpga.tensor_record shape [2, 5] at 140
// CHECK:      fpga.s_wr MFMT, 1
// CHECK-NEXT: fpga.m_rd dram[40] to tile 0
// CHECK-NOT:  "MFMT"
// CHECK:      fpga.mv_mul 0
// CHECK-NOT:  "MFMT"
// CHECK:      fpga.mv_mul 0
// CHECK-NOT:  "MFMT"
