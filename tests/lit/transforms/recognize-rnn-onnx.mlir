// The unrolled models of tests/inputs/make_unrolled_rnn.py through the
// importer: onnx-recognize-rnn turns each into one recurrent layer, and the
// pipeline lowers that to one fpga.rnn (and the program to a loop).

// RUN: npu-compile %inputs/unrolled_lstm.onnx --emit=onnx | npu-opt --onnx-recognize-rnn | FileCheck %s --check-prefix=LSTM
// LSTM: func.func @main(%[[X:.*]]: tensor<5x1x3xf32> {onnx.name = "X"})
// LSTM: "onnx.LSTM"(%[[X]], %{{[0-9]+}}, %{{[0-9]+}}, %{{[0-9]+}})
// LSTM-SAME: hidden_size = 4 : i64
// LSTM-SAME: resultSegmentSizes = array<i32: 1, 1, 1>
// LSTM-SAME: (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>, tensor<1x32xf32>) -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
// LSTM-NOT: onnx.Split
// LSTM-NOT: onnx.Mul

// RUN: npu-compile %inputs/unrolled_gru.onnx --target tiny --emit=fpga 2>/dev/null | FileCheck %s --check-prefix=GRU
// GRU: fpga.rnn %arg0, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} bias %{{[a-z0-9_]+}} initial_h %{{[0-9]+}} {cell = #fpga<cell gru>, hidden_size = 4 : i64
// GRU-SAME: mrf_tile = 0 : i64
// GRU-NOT: fpga.linear

// RUN: npu-compile %inputs/unrolled_gru_lbr.onnx --target tiny --precision fp32 -o %t.npu
// RUN: npu-objdump %t.npu | FileCheck %s --check-prefix=LOOP
// LOOP: inputs:
// LOOP-NEXT: X float32 [5,2,3]
// LOOP: loop
// LOOP: end_loop
