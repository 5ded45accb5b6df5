//===- Chains.cpp - fpga.chain construction and MFU placement -------------===//
#include "compiler/transforms/lowering/Chains.h"

#include "compiler/Diagnostics.h"
#include "dialects/fpga/FpgaDialect.h"

#include "mlir/IR/Diagnostics.h"

namespace softnpu::lowering {

namespace {

/// The IR's enum for a memory named as in MemSpaces.def.
fpga::MemSpace memSpaceOf(llvm::StringRef name) {
  std::optional<fpga::MemSpace> m = fpga::symbolizeMemSpace(name);
  assert(m && "the lowering names memories by their ISA names");
  return *m;
}

} // namespace

void emitChain(mlir::OpBuilder &b, mlir::Location loc, const Access &rd, std::optional<int64_t> mvTile,
               llvm::ArrayRef<Step> steps, llvm::ArrayRef<Access> writes) {
  auto c = fpga::ChainOp::create(b, loc);
  c.getBody().emplaceBlock();
  mlir::OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(&c.getBody().front());
  fpga::VRdOp::create(b, loc, memSpaceOf(rd.mem), rd.addr, rd.mfu, rd.iter, rd.window,
                      rd.pool ? fpga::PoolKindAttr::get(b.getContext(), *rd.pool) : fpga::PoolKindAttr());
  if (mvTile)
    fpga::MvMulOp::create(b, loc, *mvTile);
  for (const Step &s : steps)
    fpga::MfuOp::create(b, loc, static_cast<fpga::IsaOpcode>(isa::lookup(s.inst)->opcode), s.addr, s.iter);
  for (const Access &w : writes)
    fpga::VWrOp::create(b, loc, memSpaceOf(w.mem), w.addr, w.mfu, w.iter);
}

namespace {

/// The runtime's plan of one chain of these steps; false with its reason.
bool planChain(const target::Target &t, bool matVec, llvm::ArrayRef<Step> steps, isa::ProgramPlan &plan,
               std::string &err) {
  std::vector<isa::Inst> insts{{isa::Opcode::VRd, isa::MemSpace::Ivrf}};
  if (matVec)
    insts.push_back({isa::Opcode::MvMul});
  for (const Step &s : steps)
    insts.push_back({isa::lookup(s.inst)->opcode});
  insts.push_back({isa::Opcode::VWr, isa::MemSpace::Dram});
  insts.push_back({isa::Opcode::EndChain});
  return isa::planProgram(insts, t.mfuConfig(), plan, err);
}

} // namespace

mlir::FailureOr<llvm::SmallVector<unsigned>> placeSteps(const target::Target &t, mlir::Location loc, bool matVec,
                                                        llvm::ArrayRef<Step> steps) {
  isa::ProgramPlan plan;
  std::string err;
  if (!planChain(t, matVec, steps, plan, err))
    return mlir::emitError(loc) << nodeNameOf(loc) << ": the hardware cannot run this chain: " << err;
  llvm::SmallVector<unsigned> mfus;
  for (size_t i = 0; i < steps.size(); ++i)
    mfus.push_back(plan.chains[0].mfuOfOp[i + (matVec ? 2 : 1)]);
  return mfus;
}

bool canPlaceSteps(const target::Target &t, bool matVec, llvm::ArrayRef<Step> steps) {
  isa::ProgramPlan plan;
  std::string err;
  return planChain(t, matVec, steps, plan, err);
}

LinearEpilogue LinearEpilogue::of(fpga::LinearOp op) {
  LinearEpilogue e;
  auto add = [&](int &index, const char *inst) {
    index = static_cast<int>(e.steps.size());
    e.steps.push_back({inst, 0});
  };
  if (op.getAlpha().convertToFloat() != 1.0f)
    add(e.alphaStep, "vv_mul");
  if (op.getBias())
    add(e.biasStep, "vv_add");
  if (op.getResidual())
    add(e.residualStep, "vv_add");
  if (op.getActivation() != fpga::Activation::none)
    e.steps.push_back({activationInst(op.getActivation())});
  if (op.getLeakyAlpha())
    add(e.leakyStep, "vv_prelu");
  if (op.getMaxFloor())
    add(e.floorStep, "vv_max");
  if (op.getMinCeiling())
    add(e.ceilingStep, "vv_min");
  return e;
}

} // namespace softnpu::lowering
