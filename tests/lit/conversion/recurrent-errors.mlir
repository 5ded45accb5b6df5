// RUN: not npu-opt --onnx-to-fpga %s 2>&1 | FileCheck %s
// Attribute values and inputs outside what the NPU runs are refused by name.

// CHECK-DAG: error: {{.*}}node 'clipped' (LSTM): attribute 'clip' is not supported
// CHECK-DAG: error: {{.*}}node 'relu_rnn' (RNN): attribute 'activations' is not supported: only the default activations (Tanh) run on the NPU
// CHECK-DAG: error: {{.*}}node 'peep' (LSTM): input 'P' (peephole weights) is not supported
// CHECK-DAG: error: {{.*}}node 'lens' (GRU): input 'sequence_lens' is supported only as a constant equal to the sequence length (3) for every batch entry
// CHECK-DAG: error: {{.*}}node 'coupled' (LSTM): attribute 'input_forget' = 1 is not supported

func.func @bad(%x: tensor<3x1x2xf32>, %w4: tensor<1x8x2xf32>, %r4: tensor<1x8x2xf32>, %w1: tensor<1x2x2xf32>,
               %r1: tensor<1x2x2xf32>, %p: tensor<1x6xf32>, %w3: tensor<1x6x2xf32>, %r3: tensor<1x6x2xf32>,
               %lens: tensor<1xi32>)
    -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %0 = "onnx.LSTM"(%x, %w4, %r4) <{hidden_size = 2 : i64, clip = 3.0 : f32,
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1, 0>}>
      : (tensor<3x1x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>) -> tensor<1x1x2xf32> loc("clipped")
  %1 = "onnx.RNN"(%x, %w1, %r1) <{hidden_size = 2 : i64, activations = ["Relu"],
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1>}>
      : (tensor<3x1x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x1x2xf32> loc("relu_rnn")
  %2 = "onnx.LSTM"(%x, %w4, %r4, %p) <{hidden_size = 2 : i64,
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 1>, resultSegmentSizes = array<i32: 0, 1, 0>}>
      : (tensor<3x1x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>, tensor<1x6xf32>) -> tensor<1x1x2xf32> loc("peep")
  %3 = "onnx.GRU"(%x, %w3, %r3, %lens) <{hidden_size = 2 : i64,
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0>, resultSegmentSizes = array<i32: 0, 1>}>
      : (tensor<3x1x2xf32>, tensor<1x6x2xf32>, tensor<1x6x2xf32>, tensor<1xi32>) -> tensor<1x1x2xf32> loc("lens")
  %4 = "onnx.LSTM"(%x, %w4, %r4) <{hidden_size = 2 : i64, input_forget = 1 : i64,
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1, 0>}>
      : (tensor<3x1x2xf32>, tensor<1x8x2xf32>, tensor<1x8x2xf32>) -> tensor<1x1x2xf32> loc("coupled")
  return %0, %1, %2, %3, %4 : tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1x1x2xf32>
}
