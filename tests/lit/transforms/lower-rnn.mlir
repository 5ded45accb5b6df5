// RUN: npu-opt --fpga-tile --fpga-lower-to-isa %s | FileCheck %s
// A forward LSTM over 5 timesteps with constant weights on tiny (N = 16):
// x (3 elements) and h (4) each take one IVRF vector, so every gate matrix
// [W | R] is a 1 x 2 tile grid, pinned from tile 0. The program loads x_0,
// stages the summed biases with one chain, loads h0 and c0, then loops 4 times
// over a timestep whose DRAM accesses advance with the iteration (iter), and
// ends with the peeled last timestep (absolute addresses) and Y_h.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<5x1x3xf32>) -> tensor<1x1x4xf32> {
    %w = arith.constant dense<0.5> : tensor<1x16x3xf32>
    %r = arith.constant dense<0.25> : tensor<1x16x4xf32>
    %b = arith.constant dense<0.125> : tensor<1x32xf32>
    %y, %yh, %yc = fpga.rnn %x, %w, %r bias %b {cell = #fpga<cell lstm>, hidden_size = 4 : i64}
        : (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>)
        -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
    return %yh : tensor<1x1x4xf32>
  }
}

// Four gate matrices (i, o, f, c), each [W | R] in a 1 x 2 grid: only the
// real elements, W's 3 columns and R's 4, each part from its own tile column.
// CHECK: fpga.pinned_matrix tile 0 grid 1 x 2 parts [3, 4] {value = dense<{{\[}}[5.000000e-01, 5.000000e-01, 5.000000e-01, 2.500000e-01, 2.500000e-01, 2.500000e-01, 2.500000e-01]{{.*}}> : tensor<4x7xf32>}
// CHECK: fpga.pinned_matrix tile 2 grid 1 x 2 parts [3, 4] {value = {{.*}} : tensor<4x7xf32>}
// CHECK: fpga.pinned_matrix tile 4 grid 1 x 2 parts [3, 4] {value = {{.*}} : tensor<4x7xf32>}
// CHECK: fpga.pinned_matrix tile 6 grid 1 x 2 parts [3, 4] {value = {{.*}} : tensor<4x7xf32>}
// Bias table: the four summed gate biases (0.125 + 0.125), one vector each.
// CHECK: fpga.dram_const at [[BIAS:[0-9]+]] {value = dense<{{.*}}2.500000e-01{{.*}}> : tensor<64xf32>}
// x_0 into the IVRF first (the first gate waits for it), then the biases,
// then the loop over timesteps 0 .. 3.
// CHECK: fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.v_wr IVRF[0]
// CHECK: fpga.s_wr COLS, 4
// CHECK: fpga.chain {
// CHECK-NEXT: fpga.v_rd DRAM{{\[}}[[BIAS]]{{\]}}
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK: fpga.loop 4 {
// The next timestep's x is fetched first, into a staging VRF, three elements
// further on each iteration, so its DRAM latency overlaps the gates.
// CHECK: fpga.s_wr RD_STEP, 3
// CHECK: fpga.v_rd DRAM[3] {iter}
// CHECK-NEXT: fpga.v_wr MULVRF{{\[}}[[XN:[0-9]+]]{{\]}}
// Gate i: [x | h] times tiles 0-1, bias, sigmoid.
// CHECK: fpga.chain {
// CHECK-NEXT: fpga.v_rd IVRF[0]
// CHECK-NEXT: fpga.mv_mul 0
// CHECK-NEXT: fpga.mfu vv_add
// CHECK-NEXT: fpga.mfu v_sigm
// After the four gates, the staged x moves into the IVRF.
// CHECK: fpga.v_rd MULVRF{{\[}}[[XN]]{{\]}}
// CHECK-NEXT: fpga.v_wr IVRF[0]
// h_t = o * tanh(i*g + f*c) back into the IVRF.
// CHECK: fpga.mfu vv_add
// CHECK-NEXT: fpga.mfu v_tanh
// CHECK-NEXT: fpga.mfu vv_mul
// CHECK-NEXT: fpga.v_wr IVRF[1]
// CHECK: }
// The peeled last timestep reads no x.
// CHECK-NOT: {iter}
// CHECK: fpga.v_rd IVRF[1]
// CHECK-NEXT: fpga.v_wr DRAM
