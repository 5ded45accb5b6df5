//===- npu-objdump/main.cpp - Show what is inside a .npu artifact ---------===//
//
//   npu-objdump model.npu      header, target, I/O signature, instruction
//                              stream (chains separated by blank lines, loop
//                              bodies indented, MFU placement and ONNX node
//                              per instruction), weight image layout, totals;
//                              for a model with host segments, each segment
//                              in run order (host ones op by op)
//   npu-objdump --isa-table    the instruction set as Markdown (the generated
//                              section of docs/isa.md)
//
// Errors: one line "npu-objdump: error: ..." and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "HostSegment.h"
#include "IsaTable.h"

#include "softnpu/artifact/ArtifactIO.h"

#include "tools/common/FatalError.h"
#include "tools/common/OneLine.h"
#include "tools/common/ParseArgs.h"

#include <CLI/CLI.hpp>

#include <cinttypes>
#include <cstdio>
#include <fstream>

using namespace softnpu;

namespace {

constexpr const char *kTool = "npu-objdump";

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The version stored in the file header (u16 major, u16 minor at byte 8,
/// docs/artifact-format.md); the reader has already accepted it.
std::string fileVersion(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char h[12] = {};
  if (!in.read(reinterpret_cast<char *>(h), sizeof h))
    return "?";
  return std::to_string(h[8] | (h[9] << 8)) + "." + std::to_string(h[10] | (h[11] << 8));
}

std::string nodeName(const artifact::Artifact &a, uint32_t node) {
  return node < a.nodeNames.size() ? a.nodeNames[node] : std::string();
}

void printHeader(const std::string &path, const artifact::Artifact &a) {
  std::printf("%s: softnpu artifact, format version %s\n", path.c_str(), fileVersion(path).c_str());
  std::printf("producer: %s\n\n", a.producer.empty() ? "(none)" : a.producer.c_str());
}

void printTarget(const target::Target &t) {
  std::printf("target: %s (hash 0x%016" PRIx64 ")\n", t.name.c_str(), t.hash());
  std::printf("  matrix unit: N %u, T %u tile engines, L %u lanes (%" PRIu64 " MACs/cycle)\n", t.nativeDim,
              t.tileEngines, t.lanes, static_cast<uint64_t>(t.nativeDim) * t.tileEngines * t.lanes);
  std::printf("  MFUs %u, clock %g MHz\n", t.numMfus, t.clockMHz);
  std::printf("  IVRF %u, ASVRF %u, MULVRF %u vectors; MRF %u tiles; DRAM %" PRIu64 " bytes\n", t.ivrfDepth,
              t.asvrfDepth, t.mulvrfDepth, t.mrfTiles, t.dramBytes);
  std::printf("  weight format %s, input format %s, MFU format %s, rounding %s\n\n", t.weightFormat.name().c_str(),
              t.inputFormat.name().c_str(), t.mfuFormat.name().c_str(), numerics::roundingName(t.rounding));
}

/// The format table MFMT indexes, and where each node's output tensor lives.
void printFormatsAndTensors(const artifact::Artifact &a) {
  std::printf("format table (MFMT): %zu entries\n", a.formats.size());
  for (size_t i = 0; i < a.formats.size(); ++i)
    std::printf("  %zu: weight %s, input %s%s\n", i, a.formats[i].weight.name().c_str(),
                a.formats[i].input.name().c_str(), i == 0 ? " (target)" : "");
  std::printf("node tensors: %zu\n", a.tensors.size());
  for (const artifact::TensorRecord &r : a.tensors) {
    uint64_t n = 1;
    for (int64_t d : r.shape)
      n *= static_cast<uint64_t>(d);
    std::printf("  %-24s %-16s DRAM %" PRIu64 " (%" PRIu64 " elements)\n", nodeName(a, r.node).c_str(),
                shapeText(r.shape).c_str(), r.dramAddr, n);
  }
  std::printf("\n");
}

void printSignature(const artifact::Artifact &a) {
  auto list = [](const char *title, const std::vector<artifact::TensorSig> &sigs) {
    std::printf("%s:\n", title);
    if (sigs.empty())
      std::printf("  (none)\n");
    for (const artifact::TensorSig &s : sigs) {
      std::printf("  %-24s %-4s %-16s DRAM %" PRIu64 " (%" PRIu64 " elements)", s.name.c_str(),
                  artifact::dtypeName(s.dtype), shapeText(s.shape).c_str(), s.dramAddr, s.numElements());
      if (!s.dramPerm.empty()) { // IO_LAYOUT: stored with its axes permuted
        std::string axes;
        for (int64_t axis : s.dramPerm)
          axes += (axes.empty() ? "" : ", ") + std::to_string(axis);
        std::printf(", stored with axes [%s]", axes.c_str());
      }
      std::printf("\n");
    }
  };
  list("inputs", a.inputs);
  list("outputs", a.outputs);
  std::printf("DRAM footprint: %" PRIu64 " elements\n\n", a.dramElements);
  printFormatsAndTensors(a);
}

void printProgram(const artifact::Artifact &a) {
  isa::ProgramPlan plan;
  std::string why;
  const bool planned = isa::planProgram(a.program, a.target.numMfus, plan, why);
  std::vector<int64_t> chainAt(a.program.size(), -1);
  if (planned)
    for (size_t c = 0; c < plan.chains.size(); ++c)
      chainAt[plan.chains[c].begin] = static_cast<int64_t>(c);
  std::printf("program: %zu instructions, %zu chains\n", a.program.size(), planned ? plan.chains.size() : 0);
  if (!planned)
    std::printf("  (chains not shown: %s)\n", why.c_str());
  const isa::ChainPlan *chain = nullptr;
  bool blank = false; // the last line printed was empty
  size_t depth = 0;   // loops enclosing instruction i: its text is indented two spaces per loop
  for (size_t i = 0; i < a.program.size(); ++i) {
    if (chainAt[i] >= 0) {
      chain = &plan.chains[static_cast<size_t>(chainAt[i])];
      if (!blank)
        std::printf("\n");
    }
    blank = false;
    const isa::Inst &inst = a.program[i];
    if (inst.op == isa::Opcode::EndLoop && depth > 0)
      --depth;
    std::string text = std::string(2 * depth, ' ') + isa::disassemble(inst);
    if (inst.op == isa::Opcode::Loop)
      ++depth;
    const isa::InstInfo *info = isa::lookup(static_cast<uint8_t>(inst.op));
    if (chain && info &&
        (info->kind == isa::Kind::MfuAddSub || info->kind == isa::Kind::MfuMul || info->kind == isa::Kind::MfuAct))
      text += "  @mfu " + std::to_string(chain->mfuOfOp[i - chain->begin]);
    std::printf("  %6zu: %016" PRIx64 "  %-32s", i, isa::encode(inst), text.c_str());
    if (i < a.instNode.size() && a.instNode[i] != artifact::kNoNode)
      std::printf(" ; node %s", nodeName(a, a.instNode[i]).c_str());
    std::printf("\n");
    if (chain && i + 1 == chain->end) {
      chain = nullptr;
      std::printf("\n");
      blank = true;
    }
  }
  if (!blank)
    std::printf("\n");
}

/// "real R x C", and the column parts when the matrix has them (format 2.1):
/// "real 64 x 128 in column parts 64 | 64" (each part from a whole tile column).
std::string extentText(const artifact::MatrixEntry &m) {
  std::string text = "real " + std::to_string(m.rows) + " x " + std::to_string(m.cols);
  for (size_t k = 0; k < m.colParts.size(); ++k)
    text += (k ? " | " : " in column parts ") + std::to_string(m.colParts[k]);
  return text;
}

void printWeights(const artifact::Artifact &a) {
  std::printf("weight image: %zu bytes\n", a.weightImage.size());
  size_t streamed = 0;
  for (const artifact::MatrixEntry &m : a.matrices)
    streamed += m.streamed;
  std::printf("  matrices (pinned in the MRF): %zu\n", a.matrices.size() - streamed);
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    const artifact::MatrixEntry &m = a.matrices[i];
    if (m.streamed)
      continue;
    const uint64_t tiles = static_cast<uint64_t>(m.rowTiles) * m.colTiles;
    std::printf("    #%zu node %s: MRF tiles [%u, %" PRIu64 "), grid %u x %u (%s), %s, offset %" PRIu64 ", %" PRIu64
                " bytes\n",
                i, m.node == artifact::kNoNode ? "-" : nodeName(a, m.node).c_str(), m.mrfTile, m.mrfTile + tiles,
                m.rowTiles, m.colTiles, extentText(m).c_str(), m.format.name().c_str(), m.offset, m.size);
  }
  // Indices are the ones `m_rd stream #i` names. Shown only when there are
  // any, so listings of all-pinned models stay as they were.
  if (streamed)
    std::printf("  matrices (streamed from DRAM by m_rd stream): %zu\n", streamed);
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    const artifact::MatrixEntry &m = a.matrices[i];
    if (!m.streamed)
      continue;
    std::printf("    #%zu node %s: %" PRIu64 " tiles, grid %u x %u (%s), %s, offset %" PRIu64 ", %" PRIu64 " bytes\n",
                i, m.node == artifact::kNoNode ? "-" : nodeName(a, m.node).c_str(),
                static_cast<uint64_t>(m.rowTiles) * m.colTiles, m.rowTiles, m.colTiles, extentText(m).c_str(),
                m.format.name().c_str(), m.offset, m.size);
  }
  std::printf("  DRAM initialisers: %zu\n", a.dramInits.size());
  for (size_t i = 0; i < a.dramInits.size(); ++i) {
    const artifact::DramInit &d = a.dramInits[i];
    std::printf("    #%zu DRAM [%" PRIu64 ", %" PRIu64 "): %" PRIu64 " elements, offset %" PRIu64 "\n", i, d.dramAddr,
                d.dramAddr + d.count, d.count, d.offset);
  }
  std::printf("\n");
}

