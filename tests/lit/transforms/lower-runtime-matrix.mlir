// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// A matrix that is a graph input is moved into MRF scratch tiles (after the
// last pinned tile) with m_rd; a [K, P] matrix (transpose_w) is moved
// transposed.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%a: tensor<3x20xf32> {onnx.name = "A"}, %b: tensor<20x5xf32> {onnx.name = "B"},
                  %c: tensor<5x20xf32> {onnx.name = "C"}) -> (tensor<1x30xf32> {onnx.name = "p"}, tensor<3x5xf32> {onnx.name = "y"}, tensor<3x5xf32> {onnx.name = "z"}) {
    %r = fpga.reshape %a : (tensor<3x20xf32>) -> tensor<1x60xf32>
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<30x60xf32>} : tensor<30x60xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %r, %w {tile_grid = array<i64: 2, 4>} : (tensor<1x60xf32>, tensor<30x60xf32, #fpga.format<"msfp15">>) -> tensor<1x30xf32>
    %1 = fpga.linear %a, %b {transpose_w = true, tile_grid = array<i64: 1, 2>} : (tensor<3x20xf32>, tensor<20x5xf32>) -> tensor<3x5xf32>
    %2 = fpga.linear %a, %c {tile_grid = array<i64: 1, 2>} : (tensor<3x20xf32>, tensor<5x20xf32>) -> tensor<3x5xf32>
    return %0, %1, %2 : tensor<1x30xf32>, tensor<3x5xf32>, tensor<3x5xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK-DAG: fpga.input "A" shape [3, 20] at 0
// CHECK-DAG: fpga.input "B" shape [20, 5] at 60
// CHECK-DAG: fpga.input "C" shape [5, 20] at 160
// CHECK-DAG: fpga.pinned_matrix tile 0 grid 2 x 4
// The pinned weights use tiles [0, 8): scratch starts at tile 8.
// CHECK:      fpga.mv_mul 0
// CHECK:      fpga.s_wr ROWS, 1
// CHECK:      fpga.s_wr MAT_H, 20
// CHECK-NEXT: fpga.s_wr MAT_W, 5
// CHECK-NEXT: fpga.m_rd dram[60] to tile 8 {transpose}
// Three rows of A, each multiplied by the scratch tiles.
// CHECK-COUNT-3: fpga.mv_mul 8
// C is already [out, in]: moved as is (MAT_H and MAT_W change).
// CHECK:      fpga.s_wr MAT_H, 5
// CHECK-NEXT: fpga.s_wr MAT_W, 20
// CHECK-NEXT: fpga.m_rd dram[160] to tile 8{{$}}
// CHECK-COUNT-3: fpga.mv_mul 8
// CHECK-NOT: fpga.mv_mul
