// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes -split-input-file %s | FileCheck %s
// fpga.concat: per operand, its slab of each result slab (one per index
// before the axis): one loop of copy chains, reading RD_STEP = the operand's
// slab and writing WR_STEP = the result's; two slabs or fewer are plain
// copy chains.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<4x3xf32> {onnx.name = "a"}, %b: tensor<4x2xf32> {onnx.name = "b"}) -> (tensor<4x5xf32> {onnx.name = "y"}) {
    %0 = fpga.concat %a, %b {axis = 1 : i64} : (tensor<4x3xf32>, tensor<4x2xf32>) -> tensor<4x5xf32>
    return %0 : tensor<4x5xf32>
  }
}


// [4, 3] and [4, 2] along the last axis (channels innermost): a at 0, b at 12, y at 20
// (WR_STEP still holds 5 after the first loop).
// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.s_wr RD_STEP, 3
// CHECK-NEXT: fpga.s_wr WR_STEP, 5
// CHECK-NEXT: fpga.loop 4 {
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[0] {iter}
// CHECK-NEXT:     fpga.v_wr DRAM[20] {iter}
// CHECK:      fpga.s_wr RD_STEP, 2
// CHECK-NEXT: fpga.loop 4 {
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[12] {iter}
// CHECK-NEXT:     fpga.v_wr DRAM[23] {iter}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<2x3xf32> {onnx.name = "a"}, %b: tensor<1x3xf32> {onnx.name = "b"}) -> (tensor<3x3xf32> {onnx.name = "y"}) {
    %0 = fpga.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
    return %0 : tensor<3x3xf32>
  }
}

// Along the first axis: one slab each, two copies.
// CHECK-LABEL: fpga.program @main
// CHECK-NOT:  fpga.loop
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr DRAM[9]
// CHECK:      fpga.s_wr RD_LEN, 3
// CHECK-NEXT: fpga.s_wr WR_LEN, 3
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[6]
// CHECK-NEXT:   fpga.v_wr DRAM[15]
