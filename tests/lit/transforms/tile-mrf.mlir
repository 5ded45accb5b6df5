// RUN: npu-opt --fpga-tile %s | FileCheck %s
// Pinned weights get consecutive MRF tile ranges in program order, each the
// size of its tile grid; weights used by two linears are placed once; run-time
// matrices get no placement here (they share scratch tiles after the pinned
// ones).

module attributes {fpga.target = #fpga.target<"tiny">} {
  // CHECK-LABEL: func.func @main
  func.func @main(%x: tensor<1x20xf32>, %m: tensor<16x16xf32>) -> (tensor<1x16xf32>, tensor<1x16xf32>) {
    // 30x20 on N = 16: grid 2 x 2, tiles [0, 4).
    // CHECK: %[[W1:.*]] = fpga.weights {mrf_tile = 0 : i64, {{.*}}} : tensor<30x20xf32, #fpga.format<"msfp15">>
    // CHECK: %[[L1:.*]] = fpga.linear %{{.*}}, %[[W1]] {tile_grid = array<i64: 2, 2>}
    %w1 = fpga.weights {value = dense<1.0> : tensor<30x20xf32>} : tensor<30x20xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w1 : (tensor<1x20xf32>, tensor<30x20xf32, #fpga.format<"msfp15">>) -> tensor<1x30xf32>
    // 16x30: grid 1 x 2, tiles [4, 6).
    // CHECK: %[[W2:.*]] = fpga.weights {mrf_tile = 4 : i64, {{.*}}} : tensor<16x30xf32, #fpga.format<"msfp15">>
    // CHECK: %[[L2:.*]] = fpga.linear %[[L1]], %[[W2]] {tile_grid = array<i64: 1, 2>}
    %w2 = fpga.weights {value = dense<1.0> : tensor<16x30xf32>} : tensor<16x30xf32, #fpga.format<"msfp15">>
    %1 = fpga.linear %0, %w2 : (tensor<1x30xf32>, tensor<16x30xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    // The same weights again: no new placement.
    // CHECK: fpga.linear %{{.*}}, %[[W2]] {tile_grid = array<i64: 1, 2>}
    %2 = fpga.linear %0, %w2 : (tensor<1x30xf32>, tensor<16x30xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    // A run-time matrix.
    // CHECK: fpga.linear %{{.*}}, %{{.*}} {tile_grid = array<i64: 1, 1>} : (tensor<1x16xf32>, tensor<16x16xf32>)
    %3 = fpga.linear %1, %m : (tensor<1x16xf32>, tensor<16x16xf32>) -> tensor<1x16xf32>
    // 1x8: tiles [6, 7).
    // CHECK: fpga.weights {mrf_tile = 6 : i64, {{.*}}} : tensor<1x8xf32, #fpga.format<"msfp15">>
    %w3 = fpga.weights {value = dense<2.0> : tensor<1x8xf32>} : tensor<1x8xf32, #fpga.format<"msfp15">>
    %x8 = fpga.reshape %3 : (tensor<1x16xf32>) -> tensor<2x8xf32>
    %4 = fpga.linear %x8, %w3 : (tensor<2x8xf32>, tensor<1x8xf32, #fpga.format<"msfp15">>) -> tensor<2x1xf32>
    // CHECK-NOT: mrf_tile
    return %2, %3 : tensor<1x16xf32>, tensor<1x16xf32>
  }
}
