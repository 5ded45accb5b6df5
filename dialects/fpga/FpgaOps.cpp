//===- FpgaOps.cpp - fpga op verifiers and helpers -------------------------===//
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaIsa.h"
#include "dialects/fpga/FpgaTarget.h"
#include "llvm/Support/InterleavedRange.h"

#include "softnpu/numerics/Bfp.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace softnpu;
using namespace softnpu::fpga;

//===----------------------------------------------------------------------===//
// Tensor level
//===----------------------------------------------------------------------===//

int64_t LinearOp::getNumRows() {
  auto x = cast<RankedTensorType>(getX().getType());
  return getTransposeX() ? x.getDimSize(1) : x.getDimSize(0);
}
int64_t LinearOp::getReductionSize() {
  auto x = cast<RankedTensorType>(getX().getType());
  return getTransposeX() ? x.getDimSize(0) : x.getDimSize(1);
}
int64_t LinearOp::getNumOutputs() {
  auto w = cast<RankedTensorType>(getW().getType());
  return getTransposeW() ? w.getDimSize(1) : w.getDimSize(0);
}

LogicalResult LinearOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto w = cast<RankedTensorType>(getW().getType());
  auto y = cast<RankedTensorType>(getY().getType());
  if (x.getRank() != 2 || w.getRank() != 2 || y.getRank() != 2)
    return emitOpError("x, w and the result must be 2-D");
  if (!x.hasStaticShape() || !w.hasStaticShape() || !y.hasStaticShape())
    return emitOpError("shapes must be static");
  int64_t kw = getTransposeW() ? w.getDimSize(0) : w.getDimSize(1);
  if (getReductionSize() != kw)
    return emitOpError("reduction sizes differ: x has ") << getReductionSize() << ", w has " << kw;
  if (y.getDimSize(0) != getNumRows() || y.getDimSize(1) != getNumOutputs())
    return emitOpError("result must be ") << getNumRows() << "x" << getNumOutputs();
  if (Value b = getBias()) {
    auto bt = cast<RankedTensorType>(b.getType());
    if (bt.getRank() > 2)
      return emitOpError("bias must have rank <= 2");
    ArrayRef<int64_t> s = bt.getShape();
    int64_t dims[2] = {getNumRows(), getNumOutputs()};
    for (int64_t i = 0; i < bt.getRank(); ++i) {
      int64_t d = s[bt.getRank() - 1 - i], want = dims[1 - i];
      if (d != 1 && d != want)
        return emitOpError("bias shape does not broadcast to ") << dims[0] << "x" << dims[1];
    }
  }
  if (Value r = getResidual(); r && r.getType() != y)
    return emitOpError("residual must have the result's type");
  if (auto grid = getTileGrid())
    if (grid->size() != 2 || (*grid)[0] <= 0 || (*grid)[1] <= 0)
      return emitOpError("tile_grid must be two positive numbers");
  if (getLeakyAlpha() && getActivation() != Activation::none)
    return emitOpError("leaky_alpha needs activation none (one activation per chain)");
  return success();
}

LogicalResult WeightsOp::verify() {
  auto vt = cast<ShapedType>(getValue().getType());
  auto rt = cast<RankedTensorType>(getResult().getType());
  if (rt.getRank() != 2)
    return emitOpError("weights must be 2-D");
  SmallVector<int64_t, 2> shape(rt.getShape());
  if (getTransposed())
    std::swap(shape[0], shape[1]);
  if (vt.getShape() != ArrayRef<int64_t>(shape) || vt.getElementType() != rt.getElementType())
    return emitOpError(getTransposed() ? "value must have the result's shape transposed"
                                       : "value and result shapes differ");
  if (!isFloatData(getValue()))
    return emitOpError("value must be float32 elements (dense or a blob resource with its bytes)");
  return success();
}