void printTotals(const artifact::Artifact &a) {
  isa::ProgramPlan plan;
  std::string why;
  size_t chains = 0, chainInsts = 0, matVecs = 0;
  if (isa::planProgram(a.program, a.target.numMfus, plan, why))
    for (const isa::ChainPlan &c : plan.chains) {
      ++chains;
      chainInsts += c.end - c.begin;
      matVecs += c.hasMatVec;
    }
  uint64_t tiles = 0, matrixBytes = 0, initElements = 0, streamedBytes = 0;
  size_t streamed = 0;
  for (const artifact::MatrixEntry &m : a.matrices) {
    if (m.streamed) {
      ++streamed;
      streamedBytes += m.size;
      continue;
    }
    tiles += static_cast<uint64_t>(m.rowTiles) * m.colTiles;
    matrixBytes += m.size;
  }
  for (const artifact::DramInit &d : a.dramInits)
    initElements += d.count;
  std::string streamedText;
  if (streamed)
    streamedText = ", " + std::to_string(streamed) + " streamed matrices (" + std::to_string(streamedBytes) + " bytes)";
  std::printf("totals: %zu instructions (%zu chains, %zu with mv_mul; %zu standalone), %zu matrices (%" PRIu64
              " MRF tiles, %" PRIu64 " bytes)%s, %zu DRAM initialisers (%" PRIu64
              " elements), weight image %zu bytes\n",
              a.program.size(), chains, matVecs, a.program.size() - chainInsts, a.matrices.size() - streamed, tiles,
              matrixBytes, streamedText.c_str(), a.dramInits.size(), initElements, a.weightImage.size());
}

