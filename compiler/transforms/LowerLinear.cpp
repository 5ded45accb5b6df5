//===- LowerLinear.cpp - fpga.linear -> matrix-vector chains ---------------===//
//
// One chain per row of X' and per panel of W': v_rd of the row (from the
// IVRF, staged from DRAM or left there by the previous product), mv_mul, the
// point-wise epilogue (alpha, bias, activation, leaky_alpha, max_floor, min_ceiling) and v_wr of the result row to
// DRAM, or to the IVRF when the products that read it read it there
// (MemoryPlan.h). When X' is an fpga.window (a convolution), the rows are
// receptive fields: one loop over the output pixels per panel, each chain
// gathering its row from the feature map with v_rd's window addressing.
// A residual (the add of a ResNet block, fused by fpga-fuse) is one more
// vv_add whose operand steps through the ASVRF with the loop (iter, OP_STEP):
// its rows are staged there a part of the pixels at a time, and each part's
// loop starts at its first pixel (PIX_BASE).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Lowerer.h"

using namespace mlir;

namespace softnpu::lowering {

void Lowerer::setWindowRegs(Location loc, fpga::WindowOp w, int64_t pixBase) {
  ArrayRef<int64_t> map = shapeOf(w.getX()); // [H, W, C]
  setReg(loc, isa::SReg::InH, map[0]);
  setReg(loc, isa::SReg::InW, map[1]);
  setReg(loc, isa::SReg::InC, map[2]);
  setReg(loc, isa::SReg::WinC, static_cast<int64_t>(w.getWindowChannels()));
  setReg(loc, isa::SReg::KH, w.getKernel()[0]);
  setReg(loc, isa::SReg::KW, w.getKernel()[1]);
  setReg(loc, isa::SReg::StrideH, w.getStrides()[0]);
  setReg(loc, isa::SReg::StrideW, w.getStrides()[1]);
  setReg(loc, isa::SReg::DilH, w.getDilations()[0]);
  setReg(loc, isa::SReg::DilW, w.getDilations()[1]);
  setReg(loc, isa::SReg::PadT, w.getPads()[0]);
  setReg(loc, isa::SReg::PadL, w.getPads()[1]);
  setReg(loc, isa::SReg::OutW, w.getOutWidth());
  setReg(loc, isa::SReg::UpH, w.getUp(0));
  setReg(loc, isa::SReg::UpW, w.getUp(1));
  setReg(loc, isa::SReg::PixBase, pixBase);
}

void Lowerer::residualWindowLoops(Location loc, const ResidualLoop &l, ArrayRef<Step> steps) {
  // Parts of `part` pixels in two ASVRF buffers when two fit (the next
  // part's rows are staged before this part's loop, so the transfer overlaps
  // its products), else one part at a time in one buffer.
  const int64_t room = static_cast<int64_t>(t_.asvrfDepth) - l.asvrfBase;
  const int64_t buffers = room >= 2 * l.vectorsPerPixel ? 2 : 1;
  const int64_t part = std::min(l.pixels, room / (buffers * l.vectorsPerPixel));
  const int64_t parts = llvm::divideCeilSigned(l.pixels, part);
  auto bufferOf = [&](int64_t s) { return l.asvrfBase + (s % buffers) * part * l.vectorsPerPixel; };
  auto stageRows = [&](int64_t s) {
    const int64_t first = s * part, count = std::min(part, l.pixels - first);
    const int64_t src = l.residual + first * l.rowStride;
    // One chain for the part: rows of rowLength elements RD_PITCH apart, each
    // padded to whole vectors (RD_PITCH is set for this read only).
    setTransfer(loc, count * l.vectorsPerPixel, l.rowLength, 1, std::nullopt);
    setReg(loc, isa::SReg::RdPitch, l.rowStride);
    chainTo(loc, {"DRAM", src}, std::nullopt, {}, {{"ASVRF", bufferOf(s), l.mfu}});
    setReg(loc, isa::SReg::RdPitch, 0);
  };
  SmallVector<Step> partSteps(steps.begin(), steps.end());
  for (int64_t s = 0; s < parts; ++s) {
    if (s == 0 || buffers == 1)
      stageRows(s);
    if (buffers == 2 && s + 1 < parts)
      stageRows(s + 1);
    const int64_t first = s * part, count = std::min(part, l.pixels - first);
    l.setLoopRegs(first);
    setReg(loc, isa::SReg::OpStep, l.vectorsPerPixel);
    partSteps[l.step].addr = bufferOf(s);
    Access to = l.to;
    to.addr += first * l.writeStep;
    loopedChain(loc, count, l.read, l.tile, partSteps, {to});
  }
}

int64_t Lowerer::panelIndex(fpga::WeightsOp w, ArrayRef<Panel> panels, size_t pi) {
  auto key = std::make_pair(w.getOperation(), pi);
  auto [it, fresh] = streamedPanels_.try_emplace(key, numMatrices_);
  if (!fresh)
    return it->second;
  ArrayRef<int64_t> shape = cast<RankedTensorType>(w.getType()).getShape();
  int64_t first = panels[pi].firstRowTile * n_;
  int64_t count = std::min(shape[0] - first, panels[pi].rowTiles * n_);
  // A transposed matrix's panel is columns of its value, not a slice of it:
  // the value whole, and the panel's first row (the emitter transposes).
  auto sliceType = RankedTensorType::get({count, shape[1]}, b_.getF32Type());
  ElementsAttr slice = w.getTransposed() ? w.getValue()
                                         : floatSlice(w.getValue(), static_cast<size_t>(first * shape[1]), sliceType,
                                                      blobName(w.getLoc(), "panel" + std::to_string(pi)));
  fpga::LinearOp user;
  for (Operation *u : w->getUsers())
    if ((user = dyn_cast<fpga::LinearOp>(u)))
      break;
  OpBuilder::InsertionGuard g(b_);
  setInsertionPointForDeclaration();
  auto streamed = fpga::StreamedMatrixOp::create(b_, w.getLoc(), slice, numMatrices_, panels[pi].rowTiles,
                                                 llvm::divideCeilSigned(shape[1], n_), user ? formatIndex(user) : 0);
  if (w.getTransposed()) {
    streamed.setTransposed(true);
    streamed.setFirstRow(first);
  }
  declared(streamed);
  return numMatrices_++;
}

void Lowerer::prefetchNextLayer(fpga::LinearOp op) {
  if (!mrf_.doubleBuffered())
    return;
  for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
    auto l = dyn_cast<fpga::LinearOp>(next);
    if (!l)
      continue;
    auto w = l.getW().getDefiningOp<fpga::WeightsOp>();
    if (!w)
      return; // a run-time matrix will use the scratch tiles first
    if (!w.getStreamed())
      continue;
    if (auto grid = l.getTileGrid()) {
      SmallVector<Panel> panels = MrfStreaming::panelsOf(w, (*grid)[0]);
      mrf_.prefetch(b_, l.getLoc(), w, 0, [&] { return panelIndex(w, panels, 0); });
    }
    return;
  }
}

