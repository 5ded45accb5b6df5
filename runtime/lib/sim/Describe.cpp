//===- Describe.cpp - Executed chains as timing::Work ---------------------===//
//
// Runs only when a WorkObserver is set, after an instruction group executed
// without error (so every address was checked): reads the chain from the
// program and plan, the scalar registers and loop iteration it ran with, and
// fills the hardware description the timing model needs
// (docs/timing-model.md). Ranges use effective addresses: an iter-flagged
// v_rd / v_wr touches a + i x step in this iteration, a pitched m_rd writes
// ROWS separate runs of COLS tiles.
//
//===----------------------------------------------------------------------===//
#include "SimState.h"
#include "WindowRead.h"

#include "softnpu/artifact/MatrixLayout.h"

namespace softnpu::sim::detail {

using isa::MemSpace;
using isa::SReg;
using timing::Memory;

namespace {

Memory memoryOf(MemSpace m) {
  switch (m) {
  case MemSpace::Ivrf:
    return Memory::Ivrf;
  case MemSpace::AsVrf:
    return Memory::Asvrf;
  case MemSpace::MulVrf:
    return Memory::Mulvrf;
  case MemSpace::Mrf:
    return Memory::Mrf;
  default:
    return Memory::Dram;
  }
}

} // namespace

void describeChain(const State &s, size_t index, timing::Work &w) {
  const isa::ChainPlan &chain = s.plan.chains[index];
  const uint32_t rows = s.reg(SReg::Rows), cols = s.reg(SReg::Cols);
  w.clear();
  w.kind = timing::WorkKind::Chain;
  w.rows = rows;
  w.cols = cols;
  w.matVec = chain.hasMatVec;
  w.vectorsIn = cols;
  w.vectors = chain.hasMatVec ? rows : cols;
  const uint64_t lanes = static_cast<uint64_t>(w.vectors) * s.n;

  const isa::Inst &rd = s.program[chain.begin];
  const uint64_t rdAddr = static_cast<uint64_t>(s.effectiveAddress(rd)); // checked: >= 0
  if (rd.flags & isa::kVWindow) {
    describeWindowRead(s, rd, w);
  } else if (rd.mem == MemSpace::Dram) {
    std::string why;
    const std::optional<isa::DramRead> r =
        isa::dramReadOf(cols, s.n, s.reg(SReg::RdLen), s.reg(SReg::RdStride), s.reg(SReg::RdPitch), why);
    w.sourceDram = true;
    if (r && r->len > 0) { // executed without error: r is set
      w.dramRead = r->elements();
      w.reads.push_back({Memory::Dram, 0, rdAddr, rdAddr + r->lastOffset() + 1});
    }
  } else {
    w.reads.push_back({memoryOf(rd.mem), rd.b, rdAddr, rdAddr + cols});
  }
  for (size_t k = chain.begin + 1; k < chain.end; ++k) {
    const isa::Inst &inst = s.program[k];
    const isa::Kind kind = isa::lookup(static_cast<uint8_t>(inst.op))->kind;
    const unsigned mfu = chain.mfuOfOp[k - chain.begin];
    switch (kind) {
    case isa::Kind::MatVec:
      w.reads.push_back({Memory::Mrf, 0, inst.a, uint64_t{inst.a} + uint64_t{rows} * cols});
      break;
    case isa::Kind::MfuAddSub:
    case isa::Kind::MfuMul: {
      const uint64_t addr = static_cast<uint64_t>(s.effectiveAddress(inst)); // checked: >= 0
      w.reads.push_back({kind == isa::Kind::MfuMul ? Memory::Mulvrf : Memory::Asvrf, static_cast<uint16_t>(mfu), addr,
                         addr + w.vectors, /*atStage=*/true});
    }
      [[fallthrough]];
    case isa::Kind::MfuAct:
      if (mfu < timing::kMaxMfus)
        ++w.mfuStages[mfu];
      break;
    case isa::Kind::ChainWrite: {
      const uint64_t addr = static_cast<uint64_t>(s.effectiveAddress(inst));
      if (inst.mem == MemSpace::Dram) {
        const uint64_t wrLen = s.reg(SReg::WrLen);
        const uint64_t len = wrLen ? wrLen : lanes;
        w.dramWritten += len;
        w.writes.push_back({Memory::Dram, 0, addr, addr + len});
      } else {
        w.writes.push_back({memoryOf(inst.mem), inst.b, addr, addr + w.vectors});
      }
      break;
    }
    default:
      break;
    }
  }
}

void describeStandalone(const State &s, const isa::Inst &inst, timing::Work &w) {
  w.clear();
  if (inst.op != isa::Opcode::MRd) {
    // s_wr, loop and end_loop: decoded and executed by the control processor
    // alone, touching no memory.
    w.kind = timing::WorkKind::ScalarWrite;
    return;
  }
  w.kind = timing::WorkKind::MatrixMove;
  if (inst.flags & isa::kMRdStream) {
    // The packed bytes of a streamed constant matrix: read from DRAM at their
    // packed size (so the format shows in DRAM time), as whole tiles: the
    // NPU's DRAM holds a streamed matrix tile-padded, ready to move into the
    // MRF (the artifact stores only the real extent, a file-size matter).
    // Constants are never written, so there is no DRAM range to track.
    const artifact::MatrixEntry &m = s.matrices[inst.a];
    w.rows = m.rowTiles;
    w.cols = m.colTiles;
    w.dramReadBytes = artifact::paddedMatrixBytes(m, s.n);
    w.writes.push_back({Memory::Mrf, 0, inst.b, uint64_t{inst.b} + uint64_t{w.rows} * w.cols});
    return;
  }
  const uint64_t matH = s.reg(SReg::MatH), matW = s.reg(SReg::MatW);
  w.rows = s.reg(SReg::Rows);
  w.cols = s.reg(SReg::Cols);
  w.dramRead = matH * matW;
  w.reads.push_back({Memory::Dram, 0, inst.a, inst.a + matH * matW});
  const uint64_t pitch = s.reg(SReg::MatPitch) ? s.reg(SReg::MatPitch) : w.cols;
  if (pitch == w.cols) { // one contiguous run
    w.writes.push_back({Memory::Mrf, 0, inst.b, uint64_t{inst.b} + uint64_t{w.rows} * w.cols});
    return;
  }
  // A pitched grid leaves gaps other matrices may use: one range per tile row,
  // so the scoreboard sees no false dependency on them.
  for (uint64_t tr = 0; tr < w.rows; ++tr)
    w.writes.push_back({Memory::Mrf, 0, inst.b + tr * pitch, inst.b + tr * pitch + w.cols});
}

} // namespace softnpu::sim::detail
