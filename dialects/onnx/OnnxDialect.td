//===- OnnxDialect.td - The onnx dialect ---------------------*- tablegen -*-===//
//
// One op per ONNX op of the default domain, named exactly like the ONNX op
// type, with the ONNX attribute names. The importer is generic: it builds
// "onnx.<OpType>" for each node and converts attributes by their ONNX type.
// OnnxOps.td holds, by hand, the ops the compiler folds, verifies or lowers
// (with their defaults); OnnxSchemaOps.td, generated from ONNX's schemas by
// gen_onnx_schema_ops.py, every other one.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ONNX_DIALECT
#define SOFTNPU_ONNX_DIALECT

include "mlir/IR/OpBase.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let summary = "ONNX operators as imported by softnpu";
  let cppNamespace = "::softnpu::onnx_d";
  // Folded values become onnx.Constant ops.
  let hasConstantMaterializer = 1;
  // !onnx.seq and !onnx.opt (OnnxTypes.td).
  let useDefaultTypePrinterParser = 1;
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic, traits>;

#endif
