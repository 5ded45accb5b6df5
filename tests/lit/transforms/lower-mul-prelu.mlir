// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes -split-input-file %s | FileCheck %s
// fpga.mul and fpga.prelu stage their second operand in the MULVRF of the
// MFU whose multiply stage runs them (vv_mul, vv_prelu), as fpga.add stages
// in the ASVRF: equal shapes, one element, or one row against all rows (one
// loop).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<4x10xf32> {onnx.name = "a"}, %b: tensor<4x10xf32> {onnx.name = "b"}) -> (tensor<4x10xf32> {onnx.name = "y"}) {
    %0 = fpga.mul %a, %b : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
    return %0 : tensor<4x10xf32>
  }
}


// Equal shapes: b (40 elements, 3 vectors on N = 16) into the MULVRF, then a * it.
// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.s_wr COLS, 3
// CHECK-NEXT: fpga.s_wr RD_LEN, 40
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[40]
// CHECK-NEXT:   fpga.v_wr MULVRF[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr WR_LEN, 40
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.mfu vv_mul
// CHECK-NEXT:   fpga.v_wr DRAM[80]
// CHECK-NEXT: }

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<6x8xf32> {onnx.name = "x"}, %s: tensor<8xf32> {onnx.name = "s"}) -> (tensor<6x8xf32> {onnx.name = "y"}) {
    %0 = fpga.prelu %x, %s : (tensor<6x8xf32>, tensor<8xf32>) -> tensor<6x8xf32>
    return %0 : tensor<6x8xf32>
  }
}


// A slope per column (a per-channel PRelu of a channels-innermost map):
// staged once, then one loop over the 6 rows.
// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.v_rd DRAM[48]
// CHECK-NEXT: fpga.v_wr MULVRF[0]
// CHECK:      fpga.s_wr RD_STEP, 8
// CHECK-NEXT: fpga.s_wr WR_STEP, 8
// CHECK-NEXT: fpga.loop 6 {
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[0] {iter}
// CHECK-NEXT:     fpga.mfu vv_prelu
// CHECK-NEXT:     fpga.v_wr DRAM[56] {iter}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x8xf32> {onnx.name = "x"}) -> (tensor<2x8xf32> {onnx.name = "y"}) {
    %k = arith.constant dense<1.5> : tensor<1xf32>
    %0 = fpga.mul %x, %k : (tensor<2x8xf32>, tensor<1xf32>) -> tensor<2x8xf32>
    return %0 : tensor<2x8xf32>
  }
}

// One element (a HardSigmoid's alpha): read with RD_STRIDE 0 to fill the
// MULVRF, then one chain over the tensor.
// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.s_wr RD_STRIDE, 0
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[32]
// CHECK-NEXT:   fpga.v_wr MULVRF[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.s_wr RD_STRIDE, 1
// CHECK-NEXT: fpga.s_wr WR_LEN, 16
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.mfu vv_mul
// CHECK-NEXT:   fpga.v_wr DRAM[16]
