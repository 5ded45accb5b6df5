// RUN: npu-opt --onnx-partition %s -verify-diagnostics
// onnx-partition needs onnx-place's marks.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // expected-error @below {{onnx-partition: node has no fpga.placement (run onnx-place first)}}
    %0 = onnx.Relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
    return %0 : tensor<1x4xf32>
  }
}
