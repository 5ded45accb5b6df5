// RUN: npu-opt --fpga-tile %s 2>&1 | FileCheck %s
// Constant recurrent weights are pinned first, from tile 0 (4 gates x 1 x 2
// tiles on tiny); other pinned weights follow them.

// CHECK: remark: {{.*}}gate matrices pinned in MRF tiles [0, 8)
// CHECK: fpga.rnn {{.*}}mrf_tile = 0 : i64
// CHECK: fpga.weights {mrf_tile = 8 : i64
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<5x1x3xf32>) -> tensor<1x16xf32> {
    %w = arith.constant dense<0.5> : tensor<1x16x3xf32>
    %r = arith.constant dense<0.25> : tensor<1x16x4xf32>
    %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell lstm>, hidden_size = 4 : i64}
        : (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
        -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
    %h = fpga.reshape %yh : (tensor<1x1x4xf32>) -> tensor<1x4xf32>
    %w2 = fpga.weights {value = dense<1.0> : tensor<16x4xf32>} : tensor<16x4xf32, #fpga.format<"msfp15">>
    %o = fpga.linear %h, %w2 : (tensor<1x4xf32>, tensor<16x4xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    return %o : tensor<1x16xf32>
  }
}

