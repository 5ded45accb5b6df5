// RUN: npu-opt --onnx-recognize-rnn %s | FileCheck %s
// Near misses onnx-recognize-rnn must leave exactly as they are (they then
// fail in onnx-to-fpga, naming a node without a lowering).

// The recurrent matrix of step 1 differs from step 0's in one entry: the
// weights are not shared, so this is no LSTM.
// CHECK-LABEL: func.func @different_weights
// CHECK-NOT: onnx.LSTM
// CHECK-COUNT-2: onnx.Split
// CHECK-NOT: onnx.LSTM
// CHECK: return
func.func @different_weights(%x: tensor<2x1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
  %wx = onnx.Constant {value = dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %rh = onnx.Constant {value = dense<[[5.0, 6.0, 7.0, 8.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %b = onnx.Constant {value = dense<[9.0, 10.0, 11.0, 12.0]> : tensor<4xf32>} : tensor<4xf32>
  %zero = onnx.Constant {value = dense<0.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %c0 = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %c1 = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %c2 = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %rh2 = onnx.Constant {value = dense<[[5.0, 6.0, 7.0, 8.5]]> : tensor<1x4xf32>} : tensor<1x4xf32>
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
  %hr1 = onnx.MatMul %h0, %rh2 : (tensor<1x1xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
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
  return %h1, %c_1 : tensor<1x1xf32>, tensor<1x1xf32>
}

// Step 0's h is also a graph output: it would be lost.
// CHECK-LABEL: func.func @intermediate_used
// CHECK-NOT: onnx.LSTM
// CHECK-COUNT-2: onnx.Split
// CHECK-NOT: onnx.LSTM
// CHECK: return
func.func @intermediate_used(%x: tensor<2x1x1xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>) {
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
  return %h0, %h1 : tensor<1x1xf32>, tensor<1x1xf32>
}

// X holds 3 timesteps but only 2 are unrolled: not the LSTM over X.
// CHECK-LABEL: func.func @missing_step
// CHECK-NOT: onnx.LSTM
// CHECK-COUNT-2: onnx.Split
// CHECK-NOT: onnx.LSTM
// CHECK: return
func.func @missing_step(%x: tensor<3x1x1xf32>) -> tensor<1x1xf32> {
  %wx = onnx.Constant {value = dense<[[1.0, 2.0, 3.0, 4.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %rh = onnx.Constant {value = dense<[[5.0, 6.0, 7.0, 8.0]]> : tensor<1x4xf32>} : tensor<1x4xf32>
  %b = onnx.Constant {value = dense<[9.0, 10.0, 11.0, 12.0]> : tensor<4xf32>} : tensor<4xf32>
  %zero = onnx.Constant {value = dense<0.0> : tensor<1x1xf32>} : tensor<1x1xf32>
  %c0 = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %c1 = onnx.Constant {value = dense<1> : tensor<1xi64>} : tensor<1xi64>
  %c2 = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %c3 = onnx.Constant {value = dense<3> : tensor<1xi64>} : tensor<1xi64>
  %xs0 = onnx.Slice %x, %c0, %c1 axes %c0 : (tensor<3x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
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
  %xs1 = onnx.Slice %x, %c1, %c2 axes %c0 : (tensor<3x1x1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x1x1xf32>
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
  return %h1 : tensor<1x1xf32>
}


// A GRU-like cell whose update is h~ + z * (h~ - h_prev), i.e.
// (1 + z) * h~ - z * h_prev: not a GRU.
// CHECK-LABEL: func.func @gru_wrong_update
// CHECK-NOT: onnx.GRU
// CHECK-COUNT-2: onnx.Sub
// CHECK-NOT: onnx.GRU
// CHECK: return
func.func @gru_wrong_update(%x: tensor<2x1x1xf32>, %h0: tensor<1x1xf32>) -> tensor<1x1xf32> {
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
  %d0 = onnx.Sub %hh0, %h0 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
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
  %d1 = onnx.Sub %hh1, %h1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %zd1 = onnx.Mul %z1, %d1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %h2 = onnx.Add %hh1, %zd1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return %h2 : tensor<1x1xf32>
}
