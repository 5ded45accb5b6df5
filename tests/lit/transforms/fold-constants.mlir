// RUN: npu-opt --onnx-fold-constants %s | FileCheck %s
// PyTorch's zero initial state of an LSTM: Expand(0, Concat(2, Unsqueeze(
// Gather(Shape(x), 0)), 16)) is the constant zeros [2, 1, 16]; the ops that
// built it go away. Shape of a statically shaped tensor and views of
// constants fold too; ops on run-time data stay.

// CHECK-LABEL: func.func @initial_state
// CHECK-DAG: %[[H0:.*]] = onnx.Constant {value = dense<0.000000e+00> : tensor<2x1x16xf32>} : tensor<2x1x16xf32>
// CHECK-NOT: onnx.Shape
// CHECK-NOT: onnx.Expand
// CHECK: return %[[H0]]
func.func @initial_state(%x: tensor<1x5x8xf32>) -> tensor<2x1x16xf32> {
  %shape = onnx.Shape %x : (tensor<1x5x8xf32>) -> tensor<3xi64>
  %i0 = onnx.Constant {value = dense<0> : tensor<i64>} : tensor<i64>
  %batch = onnx.Gather %shape, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %axes = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %b1 = onnx.Unsqueeze %batch, %axes : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %two = onnx.Constant {value = dense<2> : tensor<1xi64>} : tensor<1xi64>
  %h = onnx.Constant {value = dense<16> : tensor<1xi64>} : tensor<1xi64>
  %dims = onnx.Concat %two, %b1, %h {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %zero = onnx.Constant {value = dense<0.0> : tensor<1xf32>} : tensor<1xf32>
  %h0 = onnx.Expand %zero, %dims : (tensor<1xf32>, tensor<3xi64>) -> tensor<2x1x16xf32>
  return %h0 : tensor<2x1x16xf32>
}

// CHECK-LABEL: func.func @shape_slice
// CHECK: onnx.Constant {value = dense<[5, 8]> : tensor<2xi64>}
// CHECK: onnx.Constant {value = dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>}
// A Gather of run-time data stays.
// CHECK: onnx.Gather %arg0
func.func @shape_slice(%x: tensor<1x5x8xf32>) -> (tensor<2xi64>, tensor<2x2xf32>, tensor<1x8xf32>) {
  %shape = onnx.Shape %x {start = 1 : i64} : (tensor<1x5x8xf32>) -> tensor<2xi64>
  %c = onnx.Constant {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : tensor<4xf32>
  %s = onnx.Constant {value = dense<[2, 2]> : tensor<2xi64>} : tensor<2xi64>
  %r = onnx.Reshape %c, %s : (tensor<4xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  %last = onnx.Constant {value = dense<-1> : tensor<i64>} : tensor<i64>
  %g = onnx.Gather %x, %last {axis = 1 : i64} : (tensor<1x5x8xf32>, tensor<i64>) -> tensor<1x8xf32>
  return %shape, %r, %g : tensor<2xi64>, tensor<2x2xf32>, tensor<1x8xf32>
}
