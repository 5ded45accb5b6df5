//===- FpgaOps.td - fpga dialect operations ------------------*- tablegen -*-===//
#ifndef SOFTNPU_FPGA_OPS
#define SOFTNPU_FPGA_OPS

include "dialects/fpga/FpgaDialect.td"
include "dialects/fpga/FpgaIsaEnums.td"
include "dialects/fpga/FpgaEnums.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Tensor level
//===----------------------------------------------------------------------===//

def Fpga_LinearOp : Fpga_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "Y = act(alpha * X' * W'^T + beta * bias + residual) on the matrix-vector unit, with its point-wise epilogue";
  let description = [{
    X' is `x` ([R, K]) or its transpose when `transpose_x` (then `x` is [K, R]).
    W' is the matrix in [out, in] layout: `w` ([P, K]) or its transpose when
    `transpose_w` (then `w` is [K, P]). `bias`, when present, broadcasts to
    [R, P]. `residual`, when present, is an [R, P] tensor added after the
    bias, a row per row of X' (fpga-fuse folds the residual add of a ResNet
    block into its last convolution). `activation` is none, relu, sigmoid or tanh. Each row of X' is one
    matrix-vector product. After fpga-tile, `tile_grid` = [row tiles, column
    tiles] of W' in native N x N tiles. `weight_format` / `input_format`
    (set by fpga-auto-precision or fpga-quantize) are the formats of W' in the
    MRF and of X' rows entering the matrix unit. fpga-fuse may add three more
    steps after the activation, in this order: `leaky_alpha` (y < 0 ? alpha
    * y : y, as fpga.leaky_relu; only without another activation),
    `max_floor` (max(y, floor), as fpga.max with a one-element operand) and
    `min_ceiling` (min(y, ceiling), as fpga.min with a one-element operand;
    a Relu6 is activation relu with min_ceiling 6).
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$w, Optional<AnyRankedTensor>:$bias,
                   Optional<AnyRankedTensor>:$residual,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_x,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_w,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<Fpga_ActivationAttr, "::softnpu::fpga::Activation::none">:$activation,
                   OptionalAttr<DenseI64ArrayAttr>:$tile_grid,
                   OptionalAttr<Fpga_FormatAttr>:$weight_format,
                   OptionalAttr<Fpga_FormatAttr>:$input_format,
                   OptionalAttr<F32Attr>:$leaky_alpha,
                   OptionalAttr<F32Attr>:$max_floor,
                   OptionalAttr<F32Attr>:$min_ceiling);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = [{
    $x `,` $w (`,` $bias^)? (`residual` $residual^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Rows R, reduction length K and outputs P of the product.
    int64_t getNumRows();
    int64_t getReductionSize();
    int64_t getNumOutputs();
  }];
}

def Fpga_WeightsOp : Fpga_Op<"weights", [Pure, ConstantLike]> {
  let summary = "a constant matrix in [out, in] layout, rounded to its format, pinned in the MRF";
  let description = [{
    Produced by fpga-quantize from constant matrix operands of fpga.linear. The
    result type's encoding is the #fpga.format the values are rounded to.
    `value` holds them rounded, in [out, in] layout, unless one of two flags
    says otherwise:
    * `unrounded`: the elements are not yet rounded; whoever reads them rounds
      each row to the format (the emitter does as it packs, which rounds
      anyway; fpga::weightsMatrix for anyone who needs the floats).
    * `transposed`: `value` is [in, out], the matrix's transpose.
    fpga-quantize leaves a read-only blob (an ONNX file's payload, viewed
    where it lies) that way instead of writing a rounded copy: the copy was
    most of the compile time of a model of large weights.
    fpga-tile sets `mrf_tile`, the first MRF tile of its tile grid: its home
    when pinned, or the scratch buffer it is streamed into before each use
    when `streamed` (the matrix then stays packed in DRAM), in panels of
    `panel_rows` tile rows.
  }];
  let arguments = (ins ElementsAttr:$value, OptionalAttr<I64Attr>:$mrf_tile, UnitAttr:$streamed,
                   OptionalAttr<I64Attr>:$panel_rows, UnitAttr:$unrounded, UnitAttr:$transposed);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The matrix's elements, [out, in] row-major, rounded to the format:
    /// `value` transposed and rounded when its flags say so.
    std::vector<float> getMatrix();
  }];
}

