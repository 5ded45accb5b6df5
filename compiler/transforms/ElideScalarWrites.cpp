//===- ElideScalarWrites.cpp - Remove s_wr of values already held ---------===//
//
// fpga-elide-scalar-writes. fpga-lower-to-isa states every control register
// (ScalarRegs.def) a chain or m_rd needs with an fpga.s_wr, whatever the
// register holds; this pass removes each s_wr that writes the value its
// register already holds.
//
// A forward dataflow over each fpga.program body in program order. What a
// register holds is a known value or unknown; every register starts at its
// reset value (isa::sregReset), and an s_wr makes its register hold the value
// written. Only s_wr writes registers: declarations, m_rd, m_rd_stream and
// chains read them at most (fpga.chain bodies hold chain instructions only;
// s_wr may stand only in a program or loop body).
//
// The only control structure is fpga.loop (nested loops included). Its body
// runs `count` times, each iteration from the state the previous one left:
// at the head of the body the registers the body writes (at any depth) are
// unknown and the others hold what they held before the loop. After a loop
// that runs (count > 0) the registers it does not write still hold that,
// and those it writes hold what its body's walk ends with (each iteration
// ends the same way); a zero-count loop changes nothing.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "softnpu/isa/Isa.h"

#include <array>
#include <optional>

namespace softnpu {
#define GEN_PASS_DEF_FPGAELIDESCALARWRITES
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// What each control register holds at a point of the program: a value, or
/// nothing known (std::nullopt).
using RegState = std::array<std::optional<int64_t>, isa::kNumSRegs>;

RegState resetState() {
  RegState s;
  for (unsigned r = 0; r < isa::kNumSRegs; ++r)
    s[r] = isa::sregReset(static_cast<isa::SReg>(r));
  return s;
}

/// The registers an s_wr in `block` (or in a loop in it) writes.
std::array<bool, isa::kNumSRegs> writtenIn(Block &block) {
  std::array<bool, isa::kNumSRegs> written{};
  block.walk([&](fpga::SWrOp w) { written[static_cast<unsigned>(w.getReg())] = true; });
  return written;
}

/// Walks `block` in program order from `state`, erasing each s_wr that writes
/// what its register holds; `state` becomes the state at the end.
void elide(Block &block, RegState &state) {
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto write = dyn_cast<fpga::SWrOp>(op)) {
      std::optional<int64_t> &held = state[static_cast<unsigned>(write.getReg())];
      // I64Attr getters return uint64_t; the value is a signed 64-bit integer.
      const int64_t value = static_cast<int64_t>(write.getValue());
      if (held == value)
        write.erase();
      else
        held = value;
    } else if (auto loop = dyn_cast<fpga::LoopOp>(op)) {
      Block &body = loop.getBody().front();
      const std::array<bool, isa::kNumSRegs> written = writtenIn(body);
      RegState head = state;
      for (unsigned r = 0; r < isa::kNumSRegs; ++r)
        if (written[r])
          head[r] = std::nullopt;
      RegState end = head;
      elide(body, end);
      if (loop.getCount() > 0)
        state = end;
    }
  }
}

struct FpgaElideScalarWritesPass : softnpu::impl::FpgaElideScalarWritesBase<FpgaElideScalarWritesPass> {
  void runOnOperation() override {
    getOperation().walk<WalkOrder::PreOrder>([](fpga::ProgramOp program) {
      RegState state = resetState();
      elide(program.getBody().front(), state);
      return WalkResult::skip();
    });
  }
};

} // namespace
