//===- Passes.td - softnpu compiler passes -------------------*- tablegen -*-===//
//
// The pipeline, in order: onnx-fold-constants, onnx-recognize-rnn, onnx-to-fpga, fpga-fuse,
// fpga-auto-precision (with --auto-precision), fpga-quantize, fpga-tile, fpga-lower-to-isa,
// fpga-elide-scalar-writes. Then the artifact emitter (not a pass) encodes the
// fpga.program. Each pass is registered in npu-opt and has lit tests under
// tests/lit/.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_PASSES
#define SOFTNPU_COMPILER_PASSES

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Transforms on the onnx dialect
//===----------------------------------------------------------------------===//

def OnnxFoldConstants : Pass<"onnx-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate the graph's shape arithmetic (Shape, Gather, Concat, Expand, ...) at compile time";
  let description = [{
    With static shapes, the shape computations exporters put in graphs (e.g.
    PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Expand that builds an
    LSTM's zero initial state) are constants. In program order, replaces Shape
    of a statically shaped tensor, and Gather, Concat, Expand,
    ConstantOfShape, Unsqueeze, Squeeze, Reshape and Identity whose operands
    are constants, with onnx.Constant ops of their shape-inferred types. The
    folding itself is the ops' fold hooks (dialects/onnx/OnnxFold.cpp, also
    used by --canonicalize); the pass drives them in one walk, placing each
    constant where the folded op was.
  }];
}

def OnnxFoldBatchNorm : Pass<"onnx-fold-batchnorm", "mlir::ModuleOp"> {
  let summary = "Fold inference BatchNormalization into the Conv or Gemm before it";
  let description = [{
    y = (x - mean) * scale / sqrt(var + epsilon) + B per channel, after a
    Conv or Gemm whose only user it is and whose weights, bias and the
    normalisation's parameters are float32 constants, becomes part of them:
    output channel c's weights times s[c] = scale[c] / sqrt(var[c] +
    epsilon), its bias (b[c] - mean[c]) * s[c] + B[c] (Gemm: C absent, a
    scalar, [N] or [1, N], folded with beta, which becomes 1). In fp32
    (double products, rounded once), before quantization. Anything else
    (training mode, a used running_mean / running_var, a shared producer,
    run-time parameters) is left as it is.
  }];
}

def OnnxRecognizeRnn : Pass<"onnx-recognize-rnn", "mlir::ModuleOp"> {
  let summary = "Replace unrolled LSTM / GRU cells with one onnx.LSTM / onnx.GRU";
  let description = [{
    Finds a recurrence written out over the T timesteps of a sequence X
    [T, B, I] in plain ops (x_t by Slice + Squeeze / Reshape or Gather; gate
    pre-activations from MatMul / Gemm with constant weights and Add, fused
    and cut by Slice / Split or per gate; Sigmoid / Tanh gates; the LSTM or
    GRU state update in Mul / Add / Sub), with the same weights in every step,
    and replaces it by one forward onnx.LSTM or onnx.GRU (linear_before_reset
    0 or 1 as matched) with constant W, R, B in ONNX gate order. Its Y_h / Y_c
    replace the last step's h / c and its Y the Concat of the per-step h's,
    reshaped as needed. Anything not matched is left unchanged. The matched
    forms are listed in compiler/transforms/RecognizeRnn.cpp.
  }];
}

//===----------------------------------------------------------------------===//
// Conversion
//===----------------------------------------------------------------------===//

def ConvertOnnxToFpga : Pass<"onnx-to-fpga", "mlir::ModuleOp"> {
  let summary = "Lower onnx dialect ops to tensor-level fpga ops";
  let description = [{
    Gemm and 2-D MatMul become fpga.linear; Add, Relu, Sigmoid and Tanh become
    fpga.add and fpga.activation; Flatten, Reshape (constant shape),
    Identity, Squeeze, Unsqueeze and a Transpose that only moves size-1
    dimensions become fpga.reshape (pure views), other Transposes
    fpga.transpose (strided copies); Gather of one constant index
    and a one-axis Slice with constant bounds become fpga.extract; LSTM, GRU
    and RNN become fpga.rnn (unsupported attributes named); onnx.Constant
    becomes arith.constant. Anything else is reported with the node name and
    op type. Runs as a partial dialect conversion: one conversion pattern per
    entry of the lowering table (compiler/conversion/OnnxToFpgaPatterns.h),
    a ConversionTarget whose onnx legality is a host-placement predicate
    (none today), and every node left unconverted reported afterwards.
  }];
  let dependentDialects = ["softnpu::fpga::FpgaDialect", "mlir::arith::ArithDialect"];
}