FailureOr<SmallVector<Panel>> Lowerer::placeMatrix(fpga::LinearOp op, int64_t rows, int64_t cols, int64_t fmt) {
  Location loc = op.getLoc();
  SmallVector<Panel> panels{{0, rows, 0}};
  auto w = op.getW().getDefiningOp<fpga::WeightsOp>();
  if (w && w.getStreamed())
    return MrfStreaming::panelsOf(w, rows);
  if (w) {
    if (!w.getMrfTile())
      return op.emitError() << describeOp(op) << ": weights not placed (run fpga-tile first)";
    panels[0].tile = *w.getMrfTile();
    if (declaredWeights_.insert(w).second) {
      OpBuilder::InsertionGuard g(b_);
      setInsertionPointForDeclaration();
      auto pinned = fpga::PinnedMatrixOp::create(b_, w.getLoc(), w.getValue(), panels[0].tile, rows, cols, fmt,
                                                 /*col_parts=*/nullptr);
      pinned.setTransposed(w.getTransposed());
      declared(pinned);
      ++numMatrices_;
    }
    return panels;
  }
  FailureOr<int64_t> m = addrOf(op.getW(), loc);
  if (failed(m))
    return failure();
  panels[0].tile = scratchBase();
  ArrayRef<int64_t> ws = shapeOf(op.getW());
  setReg(loc, isa::SReg::Rows, rows);
  setReg(loc, isa::SReg::Cols, cols);
  setReg(loc, isa::SReg::MatH, ws[0]);
  setReg(loc, isa::SReg::MatW, ws[1]);
  setReg(loc, isa::SReg::MatPitch, 0);
  setReg(loc, isa::SReg::MFmt, fmt);
  fpga::MRdOp::create(b_, loc, *m, panels[0].tile, op.getTransposeW());
  return panels;
}