std::vector<float> WeightsOp::getMatrix() {
  auto type = cast<RankedTensorType>(getType());
  const size_t p = static_cast<size_t>(type.getDimSize(0)), k = static_cast<size_t>(type.getDimSize(1));
  std::optional<FloatData> values = FloatData::of(getValue()); // the verifier made sure
  std::vector<float> m(p * k);
  if (getTransposed())
    transposedRows(FloatBytes{reinterpret_cast<const char *>(values->data()), values->size()}, p, 0, p, k, m.data());
  else
    std::copy(values->values().begin(), values->values().end(), m.begin());
  if (getUnrounded()) {
    const target::Target &t = getTarget(getOperation());
    const numerics::NumberFormat format = *parseFormatAttr(type.getEncoding());
    for (size_t i = 0; i < p; ++i)
      numerics::roundTrip(&m[i * k], k, format, t.rounding, t.nativeDim);
  }
  return m;
}

LogicalResult ActivationOp::verify() {
  if (getKind() == Activation::none)
    return emitOpError("kind must be relu, sigmoid or tanh, not none");
  if (getX().getType() != getY().getType())
    return emitOpError("result type must equal the operand type");
  return success();
}

LogicalResult LeakyReluOp::verify() {
  if (getX().getType() != getY().getType())
    return emitOpError("result type must equal the operand type");
  return success();
}

std::pair<int64_t, int64_t> ConcatOp::getOuterInner() {
  ArrayRef<int64_t> out = cast<RankedTensorType>(getResult().getType()).getShape();
  const size_t axis = static_cast<size_t>(getAxis());
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < out.size(); ++d)
    if (d != axis)
      (d < axis ? outer : inner) *= out[d];
  return {outer, inner};
}

LogicalResult ConcatOp::verify() {
  auto y = cast<RankedTensorType>(getResult().getType());
  const int64_t axis = static_cast<int64_t>(getAxis());
  if (getInputs().empty() || axis < 0 || axis >= y.getRank())
    return emitOpError("needs operands and an axis of the result");
  int64_t sum = 0;
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != y.getRank())
      return emitOpError("operands must have the result's rank");
    for (int64_t d = 0; d < y.getRank(); ++d)
      if (d != axis && t.getDimSize(d) != y.getDimSize(d))
        return emitOpError("operand dimension ") << d << " differs from the result's";
    sum += t.getDimSize(axis);
  }
  if (sum != y.getDimSize(axis))
    return emitOpError("the operands' sizes along the axis add up to ") << sum << ", not " << y.getDimSize(axis);
  return success();
}

LogicalResult ReverseOp::verify() {
  if (getX().getType() != getY().getType())
    return emitOpError("result type must equal the operand type");
  const int64_t rank = cast<RankedTensorType>(getX().getType()).getRank();
  for (int64_t a : getAxes())
    if (a < 0 || a >= rank - 1)
      return emitOpError("axis ") << a << " is not a dimension before the last of a rank-" << rank << " tensor";
  return success();
}

LogicalResult PreluOp::verify() {
  if (getX().getType() != getY().getType())
    return emitOpError("result type must equal the operand type");
  // The slope broadcasts to x: numpy rules, aligned at the last dimension.
  ArrayRef<int64_t> x = cast<RankedTensorType>(getX().getType()).getShape();
  ArrayRef<int64_t> s = cast<RankedTensorType>(getSlope().getType()).getShape();
  if (s.size() > x.size())
    return emitOpError("slope has more dimensions than x");
  for (size_t i = 0; i < s.size(); ++i)
    if (s[s.size() - 1 - i] != 1 && s[s.size() - 1 - i] != x[x.size() - 1 - i])
      return emitOpError("slope does not broadcast to x");
  return success();
}

LogicalResult PoolOp::verify() {
  auto window = getX().getDefiningOp<WindowOp>();
  if (!window)
    return emitOpError("operand must be an fpga.window view");
  auto y = cast<RankedTensorType>(getY().getType());
  const int64_t pixels = cast<RankedTensorType>(getX().getType()).getDimSize(0);
  if (y.getRank() != 2 || y.getDimSize(0) != pixels ||
      y.getDimSize(1) != static_cast<int64_t>(window.getWindowChannels()))
    return emitOpError("result must be [")
           << pixels << ", " << window.getWindowChannels() << "]: one row of the window's channels per pixel";
  if (getKind() != PoolKind::sum && getScale().convertToFloat() != 1.0f)
    return emitOpError("only a sum pool has a scale");
  return success();
}

