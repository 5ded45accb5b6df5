// RUN: npu-opt --split-input-file --verify-diagnostics --fpga-boundary-layout %s | FileCheck %s
// A graph input read only by the change to channels innermost (reshape to
// [C, H * W], transpose) enters the NPU already permuted: the argument becomes
// [1, H, W, C] with fpga.dram_perm, the transpose a view, and a remark says so.
// A graph output that is only the change back (transpose of [H * W, C],
// reshape to NCHW) leaves it permuted the same way. fpga-lower-to-isa then
// declares them with their ONNX shapes and the permutations (the RUN line at
// the end).

// CHECK-LABEL: func.func @nchw
// CHECK-SAME: (%arg0: tensor<1x4x5x3xf32> {fpga.dram_perm = array<i64: 0, 2, 3, 1>, onnx.name = "x"})
// CHECK-NEXT: %[[V:.*]] = fpga.reshape %arg0 : (tensor<1x4x5x3xf32>) -> tensor<20x3xf32>
// CHECK-NEXT: return %[[V]]
// expected-remark @+1 {{graph input 'x' enters the NPU channels innermost, as 'tensor<1x4x5x3xf32>': npu-run permutes it on the host, no transpose on the NPU}}
func.func @nchw(%x: tensor<1x3x4x5xf32> {onnx.name = "x"}) -> tensor<20x3xf32> {
  %0 = fpga.reshape %x : (tensor<1x3x4x5xf32>) -> tensor<3x20xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<3x20xf32>) -> tensor<20x3xf32>
  return %1 : tensor<20x3xf32>
}

// -----

// 1-D: [1, C, W] -> [1, W, C].
// CHECK-LABEL: func.func @ncw
// CHECK-SAME: (%arg0: tensor<1x7x2xf32> {fpga.dram_perm = array<i64: 0, 2, 1>})
// expected-remark @+1 {{graph input 'input0' enters the NPU channels innermost}}
func.func @ncw(%x: tensor<1x2x7xf32>) -> tensor<7x2xf32> {
  %0 = fpga.reshape %x : (tensor<1x2x7xf32>) -> tensor<2x7xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<2x7xf32>) -> tensor<7x2xf32>
  return %1 : tensor<7x2xf32>
}

// -----

// Left alone: an input with another reader (its NCHW layout is needed), and
// a reshape that is not [C, H * W].
// CHECK-LABEL: func.func @kept
// CHECK-SAME: (%arg0: tensor<1x3x4x5xf32>, %arg1: tensor<1x3x4x5xf32>)
// CHECK: fpga.transpose
// CHECK: fpga.transpose
func.func @kept(%x: tensor<1x3x4x5xf32>, %z: tensor<1x3x4x5xf32>) -> (tensor<20x3xf32>, tensor<1x3x4x5xf32>, tensor<5x12xf32>) {
  %0 = fpga.reshape %x : (tensor<1x3x4x5xf32>) -> tensor<3x20xf32>
  %1 = fpga.transpose %0 {perm = array<i64: 1, 0>} : (tensor<3x20xf32>) -> tensor<20x3xf32>
  %2 = fpga.reshape %z : (tensor<1x3x4x5xf32>) -> tensor<12x5xf32>
  %3 = fpga.transpose %2 {perm = array<i64: 1, 0>} : (tensor<12x5xf32>) -> tensor<5x12xf32>
  return %1, %x, %3 : tensor<20x3xf32>, tensor<1x3x4x5xf32>, tensor<5x12xf32>
}

// -----

// CHECK-LABEL: func.func @output
// CHECK-SAME: -> (tensor<1x4x5x3xf32> {fpga.dram_perm = array<i64: 0, 2, 3, 1>, onnx.name = "y"})
// CHECK-NEXT: %[[V:.*]] = fpga.reshape %arg0 : (tensor<20x3xf32>) -> tensor<1x4x5x3xf32>
// CHECK-NEXT: return %[[V]]
// expected-remark @+1 {{graph output 'y' leaves the NPU channels innermost, as 'tensor<1x4x5x3xf32>': npu-run permutes it on the host, no transpose on the NPU}}
func.func @output(%p: tensor<20x3xf32>) -> (tensor<1x3x4x5xf32> {onnx.name = "y"}) {
  %0 = fpga.transpose %p {perm = array<i64: 1, 0>} : (tensor<20x3xf32>) -> tensor<3x20xf32>
  %1 = fpga.reshape %0 : (tensor<3x20xf32>) -> tensor<1x3x4x5xf32>
  return %1 : tensor<1x3x4x5xf32>
}

// -----

// An output whose transposed form has another reader keeps the transpose.
// CHECK-LABEL: func.func @output_kept
// CHECK: fpga.transpose
// CHECK: return %{{.*}}, %{{.*}} : tensor<1x3x4x5xf32>, tensor<3x20xf32>
func.func @output_kept(%p: tensor<20x3xf32>) -> (tensor<1x3x4x5xf32>, tensor<3x20xf32>) {
  %0 = fpga.transpose %p {perm = array<i64: 1, 0>} : (tensor<20x3xf32>) -> tensor<3x20xf32>
  %1 = fpga.reshape %0 : (tensor<3x20xf32>) -> tensor<1x3x4x5xf32>
  return %1, %0 : tensor<1x3x4x5xf32>, tensor<3x20xf32>
}

// The whole pipeline on a convolution model: the input's declaration keeps
// the ONNX shape and carries the permutation, and so does the output's.
// RUN: npu-compile %inputs/conv_clip_min.onnx --target tiny --emit isa 2>&1 | FileCheck %s --check-prefix=ISA
// ISA: npu-compile: note: graph input 'x' enters the NPU channels innermost, as 'tensor<1x6x6x3xf32>'
// ISA: fpga.input "x" shape [1, 3, 6, 6] at 0 {dram_perm = array<i64: 0, 2, 3, 1>}
// ISA: fpga.output "y" shape [1, 4, 6, 6] at {{[0-9]+}} {dram_perm = array<i64: 0, 2, 3, 1>}
