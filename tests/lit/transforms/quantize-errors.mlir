// An unknown format and a format the matrix unit cannot use (bf16 is a
// multifunction-unit format) are reported once, on the module, and the pass
// fails. Block sizes no longer need to divide the native dimension
// (bfp:m=3,k=32 on tiny, N = 16, is valid now), so the remaining pairing
// error is a layer whose weight and input formats have different block sizes.
// RUN: not npu-opt --fpga-quantize=precision=msfp99 %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not npu-opt --fpga-quantize=precision=bf16 %s 2>&1 | FileCheck %s --check-prefix=MFU
// RUN: not npu-opt "--fpga-quantize=precision=bfp:m=3,k=300" %s 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: npu-opt "--fpga-quantize=precision=bfp:m=3,k=32" %s | FileCheck %s --check-prefix=K32
// RUN: %python -c "import sys; print(open(sys.argv[1]).read().replace('%0 = fpga.linear %x, %w :', '%0 = fpga.linear %x, %w {weight_format = #fpga.format<\"msfp15\">, input_format = #fpga.format<\"mxfp4\">} :'))" %s > %t.pair.mlir
// RUN: not npu-opt --fpga-quantize %t.pair.mlir 2>&1 | FileCheck %s --check-prefix=PAIR

// BAD: error: bad precision 'msfp99': unknown number format 'msfp99'
// BAD-NOT: error:
// MFU: error: bad precision 'bf16': 'bf16' is a multifunction-unit format; matrix products need fp32 or a block format
// MFU-NOT: error:
// RANGE: error: bad precision 'bfp:m=3,k=300': {{.*}}block size k must be 1..256
// K32: \22weight_format\22:\22bfp:m=3,k=32\22
// K32: fpga.linear {{.*}}weight_format = #fpga.format<"bfp:m=3,k=32">
// PAIR: error: op fpga.linear: formats msfp15 x mxfp4 do not fit target 'tiny': {{.*}}weight format 'msfp15' (block 16) and input format 'mxfp4' (block 32) must have the same block size
// PAIR-NOT: error:

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
    %w = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
    %0 = fpga.linear %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
    return %0 : tensor<1x1xf32>
  }
}
