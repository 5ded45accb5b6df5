// fpga-auto-precision recomputes a layer's whole output: alpha, a transposed
// w, beta * bias and the activation are applied exactly as the reference
// evaluation applies them. Here every operand is exact in mxfp4, so every
// format reproduces the fp32 output and the narrowest one is chosen even for
// a tiny bound (any mistake in the recomputation would show as an error > 0
// and push the choice wider):
//   W' = [[1.5, 0.5], [-4, 2]] (first two inputs): rows scale X = -2 (6 and 2
//   quarter units) and X = 0 (4 and 2), both E2M1 values;
//   x = (1, -2) (X = -1: 2, 4) and x = (0.5, 3) (X = -1: 1, 6);
//   y = relu(3 * x W'^T + 0.5 * (0.3, 0.7)) = (1.65, 0) and (6.9, 12.35).
// RUN: %python -c "import numpy as np; x = np.zeros((2, 1, 16), np.float32); x[0, 0, :2] = (1, -2); x[1, 0, :2] = (0.5, 3); np.save('%t.npy', x)"
// RUN: npu-opt "--fpga-auto-precision=bound=1e-6 samples=x=%t.npy" %s 2>&1 >/dev/null | FileCheck %s
// CHECK: remark: {{.*}}node 'fc+relu' (fpga.linear): auto-precision chose mxfp4 (relative RMS error 0 <= 1e-06){{$}}

module attributes {fpga.target = #fpga.target<"tiny">} {
  func.func @main(%x: tensor<1x16xf32> {onnx.name = "x"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
    %w = arith.constant dense<[[1.5, -4.0], [0.5, 2.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<16x2xf32>
    %b = arith.constant dense<[0.3, 0.7]> : tensor<2xf32>
    %0 = fpga.linear %x, %w, %b {alpha = 3.0 : f32, beta = 0.5 : f32, transpose_w = true, activation = #fpga<activation relu>} : (tensor<1x16xf32>, tensor<16x2xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc(fused["fc", "relu"])
    return %0 : tensor<1x2xf32>
  }
}
