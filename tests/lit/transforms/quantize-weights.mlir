// RUN: npu-opt --fpga-quantize %s | FileCheck %s
// Constant matrices become fpga.weights in [out, in] layout, rounded to the
// target's weight format (tiny: msfp15 = shared 8-bit exponent E per block of
// 16, sign + 6 magnitude bits, step 2^(E-5)) and typed with the format as the
// tensor encoding.

// The module's target is not rewritten without a precision option.
// CHECK: module attributes {fpga.target = #fpga.target<"tiny">}
module attributes {fpga.target = #fpga.target<"tiny">} {

// w is [K=3, P=2] with transpose_w: the weights are its transpose, [2, 3].
// Row 0 = (1, 0.25, -0.5) has E = 0, step 2^-5: exact.
// Row 1 = (2, -3, 4) has E = 2, step 2^-3: exact.
// CHECK-LABEL: func.func @layout
// CHECK-NOT: arith.constant
// CHECK: %[[W:.*]] = fpga.weights {value = dense<{{\[}}[1.000000e+00, 2.500000e-01, -5.000000e-01], [2.000000e+00, -3.000000e+00, 4.000000e+00]]> : tensor<2x3xf32>} : tensor<2x3xf32, #fpga.format<"msfp15">>
// CHECK: fpga.linear %{{.*}}, %[[W]] {input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">} : (tensor<1x3xf32>, tensor<2x3xf32, #fpga.format<"msfp15">>) -> tensor<1x2xf32>
func.func @layout(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [0.25, -3.0], [-0.5, 4.0]]> : tensor<3x2xf32>
  %0 = fpga.linear %x, %w {transpose_w = true} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// Already [out, in]: kept as is.
// CHECK-LABEL: func.func @no_transpose
// CHECK: fpga.weights {value = dense<{{\[}}[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>} : tensor<1x2xf32, #fpga.format<"msfp15">>
func.func @no_transpose(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %0 = fpga.linear %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// Rounding is per row (block): row 0 (2, 0.6, 0.2) has E = 1, step 2^-4, so
// 0.6 -> 10/16 = 0.625 and 0.2 -> 3/16 = 0.1875; row 1 (1, -4, 200) has E = 7,
// step 4, so 1 -> 0 while -4 and 200 are exact.
// CHECK-LABEL: func.func @rounding
// CHECK: fpga.weights {value = dense<{{\[}}[2.000000e+00, 6.250000e-01, 1.875000e-01], [0.000000e+00, -4.000000e+00, 2.000000e+02]]>
func.func @rounding(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[2.0, 0.6, 0.2], [1.0, -4.0, 200.0]]> : tensor<2x3xf32>
  %0 = fpga.linear %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// A run-time matrix (a function argument) is left alone, and so are alpha,
// beta and a non-constant bias; the layer still gets the target's formats
// (m_rd rounds the matrix to weight_format at run time).
// CHECK-LABEL: func.func @runtime_matrix
// CHECK-NOT: fpga.weights
// CHECK: fpga.linear %{{.*}}, %{{.*}}, %{{.*}} {alpha = 3.000000e+00 : f32, beta = 2.000000e+00 : f32, input_format = #fpga.format<"msfp15">, transpose_w = true, weight_format = #fpga.format<"msfp15">} : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>)
func.func @runtime_matrix(%x: tensor<1x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<1x2xf32> {
  %0 = fpga.linear %x, %w, %b {alpha = 3.0 : f32, beta = 2.0 : f32, transpose_w = true} : (tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

}
