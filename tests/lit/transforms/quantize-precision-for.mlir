// fpga-quantize precision-for=PATTERN=FORMAT: a glob over the ONNX node names
// of a layer (its NameLoc locations; a fused layer matches by any of its
// names), the last matching pattern wins, a pattern that matches no layer is a
// warning. The chosen format rounds that layer's weights.
//
// RUN: npu-opt "--fpga-quantize=precision-for=fc1=mxfp4" %s 2>%t.one.err | FileCheck %s --check-prefix=ONE
// RUN: not grep warning %t.one.err
// RUN: npu-opt "--fpga-quantize=precision-for=fc*=msfp12,fc2=mxint8" %s 2>%t.last.err | FileCheck %s --check-prefix=LAST
// RUN: not grep warning %t.last.err
// RUN: npu-opt "--fpga-quantize=precision-for=fc2=mxint8,fc*=msfp12" %s 2>%t.order.err | FileCheck %s --check-prefix=ORDER
// RUN: not grep warning %t.order.err
// RUN: npu-opt "--fpga-quantize=precision-for=relu3=mxfp8_e4m3" %s | FileCheck %s --check-prefix=FUSED
// RUN: npu-opt "--fpga-quantize=precision-for=conv*=mxfp4,proj=msfp12" %s 2>%t.unused.err | FileCheck %s --check-prefix=UNUSED
// RUN: FileCheck %s --check-prefix=UNUSED-WARN < %t.unused.err
// RUN: npu-opt "--fpga-quantize=precision=mxfp8_e4m3 precision-for=proj=msfp12" %s | FileCheck %s --check-prefix=PREC

// Every layer's weight row is (4, 0.3, -1.75, 5) on tiny (N = 16; the row is
// one block, zero-padded). Rounded by hand:
//  - msfp15 (tiny's format; m = 6, block 16): E = floor(log2 5) = 2, step
//    2^(E-5) = 1/8: 0.3 -> 2.4 steps -> 2 -> 0.25; 4, -1.75, 5 exact.
//  - msfp12 (m = 3): step 2^(E-2) = 1: 0.3 -> 0; -1.75 -> -2; 4, 5 exact.
//  - mxfp4 (E2M1, emax 2): X = 2 - 2 = 0; E2M1 values 0, .5, 1, 1.5, 2, 3, 4,
//    6: 0.3 -> 0.5 (above the midpoint 0.25); -1.75 is a tie of 1.5 (code 3)
//    and 2 (code 4) -> -2 (even code); 5 is a tie of 4 (code 6) and 6 (code 7)
//    -> 4.
//  - mxint8: X = 2 - 0 = 2, values q * 2^-6 * 4 = q / 16: 0.3 * 16 = 4.8 ->
//    5 -> 0.3125; the others exact.
//  - mxfp8_e4m3 (emax 8): X = -6, x * 64 = 256, 19.2, -112, 320; 19.2 lies in
//    [16, 32) with step 2 -> 20 -> 20 / 64 = 0.3125; the others exact.

// ONE: %[[W1:.*]] = fpga.weights {value = dense<{{\[}}[4.000000e+00, 5.000000e-01, -2.000000e+00, 4.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"mxfp4">>
// ONE-NEXT: fpga.linear %arg0, %[[W1]] {input_format = #fpga.format<"mxfp4">, weight_format = #fpga.format<"mxfp4">}
// ONE: %[[W2:.*]] = fpga.weights {value = dense<{{\[}}[4.000000e+00, 2.500000e-01, -1.750000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"msfp15">>
// ONE-NEXT: fpga.linear %arg0, %[[W2]] {input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// ONE-COUNT-2: fpga.weights {value = dense<{{\[}}[4.000000e+00, 2.500000e-01, -1.750000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"msfp15">>
// ONE-NOT: fpga.weights

// fc1 and fc3+relu3 match only "fc*" (msfp12); fc2 matches both, the later
// "fc2" wins (mxint8); proj matches nothing (target's msfp15).
// LAST: fpga.weights {value = dense<{{\[}}[4.000000e+00, 0.000000e+00, -2.000000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"msfp12">>
// LAST: fpga.weights {value = dense<{{\[}}[4.000000e+00, 3.125000e-01, -1.750000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"mxint8">>
// LAST-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"mxint8">, weight_format = #fpga.format<"mxint8">}
// LAST: fpga.weights {value = dense<{{\[}}[4.000000e+00, 2.500000e-01, -1.750000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"msfp15">>
// LAST: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp12">>

// The other order: "fc*" comes last and wins for fc2 too.
// ORDER: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp12">>
// ORDER-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp12">, weight_format = #fpga.format<"msfp12">}
// ORDER: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp12">>
// ORDER-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp12">, weight_format = #fpga.format<"msfp12">}
// ORDER: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// ORDER-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// ORDER: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp12">>
// ORDER-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp12">, weight_format = #fpga.format<"msfp12">}

// A fused layer (fc3+relu3) matches by any of its node names.
// FUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// FUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// FUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// FUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// FUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// FUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// FUSED: fpga.weights {value = dense<{{\[}}[4.000000e+00, 3.125000e-01, -1.750000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"mxfp8_e4m3">>

// Only the pattern that matches nothing warns.
// UNUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// UNUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// UNUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// UNUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// UNUSED: fpga.weights {value = dense<{{\[}}[4.000000e+00, 0.000000e+00, -2.000000e+00, 5.000000e+00]]> : tensor<1x4xf32>} : tensor<1x4xf32, #fpga.format<"msfp12">>
// UNUSED: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// UNUSED-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp15">, weight_format = #fpga.format<"msfp15">}
// UNUSED-WARN: warning: --precision-for 'conv*=mxfp4' matches no matrix-product node
// UNUSED-WARN-NOT: warning:

// precision sets the default (and the module target); precision-for still
// overrides per layer.
// PREC: \22weight_format\22:\22mxfp8_e4m3\22
// PREC: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"mxfp8_e4m3">>
// PREC-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"mxfp8_e4m3">, weight_format = #fpga.format<"mxfp8_e4m3">}
// PREC: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"mxfp8_e4m3">>
// PREC-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"mxfp8_e4m3">, weight_format = #fpga.format<"mxfp8_e4m3">}
// PREC: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp12">>
// PREC-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"msfp12">, weight_format = #fpga.format<"msfp12">}
// PREC: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"mxfp8_e4m3">>
// PREC-NEXT: fpga.linear {{.*}}input_format = #fpga.format<"mxfp8_e4m3">, weight_format = #fpga.format<"mxfp8_e4m3">}

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> (tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>) {
    %w = arith.constant dense<[[4.0, 0.3, -1.75, 5.0]]> : tensor<1x4xf32>
    %0 = fpga.linear %x, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc("fc1")
    %1 = fpga.linear %x, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc("fc2")
    %2 = fpga.linear %x, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc("proj")
    %3 = fpga.linear %x, %w {activation = #fpga<activation relu>} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc(fused["fc3", "relu3"])
    return %0, %1, %2, %3 : tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>, tensor<1x1xf32>
  }
}