def OnnxPlace : Pass<"onnx-place", "mlir::ModuleOp"> {
  let summary = "Decide for each onnx node whether the NPU can run it, and why not";
  let description = [{
    The legality check of partitioning (docs/partitioning.md). It runs
    onnx-to-fpga's own conversion patterns in MLIR's analysis mode
    (applyAnalysisConversion: nothing is rewritten), so it cannot disagree
    with the lowering, and marks every onnx op but constants with
    `fpga.placement = "npu"` or `"host"`; a host node also gets
    `fpga.placement_reason`: the lowering's refusal (an unsupported
    attribute or element type) or "no lowering to the NPU for this op".

    Controls (npu-compile --placement, --place): `placement=host` puts every
    node on the host; `placement=npu` is strict: every node that would
    leave the NPU is an error with its reason; `place=GLOB=host|npu`
    overrides the nodes whose name matches GLOB (fnmatch), where `npu` is
    an error for a node the NPU cannot run.
  }];
  let options = [
    Option<"placement", "placement", "std::string", /*default=*/"\"auto\"",
           "auto (the NPU takes what it can), npu (strict) or host (everything on the host)">,
    ListOption<"overrides", "place", "std::string",
               "GLOB=host|npu: the placement of the nodes whose name matches GLOB">,
  ];
  let dependentDialects = ["softnpu::fpga::FpgaDialect", "mlir::arith::ArithDialect"];
}

