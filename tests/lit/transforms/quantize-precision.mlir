// precision=fp32 keeps the weights exact, and the module records the target
// it was compiled for (tiny with fp32 formats is no preset, so as JSON).
// RUN: npu-opt --fpga-quantize=precision=fp32 %s | FileCheck %s --check-prefix=FP32
// precision=msfp12 (3 magnitude bits, step 2^(E-2), saturating at 7 steps).
// RUN: npu-opt --fpga-quantize=precision=msfp12 %s | FileCheck %s --check-prefix=MSFP12
// A generic BFP format is named as such.
// RUN: npu-opt "--fpga-quantize=precision=bfp:m=3,k=8" %s | FileCheck %s --check-prefix=BFP
// Without a target attribute the default target (brainwave-s10) is used and
// precision=fp32 yields its JSON, not the preset's name.
// RUN: %python -c "import sys; print(open(sys.argv[1]).read().replace('attributes {fpga.target = #fpga.target<\"tiny\">} ', ''))" %s > %t.notarget.mlir
// RUN: npu-opt --fpga-quantize=precision=fp32 %t.notarget.mlir | FileCheck %s --check-prefix=DEFAULT
// RUN: npu-opt --fpga-quantize %t.notarget.mlir | FileCheck %s --check-prefix=DEFAULT-MSFP

// FP32: module attributes {fpga.target = #fpga.target<"{
// FP32-SAME: \22name\22:\22tiny\22
// FP32-SAME: \22native_dim\22:16
// FP32-SAME: \22weight_format\22:\22fp32\22
// FP32-SAME: \22input_format\22:\22fp32\22
// FP32: fpga.weights {value = dense<{{\[}}[2.000000e+00, 6.000000e-01, 2.000000e-01], [1.000000e+00, -4.000000e+00, 2.000000e+02]]> : tensor<2x3xf32>} : tensor<2x3xf32, #fpga.format<"fp32">>

// Row 0: E = 1, step 0.5: 0.6 -> 0.5, 0.2 -> 0. Row 1: E = 7, step 32:
// 200 -> 6 * 32 = 192, -4 and 1 -> 0.
// MSFP12: \22weight_format\22:\22msfp12\22
// MSFP12: fpga.weights {value = dense<{{\[}}[2.000000e+00, 5.000000e-01, 0.000000e+00], [0.000000e+00, 0.000000e+00, 1.920000e+02]]> : tensor<2x3xf32>} : tensor<2x3xf32, #fpga.format<"msfp12">>

// BFP: \22weight_format\22:\22bfp:m=3,k=8\22
// BFP: tensor<2x3xf32, #fpga.format<"bfp:m=3,k=8">>

// DEFAULT: module attributes {fpga.target = #fpga.target<"{
// DEFAULT-SAME: \22name\22:\22brainwave-s10\22
// DEFAULT-SAME: \22weight_format\22:\22fp32\22
// DEFAULT: #fpga.format<"fp32">

// DEFAULT-MSFP: module {
// DEFAULT-MSFP: tensor<2x3xf32, #fpga.format<"msfp{{[0-9]+}}">>

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
    %w = arith.constant dense<[[2.0, 0.6, 0.2], [1.0, -4.0, 200.0]]> : tensor<2x3xf32>
    %0 = fpga.linear %x, %w : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
    return %0 : tensor<1x2xf32>
  }
}
