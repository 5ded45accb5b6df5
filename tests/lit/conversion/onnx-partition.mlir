// RUN: npu-opt --onnx-place "--onnx-partition=cost-model=false" %s -split-input-file | FileCheck %s
// Segments (docs/partitioning.md): maximal groups of nodes with one
// placement that stay acyclic when contracted, numbered in run order.
// (The cost model is off here; onnx-partition-cost.mlir tests it.)

// fc1 and relu can share an NPU segment; the add cannot join it, since it
// reads fc2, which depends on that segment through the host's Softsign:
// running fc1+relu+add as one piece would need fc2 before it exists. It joins
// fc2's segment instead. Three segments: NPU, host, NPU.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %w = onnx.Constant {value = dense<1.0> : tensor<4x4xf32>} : tensor<4x4xf32>
    // CHECK: onnx.Gemm {{.*}}fpga.placement = "npu", fpga.segment = 0 : i64
    %0 = onnx.Gemm %x, %w {transB = 1 : i64} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
    // CHECK: "onnx.Softsign"{{.*}}fpga.placement = "host", {{.*}}fpga.segment = 1 : i64
    %1 = "onnx.Softsign"(%0) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: onnx.Gemm {{.*}}fpga.placement = "npu", fpga.segment = 2 : i64
    %2 = onnx.Gemm %1, %w {transB = 1 : i64} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
    // CHECK: onnx.Relu {{.*}}fpga.placement = "npu", fpga.segment = 0 : i64
    %3 = onnx.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: onnx.Add {{.*}}fpga.placement = "npu", fpga.segment = 2 : i64
    %4 = onnx.Add %2, %3 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    return %4 : tensor<1x4xf32>
  }
}

// -----

// Run order is not creation order: the NPU segment of relu takes the add,
// which reads the host's Softsign, created after it; the host segment then
// runs first. Two host nodes in a row share one segment.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // CHECK: onnx.Relu {{.*}}fpga.placement = "npu", fpga.segment = 1 : i64
    %0 = onnx.Relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: "onnx.Softsign"{{.*}}fpga.segment = 0 : i64
    %1 = "onnx.Softsign"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: "onnx.Softplus"{{.*}}fpga.segment = 0 : i64
    %2 = "onnx.Softplus"(%1) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: onnx.Add {{.*}}fpga.placement = "npu", fpga.segment = 1 : i64
    %3 = onnx.Add %0, %2 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
    return %3 : tensor<1x4xf32>
  }
}
