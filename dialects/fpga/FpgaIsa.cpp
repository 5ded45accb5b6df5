//===- FpgaIsa.cpp - Instruction-level ops to softnpu::isa ----------------===//
#include "dialects/fpga/FpgaIsa.h"
#include "dialects/fpga/FpgaDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace softnpu;

namespace softnpu::fpga {

static bool fits(int64_t v, int64_t max) { return v >= 0 && v <= max; }

std::optional<isa::Inst> toInst(Operation *op, std::string &error) {
  isa::Inst inst;
  auto field = [&](int64_t v, int64_t max, const char *what) {
    if (fits(v, max))
      return true;
    error = std::string(what) + " " + std::to_string(v) + " does not fit its field";
    return false;
  };
  auto memField = [&](MemSpace mem) {
    // The enum's values are the ISA's codes (FpgaIsaEnums.td.in).
    const isa::MemSpace m = static_cast<isa::MemSpace>(mem);
    inst.mem = m;
    const isa::InstInfo *info = isa::lookup(static_cast<uint8_t>(inst.op));
    if (!(info->memories & isa::memBit(m))) {
      error = std::string(info->mnemonic) + " cannot name " + stringifyMemSpace(mem).str();
      return false;
    }
    return true;
  };
  bool ok = llvm::TypeSwitch<Operation *, bool>(op)
                .Case([&](VRdOp o) {
                  inst.op = isa::Opcode::VRd;
                  inst.flags = (o.getIter() ? isa::kVIter : 0) | (o.getWindow() ? isa::kVWindow : 0);
                  if (std::optional<PoolKind> pool = o.getPool())
                    inst.flags |= *pool == PoolKind::max   ? isa::kVPoolMax
                                  : *pool == PoolKind::sum ? isa::kVPoolSum
                                                           : isa::kVPoolMean;
                  inst.a = static_cast<uint32_t>(o.getAddr());
                  inst.b = static_cast<uint16_t>(o.getMfu());
                  return memField(o.getMem()) && field(o.getAddr(), UINT32_MAX, "address") &&
                         field(o.getMfu(), UINT16_MAX, "mfu");
                })
                .Case([&](VWrOp o) {
                  inst.op = isa::Opcode::VWr;
                  inst.flags = o.getIter() ? isa::kVIter : 0;
                  inst.a = static_cast<uint32_t>(o.getAddr());
                  inst.b = static_cast<uint16_t>(o.getMfu());
                  return memField(o.getMem()) && field(o.getAddr(), UINT32_MAX, "address") &&
                         field(o.getMfu(), UINT16_MAX, "mfu");
                })
                .Case([&](MvMulOp o) {
                  inst.op = isa::Opcode::MvMul;
                  inst.a = static_cast<uint32_t>(o.getTile());
                  return field(o.getTile(), UINT32_MAX, "tile");
                })
                .Case([&](MfuOp o) {
                  const isa::InstInfo *info = isa::lookup(static_cast<uint8_t>(o.getInst()));
                  if (!info) {
                    error = "unknown instruction '" + stringifyIsaOpcode(o.getInst()).str() + "'";
                    return false;
                  }
                  inst.op = info->opcode;
                  inst.a = static_cast<uint32_t>(o.getAddr());
                  inst.flags = o.getIter() ? isa::kVIter : 0;
                  return field(o.getAddr(), UINT32_MAX, "address");
                })
                .Case([&](MRdOp o) {
                  inst.op = isa::Opcode::MRd;
                  inst.a = static_cast<uint32_t>(o.getDram());
                  inst.b = static_cast<uint16_t>(o.getTile());
                  inst.flags = o.getTranspose() ? isa::kMRdTranspose : 0;
                  return field(o.getDram(), UINT32_MAX, "DRAM address") && field(o.getTile(), UINT16_MAX, "tile");
                })
                .Case([&](MRdStreamOp o) {
                  inst.op = isa::Opcode::MRd;
                  inst.a = static_cast<uint32_t>(o.getMatrix());
                  inst.b = static_cast<uint16_t>(o.getTile());
                  inst.flags = isa::kMRdStream;
                  return field(o.getMatrix(), UINT32_MAX, "matrix index") && field(o.getTile(), UINT16_MAX, "tile");
                })
                .Case([&](SWrOp o) {
                  inst.op = isa::Opcode::SWr;
                  // Register cases are numbered in ScalarRegs.def order.
                  const std::optional<isa::SReg> r = static_cast<isa::SReg>(o.getReg());
                  inst.b = static_cast<uint16_t>(*r);
                  // RD_STEP / WR_STEP / OP_STEP are signed: negative steps
                  // are stored in two's complement.
                  const bool isSigned = isa::isStepRegister(*r);
                  const int64_t value = static_cast<int64_t>(o.getValue());
                  inst.a = static_cast<uint32_t>(value);
                  if (isSigned && value >= INT32_MIN && value <= INT32_MAX)
                    return true;
                  return field(value, UINT32_MAX, "value");
                })
                .Default([&](Operation *o) {
                  error = "'" + o->getName().getStringRef().str() + "' is not an instruction";
                  return false;
                });
  if (!ok)
    return std::nullopt;
  return inst;
}

std::optional<std::vector<isa::Inst>> chainInsts(Operation *chain, std::string &error) {
  std::vector<isa::Inst> insts;
  for (Operation &op : chain->getRegion(0).front()) {
    auto inst = toInst(&op, error);
    if (!inst)
      return std::nullopt;
    insts.push_back(*inst);
  }
  insts.push_back(isa::Inst{isa::Opcode::EndChain});
  return insts;
}

} // namespace softnpu::fpga
