//===- LowerPointwise.cpp - Point-wise ops and copies -> DRAM chains -------===//
//
// fpga.add (same shape, or numpy broadcasting row by row), fpga.activation,
// fpga.pool (a loop of pooled window reads), and the data movement of
// fpga.extract and fpga.transpose: chains that read
// DRAM, run at most a point-wise step and write DRAM. An add or activation
// whose operand or result the memory plan keeps in the IVRF reads or writes
// it there instead, chunk by chunk (rowChains).
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Lowerer.h"

using namespace mlir;

namespace softnpu::lowering {

std::pair<std::vector<int64_t>, int64_t> broadcastRows(ArrayRef<int64_t> operand, ArrayRef<int64_t> outShape) {
  size_t rank = outShape.size();
  std::vector<int64_t> dims(rank, 1), strides(rank, 0);
  for (size_t i = 0; i < operand.size(); ++i)
    dims[rank - operand.size() + i] = operand[i];
  int64_t s = 1;
  for (size_t i = rank; i-- > 0;) {
    strides[i] = dims[i] == 1 ? 0 : s;
    s *= dims[i];
  }
  int64_t lastStride = rank ? strides[rank - 1] : 0;
  std::vector<int64_t> offsets{0};
  for (size_t d = 0; d + 1 < rank; ++d) {
    std::vector<int64_t> next;
    for (int64_t base : offsets)
      for (int64_t i = 0; i < outShape[d]; ++i)
        next.push_back(base + i * strides[d]);
    offsets.swap(next);
  }
  return {offsets, lastStride};
}

FailureOr<Lowerer::RowPlace> Lowerer::operandPlace(Value v, Location loc) {
  if (const TensorPlace *p = ivrfPlaceOf(v))
    return RowPlace{true, p->addr};
  FailureOr<int64_t> a = addrOf(v, loc);
  if (failed(a))
    return failure();
  return RowPlace{false, *a};
}

Lowerer::RowPlace Lowerer::resultPlace(Value v) {
  if (const TensorPlace *p = ivrfPlaceOf(v))
    return {true, p->addr};
  return {false, resultAddr(v)};
}

void Lowerer::setChunkRegs(Location loc, const Chunk &c, const RowPlace *src, const RowPlace *dst) {
  setReg(loc, isa::SReg::Cols, c.vectors);
  if (src && !src->ivrf) {
    setReg(loc, isa::SReg::RdLen, c.elements);
    setReg(loc, isa::SReg::RdStride, 1);
  }
  if (dst && !dst->ivrf)
    setReg(loc, isa::SReg::WrLen, c.elements);
}

void Lowerer::rowChains(Location loc, ArrayRef<int64_t> shape, const RowPlace &src, const RowPlace &dst,
                        ArrayRef<Step> steps, int64_t maxVectors, llvm::function_ref<void(const Chunk &)> before) {
  const int64_t c = shape.empty() ? 1 : shape.back();
  const int64_t rows = c ? RankedTensorType::get(shape, b_.getF32Type()).getNumElements() / c : 0;
  const int64_t perRow = llvm::divideCeilSigned(c, n_);
  // Rows of whole vectors are one run; otherwise each row is its own.
  const bool whole = c % n_ == 0;
  const int64_t runs = whole ? 1 : rows, runVectors = whole ? rows * perRow : perRow;
  const int64_t runElements = whole ? rows * c : c;
  for (int64_t r = 0; r < runs; ++r)
    for (int64_t v = 0; v < runVectors; v += maxVectors) {
      const int64_t vectors = std::min(maxVectors, runVectors - v);
      const Chunk chunk{r * runVectors + v, r * runElements + v * n_, vectors,
                        std::min(vectors * n_, runElements - v * n_)};
      if (before)
        before(chunk);
      setChunkRegs(loc, chunk, &src, &dst);
      chainTo(loc, accessOf(src, chunk), std::nullopt, steps, {accessOf(dst, chunk)});
    }
}

LogicalResult Lowerer::lowerAdd(fpga::AddOp op) {
  Location loc = op.getLoc();
  FailureOr<RowPlace> lhs = operandPlace(op.getLhs(), loc), rhs = operandPlace(op.getRhs(), loc);
  if (failed(lhs) || failed(rhs))
    return failure();
  const RowPlace dst = resultPlace(op.getResult());
  if (lhs->ivrf || rhs->ivrf || dst.ivrf) {
    // Same shapes (MemoryPlan keeps nothing else): each chunk of rhs goes to
    // the ASVRF, then lhs + it to the result.
    rowChains(loc, shapeOf(op.getResult()), *lhs, dst, {{"vv_add", 0}}, static_cast<int64_t>(t_.asvrfDepth),
              [&](const Chunk &c) {
                setChunkRegs(loc, c, &*rhs, nullptr);
                chainTo(loc, accessOf(*rhs, c), std::nullopt, {}, {{"ASVRF", 0, 0}});
              });
    return success();
  }
  return binaryInDram(op, op.getLhs(), op.getRhs(), op.getResult(), "vv_add");
}

LogicalResult Lowerer::lowerMax(fpga::MaxOp op) {
  return binaryInDram(op, op.getLhs(), op.getRhs(), op.getResult(), "vv_max");
}

LogicalResult Lowerer::lowerMin(fpga::MinOp op) {
  return binaryInDram(op, op.getLhs(), op.getRhs(), op.getResult(), "vv_min");
}

LogicalResult Lowerer::lowerMul(fpga::MulOp op) {
  return binaryInDram(op, op.getLhs(), op.getRhs(), op.getResult(), "vv_mul");
}

LogicalResult Lowerer::lowerPrelu(fpga::PreluOp op) {
  return binaryInDram(op, op.getX(), op.getSlope(), op.getY(), "vv_prelu");
}

LogicalResult Lowerer::binaryInDram(Operation *op, Value lhsV, Value rhsV, Value result, const char *inst) {
  Location loc = op->getLoc();
  FailureOr<int64_t> lhs = addrOf(lhsV, loc), rhs = addrOf(rhsV, loc);
  if (failed(lhs) || failed(rhs))
    return failure();
  const SmallVector<Step> steps = {{inst, 0}};
  auto mfus = placeSteps(loc, false, steps);
  if (failed(mfus))
    return failure();
  // vv_mul and vv_prelu take their operand from the MULVRF of their MFU, the
  // add/sub and min/max stage from the ASVRF.
  const bool mulVrf = StringRef(inst) == "vv_mul" || StringRef(inst) == "vv_prelu";
  const Access staged{mulVrf ? "MULVRF" : "ASVRF", 0, (*mfus)[0]};
  const int64_t depth = static_cast<int64_t>(mulVrf ? t_.mulvrfDepth : t_.asvrfDepth);
  const int64_t a = *lhs, bAddr = *rhs;
  const int64_t out = resultAddr(result);
  ArrayRef<int64_t> outShape = shapeOf(result);
  const int64_t count = numElements(result);
  const int64_t depthElems = depth * n_;
  if (shapeOf(lhsV) == outShape && shapeOf(rhsV) == outShape) {
    for (int64_t off = 0; off < count; off += depthElems) {
      int64_t len = std::min(count - off, depthElems);
      stage(loc, bAddr + off, len, 1, llvm::divideCeilSigned(len, n_), {}, staged);
      pointwise(loc, a + off, 1, out + off, len, steps);
    }
    return success();
  }
  // One element against a whole tensor (max(x, -0.4)): the element read with
  // RD_STRIDE 0 fills the VRF once, then long chains over the tensor.
  if (shapeOf(lhsV) == outShape && numElements(rhsV) == 1) {
    const int64_t vectors = std::min<int64_t>(depth, llvm::divideCeilSigned(count, n_));
    stage(loc, bAddr, vectors * n_, 0, vectors, {}, staged);
    pointwise(loc, a, 1, out, count, steps, vectors);
    return success();
  }
  const int64_t c = outShape.empty() ? 1 : outShape.back();
  const int64_t rowVectors = llvm::divideCeilSigned(c, n_);
  if (rowVectors > depth)
    return op->emitError() << describeOp(op) << ": broadcast rows of " << c << " elements do not fit the "
                           << staged.mem;
  auto [lhsRows, lhsStride] = broadcastRows(shapeOf(lhsV), outShape);
  auto [rhsRows, rhsStride] = broadcastRows(shapeOf(rhsV), outShape);
  // One row of rhs against every row of a whole lhs (a per-channel scale of
  // a channels-innermost map): staged once, then one loop over the rows.
  const bool oneRhsRow = llvm::all_equal(rhsRows);
  if (oneRhsRow && shapeOf(lhsV) == outShape && lhsRows.size() > 2 && rowVectors <= kMaxChainVectors) {
    stage(loc, bAddr + rhsRows[0], c, rhsStride, rowVectors, {}, staged);
    setTransfer(loc, rowVectors, c, 1, c);
    setReg(loc, isa::SReg::RdStep, c);
    setReg(loc, isa::SReg::WrStep, c);
    loopedChain(loc, static_cast<int64_t>(lhsRows.size()), {"DRAM", a, 0, /*iter=*/true}, std::nullopt, steps,
                {{"DRAM", out, 0, /*iter=*/true}});
    return success();
  }
  int64_t stagedRow = -1;
  for (size_t i = 0; i < lhsRows.size(); ++i) {
    if (rhsRows[i] != stagedRow) {
      stage(loc, bAddr + rhsRows[i], c, rhsStride, rowVectors, {}, staged);
      stagedRow = rhsRows[i];
    }
    setTransfer(loc, rowVectors, c, lhsStride, c);
    chainTo(loc, {"DRAM", a + lhsRows[i]}, std::nullopt, steps, {{"DRAM", out + static_cast<int64_t>(i) * c}});
  }
  return success();
}

LogicalResult Lowerer::lowerLeakyRelu(fpga::LeakyReluOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  // vv_prelu multiplies the negative lanes by MULVRF: alpha in as many
  // vectors as the longest chain reads, staged once.
  const SmallVector<Step> steps = {{"vv_prelu", 0}};
  auto mfus = placeSteps(loc, false, steps);
  if (failed(mfus))
    return failure();
  const int64_t count = numElements(op.getY());
  const int64_t vectors = std::min<int64_t>(static_cast<int64_t>(t_.mulvrfDepth), llvm::divideCeilSigned(count, n_));
  const float alpha = op.getAlpha().convertToFloat();
  stage(loc, splat(loc, alpha, vectors * n_), vectors * n_, 1, vectors, {}, {"MULVRF", 0, (*mfus)[0]});
  pointwise(loc, *x, 1, resultAddr(op.getY()), count, steps, vectors);
  return success();
}

LogicalResult Lowerer::lowerActivation(fpga::ActivationOp op) {
  Location loc = op.getLoc();
  FailureOr<RowPlace> x = operandPlace(op.getX(), loc);
  if (failed(x))
    return failure();
  const RowPlace y = resultPlace(op.getY());
  const char *inst = activationInst(op.getKind());
  if (x->ivrf || y.ivrf)
    rowChains(loc, shapeOf(op.getY()), *x, y, {{inst, 0}}, 4096, nullptr);
  else
    pointwise(loc, x->addr, 1, y.addr, numElements(op.getY()), {{inst, 0}});
  return success();
}

LogicalResult Lowerer::lowerPool(fpga::PoolOp op) {
  Location loc = op.getLoc();
  auto window = op.getX().getDefiningOp<fpga::WindowOp>(); // the verifier's rule
  FailureOr<int64_t> map = addrOf(window.getX(), loc);
  if (failed(map))
    return failure();
  const int64_t c = static_cast<int64_t>(window.getWindowChannels()), pixels = shapeOf(op.getY())[0];
  const int64_t vectors = llvm::divideCeilSigned(c, n_);
  const float scale = op.getScale().convertToFloat();
  SmallVector<Step> steps;
  if (scale != 1.0f)
    steps.push_back({"vv_mul", 0});
  auto mfus = placeSteps(loc, false, steps);
  if (failed(mfus))
    return failure();
  if (scale != 1.0f)
    stage(loc, splat(loc, scale, c), c, 1, vectors, {}, {"MULVRF", 0, (*mfus)[0]});
  // One loop over the output pixels: the read combines pixel i's taps, and
  // result row i goes WR_STEP = C further on.
  setWindowRegs(loc, window);
  setReg(loc, isa::SReg::Cols, vectors);
  setReg(loc, isa::SReg::WrLen, c);
  setReg(loc, isa::SReg::WrStep, c);
  Access rd{"DRAM", *map + static_cast<int64_t>(window.getChannelOffset()), 0, /*iter=*/true, /*window=*/true};
  rd.pool = op.getKind();
  loopedChain(loc, pixels, rd, std::nullopt, steps, {{"DRAM", resultAddr(op.getY()), 0, /*iter=*/true}});
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
  // A 2-D transpose (a layout change at a convolution) walks its rows with
  // one loop: row r starts r x stride[perm[0]] into the operand.
  if (rank == 2 && rows > 2 && len <= kMaxChainVectors * n_) {
    setTransfer(loc, llvm::divideCeilSigned(len, n_), len, rowStride, len);
    setReg(loc, isa::SReg::RdStep, stride[perm[0]]);
    setReg(loc, isa::SReg::WrStep, len);
    loopedChain(loc, rows, {"DRAM", *x, 0, /*iter=*/true}, std::nullopt, {}, {{"DRAM", y, 0, /*iter=*/true}});
    return success();
  }
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

LogicalResult Lowerer::lowerReverse(fpga::ReverseOp op) {
  Location loc = op.getLoc();
  FailureOr<int64_t> x = addrOf(op.getX(), loc);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(op.getX());
  const size_t rank = shape.size();
  SmallVector<int64_t> stride(rank, 1);
  for (size_t k = rank; k-- > 1;)
    stride[k - 1] = stride[k] * shape[k];
  SmallVector<bool> reversed(rank, false);
  for (int64_t a : op.getAxes())
    reversed[static_cast<size_t>(a)] = true;
  const int64_t y = resultAddr(op.getY()), len = rank ? shape.back() : 1;
  const int64_t rows = numElements(op.getY()) / std::max<int64_t>(len, 1);
  // Row r of the result: its index over the leading dimensions, reversed
  // where asked, gives the operand row it copies.
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, offset = 0;
    for (size_t k = rank - 1; k-- > 0;) {
      const int64_t i = rem % shape[k];
      offset += (reversed[k] ? shape[k] - 1 - i : i) * stride[k];
      rem /= shape[k];
    }
    pointwise(loc, *x + offset, 1, y + r * len, len, {});
  }
  return success();
}

LogicalResult Lowerer::lowerConcat(fpga::ConcatOp op) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> out = shapeOf(op.getResult());
  const size_t axis = static_cast<size_t>(op.getAxis());
  const auto [outer, inner] = op.getOuterInner();
  const int64_t y = resultAddr(op.getResult()), slab = out[axis] * inner;
  int64_t offset = 0; // of this operand's part in each result slab
  for (Value v : op.getInputs()) {
    FailureOr<int64_t> x = addrOf(v, loc);
    if (failed(x))
      return failure();
    const int64_t len = shapeOf(v)[axis] * inner; // the operand's slab
    if (len > 0 && (outer <= 2 || len > kMaxChainVectors * n_)) {
      for (int64_t o = 0; o < outer; ++o)
        pointwise(loc, *x + o * len, 1, y + o * slab + offset, len, {});
    } else if (len > 0) {
      // One loop over the outer index: slab o of the operand to its place in
      // slab o of the result.
      setTransfer(loc, llvm::divideCeilSigned(len, n_), len, 1, len);
      setReg(loc, isa::SReg::RdStep, len);
      setReg(loc, isa::SReg::WrStep, slab);
      loopedChain(loc, outer, {"DRAM", *x, 0, /*iter=*/true}, std::nullopt, {},
                  {{"DRAM", y + offset, 0, /*iter=*/true}});
    }
    offset += len;
  }
  return success();
}

} // namespace softnpu::lowering
