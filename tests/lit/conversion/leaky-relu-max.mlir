// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// LeakyRelu becomes fpga.leaky_relu (its alpha, ONNX's 0.01 when absent);
// a Max of two tensors fpga.max; a Max of one or of three stays on the host.

// CHECK-LABEL: func.func @leaky
// CHECK: fpga.leaky_relu %arg0 {alpha = 2.000000e-01 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK: fpga.leaky_relu %{{.*}} {alpha = 0.00999999977 : f32}
func.func @leaky(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = "onnx.LeakyRelu"(%x) <{alpha = 0.2 : f32}> : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = "onnx.LeakyRelu"(%0) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @max_constant
// CHECK: fpga.max %arg0, %{{.*}} : (tensor<1x3x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x3x2x2xf32>
func.func @max_constant(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %c = onnx.Constant {value = dense<-4.000000e-01> : tensor<1x1x1x1xf32>} : tensor<1x1x1x1xf32>
  %y = "onnx.Max"(%x, %c) : (tensor<1x3x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

func.func @max_three(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{a Max of 3 operands is not on the NPU (2 only)}}
  %y = "onnx.Max"(%a, %b, %c) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
