//===- TestArtifacts.h - Shared fixtures for hand-built artifacts ---------===//
//
// Header-only helpers the unit tests share to build small artifacts in code:
// the "tiny" target, format pair 0, input/output signatures, DRAM inits,
// matrices packed into the weight image with numerics::packRow, programs
// built one instruction at a time, and reading results back from a
// sim::Simulator. Fixture code only: no expected values live here.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_TESTS_UNIT_COMMON_TESTARTIFACTS_H
#define SOFTNPU_TESTS_UNIT_COMMON_TESTARTIFACTS_H

#include "softnpu/artifact/Artifact.h"
#include "softnpu/isa/Isa.h"
#include "softnpu/numerics/Bfp.h"
#include "softnpu/sim/Simulator.h"
#include "softnpu/target/Target.h"
#include "softnpu/timing/Work.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace softnpu::testing {

// The instruction vocabulary every program-building test uses.
using isa::Inst;
using isa::MemSpace;
using isa::Opcode;
using isa::SReg;

/// The native dimension of the "tiny" target, which the tests rely on.
constexpr unsigned kTinyDim = 16;

/// The "tiny" preset (checking that it loads and has N = kTinyDim), at fp32
/// when `fp32` is set; a default Target (and a test failure) otherwise.
inline target::Target tinyTarget(bool fp32 = false) {
  std::string err;
  std::optional<target::Target> t = target::Target::load("tiny", err);
  EXPECT_TRUE(t) << err;
  if (!t)
    return target::Target{};
  EXPECT_EQ(t->nativeDim, kTinyDim);
  return fp32 ? t->withPrecision(numerics::NumberFormat::fp32()) : *t;
}

/// Sets the target and the format table to its own pair (entry 0).
inline void setTarget(artifact::Artifact &a, const target::Target &t) {
  a.target = t;
  a.formats = {{t.weightFormat, t.inputFormat}};
}

/// An empty artifact for `t` (format pair 0 = its pair) with `dramElements`.
inline artifact::Artifact emptyArtifact(const target::Target &t, uint64_t dramElements) {
  artifact::Artifact a;
  setTarget(a, t);
  a.dramElements = dramElements;
  return a;
}

/// A float32 tensor signature.
inline artifact::TensorSig tensorSig(const std::string &name, const std::vector<int64_t> &shape, uint64_t dramAddr) {
  artifact::TensorSig s;
  s.name = name;
  s.shape = shape;
  s.dramAddr = dramAddr;
  return s;
}

/// The tiny target at fp32 with input "x" [1, kTinyDim] at DRAM 0 and output
/// "y" [1, kTinyDim] at `yAddr`; no program yet.
inline artifact::Artifact vectorInOutArtifact(uint64_t dramElements, uint64_t yAddr) {
  artifact::Artifact a = emptyArtifact(tinyTarget(true), dramElements);
  a.inputs = {tensorSig("x", {1, kTinyDim}, 0)};
  a.outputs = {tensorSig("y", {1, kTinyDim}, yAddr)};
  return a;
}

