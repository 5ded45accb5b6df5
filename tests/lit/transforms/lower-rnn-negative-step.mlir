// RUN: npu-opt --fpga-tile --fpga-lower-to-isa --fpga-elide-scalar-writes %s 2>/dev/null | FileCheck %s
// A reverse RNN with one input and one hidden element: x_t and Y_t move back
// one element per iteration, so the loop needs RD_STEP = WR_STEP = -1. Both
// are written in the loop body: a step of -1 is a value like any other (the
// lowering's register tracking before fpga-elide-scalar-writes took -1 for
// "unknown" and dropped these writes, so every iteration read the same x and
// wrote the same Y element).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4x1x1xf32>) -> tensor<4x1x1x1xf32> {
    %w = arith.constant dense<0.5> : tensor<1x1x1xf32>
    %r = arith.constant dense<0.25> : tensor<1x1x1xf32>
    %y, %yh = fpga.rnn %x, %w, %r {cell = #fpga<cell rnn>, direction = #fpga<direction reverse>, hidden_size = 1 : i64}
        : (tensor<4x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>)
        -> (tensor<4x1x1x1xf32>, tensor<1x1x1xf32>)
    return %y : tensor<4x1x1x1xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK:      fpga.loop 3 {
// CHECK:        fpga.s_wr RD_STEP, -1
// CHECK-NEXT:   fpga.chain {
// CHECK-NEXT:     fpga.v_rd DRAM[2] {iter}
// CHECK:        fpga.s_wr WR_STEP, -1
// CHECK:        fpga.chain {
// CHECK-NEXT:     fpga.v_rd IVRF[0]
// CHECK-NEXT:     fpga.mv_mul 0
// CHECK:          fpga.v_wr DRAM[7] {iter}