FailureOr<SmallVector<unsigned>> Lowerer::placeLinearEpilogue(fpga::LinearOp op, int64_t rows, LinearEpilogue &e) {
  // Operands of the epilogue in the MFUs' VRFs, rows vectors each: alpha at
  // MULVRF 0, beta at MULVRF rows (MFU 0), leaky_alpha at MULVRF 2 rows; the
  // bias at ASVRF 0, max_floor at ASVRF rows, min_ceiling at ASVRF 2 rows; a
  // residual's rows above them, at least one pixel's at a time.
  Location loc = op.getLoc();
  const int64_t p = op.getNumOutputs();
  const int64_t leakyAddr = 2 * rows, floorAddr = rows, ceilingAddr = 2 * rows;
  if (e.leakyStep >= 0)
    e.steps[e.leakyStep].addr = leakyAddr;
  if (e.floorStep >= 0)
    e.steps[e.floorStep].addr = floorAddr;
  if (e.ceilingStep >= 0)
    e.steps[e.ceilingStep].addr = ceilingAddr;
  const int64_t asvrfNeed = op.getResidual() ? (kResidualVectors + 1) * rows : kResidualVectors * rows;
  if (3 * rows > static_cast<int64_t>(t_.mulvrfDepth) || asvrfNeed > static_cast<int64_t>(t_.asvrfDepth))
    return op.emitError() << describeOp(op) << ": the epilogue's operands (" << rows
                          << " vectors each) do not fit the MFUs' VRFs";
  if (e.residualStep >= 0)
    e.steps[e.residualStep].addr = kResidualVectors * rows;
  auto mfus = placeSteps(loc, true, e.steps);
  if (failed(mfus))
    return failure();
  // alpha, leaky_alpha, max_floor and min_ceiling are the same in every
  // lane: staged once for all panels.
  if (e.alphaStep >= 0)
    stage(loc, splat(loc, op.getAlpha().convertToFloat(), p), p, 1, rows, {}, {"MULVRF", 0, (*mfus)[e.alphaStep]});
  if (e.leakyStep >= 0)
    stage(loc, splat(loc, op.getLeakyAlpha()->convertToFloat(), p), p, 1, rows, {},
          {"MULVRF", leakyAddr, (*mfus)[e.leakyStep]});
  if (e.floorStep >= 0)
    stage(loc, splat(loc, op.getMaxFloor()->convertToFloat(), p), p, 1, rows, {},
          {"ASVRF", floorAddr, (*mfus)[e.floorStep]});
  if (e.ceilingStep >= 0)
    stage(loc, splat(loc, op.getMinCeiling()->convertToFloat(), p), p, 1, rows, {},
          {"ASVRF", ceilingAddr, (*mfus)[e.ceilingStep]});
  return mfus;
}

