// RUN: npu-opt --fpga-lower-to-isa %s | FileCheck %s
// RUN: npu-opt --fpga-lower-to-isa=keep-intermediates=1 %s | FileCheck %s --check-prefix=KEEP
// Memory planning: an intermediate's DRAM place is released after its last
// reader and reused. The tensors are [1, 4112], 257 vectors: more than the
// IVRF of tiny holds (256), so they live in DRAM. x at 0, y at 4112, then
// the intermediates' arena: a1 at 8224, a2 at 12336; a1 is dead once a2 is
// computed, so a3 takes a1's place: 16448 elements instead of 20560.
// A layer report reads tensors after the run, so only records whose place
// was not reused are kept (a1's is not). keep-intermediates gives every
// tensor its own place and records them all.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x4112xf32> {onnx.name = "x"}) -> (tensor<1x4112xf32> {onnx.name = "y"}) {
    %a1 = fpga.activation tanh %x : (tensor<1x4112xf32>) -> tensor<1x4112xf32> loc("a1")
    %a2 = fpga.activation relu %a1 : (tensor<1x4112xf32>) -> tensor<1x4112xf32> loc("a2")
    %a3 = fpga.activation tanh %a2 : (tensor<1x4112xf32>) -> tensor<1x4112xf32> loc("a3")
    %a4 = fpga.activation sigmoid %a3 : (tensor<1x4112xf32>) -> tensor<1x4112xf32> loc("a4")
    return %a4 : tensor<1x4112xf32>
  }
}

// CHECK-LABEL: fpga.program @main attributes {dram_elements = 16448 : i64
// CHECK-NOT:  fpga.tensor_record shape [1, 4112] at 8224
// CHECK:      fpga.tensor_record shape [1, 4112] at 12336
// CHECK-NEXT: fpga.tensor_record shape [1, 4112] at 8224
// CHECK-NEXT: fpga.tensor_record shape [1, 4112] at 4112
// a1 = tanh(x) -> 8224; a2 = relu(a1) -> 12336; a3 = tanh(a2) -> 8224; a4 = sigmoid(a3) -> y.
// CHECK:      fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu v_tanh
// CHECK-NEXT: fpga.v_wr DRAM[8224]
// CHECK:      fpga.v_rd DRAM[8224]
// CHECK-NEXT: fpga.mfu v_relu
// CHECK-NEXT: fpga.v_wr DRAM[12336]
// CHECK:      fpga.v_rd DRAM[12336]
// CHECK-NEXT: fpga.mfu v_tanh
// CHECK-NEXT: fpga.v_wr DRAM[8224]
// CHECK:      fpga.v_rd DRAM[8224]
// CHECK-NEXT: fpga.mfu v_sigm
// CHECK-NEXT: fpga.v_wr DRAM[4112]

// KEEP-LABEL: fpga.program @main attributes {dram_elements = 20560 : i64
// KEEP:      fpga.tensor_record shape [1, 4112] at 8224
// KEEP-NEXT: fpga.tensor_record shape [1, 4112] at 12336
// KEEP-NEXT: fpga.tensor_record shape [1, 4112] at 16448
// KEEP-NEXT: fpga.tensor_record shape [1, 4112] at 4112
// KEEP:      fpga.v_rd DRAM[12336]
// KEEP-NEXT: fpga.mfu v_tanh
// KEEP-NEXT: fpga.v_wr DRAM[16448]
