// RUN: npu-opt -split-input-file -verify-diagnostics %s
// Verifiers of the fpga dialect's attributes and ops.

fpga.program @main attributes {dram_elements = 0 : i64} {
  // Registers are an enum made from ScalarRegs.def: anything else does not parse.
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'reg' [ROWS, COLS, RD_LEN}}
  fpga.s_wr FOO, 1
}

// -----

// Register names are the ISA's (ScalarRegs.def), spelled exactly.
fpga.program @main attributes {dram_elements = 0 : i64} {
  fpga.s_wr ROWS, 2
  fpga.s_wr RD_STRIDE, 0
  // expected-error @+1 {{for attribute 'reg' [ROWS, COLS}}
  fpga.s_wr rows, 2
}

// -----

// expected-error @+1 {{invalid number format 'msfp99': unknown number format 'msfp99'}}
func.func @bad_format(%x: tensor<2x3xf32, #fpga.format<"msfp99">>) {
  return
}

// -----

// expected-error @+1 {{invalid number format 'bfp:m=0,k=16'}}
func.func @bad_bfp(%x: tensor<2x3xf32, #fpga.format<"bfp:m=0,k=16">>) {
  return
}

// -----

func.func @good_formats(%a: tensor<2xf32, #fpga.format<"fp32">>, %b: tensor<2xf32, #fpga.format<"msfp12">>,
                        %c: tensor<2xf32, #fpga.format<"msfp16">>, %d: tensor<2xf32, #fpga.format<"bfp:m=7,k=8">>) {
  return
}

// -----

// expected-error @+1 {{no-such-preset}}
module attributes {fpga.target = #fpga.target<"no-such-preset">} {
}

// -----

