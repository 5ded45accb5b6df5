// RUN: npu-opt --onnx-to-fpga -split-input-file -verify-diagnostics %s
// Nodes the NPU cannot run are reported with the op type (and the node name
// when the location has one; see errors-named.mlir).

func.func @matmul_3d(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{op MatMul: MatMul with 3-D x 2-D operands is not supported yet (2-D only)}}
  %0 = onnx.MatMul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @reshape_runtime_shape(%x: tensor<2x6xf32>, %s: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{op Reshape: the shape must be a constant (an initializer or Constant node); run-time shapes are not supported}}
  %0 = onnx.Reshape %x, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @not_f32(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  // expected-error @+1 {{op Relu: operand of type 'tensor<2x3xf16>' is not float32; the NPU runs float32 tensors}}
  %0 = onnx.Relu %x : (tensor<2x3xf16>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

func.func @not_f32_gemm(%a: tensor<2x3xi64>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{op Gemm: operand of type 'tensor<2x3xi64>' is not float32}}
  %0 = onnx.Gemm %a, %b : (tensor<2x3xi64>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Without a name location the op type alone is reported.
func.func @unnamed(%a: tensor<3x4xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{op MatMul: MatMul with 2-D x 3-D operands is not supported yet}}
  %0 = onnx.MatMul %a, %b : (tensor<3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
