//===- LowerToIsa.cpp - The fpga-lower-to-isa pass -------------------------===//
//
// The pass and the program skeleton: I/O declarations, the memory plan, the
// walk over the function in program order, output copies, tensor records and
// the DRAM footprint. The op
// lowerings are in LowerLinear.cpp, LowerPointwise.cpp and LowerRnn.cpp; the
// jobs they share in lowering/ (Lowerer.h lists them).
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"
#include "compiler/SingleFunction.h"
#include "compiler/transforms/Lowerer.h"

#include <limits>

namespace softnpu {
#define GEN_PASS_DEF_FPGALOWERTOISA
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;

namespace softnpu::lowering {

namespace {

/// The result a layer report shows for `op`: its first result, or for a
/// recurrent layer the first one it writes (null when none).
Value recordedResult(Operation &op) {
  auto rnn = dyn_cast<fpga::RnnOp>(op);
  if (!rnn)
    return op.getResult(0);
  for (Value v : {rnn.getYH(), rnn.getY(), rnn.getYC()})
    if (v && !v.use_empty())
      return v;
  return Value();
}

} // namespace

LogicalResult Lowerer::run(func::FuncOp func) {
  b_.setInsertionPoint(func);
  program_ = fpga::ProgramOp::create(b_, func.getLoc(), func.getSymName(), 0, ArrayAttr());
  program_.getBody().emplaceBlock();
  b_.setInsertionPointToStart(&program_.getBody().front());
  if (failed(declareInputs(func)) || failed(declareOutputs(func)))
    return failure();
  plan_.emplace(func, t_, keepIntermediates_, outputsInPlace(func));
  arena_ = allocate(plan_->dramElements());
  for (Operation &op : func.getBody().front()) {
    b_.setInsertionPointToEnd(&program_.getBody().front());
    if (failed(lowerOp(op)))
      return failure();
  }
  return finish(func);
}

LogicalResult Lowerer::checkNetworkQueue(func::FuncOp func, const char *role, const std::string &name, Value v) {
  int64_t vectors = llvm::divideCeilSigned(numElements(v), n_);
  if (vectors <= static_cast<int64_t>(t_.networkQueueDepth))
    return success();
  // Larger than the queues: it streams through them in pieces, which the
  // timing model charges (timing::networkTransfer); say so once.
  const int64_t pieces = llvm::divideCeilSigned(vectors, static_cast<int64_t>(t_.networkQueueDepth));
  func.emitRemark() << "graph " << role << " '" << name << "' is " << vectors << " native vectors; it streams through "
                    << "the network queues of target '" << t_.name << "' (" << t_.networkQueueDepth
                    << " vectors, network_queue_depth) in " << pieces << " pieces";
  return success();
}

LogicalResult Lowerer::declareInputs(func::FuncOp func) {
  for (BlockArgument arg : func.getArguments()) {
    const std::string name = graphInputName(func, arg.getArgNumber());
    if (!cast<RankedTensorType>(arg.getType()).getElementType().isF32())
      return func.emitError() << "graph input '" << name << "' is not float32; the NPU runs float32 tensors";
    if (failed(checkNetworkQueue(func, "input", name, arg)))
      return failure();
    addr_[arg] = allocate(numElements(arg));
    // fpga-boundary-layout: the argument is the stored, permuted tensor; the
    // declaration keeps the ONNX shape and the permutation.
    SmallVector<int64_t> shape(shapeOf(arg));
    auto perm = func.getArgAttrOfType<DenseI64ArrayAttr>(arg.getArgNumber(), "fpga.dram_perm");
    if (perm)
      for (auto [i, axis] : llvm::enumerate(perm.asArrayRef()))
        shape[axis] = shapeOf(arg)[i];
    declared(fpga::InputOp::create(b_, func.getLoc(), name, shape, addr_[arg], perm));
  }
  return success();
}

LogicalResult Lowerer::declareOutputs(func::FuncOp func) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  const llvm::DenseSet<Value> inPlace = outputsInPlace(func);
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    if (!cast<RankedTensorType>(v.getType()).getElementType().isF32())
      return ret.emitError() << "graph output " << i << " is not float32";
    if (failed(checkNetworkQueue(func, "output", graphOutputName(func, i), v)))
      return failure();
    int64_t a = allocate(numElements(v));
    // fpga-boundary-layout: as for inputs, the ONNX shape and the permutation.
    SmallVector<int64_t> shape(shapeOf(v));
    auto perm = func.getResultAttrOfType<DenseI64ArrayAttr>(i, "fpga.dram_perm");
    if (perm)
      for (auto [j, axis] : llvm::enumerate(perm.asArrayRef()))
        shape[axis] = shapeOf(v)[j];
    declared(fpga::OutputOp::create(b_, func.getLoc(), graphOutputName(func, i), shape, a, perm));
    // Computed outputs are written in place; others are copied at the end.
    Value root = rootOf(v);
    if (inPlace.contains(root) && !addr_.count(root))
      addr_[root] = a;
    else
      copies_.push_back({root, a, numElements(v), ret.getLoc()});
  }
  return success();
}

