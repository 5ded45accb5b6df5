// RUN: not npu-opt --onnx-to-fpga %s 2>&1 | FileCheck %s
// With ONNX node names in the locations (as the importer builds them) the
// errors name the node and its op type. Every failing node is reported, not
// only the first.

// CHECK-DAG: error: {{.*}}node 'mm3' (MatMul): MatMul with 3-D x 2-D operands is not supported yet (2-D only)
// CHECK-DAG: error: {{.*}}node 'rs' (Reshape): the shape must be a constant
// CHECK-DAG: error: {{.*}}node 'act' (Relu): operand of type 'tensor<2x3xf16>' is not float32; the NPU runs float32 tensors

func.func @bad(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %x: tensor<2x6xf32>, %s: tensor<2xi64>,
               %h: tensor<2x3xf16>) -> (tensor<2x3x5xf32>, tensor<3x4xf32>, tensor<2x3xf16>) {
  %0 = onnx.MatMul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32> loc("mm3")
  %1 = onnx.Reshape %x, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<3x4xf32> loc("rs")
  %2 = onnx.Relu %h : (tensor<2x3xf16>) -> tensor<2x3xf16> loc("act")
  return %0, %1, %2 : tensor<2x3x5xf32>, tensor<3x4xf32>, tensor<2x3xf16>
}