def Fpga_AddOp : Fpga_Op<"add", [Pure]> {
  let summary = "element-wise sum with numpy broadcasting, on the multifunction units";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Fpga_MaxOp : Fpga_Op<"max", [Pure]> {
  let summary = "element-wise maximum with numpy broadcasting, on the multifunction units (vv_max)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Fpga_MinOp : Fpga_Op<"min", [Pure]> {
  let summary = "element-wise minimum with numpy broadcasting, on the multifunction units (vv_min)";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Fpga_MulOp : Fpga_Op<"mul", [Pure]> {
  let summary = "element-wise product with numpy broadcasting, on the multifunction units (vv_mul)";
  let description = [{
    The operand `rhs` is staged in a MULVRF; `lhs` streams through the chain.
    A batch normalization that follows no product (fpga-fold-batchnorm folds
    the others) is an fpga.mul by its per-channel factor and an fpga.add of
    its shift; x * sigmoid(x) (SiLU) and HardSwish are products of two
    computed tensors.
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Fpga_PreluOp : Fpga_Op<"prelu", [Pure]> {
  let summary = "x < 0 ? slope * x : x, `slope` broadcast to x (numpy rules), on the multifunction units (vv_prelu)";
  let description = [{
    ONNX PRelu with a slope of more than one element (a per-channel slope);
    one slope is fpga.leaky_relu. `slope` is staged in a MULVRF.
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$slope);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x `,` $slope attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_LeakyReluOp : Fpga_Op<"leaky_relu", [Pure]> {
  let summary = "x < 0 ? alpha * x : x on the multifunction units (vv_prelu by a splat of alpha)";
  let arguments = (ins AnyRankedTensor:$x, F32Attr:$alpha);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_ActivationOp : Fpga_Op<"activation", [Pure]> {
  let summary = "relu, sigmoid or tanh on the multifunction units";
  let arguments = (ins AnyRankedTensor:$x, Fpga_ActivationAttr:$kind);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "``$kind $x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_RnnOp : Fpga_Op<"rnn", [Pure, AttrSizedOperandSegments]> {
  let summary = "an ONNX LSTM, GRU or RNN layer run natively: weights pinned, state in the VRFs";
  let description = [{
    `cell` is lstm, gru or rnn; the operands, gate orders (LSTM i,o,f,c; GRU
    z,r,h), `direction`, `layout` and `linear_before_reset` follow the ONNX
    operators (default activations only). `y` ([T, D, B, H], or [B, T, D, H]
    with layout 1), `y_h` and, for lstm, `y_c` ([D, B, H] or [B, D, H]) are
    the ONNX outputs; unused ones are not written. fpga-quantize sets the
    formats; fpga-tile places the gate matrices from MRF tile `mrf_tile`
    (constant weights are pinned for the whole sequence).
    docs/recurrent.md describes the chains each timestep runs.
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$w, AnyRankedTensor:$r,
                   Optional<AnyRankedTensor>:$b, Optional<AnyRankedTensor>:$initial_h,
                   Optional<AnyRankedTensor>:$initial_c,
                   Fpga_RnnCellAttr:$cell,
                   DefaultValuedAttr<Fpga_RnnDirectionAttr, "::softnpu::fpga::RnnDirection::forward">:$direction,
                   I64Attr:$hidden_size, DefaultValuedAttr<I64Attr, "0">:$layout,
                   DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset,
                   OptionalAttr<I64Attr>:$mrf_tile,
                   OptionalAttr<Fpga_FormatAttr>:$weight_format,
                   OptionalAttr<Fpga_FormatAttr>:$input_format);
  let results = (outs AnyRankedTensor:$y, AnyRankedTensor:$y_h, Optional<AnyRankedTensor>:$y_c);
  let assemblyFormat = [{
    $x `,` $w `,` $r (`bias` $b^)? (`initial_h` $initial_h^)? (`initial_c` $initial_c^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Gates per direction: 4 (lstm), 3 (gru) or 1 (rnn).
    int64_t getNumGates();
    int64_t getNumDirections();
    int64_t getSeqLength();
    int64_t getBatchSize();
    int64_t getInputSize();
  }];
}

def Fpga_TransposeOp : Fpga_Op<"transpose", [Pure]> {
  let summary = "dimensions of `x` permuted (ONNX Transpose that moves data)";
  let description = [{
    Result dimension k is operand dimension `perm[k]`. Lowered to one copy
    chain per row (last dimension) of the result, reading the operand with
    the stride of dimension `perm[rank - 1]`.
  }];
  let arguments = (ins AnyRankedTensor:$x, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_ConcatOp : Fpga_Op<"concat", [Pure]> {
  let summary = "the operands joined along `axis` (ONNX Concat; data movement)";
  let description = [{
    Every operand has the result's shape except along `axis` (>= 0), where
    the result's size is their sum. Lowered per operand to one loop of copy
    chains, one per combination of the dimensions before `axis`: along the
    last dimension of a channels-innermost map ([pixels, C]) that is a
    channel concatenation (DenseNet, Inception, detection necks).
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Elements of the result before and after `axis`: the result is `outer`
    /// slabs, each the operands' slabs of (size along axis) x `inner` in turn.
    std::pair<int64_t, int64_t> getOuterInner();
  }];
}

def Fpga_ReverseOp : Fpga_Op<"reverse", [Pure]> {
  let summary = "`x` with the dimensions `axes` read back to front (data movement)";
  let description = [{
    Element (i_0, ..., i_r-1) of the result is element (j_0, ..., j_r-1) of
    `x` with j_k = dim_k - 1 - i_k for k in `axes`, else i_k. The last
    dimension is not among `axes`: each result row is one copy chain of a
    row of `x` (a transposed convolution's run-time kernel, flipped).
  }];
  let arguments = (ins AnyRankedTensor:$x, DenseI64ArrayAttr:$axes);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_ExtractOp : Fpga_Op<"extract", [Pure]> {
  let summary = "rows of `x` copied into a new tensor (ONNX Gather / Slice with constant indices)";
  let description = [{
    Row r of the result (of `row_length` elements, the result holding a whole
    number of rows) is the `row_length` elements of `x`, in row-major order,
    from element `offset + r * row_stride`.
  }];
  let arguments = (ins AnyRankedTensor:$x, I64Attr:$offset, I64Attr:$row_length, I64Attr:$row_stride);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_WindowOp : Fpga_Op<"window", [Pure]> {
  let summary = "the receptive fields of a convolution over a channels-innermost feature map (a view)";
  let description = [{
    `x` is a feature map [H, W, C] (channels innermost). Row p = oh * OW + ow
    of the result [OH * OW, Kh * Kw * window_channels] is the receptive field
    of output pixel (oh, ow): for kh, kw (row-major) the `window_channels`
    channels from `channel_offset` of input pixel (oh * stride_h + kh *
    dilation_h - pad_top, ow * stride_w + kw * dilation_w - pad_left), zeros
    where that pixel is outside the map. `pads` = [top, left, bottom,
    right]. With `upsample` = [uh, uw] the map is read as if uh - 1 zero
    rows and uw - 1 zero columns sat between its rows and columns ((H - 1) *
    uh + 1 rows; map row i at row i * uh): a transposed convolution is a
    convolution of the map so upsampled (UP_H / UP_W). Only an fpga.linear's
    `x` reads it, and never as a tensor: its rows are gathered by v_rd's
    window addressing (docs/isa.md), so no im2col tensor exists in memory.
  }];
  let arguments = (ins AnyRankedTensor:$x, DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads, I64Attr:$channel_offset,
                   I64Attr:$window_channels, OptionalAttr<DenseI64ArrayAttr>:$upsample);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Output rows and columns of the window grid.
    int64_t getOutHeight();
    int64_t getOutWidth();
    /// The upsampling of axis 0 (rows) or 1 (columns): 1 without `upsample`.
    int64_t getUp(unsigned axis);
    /// Rows or columns of the map as read: (size - 1) * up + 1.
    static int64_t upsampled(int64_t size, int64_t up) { return size < 1 ? size : (size - 1) * up + 1; }
    /// Windows along one axis of `in` elements padded by `padBegin` and
    /// `padEnd` (< 1 when none fits).
    static int64_t windowsAlong(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel, int64_t dilation,
                                int64_t stride);
  }];
}

def Fpga_PoolOp : Fpga_Op<"pool", [Pure]> {
  let summary = "a pooling layer: each receptive field's taps combined channel by channel";
  let description = [{
    `x` is an `fpga.window` view [P, Kh * Kw * C] of a channels-innermost
    feature map (its `window_channels` C). Row p of the result holds, for each
    channel, the largest of pixel p's taps inside the map (`max`), or their
    fp32 sum in tap order times `scale` (`sum`; an average with the same
    count at every pixel has scale 1 / count), or that sum divided by the
    number of taps inside the map (`mean`: an average that leaves padding
    out of its count, or with ceil_mode's partial windows). Padding taps are
    skipped. Lowered to one loop of pooled window reads (v_rd window, pool
    max / sum / mean), the scale a vv_mul.
  }];
  let arguments = (ins AnyRankedTensor:$x, Fpga_PoolKindAttr:$kind, DefaultValuedAttr<F32Attr, "1.0">:$scale);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "``$kind $x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Fpga_ReshapeOp : Fpga_Op<"reshape", [Pure]> {
  let summary = "a new shape over the same dense row-major data (no data movement)";
  let arguments = (ins AnyRankedTensor:$x);
  let results = (outs AnyRankedTensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Instruction level
//===----------------------------------------------------------------------===//

def Fpga_ProgramOp : Fpga_Op<"program", [Symbol, SingleBlock, NoTerminator, IsolatedFromAbove]> {
  let summary = "an NPU program: declarations, then chains and standalone instructions";
  let description = [{
    `dram_elements` is the DRAM footprint in fp32 elements. `formats` is the
    format table, a list of [weight, input] #fpga.format pairs selected by the
    MFMT register (entry 0 = the target's; absent = only that). The body holds
    fpga.input / fpga.output / fpga.pinned_matrix / fpga.dram_const
    declarations and the instruction stream in program order.
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, I64Attr:$dram_elements,
                   OptionalAttr<ArrayAttr>:$formats);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
}

class Fpga_TensorDeclOp<string mnemonic> : Fpga_Op<mnemonic, [HasParent<"ProgramOp">]> {
  // dram_perm: DRAM holds the tensor with its axis i = axis dram_perm[i] of
  // `shape` (the runtime permutes it at the boundary).
  let arguments = (ins StrAttr:$name, DenseI64ArrayAttr:$shape, I64Attr:$dram,
                   OptionalAttr<DenseI64ArrayAttr>:$dram_perm);
  let assemblyFormat = "$name `shape` $shape `at` $dram attr-dict";
}
def Fpga_InputOp : Fpga_TensorDeclOp<"input"> {
  let summary = "a graph input (ONNX name, shape) at a DRAM element address";
}
def Fpga_OutputOp : Fpga_TensorDeclOp<"output"> {
  let summary = "a graph output (ONNX name, shape) at a DRAM element address";
}

def Fpga_PinnedMatrixOp : Fpga_Op<"pinned_matrix", [HasParent<"ProgramOp">]> {
  let summary = "a constant matrix loaded into MRF tiles when a session starts";
  let description = [{
    `value` holds the matrix's real elements, row_tiles x col_tiles tiles of
    N x N from MRF tile `mrf_tile`. With `col_parts` (a recurrent gate's
    [ W | R ], compiler/transforms/RnnLayout.h), the columns of `value` are
    parts of those sizes, each starting on a whole tile column: the zeros
    between the parts are in neither `value` nor the artifact (MATRIX_PARTS,
    docs/artifact-format.md). With `transposed` (an fpga.weights left
    transposed, never with parts), `value` is the matrix's transpose. The
    emitter rounds the elements to the format as it packs them.
  }];
  let arguments = (ins ElementsAttr:$value, I64Attr:$mrf_tile, I64Attr:$row_tiles,
                   I64Attr:$col_tiles, DefaultValuedAttr<I64Attr, "0">:$format_index,
                   OptionalAttr<DenseI64ArrayAttr>:$col_parts, UnitAttr:$transposed);
  let assemblyFormat = "`tile` $mrf_tile `grid` $row_tiles `x` $col_tiles (`parts` $col_parts^)? attr-dict";
  let hasVerifier = 1;
}

def Fpga_TensorRecordOp : Fpga_Op<"tensor_record", [HasParent<"ProgramOp">]> {
  let summary = "where the tensor an ONNX node produced lives in DRAM (layer reports)";
  let arguments = (ins DenseI64ArrayAttr:$shape, I64Attr:$dram);
  let assemblyFormat = "`shape` $shape `at` $dram attr-dict";
}

def Fpga_StreamedMatrixOp : Fpga_Op<"streamed_matrix", [HasParent<"ProgramOp">]> {
  let summary = "a constant matrix kept packed in DRAM and moved into the MRF by m_rd stream";
  let description = [{
    Like fpga.pinned_matrix, but not loaded when a session starts: each use is
    preceded by an fpga.m_rd_stream naming it. `index` is its position among
    the program's matrix declarations (pinned and streamed, in order), which
    is its index in the artifact's matrix table. With `transposed` (a panel
    of an fpga.weights left transposed), `value` is the transpose of the
    whole matrix, and this one is its rows from `first_row`, as many as
    `row_tiles` tiles hold (or up to the last).
  }];
  let arguments = (ins ElementsAttr:$value, I64Attr:$index, I64Attr:$row_tiles,
                   I64Attr:$col_tiles, DefaultValuedAttr<I64Attr, "0">:$format_index,
                   UnitAttr:$transposed, DefaultValuedAttr<I64Attr, "0">:$first_row);
  let assemblyFormat = "`matrix` $index `grid` $row_tiles `x` $col_tiles attr-dict";
  let hasVerifier = 1;
}

def Fpga_DramConstOp : Fpga_Op<"dram_const", [HasParent<"ProgramOp">]> {
  let summary = "fp32 constants copied into DRAM when a session starts";
  let arguments = (ins ElementsAttr:$value, I64Attr:$dram);
  let assemblyFormat = "`at` $dram attr-dict";
}

def Fpga_LoopOp : Fpga_Op<"loop", [ParentOneOf<["ProgramOp", "LoopOp"]>, SingleBlock, NoTerminator]> {
  let summary = "ISA loop / end_loop: run the body `count` times";
  let description = [{
    The body holds chains and standalone instructions. A v_rd / v_wr with
    `iter` adds the iteration index (0-based) times RD_STEP / WR_STEP to its
    address (docs/execution-model.md "Loops"), so a sequence loop does not
    grow the instruction stream with its length.
  }];
  let arguments = (ins I64Attr:$count);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$count attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Fpga_ChainOp : Fpga_Op<"chain", [ParentOneOf<["ProgramOp", "LoopOp"]>, SingleBlock, NoTerminator]> {
  let summary = "one instruction chain: v_rd [mv_mul] point-wise ops v_wr+ (end_chain implied)";
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "attr-dict-with-keyword $body";
  // After the instructions themselves verify: the chain rules come second.
  let hasRegionVerifier = 1;
}

class Fpga_InstOp<string mnemonic, list<Trait> traits = []>
    : Fpga_Op<mnemonic, traits # [HasParent<"ChainOp">]>;

def Fpga_VRdOp : Fpga_InstOp<"v_rd"> {
  let summary = "ISA v_rd: start a chain by reading COLS native vectors";
  let description = [{
    `iter`: the address advances by RD_STEP each iteration of the innermost
    loop. `window` (DRAM): read the receptive field of one output pixel of a
    convolution over the channels-innermost map at `addr` (docs/isa.md);
    with `iter` the pixel is the iteration. `pool` (with `window`): combine
    the taps channel by channel instead, by max or sum (a pooling layer).
  }];
  let arguments = (ins Fpga_MemSpace:$mem, I64Attr:$addr, DefaultValuedAttr<I64Attr, "0">:$mfu, UnitAttr:$iter,
                   UnitAttr:$window, OptionalAttr<Fpga_PoolKindAttr>:$pool);
  let assemblyFormat = "$mem `[` $addr `]` attr-dict";
}
def Fpga_VWrOp : Fpga_InstOp<"v_wr"> {
  let summary = "ISA v_wr: write the chain's vectors";
  let description = "`iter`: the address advances by WR_STEP each iteration of the innermost loop.";
  let arguments = (ins Fpga_MemSpace:$mem, I64Attr:$addr, DefaultValuedAttr<I64Attr, "0">:$mfu, UnitAttr:$iter);
  let assemblyFormat = "$mem `[` $addr `]` attr-dict";
}
def Fpga_MvMulOp : Fpga_InstOp<"mv_mul"> {
  let summary = "ISA mv_mul: multiply by the ROWS x COLS tile grid at an MRF tile";
  let arguments = (ins I64Attr:$tile);
  let assemblyFormat = "$tile attr-dict";
}
def Fpga_MfuOp : Fpga_InstOp<"mfu"> {
  let summary = "ISA point-wise op (vv_add, vv_mul, v_relu, ...) on a multifunction unit";
  let description = "`iter`: the operand address advances by OP_STEP each iteration of the innermost loop.";
  let arguments = (ins Fpga_IsaOpcode:$inst, DefaultValuedAttr<I64Attr, "0">:$addr, UnitAttr:$iter);
  let assemblyFormat = "$inst (`[` $addr^ `]`)? attr-dict";
  let hasVerifier = 1;
}

def Fpga_MRdOp : Fpga_Op<"m_rd", [ParentOneOf<["ProgramOp", "LoopOp"]>]> {
  let summary = "ISA m_rd: move a MAT_H x MAT_W DRAM matrix into MRF tiles";
  let arguments = (ins I64Attr:$dram, I64Attr:$tile, UnitAttr:$transpose);
  let assemblyFormat = "`dram` `[` $dram `]` `to` `tile` $tile attr-dict";
}
def Fpga_MRdStreamOp : Fpga_Op<"m_rd_stream", [ParentOneOf<["ProgramOp", "LoopOp"]>]> {
  let summary = "ISA m_rd with the stream flag: copy a streamed matrix's packed tiles into the MRF";
  let arguments = (ins I64Attr:$matrix, I64Attr:$tile);
  let assemblyFormat = "`matrix` $matrix `to` `tile` $tile attr-dict";
}

def Fpga_SWrOp : Fpga_Op<"s_wr", [ParentOneOf<["ProgramOp", "LoopOp"]>]> {
  let summary = "ISA s_wr: set a scalar control register";
  let arguments = (ins Fpga_ScalarReg:$reg, I64Attr:$value);
  let assemblyFormat = "$reg `,` $value attr-dict";
  let hasVerifier = 1;
}

#endif
