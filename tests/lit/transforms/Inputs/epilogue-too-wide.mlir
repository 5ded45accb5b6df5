// Input of lower-linear-epilogue.mlir: 1,400 outputs are 88 vectors on tiny
// (N = 16); three of them per MULVRF do not fit its 256 vectors.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4xf32> {onnx.name = "x"}) -> (tensor<1x1400xf32> {onnx.name = "y"}) {
    %w = fpga.weights {mrf_tile = 0 : i64, value = dense<1.0> : tensor<1400x4xf32>} : tensor<1400x4xf32, #fpga.format<"msfp15">>
    %0 = fpga.linear %x, %w {leaky_alpha = 2.500000e-01 : f32, tile_grid = array<i64: 88, 1>} : (tensor<1x4xf32>, tensor<1400x4xf32, #fpga.format<"msfp15">>) -> tensor<1x1400xf32>
    return %0 : tensor<1x1400xf32>
  }
}
