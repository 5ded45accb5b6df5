//===- LowerToIsa.cpp - The fpga-lower-to-isa pass -------------------------===//
//
// The pass, the program skeleton (Lowerer::run) and the lowering of matrix
// products and point-wise ops. The lowering's state and helpers are in
// Lowerer.h; recurrent layers in LowerRnn.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/transforms/Lowerer.h"

namespace softnpu {
#define GEN_PASS_DEF_FPGALOWERTOISA
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;
using isa::SReg;

namespace softnpu::lowering {

LogicalResult Lowerer::run(func::FuncOp func) {
  b_.setInsertionPoint(func);
  program_ = fpga::ProgramOp::create(b_, func.getLoc(), func.getSymName(), 0, ArrayAttr());
  program_.getBody().emplaceBlock();
  b_.setInsertionPointToStart(&program_.getBody().front());

  for (BlockArgument arg : func.getArguments()) {
    if (!cast<RankedTensorType>(arg.getType()).getElementType().isF32())
      return func.emitError() << "graph input '" << argName(func, arg.getArgNumber())
                              << "' is not float32; the NPU runs float32 tensors";
    if (failed(checkNetworkQueue(func, "input", argName(func, arg.getArgNumber()), arg)))
      return failure();
    addr_[arg] = allocate(numElements(arg));
    fpga::InputOp::create(b_, func.getLoc(), argName(func, arg.getArgNumber()),
                          shapeOf(arg), addr_[arg]);
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<int64_t> outAddr;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    if (!cast<RankedTensorType>(v.getType()).getElementType().isF32())
      return ret.emitError() << "graph output " << i << " is not float32";
    if (failed(checkNetworkQueue(func, "output", resultName(func, i), v)))
      return failure();
    int64_t a = allocate(numElements(v));
    outAddr.push_back(a);
    fpga::OutputOp::create(b_, func.getLoc(), resultName(func, i), shapeOf(v), a);
    // Computed outputs are written in place; others are copied at the end.
    Value root = rootOf(v);
    Operation *def = root.getDefiningOp();
    if (def && llvm::isa<fpga::LinearOp, fpga::AddOp, fpga::ActivationOp, fpga::RnnOp, fpga::ExtractOp,
                            fpga::TransposeOp>(def) &&
        !addr_.count(root))
      addr_[root] = a;
    else
      copies_.push_back({root, a, numElements(v), ret.getLoc()});
  }

  for (Operation &op : func.getBody().front()) {
    b_.setInsertionPointToEnd(&program_.getBody().front());
    LogicalResult r = success();
    if (auto l = dyn_cast<fpga::LinearOp>(op))
      r = lowerLinear(l);
    else if (auto a = dyn_cast<fpga::AddOp>(op))
      r = lowerAdd(a);
    else if (auto act = dyn_cast<fpga::ActivationOp>(op))
      r = lowerActivation(act);
    else if (auto rnn = dyn_cast<fpga::RnnOp>(op))
      r = lowerRnn(rnn);
    else if (auto e = dyn_cast<fpga::ExtractOp>(op))
      r = lowerExtract(e);
    else if (auto tr = dyn_cast<fpga::TransposeOp>(op))
      r = lowerTranspose(tr);
    else if (llvm::isa<arith::ConstantOp, fpga::WeightsOp, fpga::ReshapeOp, func::ReturnOp>(op))
      continue;
    else
      return op.emitError() << describeOp(&op) << ": cannot be lowered to NPU instructions";
    if (failed(r))
      return failure();
    if (Value produced = recordedResult(op))
      recordTensor(produced, op.getLoc());
  }
  program_.setFormatsAttr(formatTable());
  b_.setInsertionPointToEnd(&program_.getBody().front());
  for (const Copy &c : copies_) {
    Location loc = NameLoc::get(b_.getStringAttr("output copy"), c.loc);
    FailureOr<int64_t> src = addrOf(c.value, loc);
    if (failed(src))
      return failure();
    pointwise(loc, *src, 1, c.dst, c.count, {});
  }
  if (static_cast<uint64_t>(dramNext_) * 4 > t_.dramBytes)
    return func.emitError() << "the model needs " << dramNext_ * 4 << " bytes of DRAM; target '"
                            << t_.name << "' has " << t_.dramBytes;
  program_.setDramElements(dramNext_);
  func.erase();
  return success();
}

LogicalResult Lowerer::lowerLinear(fpga::LinearOp op) {
  Location loc = op.getLoc();
  auto grid = op.getTileGrid();
  if (!grid)
    return op.emitError() << describeOp(op) << ": no tile grid (run fpga-tile first)";
  int64_t rows = (*grid)[0], cols = (*grid)[1];
  int64_t r = op.getNumRows(), k = op.getReductionSize(), p = op.getNumOutputs();

  // The matrix: pinned weights, streamed weights (panel by panel) or a
  // run-time matrix moved into scratch tiles.
  int64_t fmt = formatIndex(op);
  SmallVector<Panel> panels{{0, rows, 0}};
  auto w = op.getW().getDefiningOp<fpga::WeightsOp>();
  bool streamed = w && w.getStreamed();
  if (streamed) {
    panels = panelsOf(w, rows);
  } else if (w) {
    if (!w.getMrfTile())
      return op.emitError() << describeOp(op) << ": weights not placed (run fpga-tile first)";
    panels[0].tile = *w.getMrfTile();
    if (declared_.insert(w).second) {
      OpBuilder::InsertionGuard g(b_);
      setInsertionPointForDeclaration();
      fpga::PinnedMatrixOp::create(b_, w.getLoc(), w.getValue(), panels[0].tile, rows, cols, fmt);
      ++numMatrices_;
    }
  } else {
    FailureOr<int64_t> m = addrOf(op.getW(), loc);
    if (failed(m))
      return failure();
    panels[0].tile = scratchBase();
    ArrayRef<int64_t> ws = shapeOf(op.getW());
    setReg(loc, SReg::Rows, rows);
    setReg(loc, SReg::Cols, cols);
    setReg(loc, SReg::MatH, ws[0]);
    setReg(loc, SReg::MatW, ws[1]);
    setReg(loc, SReg::MatPitch, 0);
    setReg(loc, SReg::MFmt, fmt);
    fpga::MRdOp::create(b_, loc, *m, panels[0].tile, op.getTransposeW());
  }

  // The chain's point-wise steps and where they run.
  float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
  SmallVector<Step> steps;
  int alphaStep = -1, biasStep = -1;
  if (alpha != 1.0f) {
    alphaStep = static_cast<int>(steps.size());
    steps.push_back({"vv_mul", 0});
  }
  if (op.getBias()) {
    biasStep = static_cast<int>(steps.size());
    steps.push_back({"vv_add", 0});
  }
  if (op.getActivation() != fpga::Activation::none)
    steps.push_back({op.getActivation() == fpga::Activation::relu ? "v_relu"
                     : op.getActivation() == fpga::Activation::sigmoid ? "v_sigm"
                                                                        : "v_tanh"});
  auto mfus = placeSteps(loc, true, steps);
  if (failed(mfus))
    return failure();

  // alpha and beta are the same in every lane: staged once for all panels.
  if (alphaStep >= 0)
    stage(loc, splat(loc, alpha, p), p, 1, rows, {}, "MULVRF", 0, (*mfus)[alphaStep]);
  std::vector<int64_t> biasRows;
  int64_t biasStride = 1, biasAddr = 0, betaAddr = rows;
  if (Value bias = op.getBias()) {
    FailureOr<int64_t> a = addrOf(bias, loc);
    if (failed(a))
      return failure();
    biasAddr = *a;
    std::tie(biasRows, biasStride) = broadcastRows(shapeOf(bias), {r, p});
    if (beta != 1.0f)
      stage(loc, splat(loc, beta, p), p, 1, rows, {}, "MULVRF", betaAddr, 0);
  }
  bool biasPerRow = biasStep >= 0 && llvm::any_of(biasRows, [&](int64_t o) { return o != biasRows[0]; });

  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  int64_t y = resultAddr(op.getY());
  for (size_t pi = 0; pi < panels.size(); ++pi) {
    Panel &panel = panels[pi];
    int64_t first = panel.firstRowTile * n_, len = std::min(p - first, panel.rowTiles * n_);
    if (streamed) {
      panel.tile = streamIn(w, panels, pi, loc);
      // Move the next panel (or the next streamed layer's first one) in now,
      // so its DRAM transfer overlaps this panel's chains.
      if (pi + 1 < panels.size())
        prefetch(w, panels, pi + 1, loc);
      else
        prefetchNextLayer(op);
    }
    auto stageBias = [&](int64_t row) {
      SmallVector<Step> pre;
      if (beta != 1.0f)
        pre.push_back({"vv_mul", betaAddr});
      stage(loc, biasAddr + biasRows[row] + first * biasStride, len, biasStride, panel.rowTiles,
            pre, "ASVRF", 0, (*mfus)[biasStep]);
    };
    if (biasStep >= 0 && !biasPerRow)
      stageBias(0);
    // Rows alternate between two IVRF buffers when both fit, so staging row
    // i + 1 does not wait for row i's product to finish reading (the timing
    // model overlaps the DRAM read with the matrix unit).
    const int64_t ivrfBuffers = 2 * cols <= static_cast<int64_t>(t_.ivrfDepth) ? 2 : 1;
    for (int64_t i = 0; i < r; ++i) {
      const int64_t xBuf = (i % ivrfBuffers) * cols;
      // With one row, the IVRF still holds it from the previous panel.
      if (r > 1 || pi == 0) {
        int64_t xRow = op.getTransposeX() ? *x + i : *x + i * k;
        stage(loc, xRow, k, op.getTransposeX() ? r : 1, cols, {}, "IVRF", xBuf, 0);
      }
      if (biasPerRow)
        stageBias(i);
      setReg(loc, SReg::Rows, panel.rowTiles);
      setReg(loc, SReg::Cols, cols);
      setReg(loc, SReg::WrLen, len);
      setReg(loc, SReg::MFmt, fmt);
      chain(loc, "IVRF", xBuf, 0, panel.tile, steps, "DRAM", y + i * p + first, 0);
    }
  }
  return success();
}

LogicalResult Lowerer::lowerAdd(fpga::AddOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> a = addrOf(op.getLhs(), loc), bAddr = addrOf(op.getRhs(), loc);
  if (failed(a) || failed(bAddr))
    return failure();
  int64_t out = resultAddr(op.getResult());
  ArrayRef<int64_t> outShape = shapeOf(op.getResult());
  int64_t count = numElements(op.getResult());
  int64_t depthElems = static_cast<int64_t>(t_.asvrfDepth) * n_;
  if (shapeOf(op.getLhs()) == outShape && shapeOf(op.getRhs()) == outShape) {
    for (int64_t off = 0; off < count; off += depthElems) {
      int64_t len = std::min(count - off, depthElems);
      stage(loc, *bAddr + off, len, 1, ceilDiv(len, n_), {}, "ASVRF", 0, 0);
      pointwise(loc, *a + off, 1, out + off, len, {{"vv_add", 0}});
    }
    return success();
  }
  int64_t c = outShape.empty() ? 1 : outShape.back();
  if (ceilDiv(c, n_) > static_cast<int64_t>(t_.asvrfDepth))
    return op.emitError() << describeOp(op) << ": broadcast rows of " << c
                          << " elements do not fit the ASVRF";
  auto [lhsRows, lhsStride] = broadcastRows(shapeOf(op.getLhs()), outShape);
  auto [rhsRows, rhsStride] = broadcastRows(shapeOf(op.getRhs()), outShape);
  int64_t staged = -1;
  for (size_t i = 0; i < lhsRows.size(); ++i) {
    if (rhsRows[i] != staged) {
      stage(loc, *bAddr + rhsRows[i], c, rhsStride, ceilDiv(c, n_), {}, "ASVRF", 0, 0);
      staged = rhsRows[i];
    }
    setTransfer(loc, ceilDiv(c, n_), c, lhsStride, c);
    chain(loc, "DRAM", *a + lhsRows[i], 0, std::nullopt, {{"vv_add", 0}}, "DRAM",
          out + static_cast<int64_t>(i) * c, 0);
  }
  return success();
}

LogicalResult Lowerer::lowerActivation(fpga::ActivationOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  fpga::Activation k = op.getKind();
  const char *inst = k == fpga::Activation::relu      ? "v_relu"
                     : k == fpga::Activation::sigmoid ? "v_sigm"
                                                      : "v_tanh";
  pointwise(loc, *x, 1, resultAddr(op.getY()), numElements(op.getY()), {{inst, 0}});
  return success();
}

LogicalResult Lowerer::lowerExtract(fpga::ExtractOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  const int64_t len = static_cast<int64_t>(op.getRowLength()), stride = static_cast<int64_t>(op.getRowStride());
  const int64_t y = resultAddr(op.getY()), rows = numElements(op.getY()) / len;
  for (int64_t r = 0; r < rows; ++r)
    pointwise(loc, *x + static_cast<int64_t>(op.getOffset()) + r * stride, 1, y + r * len, len, {});
  return success();
}

LogicalResult Lowerer::lowerTranspose(fpga::TransposeOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getX()), out = shapeOf(op.getY());
  ArrayRef<int64_t> perm = op.getPerm();
  const size_t rank = in.size();
  SmallVector<int64_t> stride(rank, 1); // of the operand, row-major
  for (size_t k = rank; k-- > 1;)
    stride[k - 1] = stride[k] * in[k];
  const int64_t y = resultAddr(op.getY()), len = out.empty() ? 1 : out.back();
  const int64_t rowStride = rank ? stride[perm[rank - 1]] : 1;
  // Row r of the result: its index over the leading result dimensions gives
  // the operand offset through the permuted strides.
  const int64_t rows = numElements(op.getY()) / std::max<int64_t>(len, 1);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, offset = 0;
    for (size_t k = rank - 1; k-- > 0;) {
      offset += (rem % out[k]) * stride[perm[k]];
      rem /= out[k];
    }
    pointwise(loc, *x + offset, rowStride, y + r * len, len, {});
  }
  return success();
}

} // namespace softnpu::lowering

namespace {

using softnpu::lowering::Lowerer;

struct FpgaLowerToIsaPass : softnpu::impl::FpgaLowerToIsaBase<FpgaLowerToIsaPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    const target::Target &t = fpga::getTarget(module);
    FailureOr<func::FuncOp> func = getSingleFunction(module, "fpga-lower-to-isa");
    if (failed(func))
      return signalPassFailure();
    Lowerer lowerer(module, t);
    if (failed(lowerer.run(*func)))
      return signalPassFailure();
  }
};

} // namespace
