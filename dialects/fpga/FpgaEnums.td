//===- FpgaEnums.td - enum attributes of the fpga dialect ----*- tablegen -*-===//
//
// The closed sets tensor-level ops choose from: the point-wise activation of
// fpga.linear / fpga.activation and the recurrent cell and direction of
// fpga.rnn. C++ enums (FpgaEnums.h.inc) plus #fpga<activation relu>-style
// attributes; op assembly formats print the bare keyword.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_FPGA_ENUMS
#define SOFTNPU_FPGA_ENUMS

include "dialects/fpga/FpgaDialect.td"
include "mlir/IR/EnumAttr.td"

def Fpga_Activation : I64EnumAttr<"Activation", "an activation of the multifunction units", [
    I64EnumAttrCase<"none", 0>,
    I64EnumAttrCase<"relu", 1>,
    I64EnumAttrCase<"sigmoid", 2>,
    I64EnumAttrCase<"tanh", 3>,
    I64EnumAttrCase<"silu", 4>,       // x * sigmoid(x): v_silu
    I64EnumAttrCase<"hardswish", 5>]> { // x * min(max(x / 6 + 1/2, 0), 1): v_hswish
  let cppNamespace = "::softnpu::fpga";
  let genSpecializedAttr = 0;
}
def Fpga_ActivationAttr : EnumAttr<Fpga_Dialect, Fpga_Activation, "activation">;

def Fpga_PoolKind : I64EnumAttr<"PoolKind", "how a pooling layer combines a window's taps", [
    I64EnumAttrCase<"max", 0>,
    I64EnumAttrCase<"sum", 1>,
    I64EnumAttrCase<"mean", 2>]> {
  let cppNamespace = "::softnpu::fpga";
  let genSpecializedAttr = 0;
}
def Fpga_PoolKindAttr : EnumAttr<Fpga_Dialect, Fpga_PoolKind, "pool">;

def Fpga_RnnCell : I64EnumAttr<"RnnCell", "a recurrent cell (ONNX LSTM, GRU or RNN)", [
    I64EnumAttrCase<"lstm", 0>,
    I64EnumAttrCase<"gru", 1>,
    I64EnumAttrCase<"rnn", 2>]> {
  let cppNamespace = "::softnpu::fpga";
  let genSpecializedAttr = 0;
}
def Fpga_RnnCellAttr : EnumAttr<Fpga_Dialect, Fpga_RnnCell, "cell">;

def Fpga_RnnDirection : I64EnumAttr<"RnnDirection", "the direction of a recurrent layer", [
    I64EnumAttrCase<"forward", 0>,
    I64EnumAttrCase<"reverse", 1>,
    I64EnumAttrCase<"bidirectional", 2>]> {
  let cppNamespace = "::softnpu::fpga";
  let genSpecializedAttr = 0;
}
def Fpga_RnnDirectionAttr : EnumAttr<Fpga_Dialect, Fpga_RnnDirection, "direction">;

#endif
