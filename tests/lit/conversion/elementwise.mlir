// RUN: npu-opt --onnx-to-fpga --split-input-file --verify-diagnostics %s | FileCheck %s
// Mul becomes fpga.mul (the operand with fewer elements second: it is the
// one staged); PRelu fpga.prelu, or fpga.leaky_relu for one slope;
// HardSigmoid mul, add, relu, min; HardSwish the activation hardswish, or
// x times that where the MFUs lack v_hswish; a
// BatchNormalization with constant parameters x * s + t with [C, 1, 1]
// constants computed at compile time.

// CHECK-LABEL: func.func @mul_bcast
// CHECK: fpga.mul %arg1, %arg0 : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
func.func @mul_bcast(%a: tensor<4xf32>, %b: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = "onnx.Mul"(%a, %b) : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @prelu
// CHECK: fpga.prelu %arg0, %arg1 : (tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
func.func @prelu(%x: tensor<1x3x2x2xf32>, %s: tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32> {
  %y = "onnx.PRelu"(%x, %s) : (tensor<1x3x2x2xf32>, tensor<3x1x1xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// One constant slope is a leaky relu (which fuses into a product's chain).
// CHECK-LABEL: func.func @prelu_one_slope
// CHECK: fpga.leaky_relu %arg0 {alpha = 2.500000e-01 : f32}
func.func @prelu_one_slope(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %s = onnx.Constant {value = dense<2.500000e-01> : tensor<1xf32>} : tensor<1xf32>
  %y = "onnx.PRelu"(%x, %s) : (tensor<2x8xf32>, tensor<1xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @hard_sigmoid
// CHECK: %[[A:.*]] = arith.constant dense<3.000000e-01> : tensor<1xf32>
// CHECK: %[[M:.*]] = fpga.mul %arg0, %[[A]]
// CHECK: %[[B:.*]] = arith.constant dense<4.000000e-01> : tensor<1xf32>
// CHECK: %[[S:.*]] = fpga.add %[[M]], %[[B]]
// CHECK: %[[R:.*]] = fpga.activation relu %[[S]]
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK: %[[Y:.*]] = fpga.min %[[R]], %[[ONE]]
// CHECK: return %[[Y]]
func.func @hard_sigmoid(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = "onnx.HardSigmoid"(%x) {alpha = 3.000000e-01 : f32, beta = 4.000000e-01 : f32} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// HardSwish: one activation (v_hswish) on a target whose MFUs have it (the
// default ones do) ...
// CHECK-LABEL: func.func @hard_swish
// CHECK: %[[Y:.*]] = fpga.activation hardswish %arg0 : (tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK: return %[[Y]]
func.func @hard_swish(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = "onnx.HardSwish"(%x) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// ... else HardSigmoid's stages (alpha 1/6, beta 1/2), then a product with x.
// CHECK-LABEL: func.func @hard_swish_decomposed
// CHECK: arith.constant dense<0.166666672> : tensor<1xf32>
// CHECK: arith.constant dense<5.000000e-01> : tensor<1xf32>
// CHECK: %[[G:.*]] = fpga.min
// CHECK: %[[Y:.*]] = fpga.mul %arg0, %[[G]] : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK: return %[[Y]]
module attributes {fpga.target = #fpga.target<"{\22name\22: \22tiny-no-hswish\22, \22native_dim\22: 16, \22tile_engines\22: 2, \22lanes\22: 4, \22num_mfus\22: 2, \22ivrf_depth\22: 256, \22asvrf_depth\22: 256, \22mulvrf_depth\22: 256, \22mrf_tiles\22: 256, \22dram_bytes\22: 67108864, \22clock_mhz\22: 100.0, \22weight_format\22: \22msfp15\22, \22input_format\22: \22msfp15\22, \22mfu_operations\22: [\22vv_add\22, \22vv_max\22, \22vv_min\22, \22vv_mul\22, \22v_relu\22, \22v_pass\22]}">} {
  func.func @hard_swish_decomposed(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
    %y = "onnx.HardSwish"(%x) : (tensor<2x8xf32>) -> tensor<2x8xf32>
    return %y : tensor<2x8xf32>
  }
}

// -----

// s = scale / sqrt(var + eps) = 2 / sqrt(3 + 1) = 1 and 4 / sqrt(0 + 4) = 2
// (eps 1); t = beta - mean * s = 1 - 2 * 1 = -1 and 0 - 1 * 2 = -2.
// CHECK-LABEL: func.func @batchnorm
// CHECK: %[[S:.*]] = arith.constant dense<[{{\[}}[1.000000e+00]], {{\[}}[2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK: %[[M:.*]] = fpga.mul %arg0, %[[S]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK: %[[T:.*]] = arith.constant dense<[{{\[}}[-1.000000e+00]], {{\[}}[-2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK: %[[Y:.*]] = fpga.add %[[M]], %[[T]]
// CHECK: return %[[Y]]
func.func @batchnorm(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %scale = onnx.Constant {value = dense<[2.0, 4.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[1.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[2.0, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %var = onnx.Constant {value = dense<[3.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %y = "onnx.BatchNormalization"(%x, %scale, %beta, %mean, %var) <{resultSegmentSizes = array<i32: 1, 0, 0>}> {epsilon = 1.000000e+00 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Statistics fed at run time: the host runs it (the MFUs have no square root).
func.func @batchnorm_runtime(%x: tensor<1x2x3x3xf32>, %var: tensor<2xf32>) -> tensor<1x2x3x3xf32> {
  %scale = onnx.Constant {value = dense<[2.0, 4.0]> : tensor<2xf32>} : tensor<2xf32>
  %beta = onnx.Constant {value = dense<[1.0, 0.0]> : tensor<2xf32>} : tensor<2xf32>
  %mean = onnx.Constant {value = dense<[2.0, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  // expected-error @+1 {{a BatchNormalization runs on the NPU in inference form with constant parameters only}}
  %y = "onnx.BatchNormalization"(%x, %scale, %beta, %mean, %var) <{resultSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

func.func @mul_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{operand of type 'tensor<4xi32>' is not float32; the NPU runs float32 tensors}}
  %y = "onnx.Mul"(%a, %b) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %y : tensor<4xi32>
}
