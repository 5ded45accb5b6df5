// fpga-quantize precision-for errors: each is reported once, on the module,
// naming the offending PATTERN=FORMAT, and the pass fails. A pattern that
// matches no layer is only a warning (the module is still produced).
// (quantize-precision-for.mlir covers the patterns that do match.)
// RUN: not npu-opt "--fpga-quantize=precision-for=fc1=mxfp5" %s 2>&1 | FileCheck %s --check-prefix=FORMAT
// RUN: not npu-opt "--fpga-quantize=precision-for=fc1=bf16" %s 2>&1 | FileCheck %s --check-prefix=MFU
// RUN: not npu-opt "--fpga-quantize=precision-for=fc[1=mxfp4" %s 2>&1 | FileCheck %s --check-prefix=PATTERN
// RUN: not npu-opt "--fpga-quantize=precision-for=fc1" %s 2>&1 | FileCheck %s --check-prefix=NOEQ
// RUN: not npu-opt "--fpga-quantize=precision-for==mxfp4" %s 2>&1 | FileCheck %s --check-prefix=NOPAT
// RUN: npu-opt "--fpga-quantize=precision-for=conv*=mxfp4" %s 2>%t.err | FileCheck %s --check-prefix=WARN-OUT
// RUN: FileCheck %s --check-prefix=WARN < %t.err

// FORMAT: error: bad --precision-for 'fc1=mxfp5': unknown number format 'mxfp5'
// FORMAT-NOT: error:
// MFU: error: bad --precision-for 'fc1=bf16': 'bf16' is a multifunction-unit format; matrix products need fp32 or a block format
// MFU-NOT: error:
// PATTERN: error: bad --precision-for pattern in 'fc[1=mxfp4': invalid glob pattern, unmatched '['
// PATTERN-NOT: error:
// NOEQ: error: bad --precision-for 'fc1': expected PATTERN=FORMAT
// NOPAT: error: bad --precision-for '=mxfp4': expected PATTERN=FORMAT

// WARN-OUT: fpga.weights {{.*}} : tensor<1x4xf32, #fpga.format<"msfp15">>
// WARN: warning: --precision-for 'conv*=mxfp4' matches no matrix-product node
// WARN-NOT: error:

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x1xf32> {
    %w = arith.constant dense<[[4.0, 0.3, -1.75, 5.0]]> : tensor<1x4xf32>
    %0 = fpga.linear %x, %w : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x1xf32> loc("fc1")
    return %0 : tensor<1x1xf32>
  }
}
