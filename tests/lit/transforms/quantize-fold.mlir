// RUN: npu-opt --fpga-quantize=precision=fp32 %s | FileCheck %s
// alpha is folded into constant weights and beta into a constant bias; both
// attributes then go back to 1 (their defaults, so they are not printed).
// Every fpga.linear gets its weight_format / input_format (here fp32).

// CHECK-LABEL: func.func @alpha_beta
// CHECK-DAG: %[[W:.*]] = fpga.weights {value = dense<{{\[}}[2.000000e+00, -1.000000e+00, 5.000000e-01]]> : tensor<1x3xf32>}
// CHECK-DAG: %[[B:.*]] = arith.constant dense<1.500000e+00> : tensor<1xf32>
// CHECK: fpga.linear %{{.*}}, %[[W]], %[[B]] {input_format = #fpga.format<"fp32">, weight_format = #fpga.format<"fp32">} : (tensor<1x3xf32>, tensor<1x3xf32, #fpga.format<"fp32">>, tensor<1xf32>) -> tensor<1x1xf32>
func.func @alpha_beta(%x: tensor<1x3xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[4.0, -2.0, 1.0]]> : tensor<1x3xf32>
  %b = arith.constant dense<[3.0]> : tensor<1xf32>
  %0 = fpga.linear %x, %w, %b {alpha = 0.5 : f32, beta = 0.5 : f32} : (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// alpha with a transposed w: the scaled values land in [out, in] layout.
// CHECK-LABEL: func.func @alpha_transposed
// CHECK: fpga.weights {value = dense<{{\[}}[-3.000000e+00, 3.000000e+00], [6.000000e+00, 1.200000e+01]]> : tensor<2x2xf32>}
// CHECK: fpga.linear
// CHECK-NOT: alpha
// CHECK-SAME: -> tensor<1x2xf32>
func.func @alpha_transposed(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[-1.0, 2.0], [1.0, 4.0]]> : tensor<2x2xf32>
  %0 = fpga.linear %x, %w {alpha = 3.0 : f32, transpose_w = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// A run-time bias keeps beta (the lowering scales it on the NPU), while the
// constant weights still take alpha.
// CHECK-LABEL: func.func @runtime_bias
// CHECK: fpga.weights {value = dense<2.000000e+00> : tensor<1x2xf32>}
// CHECK: fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {beta = 2.500000e-01 : f32, input_format = #fpga.format<"fp32">, weight_format = #fpga.format<"fp32">}
func.func @runtime_bias(%x: tensor<1x2xf32>, %b: tensor<1xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %0 = fpga.linear %x, %w, %b {alpha = 2.0 : f32, beta = 0.25 : f32} : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}