int64_t WindowOp::windowsAlong(int64_t in, int64_t padBegin, int64_t padEnd, int64_t kernel, int64_t dilation,
                               int64_t stride) {
  const int64_t span = in + padBegin + padEnd - ((kernel - 1) * dilation + 1);
  return span < 0 ? 0 : span / stride + 1;
}

int64_t WindowOp::getUp(unsigned axis) {
  std::optional<ArrayRef<int64_t>> up = getUpsample();
  return up && up->size() == 2 ? (*up)[axis] : 1;
}

int64_t WindowOp::getOutHeight() {
  auto x = cast<RankedTensorType>(getX().getType());
  return windowsAlong(upsampled(x.getDimSize(0), getUp(0)), getPads()[0], getPads()[2], getKernel()[0],
                      getDilations()[0], getStrides()[0]);
}

int64_t WindowOp::getOutWidth() {
  auto x = cast<RankedTensorType>(getX().getType());
  return windowsAlong(upsampled(x.getDimSize(1), getUp(1)), getPads()[1], getPads()[3], getKernel()[1],
                      getDilations()[1], getStrides()[1]);
}

LogicalResult WindowOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto y = cast<RankedTensorType>(getY().getType());
  if (x.getRank() != 3 || y.getRank() != 2 || !x.hasStaticShape() || !y.hasStaticShape())
    return emitOpError("x must be a static [H, W, C] map and the result 2-D");
  if (getKernel().size() != 2 || getStrides().size() != 2 || getDilations().size() != 2 || getPads().size() != 4)
    return emitOpError("kernel, strides and dilations need 2 entries, pads 4");
  for (ArrayRef<int64_t> list : {getKernel(), getStrides(), getDilations()})
    if (llvm::any_of(list, [](int64_t v) { return v < 1; }))
      return emitOpError("kernel, strides and dilations must be >= 1");
  if (llvm::any_of(getPads(), [](int64_t v) { return v < 0; }))
    return emitOpError("pads must be >= 0");
  if (std::optional<ArrayRef<int64_t>> up = getUpsample())
    if (up->size() != 2 || llvm::any_of(*up, [](int64_t v) { return v < 1 || v > UINT32_MAX; }))
      return emitOpError("upsample needs 2 entries >= 1");
  const int64_t offset = static_cast<int64_t>(getChannelOffset()), count = static_cast<int64_t>(getWindowChannels());
  if (count < 1 || offset < 0 || offset + count > x.getDimSize(2))
    return emitOpError("channels [") << getChannelOffset() << ", " << getChannelOffset() + getWindowChannels()
                                     << ") are not within the map's " << x.getDimSize(2);
  if (getOutHeight() < 1 || getOutWidth() < 1)
    return emitOpError("the window does not fit the padded map");
  const int64_t k = getKernel()[0] * getKernel()[1] * getWindowChannels();
  if (y.getDimSize(0) != getOutHeight() * getOutWidth() || y.getDimSize(1) != k)
    return emitOpError("result must be ") << getOutHeight() * getOutWidth() << "x" << k;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto y = cast<RankedTensorType>(getY().getType());
  if (!x.hasStaticShape() || !y.hasStaticShape() || x.getNumElements() != y.getNumElements())
    return emitOpError("element counts differ");
  return success();
}

//===----------------------------------------------------------------------===//
// Instruction level
//===----------------------------------------------------------------------===//

LogicalResult PinnedMatrixOp::verify() {
  auto t = cast<ShapedType>(getValue().getType());
  if (t.getRank() != 2)
    return emitOpError("value must be 2-D");
  if (getRowTiles() <= 0 || getColTiles() <= 0 || getMrfTile() < 0)
    return emitOpError("tile grid must be positive");
  if (std::optional<ArrayRef<int64_t>> parts = getColParts()) {
    int64_t cols = 0;
    for (int64_t p : *parts) {
      if (p <= 0)
        return emitOpError("column parts must be positive");
      cols += p;
    }
    if (parts->empty() || cols != t.getDimSize(1))
      return emitOpError("column parts add up to ") << cols << " columns but the value has " << t.getDimSize(1);
    if (getTransposed())
      return emitOpError("a transposed value has no column parts");
  }
  return success();
}

