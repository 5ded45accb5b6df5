//===- OnnxTypes.td - ONNX's non-tensor value types ----------*- tablegen -*-===//
//
// ONNX values are tensors, sequences of tensors, or optionals. Tensors are
// MLIR's builtin tensors; the other two are these types. Only the host runs
// ops on them (the NPU's ops take tensors), and the values of a sequence may
// differ in shape, so a sequence's element type may have dynamic dimensions.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ONNX_TYPES
#define SOFTNPU_ONNX_TYPES

include "dialects/onnx/OnnxDialect.td"
include "mlir/IR/AttrTypeBase.td"

class Onnx_Type<string name, string typeMnemonic> : TypeDef<Onnx_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def Onnx_SeqType : Onnx_Type<"Seq", "seq"> {
  let summary = "an ONNX sequence of tensors (opset 11+)";
  let description = [{
    `!onnx.seq<tensor<?x3xf32>>`: a run-time list of tensors of one element
    type; a dimension the values do not share is dynamic.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

def Onnx_OptType : Onnx_Type<"Opt", "opt"> {
  let summary = "an ONNX optional: a tensor or sequence, or none (opset 15+)";
  let description = [{ `!onnx.opt<tensor<2xf32>>`, `!onnx.opt<!onnx.seq<tensor<?xi64>>>`. }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
}

#endif
