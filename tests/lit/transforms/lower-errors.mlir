// RUN: npu-opt --fpga-lower-to-isa -split-input-file -verify-diagnostics %s > /dev/null

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x16xf32>, %m: tensor<16x16xf32>) -> tensor<1x16xf32> {
    // expected-error @+1 {{op fpga.linear: no tile grid (run fpga-tile first)}}
    %0 = fpga.linear %x, %m : (tensor<1x16xf32>, tensor<16x16xf32>) -> tensor<1x16xf32>
    return %0 : tensor<1x16xf32>
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
    %w = fpga.weights {value = dense<1.0> : tensor<16x16xf32>} : tensor<16x16xf32, #fpga.format<"msfp15">>
    // expected-error @+1 {{op fpga.linear: weights not placed (run fpga-tile first)}}
    %0 = fpga.linear %x, %w {tile_grid = array<i64: 1, 1>} : (tensor<1x16xf32>, tensor<16x16xf32, #fpga.format<"msfp15">>) -> tensor<1x16xf32>
    return %0 : tensor<1x16xf32>
  }
}

// -----

// expected-error @+1 {{fpga-lower-to-isa expects exactly one function, found 2}}
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @a(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
  func.func @b(%x: tensor<4xf32>) -> tensor<4xf32> { return %x : tensor<4xf32> }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-error @+1 {{graph input 'ids' is not float32; the NPU runs float32 tensors}}
  func.func @main(%x: tensor<4xi64> {onnx.name = "ids"}) -> tensor<4xi64> {
    return %x : tensor<4xi64>
  }
}

// -----

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    // expected-error @+1 {{op Relu: cannot be lowered to NPU instructions}}
    %0 = onnx.Relu %x : (tensor<4xf32>) -> tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}

// -----

// tiny has 64 MiB of DRAM = 16777216 float32 elements; x and y need twice
// 8388609.
module attributes {fpga.target = #fpga.target<"tiny">} {
  // expected-error @+1 {{the model needs 67108872 bytes of DRAM; target 'tiny' has 67108864}}
  func.func @main(%x: tensor<8388609xf32>) -> tensor<8388609xf32> {
    %0 = fpga.activation relu %x : (tensor<8388609xf32>) -> tensor<8388609xf32>
    return %0 : tensor<8388609xf32>
  }
}

// -----

// Exactly 64 MiB fits.
module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<8388608xf32>) -> tensor<8388608xf32> {
    %0 = fpga.activation relu %x : (tensor<8388608xf32>) -> tensor<8388608xf32>
    return %0 : tensor<8388608xf32>
  }
}