def OnnxPartition : Pass<"onnx-partition", "mlir::ModuleOp"> {
  let summary = "Group placed onnx nodes into NPU and host segments in run order";
  let description = [{
    After onnx-place: every placed node gets `fpga.segment`, the index of its
    segment in an order the segments can run in. A segment is a maximal group
    of nodes with one placement that stays acyclic when contracted: walking
    the nodes in program order, a node joins the segment of an operand's
    producer with its placement unless a path from that segment reaches it
    through a node outside the segment.

    With `cost-model` (the default), an NPU segment next to host work moves
    to the host when its modelled NPU time plus the host <-> NPU transfers
    across its boundaries does not beat the host (compiler/partition/
    NodeCost.h, the target's host fields); its nodes' reason says so.
    Segments are then formed again.
  }];
  let options = [
    Option<"costModel", "cost-model", "bool", /*default=*/"true",
           "move NPU segments that do not pay for their transfers to the host">,
  ];
}

//===----------------------------------------------------------------------===//
// Transforms on the fpga dialect
//===----------------------------------------------------------------------===//

def FpgaFuse : Pass<"fpga-fuse", "mlir::ModuleOp"> {
  let summary = "Fuse bias additions and point-wise ops into fpga.linear";
  let description = [{
    linear(no bias) -> add(row vector [P] or [1, P]) becomes a linear with a
    bias; linear(no activation) -> activation becomes a linear with that
    activation; linear -> leaky_relu a linear with `leaky_alpha`,
    linear -> max with a one-element constant a linear with `max_floor`, and
    linear -> min with a one-element constant a linear with `min_ceiling` (a
    Relu6: relu, then min 6; the last four also through reshape / transpose
    views), and linear(no residual, no activation) -> add of a tensor of the
    same shape a linear with that `residual` (a ResNet block's skip
    connection; through views too, the skip tensor viewed back to the
    linear's layout, which fpga-cancel-layout then cancels), when the
    intermediate has no other user and, for the last four, when the target's
    MFUs can run the longer chain. On the NPU they all run in the same chain
    as the matrix-vector product.
  }];
}

def FpgaCancelLayout : Pass<"fpga-cancel-layout", "mlir::ModuleOp"> {
  let summary = "Remove the layout changes that undo each other between NPU layers";
  let description = [{
    transpose(reshape*(transpose(x))) becomes x when the second transpose
    undoes the first (the reshapes give back the first one's type and the
    permutations compose to the identity); transposes and reshapes left
    without readers are erased. Element-wise ops move in front of a transpose
    first: an activation, LeakyRelu, and an add / mul / max / min / prelu
    whose second operand has one element or is a constant (re-laid out for
    the channels-innermost tensor: a per-channel [C, 1, 1] becomes one [C]
    row); a same-shape add or product of two tensors that are the same views
    of the same transpose (a residual connection); a product or sum of such a
    layout change and a per-channel [1, C, 1, 1] tensor computed at run time
    (a squeeze-and-excitation scale: one [1, C] row over the pixels); and a concatenation
    of NCHW channels whose operands are each the layout change of a [pixels,
    C] result (one concat along the last axis). Between two convolution or pooling
    layers the activations then stay channels innermost ([pixels, C]), and the
    layout changes only where NCHW tensors enter or leave the NPU.
  }];
}

def FpgaBoundaryLayout : Pass<"fpga-boundary-layout", "mlir::ModuleOp"> {
  let summary = "Let NCHW graph inputs and outputs cross the NPU boundary channels innermost";
  let description = [{
    A graph input [1, C, (H,) W] whose only reader is the layout change to
    channels innermost (fpga.reshape to [C, H * W], fpga.transpose [1, 0])
    becomes the argument [1, (H,) W, C] with `fpga.dram_perm` = [0, 2, 3, 1]
    ([0, 2, 1]); the transpose becomes a view. The runtime writes the input
    into DRAM permuted (the artifact's IO_LAYOUT section), so the change
    happens on the host at the boundary. Likewise a graph output that is only
    the change back (fpga.transpose [1, 0] of [H * W, C], fpga.reshape to
    [1, C, H, W]) becomes the [1, H, W, C] view with `fpga.dram_perm` on the
    result, permuted back by the runtime. Each change is reported as a remark.
    Runs after fpga-tile, just before fpga-lower-to-isa: the passes before it
    evaluate the graph on inputs in the ONNX layout.
  }];
}

def FpgaAutoPrecision : Pass<"fpga-auto-precision", "mlir::ModuleOp"> {
  let summary = "Choose per layer the narrowest format that keeps its output error in a bound";
  let description = [{
    Evaluates the tensor-level graph in fp32 on sample inputs (`samples`:
    NAME=FILE with .npy or .pb tensors; without samples, seeded uniform
    [-1, 1) inputs), then for every fpga.linear (constant or run-time matrix) tries
    the candidate formats from the fewest bits per element up: both the
    matrix and the layer's fp32 input rows are rounded exactly as the NPU
    does (blocks per native vector) and the layer's output is recomputed. The
    first format whose relative RMS output error ||y_q - y|| / ||y|| is at
    most `bound` is recorded as the layer's weight_format and input_format
    (fp32 when none is). Each decision is reported as a remark. An fpga.rnn
    is measured the same way over the whole sequence: its gate weights and
    every vector entering the matrix unit at every timestep are rounded, and
    the error is that of all its h_t (and final c).
  }];
  let options = [
    Option<"bound", "bound", "double", /*default=*/"0.01",
           "largest relative RMS error of a layer's output">,
    ListOption<"samples", "samples", "std::string",
               "sample inputs NAME=FILE (.npy or .pb); default: synthesised">
  ];
}

def FpgaQuantize : Pass<"fpga-quantize", "mlir::ModuleOp"> {
  let summary = "Choose number formats and round constant weights to them";
  let description = [{
    Every fpga.linear and fpga.rnn gets weight_format / input_format: a format already set
    (by fpga-auto-precision) stays, else `precision` when given (which also
    becomes the module target's default, so the artifact states it), else the
    target's; then `precision-for` patterns (PATTERN=FORMAT, glob over ONNX
    node names, the last matching pattern wins) override. Constant matrix
    operands become fpga.weights in [out, in] layout with alpha folded in,
    rounded to the layer's weight format (runtime numerics, blocks restarting
    every native vector, the same code the simulator uses) and typed
    `tensor<PxKxf32, #fpga.format<"...">>`. A matrix that is a read-only view
    of the ONNX file (alpha 1) is left where it is, marked `unrounded` (and
    `transposed` when it is [in, out]): the emitter rounds it as it packs it,
    and a rounded copy would be fresh memory of the matrix's size.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"\"",
           "fp32, msfp12..msfp16, bfp:m=M,k=K, mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, "
           "mxfp6_e2m3, mxfp4, mxint8 (default: the target's formats)">,
    ListOption<"precisionFor", "precision-for", "std::string",
               "per-node overrides PATTERN=FORMAT (glob over ONNX node names)">
  ];
}

def FpgaTile : Pass<"fpga-tile", "mlir::ModuleOp"> {
  let summary = "Tile matrix products to the target's native dimension";
  let description = [{
    Sets tile_grid = [ceil(P/N), ceil(K/N)] on every fpga.linear (padding with
    zeros up to whole N x N tiles) and places every fpga.weights in the MRF:
    pinned for the whole program when all fit; otherwise the largest matrices
    are `streamed` from DRAM (packed) into scratch tiles after the pinned ones,
    in panels of `panel_rows` tile rows, through two alternating buffers when
    there is room so the next panel's transfer overlaps the current panel's
    chains. Run-time matrices use the first scratch buffer. The module records
    `fpga.mrf_scratch = [first tile, tiles per buffer, buffers]`. Each
    streaming choice is reported as a remark with its DRAM cost from the
    timing model. Fails when the IVRF or the MRF is too small even so, naming
    the node. The gate matrices of an fpga.rnn with constant weights are
    pinned first, from tile 0, whatever the target's weight residency
    (`mrf_tile`, with a remark); those of one with run-time weights use the
    scratch tiles.
  }];
}

def FpgaLowerToIsa : Pass<"fpga-lower-to-isa", "mlir::ModuleOp"> {
  let summary = "Lower tensor-level fpga ops to instruction chains";
  let description = [{
    Replaces func.func @main with an fpga.program: graph inputs, outputs,
    constants and intermediates get DRAM addresses (reshapes alias their
    operand), pinned weights become fpga.pinned_matrix, and each op becomes
    chains (one matrix-vector chain per row of X', point-wise chains over the
    flattened tensor or per broadcast row, copy chains per row for
    fpga.extract and fpga.transpose). Before each chain and m_rd, every
    scalar register it needs is written with fpga.s_wr, whatever the register
    holds (fpga-elide-scalar-writes removes the redundant writes). Operands of
    point-wise steps are staged in the local VRF of the MFU the chain planner
    places the step on. An fpga.rnn becomes, per
    direction and batch entry, a prologue, an fpga.loop over T-1 timesteps
    with `iter` addressing and the peeled last timestep (docs/recurrent.md).

    Memory (planned first, fpga-test-memory-plan prints the plan): the result
    of a matrix product, an activation or a same-shape add whose readers are
    all such ops stays in the IVRF (no DRAM round trip), in a region
    allocated by live range; other
    intermediates live in DRAM, and a tensor's place is reused after its last
    reader. `keep-intermediates` gives every node's result its own DRAM place
    to the end of the run (what a layer report reads) and keeps nothing on
    chip.
  }];
  let options = [
    Option<"keepIntermediates", "keep-intermediates", "bool", /*default=*/"false",
           "every node's result in its own DRAM place (layer reports); nothing kept on chip">
  ];
}

def FpgaTestChains : Pass<"fpga-test-chains", "mlir::ModuleOp"> {
  let summary = "Report and emit each fpga.linear's chain as fpga-lower-to-isa builds it (for tests)";
  let description = [{
    For each fpga.linear: a remark listing its chain's point-wise steps in
    order (alpha, bias, activation, leaky_alpha, max_floor, min_ceiling) and
    the MFU the runtime's chain planner puts each on, or the planner's error
    when the target cannot run the chain; and the chain itself (v_rd IVRF[0],
    mv_mul 0, the steps, v_wr DRAM[0]) in an fpga.program @test_chains
    appended to the module. The function is not changed.
  }];
  let dependentDialects = ["::softnpu::fpga::FpgaDialect"];
}

def FpgaTestMemoryPlan : Pass<"fpga-test-memory-plan", "mlir::ModuleOp"> {
  let summary = "Report the memory plan of fpga-lower-to-isa as remarks (for tests)";
  let description = [{
    Plans the function's intermediates as fpga-lower-to-isa does
    (compiler/transforms/lowering/MemoryPlan.h) and reports, on each op, where
    each of its results lives: `IVRF [first, end)` in vectors, or
    `DRAM [first, end)` in elements of the intermediates' arena, with
    `, reused later` when a later tensor takes part of the place. Graph
    outputs written in place are reported as such. The IR is not changed.
  }];
  let options = [
    Option<"keepIntermediates", "keep-intermediates", "bool", /*default=*/"false",
           "plan as fpga-lower-to-isa's keep-intermediates does">
  ];
}

def FpgaElideScalarWrites : Pass<"fpga-elide-scalar-writes", "mlir::ModuleOp"> {
  let summary = "Remove each fpga.s_wr that writes the value its register already holds";
  let description = [{
    fpga-lower-to-isa writes every scalar control register a chain or m_rd
    needs; this pass keeps only the writes that change a register. A forward
    dataflow over each fpga.program body in program order: registers start at
    their reset values (ScalarRegs.def), an fpga.s_wr makes its register hold
    its value, and an s_wr of the value the register holds is erased. At the
    head of an fpga.loop body the registers the body writes (at any depth)
    are unknown and the others hold what they held before the loop; after a
    loop that runs, the registers it writes hold what its body ends with.
  }];
}

#endif