LogicalResult Lowerer::lowerOp(Operation &op) {
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
  else if (auto rev = dyn_cast<fpga::ReverseOp>(op))
    r = lowerReverse(rev);
  else if (auto cat = dyn_cast<fpga::ConcatOp>(op))
    r = lowerConcat(cat);
  else if (auto pool = dyn_cast<fpga::PoolOp>(op))
    r = lowerPool(pool);
  else if (auto mx = dyn_cast<fpga::MaxOp>(op))
    r = lowerMax(mx);
  else if (auto mn = dyn_cast<fpga::MinOp>(op))
    r = lowerMin(mn);
  else if (auto lr = dyn_cast<fpga::LeakyReluOp>(op))
    r = lowerLeakyRelu(lr);
  else if (auto mul = dyn_cast<fpga::MulOp>(op))
    r = lowerMul(mul);
  else if (auto pr = dyn_cast<fpga::PreluOp>(op))
    r = lowerPrelu(pr);
  else if (llvm::isa<arith::ConstantOp, fpga::WeightsOp, fpga::ReshapeOp, fpga::WindowOp, func::ReturnOp>(op))
    return success();
  else
    return op.emitError() << describeOp(&op) << ": cannot be lowered to NPU instructions";
  if (failed(r))
    return failure();
  if (Value produced = recordedResult(op))
    recordTensor(produced, op.getLoc());
  return success();
}

LogicalResult Lowerer::finish(func::FuncOp func) {
  program_.setFormatsAttr(formatTable());
  b_.setInsertionPointToEnd(&program_.getBody().front());
  for (const Copy &c : copies_) {
    Location loc = NameLoc::get(b_.getStringAttr("output copy"), c.loc);
    FailureOr<int64_t> src = addrOf(c.value, loc);
    if (failed(src))
      return failure();
    pointwise(loc, *src, 1, c.dst, c.count, {});
  }
  // A record is only right when its place still holds the tensor at the end.
  for (const Record &r : records_) {
    const TensorPlace *place = plan_->placeOf(r.value);
    if (place && (place->inIvrf() || !place->intact))
      continue;
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    declared(fpga::TensorRecordOp::create(b_, r.loc, shapeOf(r.value), addr_.lookup(r.value)));
  }
  const int64_t footprint = dramTop_;
  if (static_cast<uint64_t>(footprint) * 4 > t_.dramBytes)
    return func.emitError() << "the model needs " << footprint * 4 << " bytes of DRAM; target '" << t_.name << "' has "
                            << t_.dramBytes;
  program_.setDramElements(footprint);
  func.erase();
  return success();
}

