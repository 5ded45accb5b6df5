// RUN: npu-opt --fpga-tile -split-input-file -verify-diagnostics %s
// Matrices that do not fit the target's MRF are streamed from DRAM (with a
// remark each); what cannot fit even then, and rows that do not fit the IVRF
// or output registers, are errors (tiny: N = 16, MRF 256 tiles, IVRF, ASVRF
// and MULVRF 256 vectors each).

// 272 x 256 weights need 17 x 16 = 272 tiles; tiny has 256: streamed through
// two buffers of 128 tiles, panels of 128 / 16 = 8 tile rows. Packed msfp15:
// 272 rows x 16 blocks x 15 bytes = 65280 bytes.
// expected-remark @+1 {{MRF of target 'tiny': 0 tiles pinned, 1 matrices streamed through 2 scratch buffer(s) of 128 tiles, 256 tiles in all}}
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @mrf_pinned(%x: tensor<1x256xf32>) -> tensor<1x272xf32> {
    %w = fpga.weights {value = dense<1.0> : tensor<272x256xf32>} : tensor<272x256xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{streamed from DRAM in panels of 8 tile rows: 65280 bytes}}
    %0 = fpga.linear %x, %w : (tensor<1x256xf32>, tensor<272x256xf32, #fpga.format<"msfp15">>) -> tensor<1x272xf32>
    return %0 : tensor<1x272xf32>
  }
}

// -----

// A run-time matrix is moved in whole: 128 x 3 = 384 tiles cannot fit a
// 256-tile MRF however the constants are placed.
// expected-error @+1 {{the model's matrices do not fit the MRF of target 'tiny' (256 tiles) even when streamed: 384 scratch tiles are needed beside 0 pinned}}
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @mrf_runtime(%x: tensor<1x48xf32>, %m: tensor<2048x48xf32>) -> tensor<1x2048xf32> {
    %0 = fpga.linear %x, %m : (tensor<1x48xf32>, tensor<2048x48xf32>) -> tensor<1x2048xf32>
    return %0 : tensor<1x2048xf32>
  }
}

// -----

// 256 pinned tiles would fill the MRF exactly, leaving no scratch tile for a
// run-time 16 x 16 matrix: the 256-tile matrix is streamed instead, in panels
// of 8 tile rows through two buffers of 128 tiles.
// expected-remark @+1 {{MRF of target 'tiny': 0 tiles pinned, 1 matrices streamed through 2 scratch buffer(s) of 128 tiles}}
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @mrf_scratch(%x: tensor<1x256xf32>, %m: tensor<16x16xf32>) -> tensor<16x16xf32> {
    %w = fpga.weights {value = dense<1.0> : tensor<256x256xf32>} : tensor<256x256xf32, #fpga.format<"msfp15">>
    // expected-remark @+1 {{streamed from DRAM in panels of 8 tile rows: 61440 bytes}}
    %0 = fpga.linear %x, %w : (tensor<1x256xf32>, tensor<256x256xf32, #fpga.format<"msfp15">>) -> tensor<1x256xf32>
    %r = fpga.reshape %0 : (tensor<1x256xf32>) -> tensor<16x16xf32>
    %1 = fpga.linear %r, %m : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
    %2 = fpga.reshape %1 : (tensor<16x16xf32>) -> tensor<1x256xf32>
    %3 = fpga.linear %2, %w : (tensor<1x256xf32>, tensor<256x256xf32, #fpga.format<"msfp15">>) -> tensor<1x256xf32>
    %4 = fpga.reshape %3 : (tensor<1x256xf32>) -> tensor<16x16xf32>
    %5 = fpga.linear %4, %m : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
    return %5 : tensor<16x16xf32>
  }
}

// -----

// Exactly 256 tiles fit.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @mrf_full(%x: tensor<1x256xf32>) -> tensor<1x256xf32> {
    %w = fpga.weights {value = dense<1.0> : tensor<256x256xf32>} : tensor<256x256xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w : (tensor<1x256xf32>, tensor<256x256xf32, #fpga.format<"msfp15">>) -> tensor<1x256xf32>
    return %0 : tensor<1x256xf32>
  }
}

// -----

// A row of 4097 inputs needs 257 native vectors; the IVRF holds 256.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @ivrf(%x: tensor<1x4097xf32>, %m: tensor<1x4097xf32>) -> tensor<1x1xf32> {
    // expected-error @+1 {{op fpga.linear: an input row of 4097 elements needs 257 native vectors; the IVRF of target 'tiny' holds 256}}
    %0 = fpga.linear %x, %m : (tensor<1x4097xf32>, tensor<1x4097xf32>) -> tensor<1x1xf32>
    return %0 : tensor<1x1xf32>
  }
}

// -----

// 2064 outputs are 129 native vectors: the alpha and beta vectors need
// 2 x 129 > 256 MULVRF entries.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @outputs(%x: tensor<1x1xf32>, %m: tensor<2064x1xf32>) -> tensor<1x2064xf32> {
    // expected-error @+1 {{2064 outputs need more vector registers than target 'tiny' has}}
    %0 = fpga.linear %x, %m : (tensor<1x1xf32>, tensor<2064x1xf32>) -> tensor<1x2064xf32>
    return %0 : tensor<1x2064xf32>
  }
}

// -----

// 2048 outputs (128 vectors) still fit.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @outputs_fit(%x: tensor<1x1xf32>, %m: tensor<2048x1xf32>) -> tensor<1x2048xf32> {
    %0 = fpga.linear %x, %m : (tensor<1x1xf32>, tensor<2048x1xf32>) -> tensor<1x2048xf32>
    return %0 : tensor<1x2048xf32>
  }
}

// -----

// Hidden 200 on N = 16: each gate is a 13 x 26 grid, 1352 tiles in all; the
// MRF of tiny has 256.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x1x200xf32>) -> tensor<1x1x200xf32> {
    %w = arith.constant dense<0.5> : tensor<1x800x200xf32>
    %r = arith.constant dense<0.25> : tensor<1x800x200xf32>
    // expected-error @+1 {{the recurrent weights need 1352 MRF tiles of 16 x 16 (1 direction(s), 4 gate(s), hidden 200, input 200) beside 0 already pinned; target 'tiny' has 256 (a recurrent layer keeps its weights on chip for the whole sequence)}}
    %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell lstm>, hidden_size = 200 : i64}
        : (tensor<2x1x200xf32>, tensor<1x800x200xf32>, tensor<1x800x200xf32>)
        -> (tensor<2x1x1x200xf32>, tensor<1x1x200xf32>, tensor<1x1x200xf32>)
    return %yh : tensor<1x1x200xf32>
  }
}
