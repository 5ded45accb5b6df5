// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// Flatten, Identity and Reshape with a constant shape are pure views
// (fpga.reshape); the now unused shape constant is removed.

// CHECK-LABEL: func.func @flatten
// CHECK: %[[Y:.*]] = fpga.reshape %{{.*}} : (tensor<1x1x4x4xf32>) -> tensor<1x16xf32>
// CHECK: return %[[Y]]
func.func @flatten(%x: tensor<1x1x4x4xf32>) -> tensor<1x16xf32> {
  %0 = onnx.Flatten %x : (tensor<1x1x4x4xf32>) -> tensor<1x16xf32>
  return %0 : tensor<1x16xf32>
}

// CHECK-LABEL: func.func @identity
// CHECK: fpga.reshape %{{.*}} : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Identity %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reshape
// CHECK-NOT: arith.constant
// CHECK-NOT: onnx.Constant
// CHECK: %[[R:.*]] = fpga.reshape %{{.*}} : (tensor<2x6xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[Y:.*]] = fpga.reshape %[[R]] : (tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @reshape(%x: tensor<2x6xf32>) -> tensor<3x4xf32> {
  %s = onnx.Constant {value = dense<[3, 4]> : tensor<2xi64>} : tensor<2xi64>
  %0 = onnx.Reshape %x, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  %1 = onnx.Identity %0 : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %1 : tensor<3x4xf32>
}

// A shape given as an arith.constant is accepted as well.
// CHECK-LABEL: func.func @reshape_arith_shape
// CHECK: fpga.reshape %{{.*}} : (tensor<2x6xf32>) -> tensor<12xf32>
func.func @reshape_arith_shape(%x: tensor<2x6xf32>) -> tensor<12xf32> {
  %s = arith.constant dense<[12]> : tensor<1xi64>
  %0 = onnx.Reshape %x, %s : (tensor<2x6xf32>, tensor<1xi64>) -> tensor<12xf32>
  return %0 : tensor<12xf32>
}
