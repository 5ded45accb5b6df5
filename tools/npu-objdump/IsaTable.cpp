//===- IsaTable.cpp - Render Isa.def / ScalarRegs.def as Markdown ---------===//
//
// Everything printed comes from the isa library's tables; nothing about an
// instruction is written here. docs/isa.md embeds this output between
// markers, and a CTest check keeps the two equal.
//
//===----------------------------------------------------------------------===//
#include "IsaTable.h"

#include "softnpu/isa/Isa.h"

#include <cstdio>

namespace softnpu::tools {

namespace {

const char *kindName(isa::Kind k) {
  switch (k) {
  case isa::Kind::ChainStart:
    return "chain start";
  case isa::Kind::MatVec:
    return "matrix-vector";
  case isa::Kind::MfuAddSub:
    return "MFU add/sub/min/max stage";
  case isa::Kind::MfuMul:
    return "MFU multiply stage";
  case isa::Kind::MfuAct:
    return "MFU activation stage";
  case isa::Kind::ChainWrite:
    return "chain write";
  case isa::Kind::ChainEnd:
    return "chain end";
  case isa::Kind::Standalone:
    return "standalone";
  }
  return "?";
}

std::string fieldsText(unsigned fields) {
  std::string s;
  auto add = [&](unsigned bit, const char *name) {
    if (fields & bit)
      s += (s.empty() ? "" : ", ") + std::string(name);
  };
  add(isa::F_MEM, "mem");
  add(isa::F_A, "a");
  add(isa::F_B, "b");
  add(isa::F_FLAGS, "flags");
  return s.empty() ? "-" : s;
}

std::string memoriesText(unsigned memories) {
  std::string s;
  for (unsigned m = 0; m < isa::kNumMemSpaces; ++m)
    if (memories & isa::memBit(static_cast<isa::MemSpace>(m)))
      s += (s.empty() ? "" : ", ") + std::string(isa::memSpaceName(static_cast<isa::MemSpace>(m)));
  return s.empty() ? "-" : s;
}

/// Makes a table cell of free text: '|' would end the cell.
std::string cell(const std::string &text) {
  std::string s;
  for (char c : text)
    s += c == '|' ? std::string("\\|") : std::string(1, c);
  return s;
}

std::string hex2(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}

} // namespace

std::string renderIsaTable() {
  std::string out;
  out += "### Instructions\n\n";
  out += "| Mnemonic | Opcode | Position | Fields | Memories (`mem`) | Summary |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const isa::InstInfo &i : isa::instTable())
    out += "| `" + std::string(i.mnemonic) + "` | " + hex2(static_cast<unsigned>(i.opcode)) + " | " + kindName(i.kind) +
           " | " + fieldsText(i.fields) + " | " + memoriesText(i.memories) + " | " + cell(i.summary) + " |\n";

  out += "\n### Memory spaces (`mem` field)\n\n";
  out += "| Code | Name |\n|---|---|\n";
  for (unsigned m = 0; m < isa::kNumMemSpaces; ++m)
    out += "| " + std::to_string(m) + " | " + isa::memSpaceName(static_cast<isa::MemSpace>(m)) + " |\n";

  out += "\n### Scalar registers (`s_wr` field b)\n\n";
  out += "| Index | Register | Reset value | Meaning |\n|---|---|---|---|\n";
  for (unsigned r = 0; r < isa::kNumSRegs; ++r) {
    const auto reg = static_cast<isa::SReg>(r);
    out += "| " + std::to_string(r) + " | `" + isa::sregName(reg) + "` | " + std::to_string(isa::sregReset(reg)) +
           " | " + cell(isa::sregSummary(reg)) + " |\n";
  }
  return out;
}

} // namespace softnpu::tools
