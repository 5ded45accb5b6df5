//===- FpgaDialect.td - The fpga dialect ---------------------*- tablegen -*-===//
//
// Where partitioning, quantization and tiling happen. Two levels:
//  * tensor level: fpga.linear / fpga.add / fpga.activation / fpga.reshape /
//    fpga.weights on ranked tensors, formats carried as tensor encodings;
//  * instruction level: fpga.program holding I/O and weight declarations and
//    fpga.chain regions whose ops mirror the ISA (runtime/.../isa/Isa.def),
//    verified against the target with the runtime's own chain planner.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_FPGA_DIALECT
#define SOFTNPU_FPGA_DIALECT

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Fpga_Dialect : Dialect {
  let name = "fpga";
  let summary = "tensor- and instruction-level ops of the softnpu FPGA NPU";
  let cppNamespace = "::softnpu::fpga";
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Module attribute holding the #fpga.target the module is compiled for.
    static constexpr llvm::StringLiteral kTargetAttrName = "fpga.target";
    /// Module attribute set by fpga-tile: the MRF scratch area for run-time and
    /// streamed matrices, array<i64: first tile, tiles per buffer, buffers>.
    static constexpr llvm::StringLiteral kMrfScratchAttrName = "fpga.mrf_scratch";
    /// Set on onnx ops by onnx-place: "npu" or "host", and for "host" the
    /// reason the NPU cannot run the node.
    static constexpr llvm::StringLiteral kPlacementAttrName = "fpga.placement";
    static constexpr llvm::StringLiteral kPlacementReasonAttrName = "fpga.placement_reason";
    /// Set on placed onnx ops by onnx-partition: the index of the node's
    /// segment in run order.
    static constexpr llvm::StringLiteral kSegmentAttrName = "fpga.segment";
  }];
  let hasOperationAttrVerify = 1;
}

class Fpga_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Fpga_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Fpga_FormatAttr : Fpga_Attr<"Format", "format"> {
  let summary = "a number format of the NPU datapath (fp32, msfp12..16, bfp:m=M,k=K)";
  let description = [{
    Used as the encoding of tensors whose values are stored in that format, e.g.
    `tensor<30x20xf32, #fpga.format<"msfp15">>` for a constant weight matrix
    already rounded to msfp15.
  }];
  let parameters = (ins StringRefParameter<"format name">:$name);
  let assemblyFormat = "`<` $name `>`";
  let genVerifyDecl = 1;
}

def Fpga_TargetParameter : AttrParameter<"::softnpu::target::Target",
                                          "a parsed, validated target description"> {
  let cppAccessorType = "const ::softnpu::target::Target &";
}

def Fpga_TargetAttr : Fpga_Attr<"Target", "target"> {
  let summary = "the target description the module is compiled for, parsed once";
  let description = [{
    Holds the validated `softnpu::target::Target` itself, so passes and
    verifiers read fields instead of parsing. Printed as the preset's name
    when the target is an unmodified preset (`#fpga.target<"tiny">`), else as
    its canonical JSON (`#fpga.target<"{...}">`). Parsing accepts exactly
    those two forms: IR never names a file, so checking it never reads one.
  }];
  let parameters = (ins Fpga_TargetParameter:$target);
  let hasCustomAssemblyFormat = 1;
}

class Fpga_Op<string mnemonic, list<Trait> traits = []>
    : Op<Fpga_Dialect, mnemonic, traits>;

#endif
