// RUN: npu-opt --fpga-quantize %s | FileCheck %s
// RUN: npu-opt --fpga-quantize %s | npu-opt | FileCheck %s
// Weights held as blob resources (dense_resource, dialects/FloatData.h: every
// float32 constant of 64 KiB or more) are read and rounded like dense ones.
// A blob only one constant holds takes the rounded [out, in] weights in
// place; a shared one is left alone and each layer gets new weights (dense
// here: below 64 KiB). The printed IR carries the bytes and parses back
// (second RUN).

module attributes {fpga.target = #fpga.target<"tiny">} {

// w is [K=3, P=2] = [[1, 2], [0.25, -3], [-0.5, 4]] with transpose_w: the
// weights are its transpose [[1, 0.25, -0.5], [2, -3, 4]] (exact in msfp15).
// CHECK-LABEL: func.func @in_place
// CHECK-NOT: arith.constant
// CHECK: fpga.weights {value = dense_resource<w> : tensor<2x3xf32>} : tensor<2x3xf32, #fpga.format<"msfp15">>
func.func @in_place(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense_resource<w> : tensor<3x2xf32>
  %0 = fpga.linear %x, %w {transpose_w = true} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// Two constants hold `shared`: it keeps its values, each layer has weights
// of its own.
// CHECK-LABEL: func.func @shared
// CHECK-COUNT-2: fpga.weights {value = dense<{{\[}}[1.000000e+00, 2.500000e-01, -5.000000e-01], [2.000000e+00, -3.000000e+00, 4.000000e+00]]> : tensor<2x3xf32>}
func.func @shared(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w0 = arith.constant dense_resource<shared> : tensor<3x2xf32>
  %w1 = arith.constant dense_resource<shared> : tensor<3x2xf32>
  %0 = fpga.linear %x, %w0 {transpose_w = true} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %1 = fpga.linear %x, %w1 {transpose_w = true} : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %2 = fpga.add %0, %1 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %2 : tensor<1x2xf32>
}

}

// Little-endian floats after the 4-byte alignment word; `shared` is no
// longer used, so not printed.
// CHECK: dialect_resources
// CHECK-NEXT: builtin: {
// CHECK-NEXT: w: "0x040000000000803F0000803E000000BF00000040000040C000008040"
// CHECK-NEXT: }
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000803E000040C0000000BF00008040",
      shared: "0x040000000000803F000000400000803E000040C0000000BF00008040"
    }
  }
#-}
