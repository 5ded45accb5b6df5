// An unknown format and a format the target's native dimension cannot hold
// are reported once, on the module, and the pass fails.
// RUN: not npu-opt --fpga-quantize=precision=msfp99 %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not npu-opt "--fpga-quantize=precision=bfp:m=3,k=32" %s 2>&1 | FileCheck %s --check-prefix=FIT

// BAD: error: bad precision 'msfp99': unknown number format 'msfp99'
// BAD-NOT: error:
// FIT: error: precision 'bfp:m=3,k=32' does not fit target 'tiny': {{.*}}block size (32)

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
    %w = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
    %0 = fpga.linear %x, %w : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
    return %0 : tensor<1x1xf32>
  }
}