LogicalResult StreamedMatrixOp::verify() {
  auto t = cast<ShapedType>(getValue().getType());
  if (t.getRank() != 2)
    return emitOpError("value must be 2-D");
  if (getRowTiles() <= 0 || getColTiles() <= 0)
    return emitOpError("tile grid must be positive");
  const int64_t rows = getTransposed() ? t.getDimSize(1) : t.getDimSize(0);
  const auto first = static_cast<int64_t>(getFirstRow());
  if (first < 0 || first >= rows || (!getTransposed() && first != 0))
    return emitOpError("first_row ") << first << " is not a row of the matrix"
                                     << (getTransposed() ? "" : " (only a transposed value has one)");
  return success();
}

LogicalResult MfuOp::verify() {
  const isa::InstInfo *info = isa::lookup(static_cast<uint8_t>(getInst()));
  if (!info ||
      (info->kind != isa::Kind::MfuAddSub && info->kind != isa::Kind::MfuMul && info->kind != isa::Kind::MfuAct))
    return emitOpError("'") << stringifyIsaOpcode(getInst()) << "' is not a multifunction-unit instruction";
  if (!(info->fields & isa::F_A) && getAddr() != 0)
    return emitOpError("'") << stringifyIsaOpcode(getInst()) << "' takes no operand";
  if (getIter() && !(info->fields & isa::F_FLAGS))
    return emitOpError("'") << stringifyIsaOpcode(getInst()) << "' has no operand address to step";
  return success();
}

LogicalResult SWrOp::verify() {
  const std::optional<isa::SReg> r = static_cast<isa::SReg>(getReg());
  const bool isSigned = isa::isStepRegister(*r);
  const int64_t lo = isSigned ? INT32_MIN : 0, hi = isSigned ? INT32_MAX : UINT32_MAX;
  // I64Attr getters return uint64_t; the value is a signed 64-bit integer.
  const int64_t value = static_cast<int64_t>(getValue());
  if (value < lo || value > hi)
    return emitOpError("value ") << value << " does not fit " << stringifyScalarReg(getReg()) << " (" << lo << " to "
                                 << hi << ")";
  return success();
}

LogicalResult TransposeOp::verify() {
  auto in = cast<RankedTensorType>(getX().getType()), out = cast<RankedTensorType>(getY().getType());
  ArrayRef<int64_t> perm = getPerm();
  if (static_cast<int64_t>(perm.size()) != in.getRank() || out.getRank() != in.getRank())
    return emitOpError("perm must have one entry per dimension");
  SmallVector<bool> seen(perm.size(), false);
  for (auto [k, d] : llvm::enumerate(perm)) {
    if (d < 0 || d >= in.getRank() || seen[d])
      return emitOpError("perm is not a permutation");
    seen[d] = true;
    if (out.getDimSize(k) != in.getDimSize(d))
      return emitOpError("result dimension ") << k << " is not operand dimension " << d;
  }
  return success();
}

LogicalResult ExtractOp::verify() {
  const int64_t in = cast<RankedTensorType>(getX().getType()).getNumElements();
  const int64_t out = cast<RankedTensorType>(getY().getType()).getNumElements();
  const int64_t len = static_cast<int64_t>(getRowLength()), stride = static_cast<int64_t>(getRowStride());
  const int64_t offset = static_cast<int64_t>(getOffset());
  if (len <= 0 || out % len != 0)
    return emitOpError("row_length ") << len << " does not divide the result's " << out << " elements";
  const int64_t rows = out / len;
  if (offset < 0 || stride < 0 || offset + (rows - 1) * stride + len > in)
    return emitOpError("rows reach past the operand's ") << in << " elements";
  return success();
}