/// One NPU program: signature, instruction stream, weights, totals.
void printNpuProgram(const artifact::Artifact &a) {
  printSignature(a);
  printProgram(a);
  printWeights(a);
  printTotals(a);
}

} // namespace

int main(int argc, char **argv) {
  softnpu::tools::installFatalErrorHandler(kTool);
  CLI::App app{"Show the contents of a compiled .npu artifact: header, target, I/O signature,\n"
               "instruction stream (chains separated by blank lines, with MFU placement and the\n"
               "ONNX node of each instruction), weight image layout and totals.\n\n"
               "  npu-objdump model.npu\n"
               "  npu-objdump --isa-table      (the instruction set as Markdown; body of docs/isa.md)",
               kTool};
  std::string path;
  bool isaTable = false;
  app.add_option("model", path, "Compiled model (.npu)");
  app.add_flag("--isa-table", isaTable, "Print the instruction set tables as Markdown and exit");
  if (std::optional<int> exitCode = tools::parseArgs(app, argc, argv, kTool))
    return *exitCode;
  if (isaTable) {
    if (!path.empty()) {
      std::fprintf(stderr, "%s: error: --isa-table takes no model\n", kTool);
      return 2;
    }
    std::fputs(tools::renderIsaTable().c_str(), stdout);
    return 0;
  }
  if (path.empty()) {
    std::fprintf(stderr, "%s: error: no model given (run with --help for usage)\n", kTool);
    return 2;
  }
  std::string error;
  std::optional<artifact::Artifact> a = artifact::readFile(path, error);
  if (!a) {
    std::fprintf(stderr, "%s: error: %s\n", kTool, softnpu::tools::oneLine(error).c_str());
    return 1;
  }
  printHeader(path, *a);
  printTarget(a->target);
  if (!a->segmented()) {
    printNpuProgram(*a);
    return 0;
  }
  // Format 3: the model's signature, then each segment in run order.
  auto list = [](const char *title, const std::vector<artifact::TensorSig> &sigs) {
    std::printf("%s:\n", title);
    for (const artifact::TensorSig &s : sigs)
      std::printf("  %-24s %-8s %s\n", s.name.c_str(), artifact::dtypeName(s.dtype), shapeText(s.shape).c_str());
  };
  list("model inputs", a->inputs);
  list("model outputs", a->outputs);
  std::printf("\n%zu segments, in run order\n\n", a->segments.size());
  for (size_t i = 0; i < a->segments.size(); ++i) {
    const artifact::Segment &s = a->segments[i];
    if (s.kind == artifact::Segment::Kind::Host) {
      std::printf("segment %zu: host\n", i);
      tools::printHostSegment(s);
      std::printf("\n");
      continue;
    }
    std::printf("segment %zu: NPU\n", i);
    printNpuProgram(*s.npu);
  }
  return 0;
}
