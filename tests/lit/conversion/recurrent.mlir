// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// ONNX LSTM / GRU / RNN become fpga.rnn with the ONNX results that are used;
// omitted optional inputs (operand segments of size 0) stay absent, a
// constant sequence_lens equal to the sequence length is dropped.

// CHECK-LABEL: func.func @lstm
// CHECK: %[[Y:.*]], %[[YH:.*]], %[[YC:.*]] = fpga.rnn %arg0, %arg1, %arg2 initial_h %arg3 {cell = #fpga<cell lstm>, direction = #fpga<direction reverse>, hidden_size = 3 : i64}
// CHECK-SAME: -> (tensor<4x1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>)
// CHECK: return %[[YH]], %[[YC]]
func.func @lstm(%x: tensor<4x2x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x12x3xf32>, %h0: tensor<1x2x3xf32>)
    -> (tensor<1x2x3xf32>, tensor<1x2x3xf32>) {
  %lens = onnx.Constant {value = dense<4> : tensor<2xi32>} : tensor<2xi32>
  %yh, %yc = "onnx.LSTM"(%x, %w, %r, %lens, %h0) <{direction = "reverse", hidden_size = 3 : i64,
      operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 1, 0, 0>, resultSegmentSizes = array<i32: 0, 1, 1>}>
      : (tensor<4x2x5xf32>, tensor<1x12x5xf32>, tensor<1x12x3xf32>, tensor<2xi32>, tensor<1x2x3xf32>)
      -> (tensor<1x2x3xf32>, tensor<1x2x3xf32>)
  return %yh, %yc : tensor<1x2x3xf32>, tensor<1x2x3xf32>
}

// Batch-major layout and linear_before_reset carry over.
// CHECK-LABEL: func.func @gru
// CHECK: %[[Y:.*]], %[[YH:.*]] = fpga.rnn %arg0, %arg1, %arg2 bias %arg3 {cell = #fpga<cell gru>, direction = #fpga<direction bidirectional>, hidden_size = 4 : i64, layout = 1 : i64, linear_before_reset = true}
// CHECK-SAME: -> (tensor<2x6x2x4xf32>, tensor<2x2x4xf32>)
// CHECK: return %[[Y]]
func.func @gru(%x: tensor<2x6x3xf32>, %w: tensor<2x12x3xf32>, %r: tensor<2x12x4xf32>, %b: tensor<2x24xf32>)
    -> tensor<2x6x2x4xf32> {
  %y = "onnx.GRU"(%x, %w, %r, %b) <{direction = "bidirectional", hidden_size = 4 : i64, layout = 1 : i64,
      linear_before_reset = 1 : i64, activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"],
      operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>, resultSegmentSizes = array<i32: 1, 0>}>
      : (tensor<2x6x3xf32>, tensor<2x12x3xf32>, tensor<2x12x4xf32>, tensor<2x24xf32>) -> tensor<2x6x2x4xf32>
  return %y : tensor<2x6x2x4xf32>
}

// CHECK-LABEL: func.func @rnn
// CHECK: fpga.rnn %arg0, %arg1, %arg2 {cell = #fpga<cell rnn>, hidden_size = 2 : i64}
func.func @rnn(%x: tensor<3x1x2xf32>, %w: tensor<1x2x2xf32>, %r: tensor<1x2x2xf32>) -> tensor<1x1x2xf32> {
  %yh = "onnx.RNN"(%x, %w, %r) <{hidden_size = 2 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>,
      resultSegmentSizes = array<i32: 0, 1>}>
      : (tensor<3x1x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> tensor<1x1x2xf32>
  return %yh : tensor<1x1x2xf32>
}
