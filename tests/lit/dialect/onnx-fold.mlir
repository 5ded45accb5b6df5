// RUN: npu-opt --canonicalize %s | FileCheck %s
// The onnx ops' fold hooks work under any folding driver: canonicalize folds
// shape arithmetic on constants into onnx.Constant (the dialect's constant
// materializer) and leaves ops on run-time data alone.

// CHECK-LABEL: func.func @shape_of_static
// CHECK-NEXT: %[[C:.*]] = onnx.Constant {value = dense<[1, 5, 8]> : tensor<3xi64>} : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_of_static(%x: tensor<1x5x8xf32>) -> tensor<3xi64> {
  %0 = onnx.Shape %x : (tensor<1x5x8xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// CHECK-LABEL: func.func @views_of_constants
// CHECK-DAG: onnx.Constant {value = dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>}
// CHECK-DAG: onnx.Constant {value = dense<7> : tensor<1x1xi64>}
// CHECK-NOT: onnx.Unsqueeze
// CHECK-NOT: onnx.Identity
func.func @views_of_constants() -> (tensor<1x2xf32>, tensor<1x1xi64>) {
  %c = onnx.Constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %axes = onnx.Constant {value = dense<0> : tensor<1xi64>} : tensor<1xi64>
  %u = onnx.Unsqueeze %c, %axes : (tensor<2xf32>, tensor<1xi64>) -> tensor<1x2xf32>
  %s = onnx.Constant {value = dense<7> : tensor<1xi64>} : tensor<1xi64>
  %r = onnx.Constant {value = dense<[1, 1]> : tensor<2xi64>} : tensor<2xi64>
  %v = onnx.Reshape %s, %r : (tensor<1xi64>, tensor<2xi64>) -> tensor<1x1xi64>
  %i = onnx.Identity %v : (tensor<1x1xi64>) -> tensor<1x1xi64>
  return %u, %i : tensor<1x2xf32>, tensor<1x1xi64>
}

// ConstantOfShape with a float fill, Expand of a scalar, Concat of constants.
// CHECK-LABEL: func.func @fills
// CHECK-DAG: onnx.Constant {value = dense<2.500000e+00> : tensor<2x3xf32>}
// CHECK-DAG: onnx.Constant {value = dense<4.000000e+00> : tensor<1x3xf32>}
// CHECK-DAG: onnx.Constant {value = dense<[2, 3, 1, 3]> : tensor<4xi64>}
// CHECK-NOT: onnx.ConstantOfShape
// CHECK-NOT: onnx.Expand
// CHECK-NOT: onnx.Concat
func.func @fills() -> (tensor<2x3xf32>, tensor<1x3xf32>, tensor<4xi64>) {
  %shape = onnx.Constant {value = dense<[2, 3]> : tensor<2xi64>} : tensor<2xi64>
  %f = onnx.ConstantOfShape %shape {value = dense<2.5> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x3xf32>
  %four = onnx.Constant {value = dense<4.0> : tensor<f32>} : tensor<f32>
  %s13 = onnx.Constant {value = dense<[1, 3]> : tensor<2xi64>} : tensor<2xi64>
  %e = onnx.Expand %four, %s13 : (tensor<f32>, tensor<2xi64>) -> tensor<1x3xf32>
  %cat = onnx.Concat %shape, %s13 {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  return %f, %e, %cat : tensor<2x3xf32>, tensor<1x3xf32>, tensor<4xi64>
}

// Results above 2^24 elements do not fold (folding holds them as doubles):
// a ConstantOfShape or Expand of 2^25 elements stays an op (docs/limits.md).
// CHECK-LABEL: func.func @too_large
// CHECK: onnx.ConstantOfShape
// CHECK: onnx.Expand
func.func @too_large() -> (tensor<32x1048576xf32>, tensor<32x1048576xf32>) {
  %shape = onnx.Constant {value = dense<[32, 1048576]> : tensor<2xi64>} : tensor<2xi64>
  %f = onnx.ConstantOfShape %shape {value = dense<1.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<32x1048576xf32>
  %one = onnx.Constant {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %e = onnx.Expand %one, %shape : (tensor<f32>, tensor<2xi64>) -> tensor<32x1048576xf32>
  return %f, %e : tensor<32x1048576xf32>, tensor<32x1048576xf32>
}

// Run-time data does not fold.
// CHECK-LABEL: func.func @runtime
// CHECK: onnx.Gather %arg0
// CHECK: onnx.Identity %arg0
func.func @runtime(%x: tensor<1x5x8xf32>) -> (tensor<1x8xf32>, tensor<1x5x8xf32>) {
  %last = onnx.Constant {value = dense<-1> : tensor<i64>} : tensor<i64>
  %g = onnx.Gather %x, %last {axis = 1 : i64} : (tensor<1x5x8xf32>, tensor<i64>) -> tensor<1x8xf32>
  %i = onnx.Identity %x : (tensor<1x5x8xf32>) -> tensor<1x5x8xf32>
  return %g, %i : tensor<1x8xf32>, tensor<1x5x8xf32>
}