func.func @linear_k(%x: tensor<1x3xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op reduction sizes differ: x has 3, w has 4}}
  %0 = fpga.linear %x, %w : (tensor<1x3xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// With transpose_w, w is [K, P].
func.func @linear_k_transposed(%x: tensor<1x3xf32>, %w: tensor<2x4xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op reduction sizes differ: x has 3, w has 2}}
  %0 = fpga.linear %x, %w {transpose_w = true} : (tensor<1x3xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @linear_result(%x: tensor<5x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op result must be 5x2}}
  %0 = fpga.linear %x, %w : (tensor<5x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @linear_rank(%x: tensor<3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op x, w and the result must be 2-D}}
  %0 = fpga.linear %x, %w : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @linear_dynamic(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{'fpga.linear' op shapes must be static}}
  %0 = fpga.linear %x, %w : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @linear_bias(%x: tensor<4x3xf32>, %w: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'fpga.linear' op bias shape does not broadcast to 4x2}}
  %0 = fpga.linear %x, %w, %b : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @linear_activation(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+2 {{expected ::softnpu::fpga::Activation to be one of: none, relu, sigmoid, tanh}}
  // expected-error @+1 {{failed to parse Fpga_ActivationAttr parameter 'value'}}
  %0 = fpga.linear %x, %w {activation = #fpga<activation gelu>} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @linear_activation_string(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op attribute 'activation' failed to satisfy constraint: an activation of the multifunction units}}
  %0 = fpga.linear %x, %w {activation = "relu"} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @linear_grid(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op tile_grid must be two positive numbers}}
  %0 = fpga.linear %x, %w {tile_grid = array<i64: 1, 0>} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @activation_kind(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{expected ::softnpu::fpga::Activation to be one of: none, relu, sigmoid, tanh}}
  // expected-error @+1 {{failed to parse Fpga_ActivationAttr parameter 'value'}}
  %0 = fpga.activation softsign %x : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @activation_none(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'fpga.activation' op kind must be relu, sigmoid or tanh, not none}}
  %0 = fpga.activation none %x : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @activation_type(%x: tensor<2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.activation' op result type must equal the operand type}}
  %0 = fpga.activation relu %x : (tensor<2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'fpga.reshape' op element counts differ}}
  %0 = fpga.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @weights_shape() -> tensor<3x2xf32> {
  // expected-error @+1 {{'fpga.weights' op value and result shapes differ}}
  %0 = fpga.weights {value = dense<1.0> : tensor<2x3xf32>} : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @weights_rank() -> tensor<6xf32> {
  // expected-error @+1 {{'fpga.weights' op weights must be 2-D}}
  %0 = fpga.weights {value = dense<1.0> : tensor<6xf32>} : tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// `transposed`: the value is the matrix's transpose.
func.func @weights_transposed() -> tensor<3x2xf32> {
  %0 = fpga.weights {transposed, unrounded, value = dense<1.0> : tensor<2x3xf32>} : tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @weights_transposed_shape() -> tensor<2x3xf32> {
  // expected-error @+1 {{'fpga.weights' op value must have the result's shape transposed}}
  %0 = fpga.weights {transposed, value = dense<1.0> : tensor<2x3xf32>} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The format encoding may differ from the value's (plain) type.
func.func @weights_encoded() -> tensor<2x3xf32, #fpga.format<"msfp15">> {
  %0 = fpga.weights {value = dense<1.0> : tensor<2x3xf32>} : tensor<2x3xf32, #fpga.format<"msfp15">>
  return %0 : tensor<2x3xf32, #fpga.format<"msfp15">>
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.streamed_matrix' op first_row 1 is not a row of the matrix (only a transposed value has one)}}
  fpga.streamed_matrix matrix 0 grid 1 x 1 {first_row = 1 : i64, value = dense<1.0> : tensor<3x2xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.streamed_matrix' op first_row 3 is not a row of the matrix}}
  fpga.streamed_matrix matrix 0 grid 1 x 1 {first_row = 3 : i64, transposed, value = dense<1.0> : tensor<2x3xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.pinned_matrix' op a transposed value has no column parts}}
  fpga.pinned_matrix tile 0 grid 1 x 2 parts [2, 1] {transposed, value = dense<1.0> : tensor<3x3xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.pinned_matrix' op value must be 2-D}}
  fpga.pinned_matrix tile 0 grid 1 x 1 {value = dense<1.0> : tensor<4xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.pinned_matrix' op tile grid must be positive}}
  fpga.pinned_matrix tile 0 grid 0 x 1 {value = dense<1.0> : tensor<4x4xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.pinned_matrix' op column parts add up to 6 columns but the value has 7}}
  fpga.pinned_matrix tile 0 grid 1 x 2 parts [3, 3] {value = dense<1.0> : tensor<4x7xf32>}
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.pinned_matrix' op column parts must be positive}}
  fpga.pinned_matrix tile 0 grid 1 x 2 parts [7, 0] {value = dense<1.0> : tensor<4x7xf32>}
}

// -----

func.func @rnn(%x: tensor<5x1x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+1 {{'fpga.rnn' op w has shape 'tensor<1x12x3xf32>', expected [1, 16, 3]}}
  %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell lstm>, hidden_size = 4 : i64}
      : (tensor<5x1x3xf32>, tensor<1x12x3xf32>, tensor<1x16x4xf32>)
      -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

func.func @gru_with_c(%x: tensor<5x1x3xf32>, %w: tensor<1x12x3xf32>, %r: tensor<1x12x4xf32>) {
  // expected-error @+1 {{'fpga.rnn' op y_c is a result of lstm cells only}}
  %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell gru>, hidden_size = 4 : i64}
      : (tensor<5x1x3xf32>, tensor<1x12x3xf32>, tensor<1x12x4xf32>)
      -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

func.func @rnn_cell(%x: tensor<5x1x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+2 {{expected ::softnpu::fpga::RnnCell to be one of: lstm, gru, rnn}}
  // expected-error @+1 {{failed to parse Fpga_RnnCellAttr parameter 'value'}}
  %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell peephole>, hidden_size = 4 : i64}
      : (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
      -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

func.func @rnn_direction(%x: tensor<5x1x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>) {
  // expected-error @+2 {{expected ::softnpu::fpga::RnnDirection to be one of: forward, reverse, bidirectional}}
  // expected-error @+1 {{failed to parse Fpga_RnnDirectionAttr parameter 'value'}}
  %y, %yh, %yc = fpga.rnn %x, %w, %r {cell = #fpga<cell lstm>, direction = #fpga<direction both>, hidden_size = 4 : i64}
      : (tensor<5x1x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
      -> (tensor<5x1x1x4xf32>, tensor<1x1x4xf32>, tensor<1x1x4xf32>)
  return
}

// -----

// expected-error @+1 {{'fpga.mrf_scratch' must be array<i64: first tile, tiles per buffer, buffers>}}
module attributes {fpga.mrf_scratch = array<i64: 4, 2>} {
}

// -----

// expected-error @+1 {{'fpga.mrf_scratch' needs a tile >= 0, a size >= 0 and 1 or 2 buffers}}
module attributes {fpga.mrf_scratch = array<i64: 4, 2, 3>} {
}

// -----

// RD_STEP and WR_STEP are signed 32-bit; the other registers unsigned.
fpga.program @main attributes {dram_elements = 0 : i64} {
  fpga.loop 3 {
    fpga.s_wr RD_STEP, -6
    fpga.s_wr WR_STEP, 2147483647
  }
  // expected-error @+1 {{'fpga.s_wr' op value -1 does not fit COLS (0 to 4294967295)}}
  fpga.s_wr COLS, -1
}

// -----

fpga.program @main attributes {dram_elements = 0 : i64} {
  // expected-error @+1 {{'fpga.s_wr' op value -2147483649 does not fit RD_STEP (-2147483648 to 2147483647)}}
  fpga.s_wr RD_STEP, -2147483649
}

// -----

// A linear's chain has one activation: a leaky relu step needs activation none.
func.func @leaky_and_relu(%x: tensor<1x3xf32>, %w: tensor<2x3xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'fpga.linear' op leaky_alpha needs activation none (one activation per chain)}}
  %0 = fpga.linear %x, %w {activation = #fpga<activation relu>, leaky_alpha = 1.000000e-01 : f32} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
