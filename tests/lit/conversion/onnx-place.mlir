// RUN: npu-opt --onnx-place %s | FileCheck %s
// RUN: not npu-opt --onnx-to-fpga %s 2>&1 | FileCheck %s --check-prefix=SAME
// RUN: npu-opt --onnx-place --onnx-to-fpga %s | FileCheck %s --check-prefix=KEPT
// RUN: npu-opt "--onnx-place=placement=host" %s | FileCheck %s --check-prefix=HOST
// RUN: npu-opt "--onnx-place=place=re*=host" %s | FileCheck %s --check-prefix=GLOB
// RUN: not npu-opt "--onnx-place=placement=npu" %s 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: not npu-opt "--onnx-place=place=soft=npu" %s 2>&1 | FileCheck %s --check-prefix=FORCE
// RUN: not npu-opt "--onnx-place=place=soft" %s 2>&1 | FileCheck %s --check-prefix=BADRULE
// The legality check of partitioning: onnx-to-fpga's own patterns, run in
// analysis mode, mark each node "npu" or "host" with the lowering's reason.
// Nothing else changes (constants get no mark), and the nodes it puts on the
// host are exactly those onnx-to-fpga refuses, for the same reasons; after
// onnx-place, onnx-to-fpga keeps them as onnx ops for the host.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>, %i: tensor<1x4xui8>, %s: tensor<2xi64>)
      -> (tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xui8>, tensor<4x1xf32>) {
    %w = onnx.Constant {value = dense<1.0> : tensor<4x4xf32>} : tensor<4x4xf32>
    %0 = onnx.Gemm %x, %w {transB = 1 : i64} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32> loc("fc")
    %1 = "onnx.Softsign"(%0) : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("soft")
    %2 = onnx.Relu %0 : (tensor<1x4xf32>) -> tensor<1x4xf32> loc("relu")
    %3 = onnx.Identity %i : (tensor<1x4xui8>) -> tensor<1x4xui8> loc("id")
    %4 = onnx.Reshape %0, %s : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<4x1xf32> loc("reshape")
    return %1, %2, %3, %4 : tensor<1x4xf32>, tensor<1x4xf32>, tensor<1x4xui8>, tensor<4x1xf32>
  }
}

// CHECK:      onnx.Constant {value
// CHECK-NEXT: onnx.Gemm %{{.*}} {fpga.placement = "npu", transB = 1 : i64}
// CHECK-NEXT: "onnx.Softsign"(%{{.*}}) {fpga.placement = "host", fpga.placement_reason = "no lowering to the NPU for this op"}
// CHECK-NEXT: onnx.Relu %{{.*}} {fpga.placement = "npu"}
// CHECK-NEXT: onnx.Identity %{{.*}} {fpga.placement = "host", fpga.placement_reason = "operand of type 'tensor<1x4xui8>' is not float32; the NPU runs float32 tensors"}
// CHECK-NEXT: onnx.Reshape %{{.*}} {fpga.placement = "host", fpga.placement_reason = "the shape must be a constant {{.*}}"}

// SAME-DAG: error: {{.*}}node 'soft' (Softsign): no lowering to the NPU for this op
// SAME-DAG: error: {{.*}}node 'id' (Identity): operand of type 'tensor<1x4xui8>' is not float32
// SAME-DAG: error: {{.*}}node 'reshape' (Reshape): the shape must be a constant
// SAME-NOT: error: {{.*}}node 'fc'
// SAME-NOT: error: {{.*}}node 'relu'

// KEPT: fpga.linear
// KEPT: "onnx.Softsign"{{.*}}fpga.placement = "host"
// KEPT: onnx.Identity {{.*}}fpga.placement = "host"
// KEPT: onnx.Reshape {{.*}}fpga.placement = "host"

// --placement=host: every node, with the flag as the reason.
// HOST: onnx.Gemm %{{.*}} {fpga.placement = "host", fpga.placement_reason = "placed by --placement=host", transB = 1 : i64}
// HOST: onnx.Relu %{{.*}} {fpga.placement = "host", fpga.placement_reason = "placed by --placement=host"}

// --place GLOB=host moves the matching nodes only.
// GLOB: onnx.Gemm %{{.*}} {fpga.placement = "npu", transB = 1 : i64}
// GLOB: onnx.Relu %{{.*}} {fpga.placement = "host", fpga.placement_reason = "placed by --place re*=host"}

// --placement=npu is strict: every node that would leave the NPU is an error
// with its reason.
// STRICT-DAG: error: {{.*}}node 'soft' (Softsign) cannot run on the NPU (--placement=npu): no lowering to the NPU for this op
// STRICT-DAG: error: {{.*}}node 'id' (Identity) cannot run on the NPU (--placement=npu): operand of type
// STRICT-DAG: error: {{.*}}node 'reshape' (Reshape) cannot run on the NPU (--placement=npu): the shape must be a constant

// FORCE: error: {{.*}}node 'soft' (Softsign) cannot run on the NPU (--place soft=npu): no lowering to the NPU for this op
// BADRULE: error: onnx-place: --place 'soft' is not GLOB=host or GLOB=npu