FailureOr<Lowerer::LinearOperands> Lowerer::linearOperands(fpga::LinearOp op, int64_t rows, int64_t betaAddr) {
  Location loc = op.getLoc();
  const int64_t r = op.getNumRows(), p = op.getNumOutputs();
  LinearOperands o;
  if (Value bias = op.getBias()) {
    FailureOr<int64_t> a = addrOf(bias, loc);
    if (failed(a))
      return failure();
    o.biasAddr = *a;
    std::tie(o.biasRows, o.biasStride) = broadcastRows(shapeOf(bias), {r, p});
    const float beta = op.getBeta().convertToFloat();
    if (beta != 1.0f) // the same in every lane: staged once for all panels
      stage(loc, splat(loc, beta, p), p, 1, rows, {}, {"MULVRF", betaAddr, 0});
  }
  if (Value res = op.getResidual()) {
    FailureOr<int64_t> a = addrOf(res, loc);
    if (failed(a))
      return failure();
    o.residual = *a;
  }
  // X' rows: receptive fields gathered from a feature map, in the IVRF
  // already, or staged from DRAM.
  const bool window = op.getX().getDefiningOp<fpga::WindowOp>() != nullptr;
  o.xOnChip = window ? nullptr : ivrfPlaceOf(op.getX());
  if (!o.xOnChip) {
    FailureOr<int64_t> xa = addrOf(op.getX(), loc);
    if (failed(xa))
      return failure();
    o.x = *xa;
  }
  // The result: rows of P elements in DRAM, or of ceil(P / N) vectors in the IVRF.
  const TensorPlace *yOnChip = ivrfPlaceOf(op.getY());
  o.yInIvrf = yOnChip;
  o.y = yOnChip ? yOnChip->addr : resultAddr(op.getY());
  return o;
}

