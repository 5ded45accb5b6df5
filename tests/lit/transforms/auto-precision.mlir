// fpga-auto-precision: per fpga.linear, the first candidate format (fewest
// storage bits first: mxfp4, msfp12, msfp13, mxfp6_e2m3, mxfp6_e3m2, msfp14,
// msfp15, mxfp8_e4m3, mxfp8_e5m2, mxint8, msfp16) whose relative RMS output
// error on the samples is at most `bound`, else fp32; each decision is a
// remark, and the formats become the layer's weight_format / input_format
// (fpga-quantize keeps them and rounds the weights).
//
// The samples are unit vectors, exact in every format, so the output is one
// rounded weight: with x = e1, y1 = w1[0] = 1.75 and y2 = w2[0] = 0.1, each
// in a row whose largest element is 4 (tiny: N = 16, one block per row).
// Rounded by hand (docs/numerics.md):
//  1.75: mxfp4 (X = 0, E2M1 tie of 1.5 and 2, even code) -> 2; msfp12 (step
//        2^(E-m+1) = 1) -> 2; msfp13 (step 0.5, 3.5 steps, tie to even) -> 2:
//        error 0.25 / 1.75 = 0.143; mxfp6_e2m3 (X = 0, step 1/8 in [1, 2))
//        is exact.
//  0.1:  mxfp4 -> 0 (below half the smallest subnormal 0.5), msfp12 (step 1),
//        msfp13 (step 0.5), msfp14 (step 0.25) -> 0: error 1;
//        mxfp6_e2m3 (subnormal step 1/8) -> 0.125, msfp15 (step 1/8) ->
//        0.125, mxint8 (X = 2, step 4/64) -> 0.125, msfp16 (step 1/16, 1.6
//        steps) -> 0.125: error 0.25; mxfp6_e3m2 (X = -2, 0.4 = 6.4 subnormal
//        steps of 1/16) -> 6/16 / 4 = 0.09375, mxfp8_e5m2 (X = -13, 819.2 in
//        [512, 1024) step 128) -> 768 / 8192 = 0.09375: error 0.0625;
//        mxfp8_e4m3 (X = -6, 6.4 in [4, 8) step 0.5) -> 6.5 / 64 = 0.1015625:
//        error 0.0156.
// With the two stacked samples e1 and e2 (y = (w[0], 4), the 4 exact), the
// RMS error is |dw0| / sqrt(w[0]^2 + 16): fc1 mxfp4 0.25 / sqrt(19.0625) =
// 0.0573, fc2 mxfp4 0.1 / sqrt(16.01) = 0.025.

// RUN: %python -c "import numpy as np; x = np.zeros((1, 16), np.float32); x[0, 0] = 1; np.save('%t.e1.npy', x)"
// RUN: %python -c "import numpy as np; x = np.zeros((2, 1, 16), np.float32); x[0, 0, 0] = 1; x[1, 0, 1] = 1; np.save('%t.e12.npy', x)"
// RUN: %python -c "import numpy as np; np.save('%t.ten.npy', np.zeros(10, np.float32))"

// RUN: npu-opt "--fpga-auto-precision=bound=0.2 samples=x=%t.e1.npy" %s 2>&1 >/dev/null | FileCheck %s --check-prefix=WIDE
// WIDE: remark: {{.*}}node 'fc1' (fpga.linear): auto-precision chose mxfp4 (relative RMS error 0.143 <= 0.2){{$}}
// WIDE: remark: {{.*}}node 'fc2' (fpga.linear): auto-precision chose mxfp6_e3m2 (relative RMS error 0.0625 <= 0.2); narrower formats: mxfp4 1, msfp12 1, msfp13 1, mxfp6_e2m3 0.25{{$}}

// RUN: npu-opt "--fpga-auto-precision=bound=0.1 samples=x=%t.e1.npy" %s 2>&1 >/dev/null | FileCheck %s --check-prefix=MID
// MID: remark: {{.*}}node 'fc1' (fpga.linear): auto-precision chose mxfp6_e2m3 (relative RMS error 0 <= 0.1); narrower formats: mxfp4 0.143, msfp12 0.143, msfp13 0.143{{$}}
// MID: remark: {{.*}}node 'fc2' (fpga.linear): auto-precision chose mxfp6_e3m2 (relative RMS error 0.0625 <= 0.1); narrower formats: mxfp4 1, msfp12 1, msfp13 1, mxfp6_e2m3 0.25{{$}}

// A tiny bound: fc1 is exact in mxfp6_e2m3, fc2 in no block format -> fp32.
// (The bound in the fp32 message is printed as 1.000000e-02, in the other
// remarks as 0.01; either spelling is accepted here.)
// RUN: npu-opt "--fpga-auto-precision=bound=0.01 samples=x=%t.e1.npy" %s 2>&1 >/dev/null | FileCheck %s --check-prefix=TIGHT
// TIGHT: remark: {{.*}}node 'fc1' (fpga.linear): auto-precision chose mxfp6_e2m3 (relative RMS error 0 <= 0.01)
// TIGHT: remark: {{.*}}node 'fc2' (fpga.linear): auto-precision chose fp32: no block format keeps the relative RMS error within {{0.01|1.000000e-02}} (mxfp4 1, msfp12 1, msfp13 1, mxfp6_e2m3 0.25, mxfp6_e3m2 0.0625, msfp14 1, msfp15 0.25, mxfp8_e4m3 0.0156, mxfp8_e5m2 0.0625, mxint8 0.25, msfp16 0.25){{$}}

