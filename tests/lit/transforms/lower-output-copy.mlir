// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// Reshapes are views: they alias their operand's DRAM. Outputs that are not
// computed by an op (a view of an input, an input itself, a value returned
// twice) are copied into their output slot at the end of the program by a
// DRAM -> DRAM chain.

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<2x6xf32> {onnx.name = "x"}) -> (tensor<3x4xf32> {onnx.name = "v"}, tensor<2x6xf32> {onnx.name = "r"}, tensor<2x6xf32> {onnx.name = "r2"}, tensor<2x6xf32> {onnx.name = "same"}) {
    %0 = fpga.reshape %x : (tensor<2x6xf32>) -> tensor<3x4xf32>
    %1 = fpga.reshape %0 : (tensor<3x4xf32>) -> tensor<12xf32>
    %2 = fpga.reshape %1 : (tensor<12xf32>) -> tensor<2x6xf32>
    %3 = fpga.activation relu %2 : (tensor<2x6xf32>) -> tensor<2x6xf32>
    return %0, %3, %3, %x : tensor<3x4xf32>, tensor<2x6xf32>, tensor<2x6xf32>, tensor<2x6xf32>
  }
}

// x at 0, v at 12, r at 24, r2 at 36, same at 48; nothing else.
// CHECK-LABEL: fpga.program @main attributes {dram_elements = 60 : i64, formats = {{\[}}[#fpga.format<"msfp15">, #fpga.format<"msfp15">]]}
// CHECK:      fpga.output "v" shape [3, 4] at 12
// CHECK-NEXT: fpga.output "r" shape [2, 6] at 24
// CHECK-NEXT: fpga.output "r2" shape [2, 6] at 36
// CHECK-NEXT: fpga.output "same" shape [2, 6] at 48
// Only the computing op (the relu) gets a tensor record; views get none.
// CHECK-NEXT: fpga.tensor_record shape [2, 6] at 24
// CHECK-NOT:  fpga.tensor_record
// The relu reads x through three reshapes and writes r in place.
// CHECK:      fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.mfu v_relu
// CHECK-NEXT:   fpga.v_wr DRAM[24]
// CHECK-NEXT: }
// Copies, in output order: v (from x), r2 (from r), same (from x).
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr DRAM[12]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[24]
// CHECK-NEXT:   fpga.v_wr DRAM[36]
// CHECK-NEXT: }
// CHECK-NEXT: fpga.chain {
// CHECK-NEXT:   fpga.v_rd DRAM[0]
// CHECK-NEXT:   fpga.v_wr DRAM[48]
// CHECK-NEXT: }
// CHECK-NEXT: }

// The copies are attributed to "output copy" in the location.
// RUN: npu-opt --fpga-lower-to-isa --mlir-print-debuginfo %s | FileCheck %s --check-prefix=LOC
// LOC: loc("output copy"
