// RUN: npu-opt --fpga-lower-to-isa --fpga-elide-scalar-writes %s | FileCheck %s
// fpga.leaky_relu: alpha staged once in the MULVRF (as many vectors as the
// longest chain reads), then chains over the tensor with vv_prelu.
// fpga.max with one element: the element broadcast into the ASVRF with
// RD_STRIDE 0, then chains with vv_max (tiny: N = 16).

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<3x16xf32> {onnx.name = "x"}) -> (tensor<3x16xf32> {onnx.name = "y"}) {
    %c = arith.constant dense<-4.000000e-01> : tensor<1xf32>
    %0 = fpga.leaky_relu %x {alpha = 2.500000e-01 : f32} : (tensor<3x16xf32>) -> tensor<3x16xf32>
    %1 = fpga.max %0, %c : (tensor<3x16xf32>, tensor<1xf32>) -> tensor<3x16xf32>
    return %1 : tensor<3x16xf32>
  }
}

// CHECK-LABEL: fpga.program @main
// CHECK-DAG: fpga.dram_const at [[ALPHA:[0-9]+]] {value = dense<2.500000e-01> : tensor<48xf32>}
// CHECK-DAG: fpga.dram_const at [[C:[0-9]+]] {value = dense<-4.000000e-01> : tensor<1xf32>}
// CHECK: fpga.v_rd DRAM[[[ALPHA]]]
// CHECK-NEXT: fpga.v_wr MULVRF[0]
// CHECK: fpga.v_rd DRAM[0]
// CHECK-NEXT: fpga.mfu vv_prelu
// CHECK: fpga.s_wr RD_STRIDE, 0
// CHECK: fpga.v_rd DRAM[[[C]]]
// CHECK-NEXT: fpga.v_wr ASVRF[0]
// CHECK: fpga.mfu vv_max
