// RUN: npu-opt --split-input-file --verify-diagnostics --fpga-test-chains %s | FileCheck %s
// Chain emission on its own (compiler/transforms/lowering/Chains.cpp): the
// point-wise steps of each fpga.linear's chain in their fixed order (alpha,
// bias, activation, leaky_alpha, max_floor, min_ceiling), the MFU the
// runtime's planner puts each on (per MFU: add/sub/min/max, then multiply,
// then activation, greedily), and the fpga.chain emitChain builds.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x20xf32>, %w: tensor<3x20xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
    // expected-remark @+1 {{chain: mv_mul}}
    %0 = fpga.linear %x, %w : (tensor<2x20xf32>, tensor<3x20xf32>) -> tensor<2x3xf32>
    // alpha on MFU 0's multiply stage; the bias comes after it, and MFU 0's
    // add/sub stage is before its multiply, so the bias and relu go to MFU 1.
    // expected-remark @+1 {{chain: mv_mul, vv_mul (MFU 0), vv_add (MFU 1), v_relu (MFU 1)}}
    %1 = fpga.linear %x, %w, %b {alpha = 2.0 : f32, activation = #fpga<activation relu>} : (tensor<2x20xf32>, tensor<3x20xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    // A Relu6 after the bias: add/sub and activation on MFU 0, the min on MFU 1.
    // expected-remark @+1 {{chain: mv_mul, vv_add (MFU 0), v_relu (MFU 0), vv_min (MFU 1)}}
    %2 = fpga.linear %x, %w, %b {activation = #fpga<activation relu>, min_ceiling = 6.0 : f32} : (tensor<2x20xf32>, tensor<3x20xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
  }
}

// CHECK-LABEL: fpga.program @test_chains
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.v_wr DRAM[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_mul
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[0]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd IVRF[0]
// CHECK-NEXT:   fpga.mv_mul 0
// CHECK-NEXT:   fpga.mfu vv_add
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.mfu vv_min
// CHECK-NEXT:   fpga.v_wr DRAM[0]
// CHECK-NEXT: }

// -----

// A chain the target cannot run: bias, floor and ceiling need three
// add/sub/min/max stages and tiny has two MFUs. The planner's reason is
// the error (fpga-fuse never builds such a linear; fpga-lower-to-isa would
// report the same).
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x20xf32>, %w: tensor<3x20xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
    // expected-error @+1 {{the hardware cannot run this chain}}
    %0 = fpga.linear %x, %w, %b {max_floor = -1.0 : f32, min_ceiling = 1.0 : f32} : (tensor<2x20xf32>, tensor<3x20xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}
