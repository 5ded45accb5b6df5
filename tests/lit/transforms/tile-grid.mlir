// RUN: npu-opt --fpga-tile -split-input-file %s | FileCheck %s
// tile_grid = [ceil(P / N), ceil(K / N)] for W' of P outputs and reduction
// length K, on the module's target (tiny: N = 16; fpga-npu: N = 40;
// no attribute: brainwave-s10, N = 400).

module attributes {fpga.target = #fpga.target<"tiny">} {
  // CHECK-LABEL: func.func @tiny
  func.func @tiny(%x16: tensor<1x16xf32>, %x17: tensor<1x17xf32>, %x20: tensor<1x20xf32>,
                  %w16x16: tensor<16x16xf32>, %w17x16: tensor<17x16xf32>, %w16x17: tensor<16x17xf32>,
                  %w30x20: tensor<30x20xf32>, %w1x16: tensor<1x16xf32>, %w32x16: tensor<32x16xf32>,
                  %w33x16: tensor<33x16xf32>, %w40x10: tensor<40x10xf32>, %x40: tensor<1x40xf32>,
                  %xt: tensor<33x2xf32>, %w5x33: tensor<5x33xf32>) {
    // CHECK: tile_grid = array<i64: 1, 1>} : (tensor<1x16xf32>, tensor<16x16xf32>)
    %0 = fpga.linear %x16, %w16x16 : (tensor<1x16xf32>, tensor<16x16xf32>) -> tensor<1x16xf32>
    // 17 outputs need a second row of tiles.
    // CHECK: tile_grid = array<i64: 2, 1>} : (tensor<1x16xf32>, tensor<17x16xf32>)
    %1 = fpga.linear %x16, %w17x16 : (tensor<1x16xf32>, tensor<17x16xf32>) -> tensor<1x17xf32>
    // 17 inputs need a second column of tiles.
    // CHECK: tile_grid = array<i64: 1, 2>} : (tensor<1x17xf32>, tensor<16x17xf32>)
    %2 = fpga.linear %x17, %w16x17 : (tensor<1x17xf32>, tensor<16x17xf32>) -> tensor<1x16xf32>
    // CHECK: tile_grid = array<i64: 2, 2>} : (tensor<1x20xf32>, tensor<30x20xf32>)
    %3 = fpga.linear %x20, %w30x20 : (tensor<1x20xf32>, tensor<30x20xf32>) -> tensor<1x30xf32>
    // CHECK: tile_grid = array<i64: 1, 1>} : (tensor<1x16xf32>, tensor<1x16xf32>)
    %4 = fpga.linear %x16, %w1x16 : (tensor<1x16xf32>, tensor<1x16xf32>) -> tensor<1x1xf32>
    // CHECK: tile_grid = array<i64: 2, 1>} : (tensor<1x16xf32>, tensor<32x16xf32>)
    %5 = fpga.linear %x16, %w32x16 : (tensor<1x16xf32>, tensor<32x16xf32>) -> tensor<1x32xf32>
    // CHECK: tile_grid = array<i64: 3, 1>} : (tensor<1x16xf32>, tensor<33x16xf32>)
    %6 = fpga.linear %x16, %w33x16 : (tensor<1x16xf32>, tensor<33x16xf32>) -> tensor<1x33xf32>
    // transpose_w: w is [K = 40, P = 10].
    // CHECK: tile_grid = array<i64: 1, 3>, transpose_w = true} : (tensor<1x40xf32>, tensor<40x10xf32>)
    %7 = fpga.linear %x40, %w40x10 {transpose_w = true} : (tensor<1x40xf32>, tensor<40x10xf32>) -> tensor<1x10xf32>
    // transpose_x: x is [K = 33, R = 2].
    // CHECK: tile_grid = array<i64: 1, 3>, transpose_x = true} : (tensor<33x2xf32>, tensor<5x33xf32>)
    %8 = fpga.linear %xt, %w5x33 {transpose_x = true} : (tensor<33x2xf32>, tensor<5x33xf32>) -> tensor<2x5xf32>
    return
  }
}

// -----

module attributes {fpga.target = #fpga.target<"fpga-npu">} {
  // CHECK-LABEL: func.func @fpga_npu
  func.func @fpga_npu(%x40: tensor<1x40xf32>, %x41: tensor<1x41xf32>, %w40x40: tensor<40x40xf32>,
                      %w81x41: tensor<81x41xf32>) {
    // CHECK: tile_grid = array<i64: 1, 1>} : (tensor<1x40xf32>, tensor<40x40xf32>)
    %0 = fpga.linear %x40, %w40x40 : (tensor<1x40xf32>, tensor<40x40xf32>) -> tensor<1x40xf32>
    // CHECK: tile_grid = array<i64: 3, 2>} : (tensor<1x41xf32>, tensor<81x41xf32>)
    %1 = fpga.linear %x41, %w81x41 : (tensor<1x41xf32>, tensor<81x41xf32>) -> tensor<1x81xf32>
    return
  }
}

// -----

// CHECK-LABEL: func.func @default_target
func.func @default_target(%x: tensor<1x401xf32>, %w: tensor<30x401xf32>, %v: tensor<400x30xf32>) {
  // CHECK: tile_grid = array<i64: 1, 2>} : (tensor<1x401xf32>, tensor<30x401xf32>)
  %0 = fpga.linear %x, %w : (tensor<1x401xf32>, tensor<30x401xf32>) -> tensor<1x30xf32>
  // CHECK: tile_grid = array<i64: 1, 1>} : (tensor<1x30xf32>, tensor<400x30xf32>)
  %1 = fpga.linear %0, %v : (tensor<1x30xf32>, tensor<400x30xf32>) -> tensor<1x400xf32>
  return
}