LogicalResult Lowerer::lowerLinear(fpga::LinearOp op) {
  Location loc = op.getLoc();
  auto grid = op.getTileGrid();
  if (!grid)
    return op.emitError() << describeOp(op) << ": no tile grid (run fpga-tile first)";
  const int64_t rows = (*grid)[0], cols = (*grid)[1];
  const int64_t r = op.getNumRows(), k = op.getReductionSize(), p = op.getNumOutputs();

  const int64_t fmt = formatIndex(op);
  auto w = op.getW().getDefiningOp<fpga::WeightsOp>();
  const bool streamed = w && w.getStreamed();
  FailureOr<SmallVector<Panel>> placed = placeMatrix(op, rows, cols, fmt);
  if (failed(placed))
    return failure();
  SmallVector<Panel> panels = std::move(*placed);

  LinearEpilogue e = LinearEpilogue::of(op);
  const int64_t residualBase = kResidualVectors * rows;
  auto mfus = placeLinearEpilogue(op, rows, e);
  if (failed(mfus))
    return failure();
  const float beta = op.getBeta().convertToFloat();
  const int64_t betaAddr = rows;
  FailureOr<LinearOperands> operands = linearOperands(op, rows, betaAddr);
  if (failed(operands))
    return failure();
  const std::vector<int64_t> &biasRows = operands->biasRows;
  const int64_t biasStride = operands->biasStride, biasAddr = operands->biasAddr, residual = operands->residual;
  const bool biasPerRow = e.biasStep >= 0 && llvm::any_of(biasRows, [&](int64_t o) { return o != biasRows[0]; });

  auto window = op.getX().getDefiningOp<fpga::WindowOp>();
  if (window && (op.getTransposeX() || biasPerRow))
    return op.emitError() << describeOp(op) << ": a windowed product needs rows as they are and one bias row";
  const TensorPlace *xOnChip = operands->xOnChip;
  const bool xInIvrf = xOnChip, yInIvrf = operands->yInIvrf;
  const int64_t x = operands->x, y = operands->y;
  // Rows alternate between two IVRF buffers when both fit below the kept
  // tensors, so staging row i + 1 does not wait for row i's product to finish
  // reading (the timing model overlaps the DRAM read with the matrix unit).
  const int64_t ivrfBuffers = 2 * cols <= plan_->ivrfFreeBelow(op) ? 2 : 1;

  for (size_t pi = 0; pi < panels.size(); ++pi) {
    Panel &panel = panels[pi];
    const int64_t first = panel.firstRowTile * n_, len = std::min(p - first, panel.rowTiles * n_);
    if (streamed) {
      auto index = [&, pi] { return panelIndex(w, panels, pi); };
      panel.tile = mrf_.streamIn(b_, loc, w, pi, index);
      // Move the next panel (or the next streamed layer's first one) in now,
      // so its DRAM transfer overlaps this panel's chains.
      if (pi + 1 < panels.size())
        mrf_.prefetch(b_, loc, w, pi + 1, [&, pi] { return panelIndex(w, panels, pi + 1); });
      else
        prefetchNextLayer(op);
    }
    auto stageBias = [&](int64_t row) {
      SmallVector<Step> pre;
      if (beta != 1.0f)
        pre.push_back({"vv_mul", betaAddr});
      stage(loc, biasAddr + biasRows[row] + first * biasStride, len, biasStride, panel.rowTiles, pre,
            {"ASVRF", 0, (*mfus)[e.biasStep]});
    };
    if (e.biasStep >= 0 && !biasPerRow)
      stageBias(0);
    if (window) {
      // One loop over the output pixels: row i is pixel i's window, and
      // result row i goes WR_STEP further on.
      auto setLoopRegs = [&](int64_t pixBase) {
        setWindowRegs(loc, window, pixBase);
        setReg(loc, isa::SReg::Rows, panel.rowTiles);
        setReg(loc, isa::SReg::Cols, cols);
        setReg(loc, isa::SReg::MFmt, fmt);
        if (!yInIvrf)
          setReg(loc, isa::SReg::WrLen, len);
        setReg(loc, isa::SReg::WrStep, yInIvrf ? rows : p);
      };
      const int64_t map = x + static_cast<int64_t>(window.getChannelOffset());
      const Access read{"DRAM", map, 0, /*iter=*/true, /*window=*/true};
      const Access to = yInIvrf ? Access{"IVRF", y + panel.firstRowTile, 0, true} : Access{"DRAM", y + first, 0, true};
      if (e.residualStep < 0) {
        setLoopRegs(0);
        loopedChain(loc, r, read, panel.tile, e.steps, {to});
        continue;
      }
      SmallVector<Step> steps = e.steps;
      steps[e.residualStep].iter = true;
      residualWindowLoops(loc,
                          {r, residual + first, len, p, panel.rowTiles, residualBase,
                           static_cast<int64_t>((*mfus)[e.residualStep]), static_cast<size_t>(e.residualStep), read, to,
                           yInIvrf ? rows : p, panel.tile, setLoopRegs},
                          steps);
      continue;
    }
    for (int64_t i = 0; i < r; ++i) {
      int64_t xRead = xInIvrf ? xOnChip->addr + i * cols : (i % ivrfBuffers) * cols;
      // With one row, the IVRF still holds it from the previous panel.
      if (!xInIvrf && (r > 1 || pi == 0)) {
        const int64_t xRow = op.getTransposeX() ? x + i : x + i * k;
        stage(loc, xRow, k, op.getTransposeX() ? r : 1, cols, {}, {"IVRF", xRead});
      }
      if (biasPerRow)
        stageBias(i);
      if (e.residualStep >= 0)
        stage(loc, residual + i * p + first, len, 1, panel.rowTiles, {},
              {"ASVRF", residualBase, (*mfus)[e.residualStep]});
      setReg(loc, isa::SReg::Rows, panel.rowTiles);
      setReg(loc, isa::SReg::Cols, cols);
      if (!yInIvrf)
        setReg(loc, isa::SReg::WrLen, len);
      setReg(loc, isa::SReg::MFmt, fmt);
      const Access to = yInIvrf ? Access{"IVRF", y + i * rows + panel.firstRowTile} : Access{"DRAM", y + i * p + first};
      chainTo(loc, {"IVRF", xRead}, panel.tile, e.steps, {to});
    }
  }
  return success();
}

} // namespace softnpu::lowering
