// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// Clip(x, lo, hi) becomes max(x, lo) then min(., hi), each bound optional; a
// lower bound of 0 is a relu (an activation stage); a constant bound of rank
// 0 becomes a [1] constant (what fpga-fuse folds), another one a [1] view. A
// Min of two tensors becomes fpga.min.

// The ReLU6 form torch exports: Clip with constant bounds 0 and 6.
// CHECK-LABEL: func.func @relu6
// CHECK: %[[R:.*]] = fpga.activation relu %arg0 : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
// CHECK: %[[H:.*]] = arith.constant dense<6.000000e+00> : tensor<1xf32>
// CHECK: %[[Y:.*]] = fpga.min %[[R]], %[[H]] : (tensor<1x3x2x2xf32>, tensor<1xf32>) -> tensor<1x3x2x2xf32>
// CHECK: return %[[Y]]
func.func @relu6(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %lo = onnx.Constant {value = dense<0.000000e+00> : tensor<f32>} : tensor<f32>
  %hi = onnx.Constant {value = dense<6.000000e+00> : tensor<f32>} : tensor<f32>
  %y = "onnx.Clip"(%x, %lo, %hi) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<1x3x2x2xf32>, tensor<f32>, tensor<f32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// Another lower bound is a max; a bound that is not a constant is read at
// run time like any one-element operand.
// CHECK-LABEL: func.func @bounds
// CHECK: %[[LO:.*]] = arith.constant dense<-1.500000e+00> : tensor<1xf32>
// CHECK: %[[M:.*]] = fpga.max %arg0, %[[LO]] : (tensor<2x8xf32>, tensor<1xf32>) -> tensor<2x8xf32>
// CHECK: %[[HI:.*]] = fpga.reshape %arg1 : (tensor<f32>) -> tensor<1xf32>
// CHECK: fpga.min %[[M]], %[[HI]] : (tensor<2x8xf32>, tensor<1xf32>) -> tensor<2x8xf32>
func.func @bounds(%x: tensor<2x8xf32>, %hi: tensor<f32>) -> tensor<2x8xf32> {
  %lo = onnx.Constant {value = dense<-1.500000e+00> : tensor<f32>} : tensor<f32>
  %y = "onnx.Clip"(%x, %lo, %hi) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<2x8xf32>, tensor<f32>, tensor<f32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Only an upper bound: one min.
// CHECK-LABEL: func.func @upper_only
// CHECK-NOT: fpga.max
// CHECK-NOT: fpga.activation
// CHECK: fpga.min %arg0
func.func @upper_only(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %hi = onnx.Constant {value = dense<2.000000e+00> : tensor<f32>} : tensor<f32>
  %y = "onnx.Clip"(%x, %hi) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @min_two
// CHECK: fpga.min %arg0, %arg1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
func.func @min_two(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %y = "onnx.Min"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @min_one(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{a Min of 1 operand is not on the NPU (2 only)}}
  %y = "onnx.Min"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @clip_vector_bound(%x: tensor<4xf32>, %lo: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{Clip bounds must be float32 scalars}}
  %y = "onnx.Clip"(%x, %lo) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
