// RUN: npu-opt --fpga-tile -verify-diagnostics %s
// A streamed matrix is named in a remark of its own only for the first ten;
// the MRF summary counts them all (a model of thousands of small layers
// would otherwise print a line per layer). cnn-n128 streams every matrix;
// -verify-diagnostics fails on a remark for the eleventh or twelfth.

// expected-remark @+1 {{MRF of target 'cnn-n128': 0 tiles pinned, 12 matrices streamed through 2 scratch buffer(s) of 1 tiles, 1024 tiles in all (the first 10 streamed are named above)}}
module attributes {fpga.target = #fpga.target<"cnn-n128">} {
  func.func @twelve_layers(%x0: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %w0 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x1 = fpga.linear %x0, %w0 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w1 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x2 = fpga.linear %x1, %w1 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w2 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x3 = fpga.linear %x2, %w2 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w3 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x4 = fpga.linear %x3, %w3 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w4 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x5 = fpga.linear %x4, %w4 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w5 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x6 = fpga.linear %x5, %w5 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w6 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x7 = fpga.linear %x6, %w6 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w7 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x8 = fpga.linear %x7, %w7 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w8 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x9 = fpga.linear %x8, %w8 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w9 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{the target streams every weight matrix; streamed from DRAM in panels of 1 tile rows}}
    %x10 = fpga.linear %x9, %w9 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w10 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    %x11 = fpga.linear %x10, %w10 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    %w11 = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    %x12 = fpga.linear %x11, %w11 : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    return %x12 : tensor<1x16xf32>
  }
}