LogicalResult LoopOp::verify() {
  if (static_cast<int64_t>(getCount()) < 0 || getCount() > UINT32_MAX)
    return emitOpError("count ") << getCount() << " does not fit the loop instruction";
  return success();
}

int64_t RnnOp::getNumGates() { return getCell() == RnnCell::lstm ? 4 : getCell() == RnnCell::gru ? 3 : 1; }
int64_t RnnOp::getNumDirections() { return getDirection() == RnnDirection::bidirectional ? 2 : 1; }
int64_t RnnOp::getSeqLength() { return cast<RankedTensorType>(getX().getType()).getDimSize(getLayout() == 0 ? 0 : 1); }
int64_t RnnOp::getBatchSize() { return cast<RankedTensorType>(getX().getType()).getDimSize(getLayout() == 0 ? 1 : 0); }
int64_t RnnOp::getInputSize() { return cast<RankedTensorType>(getX().getType()).getDimSize(2); }

LogicalResult RnnOp::verify() {
  const RnnCell cell = getCell();
  if (getLayout() != 0 && getLayout() != 1)
    return emitOpError("layout must be 0 or 1");
  if (getLinearBeforeReset() && cell != RnnCell::gru)
    return emitOpError("linear_before_reset applies to gru only");
  if ((cell == RnnCell::lstm) != static_cast<bool>(getYC()))
    return emitOpError("y_c is a result of lstm cells only");
  if (getInitialC() && cell != RnnCell::lstm)
    return emitOpError("initial_c applies to lstm only");
  auto x = cast<RankedTensorType>(getX().getType());
  if (x.getRank() != 3)
    return emitOpError("x must be 3-D");
  const int64_t d = getNumDirections(), g = getNumGates(), h = getHiddenSize();
  const int64_t t = getSeqLength(), bs = getBatchSize(), in = getInputSize();
  auto expect = [&](Value v, ArrayRef<int64_t> shape, const char *what) -> LogicalResult {
    if (cast<RankedTensorType>(v.getType()).getShape() != shape)
      return emitOpError(what) << " has shape " << v.getType() << ", expected " << llvm::interleaved_array(shape);
    return success();
  };
  SmallVector<int64_t> state = getLayout() == 0 ? SmallVector<int64_t>{d, bs, h} : SmallVector<int64_t>{bs, d, h};
  SmallVector<int64_t> y = getLayout() == 0 ? SmallVector<int64_t>{t, d, bs, h} : SmallVector<int64_t>{bs, t, d, h};
  if (failed(expect(getW(), {d, g * h, in}, "w")) || failed(expect(getR(), {d, g * h, h}, "r")) ||
      (getB() && failed(expect(getB(), {d, 2 * g * h}, "b"))) ||
      (getInitialH() && failed(expect(getInitialH(), state, "initial_h"))) ||
      (getInitialC() && failed(expect(getInitialC(), state, "initial_c"))) || failed(expect(getY(), y, "y")) ||
      failed(expect(getYH(), state, "y_h")) || (getYC() && failed(expect(getYC(), state, "y_c"))))
    return failure();
  return success();
}

LogicalResult ChainOp::verifyRegions() {
  std::string err;
  auto insts = chainInsts(*this, err);
  if (!insts)
    return emitOpError(err);
  const target::Target &t = getTarget(*this);
  // In a loop body, iter addressing is allowed: plan the chain inside one.
  if (llvm::isa<LoopOp>((*this)->getParentOp())) {
    insts->insert(insts->begin(), isa::Inst{isa::Opcode::Loop, isa::MemSpace::None, 0, 1, 0});
    insts->push_back(isa::Inst{isa::Opcode::EndLoop});
  }
  isa::ProgramPlan plan;
  if (!isa::planProgram(*insts, t.mfuConfig(), plan, err) || plan.chains.size() != 1)
    return emitOpError("the hardware cannot run this chain: ") << err;
  return success();
}

#define GET_OP_CLASSES
#include "dialects/fpga/FpgaOps.cpp.inc"
