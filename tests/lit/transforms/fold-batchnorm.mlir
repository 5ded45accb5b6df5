// onnx-fold-batchnorm: an inference BatchNormalization after a Conv or Gemm
// becomes part of their weights and bias. With scale [1, 2], B [0.5, 0],
// mean [1, 0], var [3, 0] and epsilon 1, s = [1/2, 2]:
// Conv W [2, 3] -> [1, 6], bias [1, -1] -> [(1-1)/2 + 0.5, -1*2 + 0] = [0.5, -2];
// Gemm (transB) rows [1 2], [3 4] -> [0.5 1], [6 8], C = beta 2 * [1, 1]
// -> [2/2 + 0.5 - 0.5, 2*2 + 0] = [1, 4], and beta becomes 1.
// RUN: npu-opt --onnx-fold-batchnorm --split-input-file %s | FileCheck %s

// CHECK-LABEL: func.func @conv_and_gemm
// CHECK-DAG: %[[W:.*]] = onnx.Constant {value = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]>
// CHECK-DAG: %[[B:.*]] = onnx.Constant {value = dense<[5.000000e-01, -2.000000e+00]>
// CHECK: %[[Y:.*]] = "onnx.Conv"(%arg0, %[[W]], %[[B]])
// CHECK-DAG: %[[GW:.*]] = onnx.Constant {value = dense<{{\[\[}}5.000000e-01, 1.000000e+00], [6.000000e+00, 8.000000e+00]]>
// CHECK-DAG: %[[GC:.*]] = onnx.Constant {value = dense<[1.000000e+00, 4.000000e+00]>
// CHECK: %[[G:.*]] = onnx.Gemm %arg1, %[[GW]], %[[GC]] {transB = 1 : i64}
// CHECK-NOT: BatchNormalization
// CHECK: return %[[Y]], %[[G]]
func.func @conv_and_gemm(%x: tensor<1x1x2x2xf32>, %a: tensor<3x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<3x2xf32>) {
  %w = onnx.Constant {value = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %b = onnx.Constant {value = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xf32>
  %scale = onnx.Constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.5, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[1.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = "onnx.Conv"(%x, %w, %b) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %n = "onnx.BatchNormalization"(%y, %scale, %beta, %mean, %var) <{epsilon = 1.0 : f32, resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %gw = onnx.Constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %gc = onnx.Constant {value = dense<[1.0, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %g = onnx.Gemm %a, %gw, %gc {beta = 2.0 : f32, transB = 1 : i64} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %gn = "onnx.BatchNormalization"(%g, %scale, %beta, %mean, %var) <{epsilon = 1.0 : f32, resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %n, %gn : tensor<1x2x2x2xf32>, tensor<3x2xf32>
}

// -----

// A Conv without bias gains one: -mean * s + B = [-1/2 + 0.5, 0] = [0, 0].
// CHECK-LABEL: func.func @conv_without_bias
// CHECK: %[[B0:.*]] = onnx.Constant {value = dense<0.000000e+00> : tensor<2xf32>}
// CHECK: "onnx.Conv"(%arg0, %{{.*}}, %[[B0]])
// CHECK-NOT: BatchNormalization
func.func @conv_without_bias(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = onnx.Constant {value = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %scale = onnx.Constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.5, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[1.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = "onnx.Conv"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %n = "onnx.BatchNormalization"(%y, %scale, %beta, %mean, %var) <{epsilon = 1.0 : f32, resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n : tensor<1x2x2x2xf32>
}

// -----

// Left alone: the Conv's output has a second user; the scale is a run-time
// value; training mode.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: "onnx.BatchNormalization"
func.func @not_folded(%x: tensor<1x1x2x2xf32>, %s: tensor<2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %w = onnx.Constant {value = dense<[[[[2.0]]], [[[3.0]]]]> : tensor<2x1x1x1xf32>} : tensor<2x1x1x1xf32>
  %scale = onnx.Constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[0.5, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[1.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = "onnx.Conv"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %n = "onnx.BatchNormalization"(%y, %scale, %beta, %mean, %var) <{resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y2 = "onnx.Conv"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %n2 = "onnx.BatchNormalization"(%y2, %s, %beta, %mean, %var) <{resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y3 = "onnx.Conv"(%x, %w) : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %n3 = "onnx.BatchNormalization"(%y3, %scale, %beta, %mean, %var) <{training_mode = 1 : i64, resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %n, %y, %n2, %n3 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}