// Several samples stacked along a leading dimension.
// RUN: npu-opt "--fpga-auto-precision=bound=0.1 samples=x=%t.e12.npy" %s 2>&1 >/dev/null | FileCheck %s --check-prefix=STACK
// STACK: remark: {{.*}}node 'fc1' (fpga.linear): auto-precision chose mxfp4 (relative RMS error 0.0573 <= 0.1){{$}}
// STACK: remark: {{.*}}node 'fc2' (fpga.linear): auto-precision chose mxfp4 (relative RMS error 0.025 <= 0.1){{$}}

// The choice is recorded on the layers; fpga-quantize keeps it and rounds the
// weights to it (1.75 exact in mxfp6_e2m3, 0.1 -> 0.09375 in mxfp6_e3m2; fp32
// keeps 0.1).
// RUN: npu-opt "--fpga-auto-precision=bound=0.1 samples=x=%t.e1.npy" --fpga-quantize %s 2>/dev/null | FileCheck %s --check-prefix=QUANT
// QUANT: fpga.weights {value = dense<{{\[}}[1.750000e+00, 4.000000e+00, 0.000000e+00,{{.*}}]]> : tensor<1x16xf32>} : tensor<1x16xf32, #fpga.format<"mxfp6_e2m3">>
// QUANT-NEXT: fpga.linear {{.*}}{input_format = #fpga.format<"mxfp6_e2m3">, weight_format = #fpga.format<"mxfp6_e2m3">}
// QUANT: fpga.weights {value = dense<{{\[}}[9.375000e-02, 4.000000e+00, 0.000000e+00,{{.*}}]]> : tensor<1x16xf32>} : tensor<1x16xf32, #fpga.format<"mxfp6_e3m2">>
// QUANT-NEXT: fpga.linear {{.*}}{input_format = #fpga.format<"mxfp6_e3m2">, weight_format = #fpga.format<"mxfp6_e3m2">}
// RUN: npu-opt "--fpga-auto-precision=bound=0.01 samples=x=%t.e1.npy" --fpga-quantize %s 2>/dev/null | FileCheck %s --check-prefix=QUANT32
// QUANT32: #fpga.format<"mxfp6_e2m3">>
// QUANT32: fpga.weights {value = dense<{{\[}}[1.000000e-01, 4.000000e+00, 0.000000e+00,{{.*}}]]> : tensor<1x16xf32>} : tensor<1x16xf32, #fpga.format<"fp32">>
// QUANT32-NEXT: fpga.linear {{.*}}{input_format = #fpga.format<"fp32">, weight_format = #fpga.format<"fp32">}

// Without samples the pass synthesises seeded inputs: still one decision per
// layer, the same on every run.
// RUN: npu-opt --fpga-auto-precision=bound=0.1 %s 2>&1 >/dev/null | FileCheck %s --check-prefix=SYNTH
// RUN: npu-opt --fpga-auto-precision=bound=0.1 %s 2>%t.synth1 >/dev/null
// RUN: npu-opt --fpga-auto-precision=bound=0.1 %s 2>%t.synth2 >/dev/null
// RUN: diff %t.synth1 %t.synth2
// SYNTH: remark: {{.*}}node 'fc1' (fpga.linear): auto-precision chose {{[a-z0-9_]+}} (relative RMS error {{[0-9.e-]+}} <= 0.1)
// SYNTH: remark: {{.*}}node 'fc2' (fpga.linear): auto-precision chose {{[a-z0-9_]+}} (relative RMS error {{[0-9.e-]+}} <= 0.1)

// Sample errors: reported on the function, the pass fails.
// RUN: not npu-opt "--fpga-auto-precision=samples=x=%t.e1.npy,z=%t.e1.npy" %s 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: sample for unknown input 'z'
// RUN: not npu-opt "--fpga-auto-precision=samples=x=%t.ten.npy" %s 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: error: sample '{{.*}}ten.npy' holds 10 values, not a whole number of inputs of 16 elements
// RUN: not npu-opt "--fpga-auto-precision=samples=z=%t.e1.npy" %s 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: no sample for input 'x' (give --sample x=FILE)
// RUN: not npu-opt "--fpga-auto-precision=samples=x" %s 2>&1 | FileCheck %s --check-prefix=SPEC
// SPEC: error: bad sample 'x': expected NAME=FILE
// RUN: not npu-opt "--fpga-auto-precision=samples=x=%t.missing.npy" %s 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: error: sample for 'x': cannot open '{{.*}}missing.npy'

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x16xf32> {onnx.name = "x"}) -> (tensor<1x1xf32> {onnx.name = "y1"}, tensor<1x1xf32> {onnx.name = "y2"}) {
    %w1 = arith.constant dense<[[1.75, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<1x16xf32>
    %w2 = arith.constant dense<[[0.1, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]> : tensor<1x16xf32>
    %0 = fpga.linear %x, %w1 : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x1xf32> loc("fc1")
    %1 = fpga.linear %x, %w2 : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x1xf32> loc("fc2")
    return %0, %1 : tensor<1x1xf32>, tensor<1x1xf32>
  }
}
