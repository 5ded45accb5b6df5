// RUN: npu-opt --fpga-test-memory-plan %s -split-input-file -verify-diagnostics
// RUN: npu-opt --fpga-test-memory-plan=keep-intermediates=1 %s -split-input-file 2>&1 >/dev/null | FileCheck %s --check-prefix=KEEP
// Memory planning alone (lowering/MemoryPlan.h), on tiny: N = 16, IVRF 256
// vectors. Each op's remark gives where its results live: IVRF vectors, or
// elements of the DRAM arena for intermediates.

// Everything stays on chip, each region for its live range. fc1's result
// [2, 20] (2 rows x 2 vectors) is read by fc2 and by fc3, two ops later: it
// takes the top, [252, 256), until fc3. fc2's result feeds the activation
// and the activation's the add; regions live at the same time stack
// downwards. fc3's result reuses fc2's region (dead after the activation),
// and fc4's takes the top once fc1's is dead. The add is the graph output,
// computed in place.
module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-remark @below {{DRAM arena of 0 elements}}
  func.func @main(%x: tensor<2x4xf32>) -> tensor<2x16xf32> {
    %w1 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<20x4xf32>} : tensor<20x4xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{IVRF [252, 256)}}
    %0 = fpga.linear %x, %w1 {activation = #fpga<activation relu>, tile_grid = array<i64: 2, 1>} : (tensor<2x4xf32>, tensor<20x4xf32, #fpga.format<"msfp15">>) -> tensor<2x20xf32>
    %w2 = fpga.weights {mrf_tile = 2 : i64, value = dense<0.5> : tensor<16x20xf32>} : tensor<16x20xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{IVRF [250, 252)}}
    %1 = fpga.linear %0, %w2 {tile_grid = array<i64: 1, 2>} : (tensor<2x20xf32>, tensor<16x20xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    // expected-remark @below {{IVRF [248, 250)}}
    %2 = fpga.activation tanh %1 : (tensor<2x16xf32>) -> tensor<2x16xf32>
    // expected-remark @below {{IVRF [250, 252)}}
    %3 = fpga.linear %0, %w2 {tile_grid = array<i64: 1, 2>} : (tensor<2x20xf32>, tensor<16x20xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    %w4 = fpga.weights {mrf_tile = 4 : i64, value = dense<0.25> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{IVRF [254, 256)}}
    %4 = fpga.linear %3, %w4 {tile_grid = array<i64: 1, 1>} : (tensor<2x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    // expected-remark @below {{graph output}}
    %5 = fpga.add %4, %2 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
    return %5 : tensor<2x16xf32>
  }
}

// keep-intermediates: a place of its own for each tensor, nothing on chip.
// KEEP: remark: DRAM arena of 168 elements
// KEEP: remark: DRAM [0, 40)
// KEEP: remark: DRAM [40, 72)
// KEEP: remark: DRAM [72, 104)
// KEEP: remark: DRAM [104, 136)
// KEEP: remark: DRAM [136, 168)
// KEEP: remark: graph output

// -----

// A region must fit above the staging rows of the product that writes it:
// fc1 stages one vector of x at IVRF 0, and its result [2, 2048] needs all
// 256 vectors, so it goes to DRAM. fc2's [2, 16] fits, even with fc2 staging
// 128 vectors of each row of fc1's result from DRAM.
module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-remark @below {{DRAM arena of 4096 elements}}
  func.func @main(%x: tensor<2x4xf32>) -> tensor<2x16xf32> {
    %w1 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<2048x4xf32>} : tensor<2048x4xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{DRAM [0, 4096)}}
    %0 = fpga.linear %x, %w1 {tile_grid = array<i64: 128, 1>} : (tensor<2x4xf32>, tensor<2048x4xf32, #fpga.format<"msfp15">>) -> tensor<2x2048xf32>
    %w2 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<16x2048xf32>} : tensor<16x2048xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{IVRF [254, 256)}}
    %1 = fpga.linear %0, %w2 {tile_grid = array<i64: 1, 128>} : (tensor<2x2048xf32>, tensor<16x2048xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    %w3 = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{graph output}}
    %2 = fpga.linear %1, %w3 {tile_grid = array<i64: 1, 1>} : (tensor<2x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    return %2 : tensor<2x16xf32>
  }
}

// -----

// A recurrent layer uses the whole IVRF: a product's result read after one
// stays in DRAM. A sigmoid result whose length is not a multiple of N stays
// in DRAM too (its padded lanes would be 0.5, not zero).
module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-remark @below {{DRAM arena of 10 elements}}
  func.func @main(%x: tensor<1x1x3xf32>) -> (tensor<1x4xf32>, tensor<1x1x4xf32>) {
    %w1 = fpga.weights {mrf_tile = 8 : i64, value = dense<1.0> : tensor<4x3xf32>} : tensor<4x3xf32, #fpga.format<"msfp15">>
    %x2 = fpga.reshape %x : (tensor<1x1x3xf32>) -> tensor<1x3xf32>
    // expected-remark @below {{DRAM [0, 4)}}
    %0 = fpga.linear %x2, %w1 {tile_grid = array<i64: 1, 1>} : (tensor<1x3xf32>, tensor<4x3xf32, #fpga.format<"msfp15">>) -> tensor<1x4xf32>
    %w = arith.constant dense<0.5> : tensor<1x16x3xf32>
    %r = arith.constant dense<0.25> : tensor<1x16x4xf32>
    // expected-remark @below {{unread, graph output, unread}}
    %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell lstm>, hidden_size = 4 : i64, mrf_tile = 0 : i64}
        : (tensor<1x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
        -> (tensor<1x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
    %w2 = fpga.weights {mrf_tile = 9 : i64, value = dense<1.0> : tensor<6x4xf32>} : tensor<6x4xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{DRAM [4, 10)}}
    %1 = fpga.linear %0, %w2 {activation = #fpga<activation sigmoid>, tile_grid = array<i64: 1, 1>} : (tensor<1x4xf32>, tensor<6x4xf32, #fpga.format<"msfp15">>) -> tensor<1x6xf32>
    %w3 = fpga.weights {mrf_tile = 10 : i64, value = dense<1.0> : tensor<4x6xf32>} : tensor<4x6xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{graph output}}
    %2 = fpga.linear %1, %w3 {tile_grid = array<i64: 1, 1>} : (tensor<1x6xf32>, tensor<4x6xf32, #fpga.format<"msfp15">>) -> tensor<1x4xf32>
    return %2, %yh : tensor<1x4xf32>, tensor<1x1x4xf32>
  }
}

// -----

// A broadcast add cannot read the IVRF (its rows are re-read per broadcast
// row), so what it reads or writes lives in DRAM. The first product's place
// is free once the first add has run, and the second product takes it.
module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-remark @below {{DRAM arena of 64 elements}}
  func.func @main(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
    %b = arith.constant dense<1.0> : tensor<16xf32>
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-remark @below {{DRAM [0, 32) reused later}}
    %0 = fpga.linear %x, %w {tile_grid = array<i64: 1, 1>} : (tensor<2x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    // expected-remark @below {{DRAM [32, 64)}}
    %1 = fpga.add %0, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    // expected-remark @below {{DRAM [0, 32)}}
    %2 = fpga.linear %1, %w {tile_grid = array<i64: 1, 1>} : (tensor<2x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<2x16xf32>
    // expected-remark @below {{graph output}}
    %3 = fpga.add %2, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    return %3 : tensor<2x16xf32>
  }
}