/// n values uniform in [-scale, scale) from a std::mt19937 seeded with `seed`.
inline std::vector<float> randomVector(size_t n, unsigned seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// Appends `values` (fp32) to the weight image, loaded at DRAM `addr`.
inline void addDramInit(artifact::Artifact &a, uint64_t addr, const std::vector<float> &values) {
  artifact::DramInit d;
  d.dramAddr = addr;
  d.count = values.size();
  d.offset = a.weightImage.size();
  a.weightImage.resize(a.weightImage.size() + 4 * values.size());
  std::memcpy(a.weightImage.data() + d.offset, values.data(), 4 * values.size());
  a.dramInits.push_back(d);
}

/// Appends the rows x cols matrix w (row-major) to the weight image at its
/// real extent in the layout of docs/artifact-format.md (format 2): tile by
/// tile (row tiles outer), each tile's real rows packed at the tile's real
/// width in the weight format of pair `formatIndex`; and its entry: pinned at
/// MRF tile `mrfTile`, or streamed (mrfTile must then be 0). The layout is
/// written out here, not taken from artifact/MatrixLayout.h, so the tests
/// check that header against the document. Returns the new entry (valid
/// until the next push to a.matrices).
inline artifact::MatrixEntry &addMatrix(artifact::Artifact &a, uint32_t mrfTile, const std::vector<float> &w,
                                        size_t rows, size_t cols, uint32_t formatIndex = 0, bool streamed = false) {
  const unsigned N = a.target.nativeDim ? a.target.nativeDim : kTinyDim; // the artifact target's tiles
  artifact::MatrixEntry m;
  m.mrfTile = mrfTile;
  m.rowTiles = static_cast<uint32_t>((rows + N - 1) / N);
  m.colTiles = static_cast<uint32_t>((cols + N - 1) / N);
  m.rows = static_cast<uint32_t>(rows);
  m.cols = static_cast<uint32_t>(cols);
  m.formatIndex = formatIndex;
  m.format = a.formats[formatIndex].weight;
  m.streamed = streamed;
  m.offset = a.weightImage.size();
  for (uint32_t tr = 0; tr < m.rowTiles; ++tr)
    for (uint32_t tc = 0; tc < m.colTiles; ++tc) {
      const size_t tileRows = std::min<size_t>(N, rows - tr * N), tileCols = std::min<size_t>(N, cols - tc * N);
      const size_t rowBytes = numerics::packedRowBytes(m.format, tileCols);
      for (size_t i = 0; i < tileRows; ++i) {
        const size_t at = a.weightImage.size();
        a.weightImage.resize(at + rowBytes);
        numerics::packRow(&w[(tr * N + i) * cols + tc * N], tileCols, m.format, a.target.rounding,
                          a.weightImage.data() + at);
      }
    }
  m.size = a.weightImage.size() - m.offset;
  a.matrices.push_back(m);
  return a.matrices.back();
}

/// Like addMatrix, for a matrix in column parts (format 2.1): w is rows x
/// (sum of parts) real elements, row-major, part after part; part k starts
/// on a whole tile column and takes ceil(parts[k] / N) tile columns, its last
/// one holding parts[k] mod N real columns (N when 0). Tile by tile (row tiles
/// outer, tile columns in order), each tile's real rows packed at the tile's
/// real width, as docs/artifact-format.md says.
inline artifact::MatrixEntry &addPartedMatrix(artifact::Artifact &a, uint32_t mrfTile, const std::vector<float> &w,
                                              size_t rows, const std::vector<uint32_t> &parts, uint32_t formatIndex = 0,
                                              bool streamed = false) {
  constexpr unsigned N = kTinyDim;
  size_t cols = 0, colTiles = 0;
  for (uint32_t p : parts) {
    cols += p;
    colTiles += (p + N - 1) / N;
  }
  artifact::MatrixEntry m;
  m.mrfTile = mrfTile;
  m.rowTiles = static_cast<uint32_t>((rows + N - 1) / N);
  m.colTiles = static_cast<uint32_t>(colTiles);
  m.rows = static_cast<uint32_t>(rows);
  m.cols = static_cast<uint32_t>(cols);
  m.colParts = parts;
  m.formatIndex = formatIndex;
  m.format = a.formats[formatIndex].weight;
  m.streamed = streamed;
  m.offset = a.weightImage.size();
  for (size_t tr = 0; tr < m.rowTiles; ++tr) {
    size_t first = 0; // first column of the part in w
    for (uint32_t p : parts) {
      for (size_t c = 0; c < p; c += N) {
        const size_t tileRows = std::min<size_t>(N, rows - tr * N), tileCols = std::min<size_t>(N, p - c);
        const size_t rowBytes = numerics::packedRowBytes(m.format, tileCols);
        for (size_t i = 0; i < tileRows; ++i) {
          const size_t at = a.weightImage.size();
          a.weightImage.resize(at + rowBytes);
          numerics::packRow(&w[(tr * N + i) * cols + first + c], tileCols, m.format, a.target.rounding,
                            a.weightImage.data() + at);
        }
      }
      first += p;
    }
  }
  m.size = a.weightImage.size() - m.offset;
  a.matrices.push_back(m);
  return a.matrices.back();
}

/// One instruction from its fields.
inline isa::Inst makeInst(isa::Opcode op, isa::MemSpace mem = isa::MemSpace::None, uint32_t a = 0, uint16_t b = 0,
                          uint8_t flags = 0) {
  return isa::Inst{op, mem, flags, a, b};
}

/// s_wr `r`, `v`.
inline isa::Inst scalarWrite(isa::SReg r, uint32_t v) {
  return makeInst(isa::Opcode::SWr, isa::MemSpace::None, v, static_cast<uint16_t>(r));
}

/// Sets the program, every instruction attributed to `node`.
inline void setProgram(artifact::Artifact &a, const std::vector<isa::Inst> &program,
                       uint32_t node = artifact::kNoNode) {
  a.program = program;
  a.instNode.assign(program.size(), node);
}

/// Builds a program one instruction at a time.
struct Program {
  std::vector<isa::Inst> insts;
  void swr(isa::SReg r, uint32_t v) { insts.push_back(scalarWrite(r, v)); }
  void vrd(isa::MemSpace m, uint32_t a, uint16_t mfu = 0) { insts.push_back(makeInst(isa::Opcode::VRd, m, a, mfu)); }
  void vwr(isa::MemSpace m, uint32_t a, uint16_t mfu = 0) { insts.push_back(makeInst(isa::Opcode::VWr, m, a, mfu)); }
  /// v_rd / v_wr with the iter flag: address a + i * RD_STEP / WR_STEP.
  void vrdIter(isa::MemSpace m, uint32_t a, uint16_t mfu = 0) {
    insts.push_back(makeInst(isa::Opcode::VRd, m, a, mfu, isa::kVIter));
  }
  void vwrIter(isa::MemSpace m, uint32_t a, uint16_t mfu = 0) {
    insts.push_back(makeInst(isa::Opcode::VWr, m, a, mfu, isa::kVIter));
  }
  void loop(uint32_t count) { insts.push_back(makeInst(isa::Opcode::Loop, isa::MemSpace::None, count)); }
  void endLoop() { op(isa::Opcode::EndLoop); }
  /// s_wr of a signed value (RD_STEP, WR_STEP), stored as two's complement.
  void swrSigned(isa::SReg r, int32_t v) { swr(r, static_cast<uint32_t>(v)); }
  void op(isa::Opcode o, uint32_t a = 0) { insts.push_back(makeInst(o, isa::MemSpace::None, a)); }
  void end() { op(isa::Opcode::EndChain); }
  void mrd(uint32_t a, uint16_t tile, bool transpose = false) {
    insts.push_back(makeInst(isa::Opcode::MRd, isa::MemSpace::None, a, tile,
                             static_cast<uint8_t>(transpose ? isa::kMRdTranspose : 0)));
  }
  /// One chain copying COLS vectors from DRAM `from` to `mem` at `to`.
  void load(uint32_t from, isa::MemSpace mem, uint32_t to, uint16_t mfu = 0) {
    vrd(isa::MemSpace::Dram, from);
    vwr(mem, to, mfu);
    end();
  }
  /// v_rd IVRF at `x`, mv_mul `tile`, v_wr DRAM `to`.
  void matVec(uint32_t x, uint32_t tile, uint32_t to) {
    vrd(isa::MemSpace::Ivrf, x);
    op(isa::Opcode::MvMul, tile);
    vwr(isa::MemSpace::Dram, to);
    end();
  }
};

/// The Work of a rows x cols tile matrix-vector chain: cols vectors in, rows
/// vectors out (memory reads and writes are the caller's).
inline timing::Work matVecWork(uint32_t rows, uint32_t cols) {
  timing::Work w;
  w.matVec = true;
  w.rows = rows;
  w.cols = cols;
  w.vectorsIn = cols;
  w.vectors = rows;
  return w;
}

/// True when a and b have the same bit pattern.
inline bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// n floats of the simulator's DRAM from `addr` (-12345 where the read fails).
inline std::vector<float> readDram(const sim::Simulator &s, uint64_t addr, size_t n) {
  std::vector<float> out(n, -12345.0f);
  std::string err;
  EXPECT_TRUE(s.readDram(addr, out.data(), n, err)) << err;
  return out;
}

/// A simulator for `a` (nullptr and a test failure when create() refuses it).
inline std::unique_ptr<sim::Simulator> makeSim(const artifact::Artifact &a) {
  std::string err;
  auto s = sim::Simulator::create(a, err);
  EXPECT_TRUE(s) << err;
  return s;
}

/// Runs `p` on the tiny target at fp32 with 100 DRAM elements, every
/// instruction attributed to node "fc1", and expects a run-time error
/// containing each of `parts`; returns the error.
inline std::string expectRunError(const Program &p, const std::vector<std::string> &parts) {
  artifact::Artifact a;
  setTarget(a, tinyTarget(true));
  a.dramElements = 100;
  a.program = p.insts;
  a.nodeNames = {"fc1"};
  a.instNode.assign(p.insts.size(), 0);
  auto s = makeSim(a);
  if (!s)
    return "";
  std::string err;
  EXPECT_FALSE(s->run(err));
  for (const std::string &part : parts)
    EXPECT_NE(err.find(part), std::string::npos) << "'" << part << "' not in: " << err;
  return err;
}

} // namespace softnpu::testing

#endif // SOFTNPU_TESTS_UNIT_COMMON_TESTARTIFACTS_H
