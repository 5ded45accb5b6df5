// RUN: npu-opt --onnx-place --onnx-partition %s -split-input-file | FileCheck %s
// The cost model (compiler/partition/NodeCost.h): an NPU segment next to
// host work stays on the NPU only when its modelled time plus the host <->
// NPU transfers across its boundaries beats the host.

// A lone element-wise op between two host ops: 4 elements cost the host
// nanoseconds, and two transfers cost microseconds. It moves to the host
// and the three nodes become one host segment.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // CHECK: "onnx.Softsign"{{.*}}fpga.placement = "host", {{.*}}fpga.segment = 0 : i64
    %0 = "onnx.Softsign"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: onnx.Relu {{.*}}fpga.placement = "host", fpga.placement_reason = "cost model: NPU {{.*}} us + transfers {{.*}} us >= host {{.*}} us", fpga.segment = 0 : i64
    %1 = onnx.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32>
    // CHECK: "onnx.Softplus"{{.*}}fpga.placement = "host", {{.*}}fpga.segment = 0 : i64
    %2 = "onnx.Softplus"(%1) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    return %2 : tensor<1x4xf32>
  }
}

// -----

// A large product between host ops pays for its transfers: 4M MACs are
// 400 us on a 20 GFLOPS host and a few us on the NPU. It stays.
module attributes {fpga.target = #fpga.target<"brainwave-s10">} {
  func.func @main(%x: tensor<4x1024xf32>) -> tensor<4x1024xf32> {
    %w = onnx.Constant {value = dense<1.0> : tensor<1024x1024xf32>} : tensor<1024x1024xf32>
    // CHECK: "onnx.Softsign"{{.*}}fpga.placement = "host", {{.*}}fpga.segment = 0 : i64
    %0 = "onnx.Softsign"(%x) : (tensor<4x1024xf32>) -> tensor<4x1024xf32>
    // CHECK: onnx.Gemm {{.*}}fpga.placement = "npu", fpga.segment = 1 : i64
    %1 = onnx.Gemm %0, %w {transB = 1 : i64} : (tensor<4x1024xf32>, tensor<1024x1024xf32>) -> tensor<4x1024xf32>
    // CHECK: "onnx.Softplus"{{.*}}fpga.placement = "host", {{.*}}fpga.segment = 2 : i64
    %2 = "onnx.Softplus"(%1) : (tensor<4x1024xf32>) -> tensor<4x1024xf32>
    return %2 : tensor<4x1024xf32>
  }
}

// -----

// A model the NPU takes whole has no host work next to it: nothing moves,
// however small (graph inputs and outputs use the network queues).
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    // CHECK: onnx.Relu {{.*}}fpga.placement = "npu", fpga.segment = 0 : i64
    %0 = onnx.Relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
    return %0 : tensor<1x4xf32>
  }
}
