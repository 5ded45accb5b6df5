// RUN: npu-opt --onnx-to-fpga %s | FileCheck %s
// A 2-D MatMul is a Gemm without bias: B is [K, P], so transpose_w is set.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<3x20xf32>, %[[B:.*]]: tensor<20x5xf32>)
// CHECK: %[[Y:.*]] = fpga.linear %[[A]], %[[B]] {transpose_w = true} : (tensor<3x20xf32>, tensor<20x5xf32>) -> tensor<3x5xf32>
// CHECK-NOT: transpose_x
// CHECK: return %[[Y]]
func.func @matmul(%a: tensor<3x20xf32>, %b: tensor<20x5xf32>) -> tensor<3x5xf32> {
  %0 = onnx.MatMul %a, %b : (tensor<3x20xf32>, tensor<20x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// Row vector times matrix.
// CHECK-LABEL: func.func @row_vector
// CHECK: fpga.linear %{{.*}}, %{{.*}} {transpose_w = true} : (tensor<1x7xf32>, tensor<7x2xf32>) -> tensor<1x2xf32>
func.func @row_vector(%a: tensor<1x7xf32>, %b: tensor<7x2xf32>) -> tensor<1x2xf32> {
  %0 = onnx.MatMul %a, %b : (tensor<1x7xf32>, tensor<7x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