FailureOr<int64_t> Lowerer::addrOf(Value v, Location loc) {
  v = rootOf(v);
  if (auto it = addr_.find(v); it != addr_.end())
    return it->second;
  if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
    auto attr = dyn_cast<ElementsAttr>(c.getValue());
    if (!attr || !isFloatData(attr))
      return emitError(loc) << "constant is not a dense float32 tensor";
    int64_t a = allocate(attr.getNumElements());
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    declared(fpga::DramConstOp::create(b_, c.getLoc(), attr, a));
    addr_[v] = a;
    return a;
  }
  return emitError(loc) << "internal error: tensor has no DRAM address yet";
}

int64_t Lowerer::resultAddr(Value v) {
  auto [it, inserted] = addr_.try_emplace(v, 0);
  if (inserted) {
    const TensorPlace *place = plan_->placeOf(v);
    assert(place && !place->inIvrf() && "a result lowered to DRAM has a DRAM place");
    it->second = arena_ + place->addr;
  }
  return it->second;
}

int64_t Lowerer::splat(Location loc, float value, int64_t count) {
  auto type = RankedTensorType::get({count}, b_.getF32Type());
  auto attr = DenseElementsAttr::get(type, value);
  int64_t a = allocate(count);
  OpBuilder::InsertionGuard g(b_);
  setInsertionPointForDeclaration();
  declared(fpga::DramConstOp::create(b_, loc, attr, a));
  return a;
}

void Lowerer::setInsertionPointForDeclaration() {
  if (lastDecl_)
    b_.setInsertionPointAfter(lastDecl_);
  else
    b_.setInsertionPointToStart(&program_.getBody().front());
}

ArrayAttr Lowerer::formatTable() {
  MLIRContext *ctx = b_.getContext();
  SmallVector<Attribute> entries;
  for (const auto &[w, i] : formats_)
    entries.push_back(b_.getArrayAttr({fpga::FormatAttr::get(ctx, w), fpga::FormatAttr::get(ctx, i)}));
  return b_.getArrayAttr(entries);
}

void Lowerer::setTransfer(Location loc, int64_t cols, int64_t len, int64_t stride, std::optional<int64_t> wrLen) {
  setReg(loc, isa::SReg::Cols, cols);
  setReg(loc, isa::SReg::RdLen, len);
  setReg(loc, isa::SReg::RdStride, stride);
  if (wrLen)
    setReg(loc, isa::SReg::WrLen, *wrLen);
}

void Lowerer::pointwise(Location loc, int64_t src, int64_t srcStride, int64_t dst, int64_t count, ArrayRef<Step> steps,
                        int64_t maxVectors) {
  for (int64_t off = 0; off < count; off += maxVectors * n_) {
    int64_t len = std::min(count - off, maxVectors * n_);
    setTransfer(loc, llvm::divideCeilSigned(len, n_), len, srcStride, len);
    chainTo(loc, {"DRAM", src + off * srcStride}, std::nullopt, steps, {{"DRAM", dst + off}});
  }
}

void Lowerer::stage(Location loc, int64_t src, int64_t len, int64_t stride, int64_t vectors, ArrayRef<Step> steps,
                    const Access &to) {
  setTransfer(loc, vectors, len, stride, std::nullopt);
  chainTo(loc, {"DRAM", src}, std::nullopt, steps, {to});
}

} // namespace softnpu::lowering

namespace {

struct FpgaLowerToIsaPass : softnpu::impl::FpgaLowerToIsaBase<FpgaLowerToIsaPass> {
  using FpgaLowerToIsaBase::FpgaLowerToIsaBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const softnpu::target::Target &t = softnpu::fpga::getTarget(module);
    FailureOr<func::FuncOp> func = softnpu::getSingleFunction(module, "fpga-lower-to-isa");
    if (failed(func))
      return signalPassFailure();
    softnpu::lowering::Lowerer lowerer(module, t, keepIntermediates);
    if (failed(lowerer.run(*func)))
      return signalPassFailure();
  }
};

} // namespace
