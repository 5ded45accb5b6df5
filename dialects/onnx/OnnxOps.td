//===- OnnxOps.td - Imported ONNX operators ------------------*- tablegen -*-===//
//
// The table of imported ops. Attribute types follow the importer's rules:
// INT -> I64Attr, FLOAT -> F32Attr, INTS -> DenseI64ArrayAttr, STRING ->
// StrAttr, TENSOR -> ElementsAttr. `since` in each summary is the ONNX opset
// the semantics follow.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ONNX_OPS
#define SOFTNPU_ONNX_OPS

include "dialects/onnx/OnnxDialect.td"
include "dialects/onnx/OnnxTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Onnx_AddOp : Onnx_Op<"Add", [Pure]> {
  let summary = "element-wise sum with multidirectional broadcasting (opset 7+)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConcatOp : Onnx_Op<"Concat", [Pure]> {
  let summary = "concatenation along `axis` (opset 13; 11+: negative axis)";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$concat_result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_ConstantOfShapeOp : Onnx_Op<"ConstantOfShape", [Pure]> {
  let summary = "a tensor of the int64 `input` shape filled with `value` (default float 0) (opset 9+)";
  let arguments = (ins AnyRankedTensor:$input, OptionalAttr<ElementsAttr>:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_ConstantOp : Onnx_Op<"Constant", [Pure, ConstantLike]> {
  let summary = "constant tensor; also the form initializers take (opset 1+)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "attr-dict `:` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

// Ops with subgraphs. Their graphs stay ONNX: each is its serialized
// GraphProto, which a host segment carries as it is and the runtime's host
// executor runs. The values the graphs read from the enclosing graph are the
// trailing `captures` operands (in the order they are first read), so
// placement and partitioning see the data flow; `capture_names` are the
// names the graphs know them by. The other operands are the node's inputs.
// onnx_d::capturesOf and isGraphAttr (OnnxDialect.h) read them generically.
class Onnx_SubgraphOp<string mnemonic, list<Trait> traits = []> : Onnx_Op<mnemonic, traits> {
  let hasVerifier = 1; // captures and capture_names agree
  let results = (outs Variadic<AnyType>:$outputs);
}

def Onnx_IfOp : Onnx_SubgraphOp<"If", [Pure]> {
  let summary = "runs one of two subgraphs by a bool condition (opset 16; 1+); on the host";
  let arguments = (ins AnyType:$cond, Variadic<AnyType>:$captures, StrAttr:$then_branch,
                   StrAttr:$else_branch, StrArrayAttr:$capture_names);
}

def Onnx_LoopOp : Onnx_SubgraphOp<"Loop", [Pure, AttrSizedOperandSegments]> {
  let summary = "runs `body` while a trip count and a condition allow (opset 16; 1+); on the host";
  let arguments = (ins Optional<AnyType>:$M, Optional<AnyType>:$cond, Variadic<AnyType>:$v_initial,
                   Variadic<AnyType>:$captures, StrAttr:$body, StrArrayAttr:$capture_names);
}

def Onnx_ScanOp : Onnx_SubgraphOp<"Scan", [Pure, AttrSizedOperandSegments]> {
  let summary = "runs `body` over slices of its scan inputs (opset 16; 9+); on the host";
  let arguments = (ins Variadic<AnyType>:$initial_state_and_scan_inputs, Variadic<AnyType>:$captures,
                   StrAttr:$body, I64Attr:$num_scan_inputs, OptionalAttr<DenseI64ArrayAttr>:$scan_input_axes,
                   OptionalAttr<DenseI64ArrayAttr>:$scan_input_directions,
                   OptionalAttr<DenseI64ArrayAttr>:$scan_output_axes,
                   OptionalAttr<DenseI64ArrayAttr>:$scan_output_directions, StrArrayAttr:$capture_names);
}

def Onnx_SequenceMapOp : Onnx_SubgraphOp<"SequenceMap", [Pure, AttrSizedOperandSegments]> {
  let summary = "runs `body` on each element of a sequence (opset 17+); on the host";
  let arguments = (ins Onnx_SeqType:$input_sequence, Variadic<AnyType>:$additional_inputs,
                   Variadic<AnyType>:$captures, StrAttr:$body, StrArrayAttr:$capture_names);
}

def Onnx_OptionalOp : Onnx_Op<"Optional", [Pure]> {
  let summary = "an optional holding `input`, or an empty one of the result's type (opset 15+); on the host";
  let description = [{
    ONNX's `type` attribute (the element type of an empty optional) is the
    result type's element type here; the exporter writes it back.
  }];
  let arguments = (ins Optional<AnyType>:$input);
  let results = (outs Onnx_OptType:$output);
}

def Onnx_ExpandOp : Onnx_Op<"Expand", [Pure]> {
  let summary = "broadcast `input` to the int64 `shape` (opset 13; 8+)";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$shape);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_FlattenOp : Onnx_Op<"Flatten", [Pure]> {
  let summary = "flatten to 2-D at `axis` (opset 1+)";
  let arguments = (ins AnyRankedTensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_GatherOp : Onnx_Op<"Gather", [Pure]> {
  let summary = "entries of `data` along `axis` picked by int64 `indices` (opset 13)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_GemmOp : Onnx_Op<"Gemm", [Pure]> {
  let summary = "Y = alpha * A' * B' + beta * C (opset 7+: C optional and broadcast)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B, Optional<AnyRankedTensor>:$C,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_IdentityOp : Onnx_Op<"Identity", [Pure]> {
  let summary = "identity (opset 1+)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_MatMulOp : Onnx_Op<"MatMul", [Pure]> {
  let summary = "matrix product with numpy semantics (opset 1+)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_MulOp : Onnx_Op<"Mul", [Pure]> {
  let summary = "element-wise product with multidirectional broadcasting (opset 13)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_ReluOp : Onnx_Op<"Relu", [Pure]> {
  let summary = "max(x, 0) (opset 6+)";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def Onnx_ReshapeOp : Onnx_Op<"Reshape", [Pure]> {
  let summary = "reshape; softnpu requires a constant shape (opset 5+)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs AnyRankedTensor:$reshaped);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_ShapeOp : Onnx_Op<"Shape", [Pure]> {
  let summary = "the int64 shape of `data`, dimensions [start, end) (opset 15; 1+ without start/end)";
  let arguments = (ins AnyRankedTensor:$data, OptionalAttr<I64Attr>:$start, OptionalAttr<I64Attr>:$end);
  let results = (outs AnyRankedTensor:$shape);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_SigmoidOp : Onnx_Op<"Sigmoid", [Pure]> {
  let summary = "1 / (1 + exp(-x)) (opset 6+)";
  let arguments = (ins AnyRankedTensor:$X);
  let results = (outs AnyRankedTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

// Slice's optional `axes` may be omitted while `steps` is given, hence the
// segment sizes (the importer fills them from the schema).
def Onnx_SliceOp : Onnx_Op<"Slice", [Pure, AttrSizedOperandSegments]> {
  let summary = "data[starts:ends:steps] on `axes`, all int64 inputs (opset 13; 10+)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$starts, AnyRankedTensor:$ends,
                   Optional<AnyRankedTensor>:$axes, Optional<AnyRankedTensor>:$steps);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $data `,` $starts `,` $ends (`axes` $axes^)? (`steps` $steps^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Onnx_SplitOp : Onnx_Op<"Split", [Pure]> {
  let summary = "split along `axis` into parts of int64 `split` sizes, else equal (opset 13)";
  let arguments = (ins AnyRankedTensor:$input, Optional<AnyRankedTensor>:$split,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Variadic<AnyRankedTensor>:$outputs);
  let assemblyFormat = "$input (`,` $split^)? attr-dict `:` functional-type(operands, results)";
}

def Onnx_SqueezeOp : Onnx_Op<"Squeeze", [Pure]> {
  let summary = "remove size-1 dimensions `axes` (int64 input; all when absent) (opset 13)";
  let arguments = (ins AnyRankedTensor:$data, Optional<AnyRankedTensor>:$axes);
  let results = (outs AnyRankedTensor:$squeezed);
  let assemblyFormat = "$data (`,` $axes^)? attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

def Onnx_SubOp : Onnx_Op<"Sub", [Pure]> {
  let summary = "element-wise difference with multidirectional broadcasting (opset 13)";
  let arguments = (ins AnyRankedTensor:$A, AnyRankedTensor:$B);
  let results = (outs AnyRankedTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def Onnx_TanhOp : Onnx_Op<"Tanh", [Pure]> {
  let summary = "tanh(x) (opset 6+)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_UnsqueezeOp : Onnx_Op<"Unsqueeze", [Pure]> {
  let summary = "insert size-1 dimensions at int64 `axes` of the output (opset 13)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$axes);
  let results = (outs AnyRankedTensor:$expanded);
  let assemblyFormat = "$data `,` $axes attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // OnnxFold.cpp: constant operands -> constant result
}

// Recurrent layers. Operands and results mirror the ONNX input and output
// lists one to one (omitted optional ones are absent), so the importer can
// fill the segment sizes generically.
class Onnx_RecurrentOp<string mnemonic> : Onnx_Op<mnemonic, [AttrSizedOperandSegments, AttrSizedResultSegments]>;

def Onnx_LSTMOp : Onnx_RecurrentOp<"LSTM"> {
  let summary = "long short-term memory layer (opset 14: layout; 7+ otherwise)";
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$R,
                   Optional<AnyRankedTensor>:$B, Optional<AnyRankedTensor>:$sequence_lens,
                   Optional<AnyRankedTensor>:$initial_h, Optional<AnyRankedTensor>:$initial_c,
                   Optional<AnyRankedTensor>:$P,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
                   OptionalAttr<StrArrayAttr>:$activations,
                   OptionalAttr<F32Attr>:$clip,
                   DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                   I64Attr:$hidden_size,
                   DefaultValuedAttr<I64Attr, "0">:$layout,
                   DefaultValuedAttr<I64Attr, "0">:$input_forget);
  let results = (outs Optional<AnyRankedTensor>:$Y, Optional<AnyRankedTensor>:$Y_h,
                 Optional<AnyRankedTensor>:$Y_c);
}

def Onnx_GRUOp : Onnx_RecurrentOp<"GRU"> {
  let summary = "gated recurrent unit layer (opset 14: layout; 7+ otherwise)";
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$R,
                   Optional<AnyRankedTensor>:$B, Optional<AnyRankedTensor>:$sequence_lens,
                   Optional<AnyRankedTensor>:$initial_h,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
                   OptionalAttr<StrArrayAttr>:$activations,
                   OptionalAttr<F32Attr>:$clip,
                   DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                   I64Attr:$hidden_size,
                   DefaultValuedAttr<I64Attr, "0">:$layout,
                   DefaultValuedAttr<I64Attr, "0">:$linear_before_reset);
  let results = (outs Optional<AnyRankedTensor>:$Y, Optional<AnyRankedTensor>:$Y_h);
}

def Onnx_RNNOp : Onnx_RecurrentOp<"RNN"> {
  let summary = "simple recurrent layer (opset 14: layout; 7+ otherwise)";
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$R,
                   Optional<AnyRankedTensor>:$B, Optional<AnyRankedTensor>:$sequence_lens,
                   Optional<AnyRankedTensor>:$initial_h,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_alpha,
                   OptionalAttr<DenseF32ArrayAttr>:$activation_beta,
                   OptionalAttr<StrArrayAttr>:$activations,
                   OptionalAttr<F32Attr>:$clip,
                   DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                   I64Attr:$hidden_size,
                   DefaultValuedAttr<I64Attr, "0">:$layout);
  let results = (outs Optional<AnyRankedTensor>:$Y, Optional<AnyRankedTensor>:$Y_h);
}

def Onnx_TransposeOp : Onnx_Op<"Transpose", [Pure]> {
  let summary = "permutation of the dimensions (opset 1+; default: reversed)";
  let arguments = (ins AnyRankedTensor:$data, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs AnyRankedTensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

// Every other op of ONNX's default domain, generated from its schema.
include "dialects/onnx/OnnxSchemaOps.td"

#endif
