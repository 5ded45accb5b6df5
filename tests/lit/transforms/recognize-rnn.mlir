// RUN: npu-opt --onnx-recognize-rnn %s | FileCheck %s
// onnx-recognize-rnn: recurrences written out step by step become one
// onnx.LSTM / onnx.GRU with W, R, B in ONNX gate order (T = 2, B = 1, I = 1,
// H = 1, so every gate's weight is one number and the reordering is visible).

// LSTM with gates fused in PyTorch order (i, f, g, o) and cut by Split; x_t by
// Slice + Squeeze; zero initial state; operands of Mul / Add in either order.
// Outputs: Y stacked by Unsqueeze + Concat ([T, B, H]), the last h and c.
// CHECK-LABEL: func.func @lstm_split
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x1xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[}}1.000000e+00], [4.000000e+00], [2.000000e+00], [3.000000e+00]]]> : tensor<1x4x1xf32>}
// CHECK-DAG: %[[R:.*]] = onnx.Constant {value = dense<{{\[\[\[}}5.000000e+00], [8.000000e+00], [6.000000e+00], [7.000000e+00]]]> : tensor<1x4x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<{{\[\[}}9.000000e+00, 1.200000e+01, 1.000000e+01, 1.100000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x8xf32>}
// CHECK: %[[Y:.*]], %[[YH:.*]], %[[YC:.*]] = "onnx.LSTM"(%[[X]], %[[W]], %[[R]], %[[B]])
// CHECK-SAME: hidden_size = 1 : i64
// CHECK-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 1, 1>
// CHECK-SAME: -> (tensor<2x1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>)
// CHECK: %[[YR:.*]] = onnx.Reshape %[[Y]], %{{.*}} : (tensor<2x1x1x1xf32>, tensor<3xi64>) -> tensor<2x1x1xf32>
// CHECK: %[[HR:.*]] = onnx.Reshape %[[YH]], %{{.*}} : (tensor<1x1x1xf32>, tensor<2xi64>) -> tensor<1x1xf32>
// CHECK: %[[CR:.*]] = onnx.Reshape %[[YC]], %{{.*}} : (tensor<1x1x1xf32>, tensor<2xi64>) -> tensor<1x1xf32>
// CHECK-NOT: onnx.Mul
// CHECK-NOT: onnx.Sigmoid
// CHECK-NOT: onnx.Slice
// CHECK: return %[[YR]], %[[HR]], %[[CR]]
func.func @lstm_split(%x: tensor<2x1x1xf32>) -> (tensor<2x1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = onnx.Constant {value = dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %rh = onnx.Constant {value = dense<[[5.0, 6.0, 7.0, 8.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %b = onnx.Constant {value = dense<[9.0, 10.0, 11.0, 12.0]> : tensor<4xf32>} : tensor<4xf32>
  %zero = onnx.Constant {value = dense<0.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %c0 = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %c1 = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %c2 = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %xs0 = onnx.Slice %x, %c0, %c1 axes %c0 : (tensor<2x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %x0 = onnx.Squeeze %xs0, %c0 : (tensor<1x1x1xf32>, tensor<1xi64>) -> tensor<1x1xf32>
  %xw0 = onnx.MatMul %x0, %wx : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %hr0 = onnx.MatMul %zero, %rh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s0 = onnx.Add %xw0, %hr0 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g0 = onnx.Add %s0, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %p0:4 = onnx.Split %g0 {axis = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i0 = onnx.Sigmoid %p0#0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %f0 = onnx.Sigmoid %p0#1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %gg0 = onnx.Tanh %p0#2 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %o0 = onnx.Sigmoid %p0#3 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %fc0 = onnx.Mul %f0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ig0 = onnx.Mul %gg0, %i0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c_0 = onnx.Add %ig0, %fc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tc0 = onnx.Tanh %c_0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %h0 = onnx.Mul %tc0, %o0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %xs1 = onnx.Slice %x, %c1, %c2 axes %c0 : (tensor<2x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %x1 = onnx.Squeeze %xs1, %c0 : (tensor<1x1x1xf32>, tensor<1xi64>) -> tensor<1x1xf32>
  %xw1 = onnx.MatMul %x1, %wx : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %hr1 = onnx.MatMul %h0, %rh : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s1 = onnx.Add %xw1, %hr1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %g1 = onnx.Add %s1, %b : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %p1:4 = onnx.Split %g1 {axis = 1 : i64} : (tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>)
  %i1 = onnx.Sigmoid %p1#0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %f1 = onnx.Sigmoid %p1#1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %gg1 = onnx.Tanh %p1#2 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %o1 = onnx.Sigmoid %p1#3 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %fc1 = onnx.Mul %f1, %c_0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ig1 = onnx.Mul %gg1, %i1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c_1 = onnx.Add %ig1, %fc1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tc1 = onnx.Tanh %c_1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %h1 = onnx.Mul %tc1, %o1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %u0 = onnx.Unsqueeze %h0, %c0 : (tensor<1x1xf32>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %u1 = onnx.Unsqueeze %h1, %c0 : (tensor<1x1xf32>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %y = onnx.Concat %u0, %u1 {axis = 0 : i64} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<2x1x1xf32>
  return %y, %h1, %c_1 : tensor<2x1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>
}

// GRU, linear_before_reset 0, one MatMul / Add per gate; x_t by Gather; the
// initial state is a graph input (-> initial_h); h = h~ + z * (h_prev - h~).
// Only the last h is used: Y_h alone.
// CHECK-LABEL: func.func @gru_per_gate
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x1xf32>, %[[H0:.*]]: tensor<1x1xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[}}1.000000e+00], [2.000000e+00], [3.000000e+00]]]> : tensor<1x3x1xf32>}
// CHECK-DAG: %[[R:.*]] = onnx.Constant {value = dense<{{\[\[\[}}4.000000e+00], [5.000000e+00], [6.000000e+00]]]> : tensor<1x3x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<{{\[\[}}7.000000e+00, 8.000000e+00, 9.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x6xf32>}
// CHECK-DAG: %[[INIT:.*]] = onnx.Reshape %[[H0]], %{{.*}} : (tensor<1x1xf32>, tensor<3xi64>) -> tensor<1x1x1xf32>
// CHECK: %[[YH:.*]] = "onnx.GRU"(%[[X]], %[[W]], %[[R]], %[[B]], %[[INIT]])
// CHECK-SAME: hidden_size = 1 : i64
// CHECK-SAME: linear_before_reset = 0 : i64
// CHECK-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1>, resultSegmentSizes = array<i32: 0, 1>
// CHECK: %[[H:.*]] = onnx.Reshape %[[YH]], %{{.*}} : (tensor<1x1x1xf32>, tensor<2xi64>) -> tensor<1x1xf32>
// CHECK-NOT: onnx.Gather
// CHECK-NOT: onnx.Sub
// CHECK: return %[[H]]
func.func @gru_per_gate(%x: tensor<2x1x1xf32>, %h0: tensor<1x1xf32>) -> tensor<1x1xf32> {
  %wz = onnx.Constant {value = dense<1.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %wr = onnx.Constant {value = dense<2.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %wh = onnx.Constant {value = dense<3.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %rz = onnx.Constant {value = dense<4.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %rr = onnx.Constant {value = dense<5.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %rh = onnx.Constant {value = dense<6.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %bz = onnx.Constant {value = dense<7.0> : tensor<1xf32>} : tensor<1xf32>
  %br = onnx.Constant {value = dense<8.0> : tensor<1xf32>} : tensor<1xf32>
  %bh = onnx.Constant {value = dense<9.0> : tensor<1xf32>} : tensor<1xf32>
  %t0 = onnx.Constant {value = dense<0> : tensor<i64>} : tensor<i64>
  %t1 = onnx.Constant {value = dense<-1> : tensor<i64>} : tensor<i64>
  // step 0
  %x0 = onnx.Gather %x, %t0 {axis = 0 : i64} : (tensor<2x1x1xf32>, tensor<i64>) -> tensor<1x1xf32>
  %xz0 = onnx.MatMul %x0, %wz : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hz0 = onnx.MatMul %h0, %rz : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sz0 = onnx.Add %xz0, %hz0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pz0 = onnx.Add %bz, %sz0 : (tensor<1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %z0 = onnx.Sigmoid %pz0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xr0 = onnx.MatMul %x0, %wr : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hr0 = onnx.MatMul %h0, %rr : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sr0 = onnx.Add %hr0, %xr0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pr0 = onnx.Add %sr0, %br : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %r0 = onnx.Sigmoid %pr0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %rh0 = onnx.Mul %h0, %r0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %xh0 = onnx.MatMul %x0, %wh : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hh0_ = onnx.MatMul %rh0, %rh : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sh0 = onnx.Add %xh0, %hh0_ : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ph0 = onnx.Add %sh0, %bh : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hh0 = onnx.Tanh %ph0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %d0 = onnx.Sub %h0, %hh0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %zd0 = onnx.Mul %z0, %d0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h1 = onnx.Add %hh0, %zd0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // step 1 (Gather index -1: the last timestep)
  %x1 = onnx.Gather %x, %t1 {axis = 0 : i64} : (tensor<2x1x1xf32>, tensor<i64>) -> tensor<1x1xf32>
  %xz1 = onnx.MatMul %x1, %wz : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hz1 = onnx.MatMul %h1, %rz : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sz1 = onnx.Add %xz1, %hz1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pz1 = onnx.Add %bz, %sz1 : (tensor<1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %z1 = onnx.Sigmoid %pz1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xr1 = onnx.MatMul %x1, %wr : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hr1 = onnx.MatMul %h1, %rr : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sr1 = onnx.Add %hr1, %xr1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pr1 = onnx.Add %sr1, %br : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %r1 = onnx.Sigmoid %pr1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %rh1 = onnx.Mul %h1, %r1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %xh1 = onnx.MatMul %x1, %wh : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hh1_ = onnx.MatMul %rh1, %rh : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %sh1 = onnx.Add %xh1, %hh1_ : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ph1 = onnx.Add %sh1, %bh : (tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hh1 = onnx.Tanh %ph1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %d1 = onnx.Sub %h1, %hh1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %zd1 = onnx.Mul %z1, %d1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h2 = onnx.Add %hh1, %zd1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}

// GRU, linear_before_reset 1: x W + bx by MatMul + Add and h R + bh by Gemm
// (transB) over all three gates, cut by Slice on the last axis; z and r share
// one Sigmoid that is sliced afterwards; h~ = Tanh(r * (h R + bh)_h + (x W + bx)_h);
// h = z * h_prev + (1 - z) * h~. bh of the h gate goes to Rbh, the rest to Wb.
// Y stacked from Reshape views [1, 1, B, H]: the GRU's Y as it is.
// CHECK-LABEL: func.func @gru_linear_before_reset
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x1xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[}}1.000000e+00], [2.000000e+00], [3.000000e+00]]]> : tensor<1x3x1xf32>}
// CHECK-DAG: %[[R:.*]] = onnx.Constant {value = dense<{{\[\[\[}}4.000000e+00], [5.000000e+00], [6.000000e+00]]]> : tensor<1x3x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<{{\[\[}}1.700000e+01, 1.900000e+01, 9.000000e+00, 0.000000e+00, 0.000000e+00, 1.200000e+01]]> : tensor<1x6xf32>}
// CHECK: %[[Y:.*]] = "onnx.GRU"(%[[X]], %[[W]], %[[R]], %[[B]])
// CHECK-SAME: linear_before_reset = 1 : i64
// CHECK-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>, resultSegmentSizes = array<i32: 1, 0>
// CHECK-SAME: -> tensor<2x1x1x1xf32>
// CHECK-NOT: onnx.Gemm
// CHECK-NOT: onnx.Concat
// CHECK: return %[[Y]]
func.func @gru_linear_before_reset(%x: tensor<2x1x1xf32>) -> tensor<2x1x1x1xf32> {
  %wx = onnx.Constant {value = dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>} : tensor<1x3xf32>
  %rt = onnx.Constant {value = dense<[[4.0], [5.0], [6.0]]> : tensor<3x1xf32>} : tensor<3x1xf32>
  %bx = onnx.Constant {value = dense<[7.0, 8.0, 9.0]> : tensor<3xf32>} : tensor<3xf32>
  %bh = onnx.Constant {value = dense<[[10.0, 11.0, 12.0]]> : tensor<1x3xf32>} : tensor<1x3xf32>
  %zero = onnx.Constant {value = dense<0.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %one = onnx.Constant {value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  %c0 = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %c1 = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %c2 = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %c3 = onnx.Constant {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %last = onnx.Constant {value = dense<-1> : tensor<1xi64>} : tensor<1xi64>
  %xshape = onnx.Constant {value = dense<[1, 1]> : tensor<2xi64>} : tensor<2xi64>
  %yshape = onnx.Constant {value = dense<[1, 1, 1, 1]> : tensor<4xi64>} : tensor<4xi64>
  // step 0
  %xs0 = onnx.Slice %x, %c0, %c1 axes %c0 : (tensor<2x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %x0 = onnx.Reshape %xs0, %xshape : (tensor<1x1x1xf32>, tensor<2xi64>) -> tensor<1x1xf32>
  %xm0 = onnx.MatMul %x0, %wx : (tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %xg0 = onnx.Add %xm0, %bx : (tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %hg0 = onnx.Gemm %zero, %rt, %bh {transB = 1 : i64} : (tensor<1x1xf32>, tensor<3x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %xzr0 = onnx.Slice %xg0, %c0, %c2 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2xf32>
  %hzr0 = onnx.Slice %hg0, %c0, %c2 axes %last : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2xf32>
  %pzr0 = onnx.Add %xzr0, %hzr0 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %zr0 = onnx.Sigmoid %pzr0 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %z0 = onnx.Slice %zr0, %c0, %c1 axes %c1 : (tensor<1x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %r0 = onnx.Slice %zr0, %c1, %c2 axes %c1 : (tensor<1x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %xh0 = onnx.Slice %xg0, %c2, %c3 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %hh0_ = onnx.Slice %hg0, %c2, %c3 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %gated0 = onnx.Mul %hh0_, %r0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ph0 = onnx.Add %gated0, %xh0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hh0 = onnx.Tanh %ph0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %old0 = onnx.Mul %z0, %zero : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %keep0 = onnx.Sub %one, %z0 : (tensor<1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %new0 = onnx.Mul %keep0, %hh0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h1 = onnx.Add %old0, %new0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // step 1
  %xs1 = onnx.Slice %x, %c1, %c2 axes %c0 : (tensor<2x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
  %x1 = onnx.Reshape %xs1, %xshape : (tensor<1x1x1xf32>, tensor<2xi64>) -> tensor<1x1xf32>
  %xm1 = onnx.MatMul %x1, %wx : (tensor<1x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %xg1 = onnx.Add %xm1, %bx : (tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %hg1 = onnx.Gemm %h1, %rt, %bh {transB = 1 : i64} : (tensor<1x1xf32>, tensor<3x1xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %xzr1 = onnx.Slice %xg1, %c0, %c2 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2xf32>
  %hzr1 = onnx.Slice %hg1, %c0, %c2 axes %last : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x2xf32>
  %pzr1 = onnx.Add %xzr1, %hzr1 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %zr1 = onnx.Sigmoid %pzr1 : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %z1 = onnx.Slice %zr1, %c0, %c1 axes %c1 : (tensor<1x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %r1 = onnx.Slice %zr1, %c1, %c2 axes %c1 : (tensor<1x2xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %xh1 = onnx.Slice %xg1, %c2, %c3 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %hh1_ = onnx.Slice %hg1, %c2, %c3 axes %c1 : (tensor<1x3xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1xf32>
  %gated1 = onnx.Mul %hh1_, %r1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ph1 = onnx.Add %gated1, %xh1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %hh1 = onnx.Tanh %ph1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %old1 = onnx.Mul %z1, %h1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %keep1 = onnx.Sub %one, %z1 : (tensor<1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %new1 = onnx.Mul %keep1, %hh1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h2 = onnx.Add %old1, %new1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %v0 = onnx.Reshape %h1, %yshape : (tensor<1x1xf32>, tensor<4xi64>) -> tensor<1x1x1x1xf32>
  %v1 = onnx.Reshape %h2, %yshape : (tensor<1x1xf32>, tensor<4xi64>) -> tensor<1x1x1x1xf32>
  %y = onnx.Concat %v0, %v1 {axis = 0 : i64} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<2x1x1x1xf32>
  return %y : tensor<2x1x1x1xf32>
}

// LSTM with one Gemm (transB, bias) and one MatMul per gate; x_t by Split of X
// on axis 0 + Squeeze; a constant initial h (-> a constant initial_h) and a
// graph input initial c (-> initial_c); Y as the plain Concat of the h's
// ([T * B, H]).
// CHECK-LABEL: func.func @lstm_gemm_per_gate
// CHECK-SAME: (%[[X:.*]]: tensor<2x1x1xf32>, %[[C0:.*]]: tensor<1x1xf32>)
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[}}1.000000e+00], [4.000000e+00], [2.000000e+00], [3.000000e+00]]]> : tensor<1x4x1xf32>}
// CHECK-DAG: %[[R:.*]] = onnx.Constant {value = dense<{{\[\[\[}}5.000000e+00], [8.000000e+00], [6.000000e+00], [7.000000e+00]]]> : tensor<1x4x1xf32>}
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<{{\[\[}}9.000000e+00, 1.200000e+01, 1.000000e+01, 1.100000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<1x8xf32>}
// CHECK-DAG: %[[H0:.*]] = onnx.Constant {value = dense<5.000000e-01> : tensor<1x1x1xf32>}
// CHECK-DAG: %[[IC:.*]] = onnx.Reshape %[[C0]], %{{.*}} : (tensor<1x1xf32>, tensor<3xi64>) -> tensor<1x1x1xf32>
// CHECK: %[[Y:.*]] = "onnx.LSTM"(%[[X]], %[[W]], %[[R]], %[[B]], %[[H0]], %[[IC]])
// CHECK-SAME: operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 1, 0>, resultSegmentSizes = array<i32: 1, 0, 0>
// CHECK: %[[YR:.*]] = onnx.Reshape %[[Y]], %{{.*}} : (tensor<2x1x1x1xf32>, tensor<2xi64>) -> tensor<2x1xf32>
// CHECK-NOT: onnx.Gemm
// CHECK: return %[[YR]]
func.func @lstm_gemm_per_gate(%x: tensor<2x1x1xf32>, %c0: tensor<1x1xf32>) -> tensor<2x1xf32> {
  %wi = onnx.Constant {value = dense<1.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %wf = onnx.Constant {value = dense<2.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %wg = onnx.Constant {value = dense<3.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %wo = onnx.Constant {value = dense<4.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %ri = onnx.Constant {value = dense<5.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %rf = onnx.Constant {value = dense<6.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %rg = onnx.Constant {value = dense<7.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %ro = onnx.Constant {value = dense<8.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %bi = onnx.Constant {value = dense<9.0> : tensor<1xf32>} : tensor<1xf32>
  %bf = onnx.Constant {value = dense<10.0> : tensor<1xf32>} : tensor<1xf32>
  %bg = onnx.Constant {value = dense<11.0> : tensor<1xf32>} : tensor<1xf32>
  %bo = onnx.Constant {value = dense<12.0> : tensor<1xf32>} : tensor<1xf32>
  %hinit = onnx.Constant {value = dense<0.5> : tensor<1x1xf32>} : tensor<1x1xf32>
  %axis0 = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %xs:2 = onnx.Split %x {axis = 0 : i64} : (tensor<2x1x1xf32>) -> (tensor<1x1x1xf32>, tensor<1x1x1xf32>)
  // step 0
  %x0 = onnx.Squeeze %xs#0, %axis0 : (tensor<1x1x1xf32>, tensor<1xi64>) -> tensor<1x1xf32>
  %xi0 = onnx.Gemm %x0, %wi, %bi {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hi0 = onnx.MatMul %hinit, %ri : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pi0 = onnx.Add %hi0, %xi0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %i0 = onnx.Sigmoid %pi0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xf0 = onnx.Gemm %x0, %wf, %bf {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hf0 = onnx.MatMul %hinit, %rf : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pf0 = onnx.Add %hf0, %xf0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %f0 = onnx.Sigmoid %pf0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xg0 = onnx.Gemm %x0, %wg, %bg {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hg0 = onnx.MatMul %hinit, %rg : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pg0 = onnx.Add %hg0, %xg0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %g0 = onnx.Tanh %pg0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xo0 = onnx.Gemm %x0, %wo, %bo {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %ho0 = onnx.MatMul %hinit, %ro : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %po0 = onnx.Add %ho0, %xo0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %o0 = onnx.Sigmoid %po0 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %fc0 = onnx.Mul %c0, %f0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ig0 = onnx.Mul %i0, %g0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c1 = onnx.Add %fc0, %ig0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tc0 = onnx.Tanh %c1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %h1 = onnx.Mul %o0, %tc0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  // step 1
  %x1 = onnx.Squeeze %xs#1, %axis0 : (tensor<1x1x1xf32>, tensor<1xi64>) -> tensor<1x1xf32>
  %xi1 = onnx.Gemm %x1, %wi, %bi {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hi1 = onnx.MatMul %h1, %ri : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pi1 = onnx.Add %hi1, %xi1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %i1 = onnx.Sigmoid %pi1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xf1 = onnx.Gemm %x1, %wf, %bf {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hf1 = onnx.MatMul %h1, %rf : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pf1 = onnx.Add %hf1, %xf1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %f1 = onnx.Sigmoid %pf1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xg1 = onnx.Gemm %x1, %wg, %bg {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %hg1 = onnx.MatMul %h1, %rg : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %pg1 = onnx.Add %hg1, %xg1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %g1 = onnx.Tanh %pg1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %xo1 = onnx.Gemm %x1, %wo, %bo {transB = 1 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  %ho1 = onnx.MatMul %h1, %ro : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %po1 = onnx.Add %ho1, %xo1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %o1 = onnx.Sigmoid %po1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %fc1 = onnx.Mul %c1, %f1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %ig1 = onnx.Mul %i1, %g1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %c2 = onnx.Add %fc1, %ig1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %tc1 = onnx.Tanh %c2 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %h2 = onnx.Mul %o1, %tc1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %y = onnx.Concat %h1, %h2 {axis = 0 : i64} : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}
