//===- ArtifactValidate.cpp - Semantic checks of an Artifact --------------===//
//
// Everything the simulator and a board driver rely on, checked once at load
// time: the target, the I/O signature, the debug table, the format table, the
// constant matrices, DRAM initialisers and tensor records, and the program (decodable, chains well formed, and
// every address it touches within the memories).
//
// The only control flow is `loop` / `end_loop` with immediate counts, and the
// scalar registers are only set by `s_wr` with immediate values, so their
// value at every executed instruction is known statically: the address
// checks below are exact, not approximations. A loop body is walked once for
// its first iteration and, when it has more, once for all the others (they
// see the same registers); iter addresses, linear in the iteration, are
// checked at both ends of the iterations a walk stands for.
//
//===----------------------------------------------------------------------===//
#include "softnpu/Limits.h"
#include "softnpu/artifact/ArtifactIO.h"
#include "softnpu/artifact/MatrixLayout.h"
#include "softnpu/isa/Window.h"

#include "Saturating.h"
#include "softnpu/numerics/Bfp.h"

#include <algorithm>
#include <limits>
#include <set>

namespace softnpu::artifact {

namespace {

using detail::addSat;
using detail::kSaturated;
using detail::mulSat;
/// [base, base + count) lies within [0, limit).
bool within(uint64_t base, uint64_t count, uint64_t limit) { return count <= limit && base <= limit - count; }

bool fail(std::string &error, const std::string &msg) {
  error = msg;
  return false;
}

/// A dense tensor of `shape` at `dramAddr` lies inside the artifact's DRAM.
bool checkDramTensor(const Artifact &a, const std::string &id, const std::vector<int64_t> &shape, uint64_t dramAddr,
                     std::string &error) {
  uint64_t elems = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return fail(error, id + " has negative dimension " + std::to_string(d));
    elems = mulSat(elems, static_cast<uint64_t>(d));
  }
  if (!within(dramAddr, elems, a.dramElements))
    return fail(error, id + " (" + std::to_string(elems) + " elements at DRAM " + std::to_string(dramAddr) +
                           ") lies outside the artifact's DRAM of " + std::to_string(a.dramElements) + " elements");
  return true;
}

bool checkTensors(const Artifact &a, const std::vector<TensorSig> &list, const char *what, std::string &error) {
  std::set<std::string> names;
  for (const TensorSig &t : list) {
    std::string id = std::string(what) + " '" + t.name + "'";
    if (t.name.empty())
      return fail(error, std::string("artifact has an ") + what + " without a name");
    if (!names.insert(t.name).second)
      return fail(error, "artifact has two " + std::string(what) + "s named '" + t.name + "'");
    if (t.dtype != DType::F32)
      return fail(error, id + " has unsupported dtype " + std::to_string(static_cast<unsigned>(t.dtype)));
    if (!checkDramTensor(a, id, t.shape, t.dramAddr, error))
      return false;
    if (!t.dramPerm.empty()) {
      std::vector<int64_t> axes = t.dramPerm;
      std::sort(axes.begin(), axes.end());
      for (size_t i = 0; i < axes.size(); ++i)
        if (axes.size() != t.shape.size() || axes[i] != static_cast<int64_t>(i))
          return fail(error, id + "'s DRAM permutation is not a permutation of its " + std::to_string(t.shape.size()) +
                                 " axes");
    }
  }
  return true;
}

bool checkFormats(const Artifact &a, std::string &error) {
  const target::Target &t = a.target;
  if (a.formats.empty())
    return fail(error, "artifact has no format table (entry 0 must be the target's weight and input formats)");
  if (!(a.formats[0] == FormatPair{t.weightFormat, t.inputFormat}))
    return fail(error, "artifact format pair 0 (" + a.formats[0].weight.name() + " x " + a.formats[0].input.name() +
                           ") is not the target's weight and input formats (" + t.weightFormat.name() + " x " +
                           t.inputFormat.name() + ")");
  for (size_t i = 0; i < a.formats.size(); ++i)
    if (std::optional<std::string> why = numerics::checkMatrixFormats(a.formats[i].weight, a.formats[i].input))
      return fail(error, "artifact format pair " + std::to_string(i) + ": " + *why);
  return true;
}

bool checkTensorRecords(const Artifact &a, std::string &error) {
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    const TensorRecord &t = a.tensors[i];
    std::string id = "tensor record " + std::to_string(i);
    if (t.node >= a.nodeNames.size())
      return fail(error, id + " names node " + std::to_string(t.node) + " but there are only " +
                             std::to_string(a.nodeNames.size()) + " node names");
    id += " ('" + a.nodeNames[t.node] + "')";
    if (!checkDramTensor(a, id, t.shape, t.dramAddr, error))
      return false;
  }
  return true;
}

bool checkMatrices(const Artifact &a, std::string &error) {
  const target::Target &t = a.target;
  const uint64_t n = t.nativeDim;
  std::vector<std::pair<uint64_t, uint64_t>> tiles; // [begin, end) per matrix
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    const MatrixEntry &m = a.matrices[i];
    std::string id = "matrix " + std::to_string(i);
    if (m.node != kNoNode && m.node >= a.nodeNames.size())
      return fail(error, id + " names node " + std::to_string(m.node) + " but there are only " +
                             std::to_string(a.nodeNames.size()) + " node names");
    if (m.node != kNoNode)
      id += " ('" + a.nodeNames[m.node] + "')";
    if (m.formatIndex >= a.formats.size())
      return fail(error, id + " uses format pair " + std::to_string(m.formatIndex) + " but the format table has " +
                             std::to_string(a.formats.size()) + " entries");
    if (m.format != a.formats[m.formatIndex].weight)
      return fail(error, id + " is in format " + m.format.name() + " but its format pair " +
                             std::to_string(m.formatIndex) + " has weight format " +
                             a.formats[m.formatIndex].weight.name());
    if (m.rowTiles == 0 || m.colTiles == 0)
      return fail(error, id + " has an empty tile grid");
    const std::string extent = std::to_string(m.rows) + " x " + std::to_string(m.cols);
    if (m.rows == 0 || m.cols == 0)
      return fail(error, id + " has an empty extent (" + extent + " elements)");
    std::string parts; // "I | H"
    for (uint32_t cols : m.colParts)
      parts += (parts.empty() ? "" : " | ") + std::to_string(cols);
    if (std::find(m.colParts.begin(), m.colParts.end(), 0u) != m.colParts.end())
      return fail(error, id + " has an empty column part (parts " + parts + ")");
    if (!m.colParts.empty() && partColumns(m) != m.cols)
      return fail(error, id + " has column parts " + parts + ", which add up to " + std::to_string(partColumns(m)) +
                             " columns, but its extent is " + extent);
    const uint64_t needRows = tilesFor(m.rows, static_cast<unsigned>(n)),
                   needCols = colTilesFor(m, static_cast<unsigned>(n));
    if (needRows != m.rowTiles || needCols != m.colTiles)
      return fail(error, id + " has " + extent + " elements" + (parts.empty() ? "" : " in column parts " + parts) +
                             ", which need a " + std::to_string(needRows) + " x " + std::to_string(needCols) +
                             " grid of " + std::to_string(n) + " x " + std::to_string(n) + " tiles, but its grid is " +
                             std::to_string(m.rowTiles) + " x " + std::to_string(m.colTiles));
    uint64_t numTiles = mulSat(m.rowTiles, m.colTiles);
    const uint64_t expected = matrixBytes(m, static_cast<unsigned>(n));
    if (m.size != expected)
      return fail(error, id + " has " + std::to_string(m.size) + " bytes but " + extent + " " + m.format.name() +
                             " elements in " + std::to_string(n) + " x " + std::to_string(n) + " tiles need " +
                             std::to_string(expected));
    if (!within(m.offset, m.size, a.weightImage.size()))
      return fail(error, id + " (bytes " + std::to_string(m.offset) + " + " + std::to_string(m.size) +
                             ") lies outside the weight image of " + std::to_string(a.weightImage.size()) + " bytes");
    if (m.streamed) {
      // No home tile: m_rd stream picks the tiles (checked with the program).
      if (m.mrfTile != 0)
        return fail(error, id + " is streamed but names MRF tile " + std::to_string(m.mrfTile) +
                               " (a streamed matrix has no home tile; it must be 0)");
      continue;
    }
    if (!within(m.mrfTile, numTiles, t.mrfTiles))
      return fail(error, id + " (tiles " + std::to_string(m.mrfTile) + " + " + std::to_string(numTiles) +
                             ") does not fit the target's " + std::to_string(t.mrfTiles) + " MRF tiles");
    tiles.emplace_back(m.mrfTile, m.mrfTile + numTiles);
  }
  std::sort(tiles.begin(), tiles.end());
  for (size_t i = 1; i < tiles.size(); ++i)
    if (tiles[i - 1].second > tiles[i].first)
      return fail(error, "two constant matrices share MRF tile " + std::to_string(tiles[i].first));
  return true;
}

bool checkDramInits(const Artifact &a, std::string &error) {
  for (size_t i = 0; i < a.dramInits.size(); ++i) {
    const DramInit &d = a.dramInits[i];
    std::string id = "DRAM initialiser " + std::to_string(i);
    if (!within(d.dramAddr, d.count, a.dramElements))
      return fail(error, id + " (" + std::to_string(d.count) + " elements at DRAM " + std::to_string(d.dramAddr) +
                             ") lies outside the artifact's DRAM of " + std::to_string(a.dramElements) + " elements");
    if (!within(d.offset, mulSat(d.count, 4), a.weightImage.size()))
      return fail(error, id + " (" + std::to_string(d.count) + " floats at byte " + std::to_string(d.offset) +
                             ") lies outside the weight image of " + std::to_string(a.weightImage.size()) + " bytes");
  }
  return true;
}

/// Static address checks of the program, with the scalar registers tracked
/// from their reset values through every s_wr and loop bodies walked as the
/// machine runs them (see the file comment).
class ProgramChecker {
public:
  ProgramChecker(const Artifact &a, const isa::ProgramPlan &plan, std::string &error)
      : a_(a), t_(a.target), plan_(plan), error_(error) {
    for (unsigned r = 0; r < isa::kNumSRegs; ++r)
      regs_[r] = isa::sregReset(static_cast<isa::SReg>(r));
    for (const MatrixEntry &m : a.matrices)
      if (!m.streamed)
        pinned_.emplace_back(m.mrfTile, addSat(m.mrfTile, mulSat(m.rowTiles, m.colTiles)));
    // Nested loops whose bodies change registers are walked 2^depth times;
    // an absurdly deep nest is refused rather than checked for ever.
    budget_ = std::max<uint64_t>(uint64_t{1} << 24, mulSat(a.program.size(), 64));
  }

  bool run() { return walk(0, a_.program.size()); }
  /// The elements one run reads, writes or multiplies (after run()).
  uint64_t elements() const { return work_; }
  /// The instructions one run executes, loops unrolled (after run()).
  uint64_t instructions() const { return executed_; }

private:
  /// The loop iterations one walk of a body stands for: [first, last].
  struct Iterations {
    uint64_t first, last;
  };

  /// Checks [begin, end), walking each loop body as its iterations run.
  bool walk(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      idx_ = i;
      if (++visits_ > budget_)
        return bad("loops nest too deeply to check the program statically (more than " + std::to_string(budget_) +
                   " instruction visits)");
      const isa::Inst &in = a_.program[i];
      count(runs());
      if (in.op != isa::Opcode::Loop) {
        if (!check(in))
          return false;
        work_ = addSat(work_, mulSat(runs(), elementsOf(in)));
        if (work_ > limits::kMaxWorkElements)
          return bad("the program moves or multiplies more than " + std::to_string(limits::kMaxWorkElements) +
                     " elements per run (the limit)");
        continue;
      }
      const size_t endLoop = plan_.loopEnd[i];
      // end_loop runs once per iteration and addresses nothing.
      count(mulSat(runs(), in.a));
      if (!walkLoop(i + 1, endLoop, in.a))
        return false;
      i = endLoop;
    }
    return true;
  }

  /// A loop of `count` iterations over the body [begin, end). The first
  /// iteration starts from the registers before the loop; every later one
  /// from the registers the body leaves (the same each time: the body runs
  /// the same s_wr immediates in the same order), so two walks are exact:
  /// i = 0, then i = 1 .. count-1, of which iter addresses (linear in i) are
  /// checked at both ends. A zero-count body never runs and is not checked.
  bool walkLoop(size_t begin, size_t end, uint64_t count) {
    if (count == 0)
      return true;
    iters_.push_back({0, 0});
    bool ok = walk(begin, end);
    if (ok && count > 1) {
      iters_.back() = {1, count - 1};
      ok = walk(begin, end);
    }
    iters_.pop_back();
    return ok;
  }

  /// One instruction outside `loop` (end_loop addresses nothing).
  bool check(const isa::Inst &in) {
    const uint64_t n = t_.nativeDim;
    const uint64_t rows = reg(isa::SReg::Rows), cols = reg(isa::SReg::Cols);
    switch (in.op) {
    case isa::Opcode::SWr:
      if (in.b == static_cast<unsigned>(isa::SReg::MFmt) && in.a >= a_.formats.size())
        return bad("MFMT " + std::to_string(in.a) + " is not an entry of the format table (" +
                   std::to_string(a_.formats.size()) + " entries)");
      regs_[in.b] = in.a;
      return true;
    case isa::Opcode::VRd: {
      if (cols == 0)
        return bad("COLS is 0");
      width_ = cols;
      if (in.flags & isa::kVWindow) {
        // Bounded by its feature map, whatever the pixel: one check for all
        // the iterations (isa::Window::check, the simulator's own rule).
        const isa::Window w = isa::Window::fromRegisters([&](isa::SReg r) { return reg(r); });
        if (std::optional<std::string> why = w.check(in.a, cols * n, a_.dramElements, in.flags & isa::kVPoolMask))
          return bad(*why);
        return true;
      }
      std::optional<isa::DramRead> r; // the DRAM read the registers describe
      if (in.mem == isa::MemSpace::Dram) {
        std::string why;
        r = isa::dramReadOf(cols, n, reg(isa::SReg::RdLen), reg(isa::SReg::RdStride), reg(isa::SReg::RdPitch), why);
        if (!r)
          return bad(why);
      }
      if (!addresses(in))
        return false;
      for (const Access &x : accesses_) {
        if (!r) {
          if (!vrf(in.mem, x.addr, cols, x.where))
            return false;
          continue;
        }
        if (r->len == 0)
          continue;
        uint64_t last = addSat(x.addr, r->lastOffset());
        if (last >= a_.dramElements)
          return bad("reads DRAM element " + std::to_string(last) + " but the artifact's DRAM has " +
                     std::to_string(a_.dramElements) + " elements" + x.where);
      }
      return true;
    }
    case isa::Opcode::MvMul:
      if (rows == 0)
        return bad("ROWS is 0");
      if (!within(in.a, rows * cols, t_.mrfTiles))
        return bad("uses MRF tiles " + std::to_string(in.a) + " + " + std::to_string(rows * cols) +
                   " but the target has " + std::to_string(t_.mrfTiles));
      width_ = rows;
      return true;
    case isa::Opcode::VWr: {
      const uint64_t wrLen = reg(isa::SReg::WrLen);
      const uint64_t len = wrLen ? wrLen : width_ * n;
      if (in.mem == isa::MemSpace::Dram && len > width_ * n)
        return bad("WR_LEN " + std::to_string(len) + " exceeds the chain's " + std::to_string(width_ * n) + " lanes");
      if (!addresses(in))
        return false;
      for (const Access &x : accesses_) {
        if (in.mem != isa::MemSpace::Dram) {
          if (!vrf(in.mem, x.addr, width_, x.where))
            return false;
          continue;
        }
        if (!within(x.addr, len, a_.dramElements))
          return bad("writes DRAM elements " + std::to_string(x.addr) + " + " + std::to_string(len) +
                     " but the artifact's DRAM has " + std::to_string(a_.dramElements) + " elements" + x.where);
      }
      return true;
    }
    case isa::Opcode::MRd:
      return checkMRd(in, rows, cols);
    default: {
      // Point-wise ops read their second operand from the local VRF of
      // their stage; activations, end_chain and end_loop address nothing.
      isa::Kind kind = isa::lookup(static_cast<uint8_t>(in.op))->kind;
      if (kind != isa::Kind::MfuAddSub && kind != isa::Kind::MfuMul)
        return true;
      if (!addresses(in))
        return false;
      for (const Access &x : accesses_)
        if (!vrf(kind == isa::Kind::MfuMul ? isa::MemSpace::MulVrf : isa::MemSpace::AsVrf, x.addr, width_, x.where))
          return false;
      return true;
    }
    }
  }

  uint64_t reg(isa::SReg r) const { return regs_[static_cast<unsigned>(r)]; }

  /// Adds `n` to the instructions the run executes (saturating; validate()
  /// checks the total against the limit after the address checks).
  void count(uint64_t n) { executed_ = addSat(executed_, n); }

  /// How many times this walk's instructions run: the iterations each
  /// enclosing loop's walk stands for, multiplied.
  uint64_t runs() const {
    uint64_t r = 1;
    for (const Iterations &it : iters_)
      r = mulSat(r, it.last - it.first + 1);
    return r;
  }

  /// The elements `in` (already checked) reads, writes or multiplies: its
  /// share of a run's work. Control (s_wr, end_chain) moves none; the
  /// executed-instruction limit bounds it.
  uint64_t elementsOf(const isa::Inst &in) const {
    const uint64_t n = t_.nativeDim, tile = n * n;
    switch (in.op) {
    case isa::Opcode::MvMul:
      return mulSat(mulSat(reg(isa::SReg::Rows), reg(isa::SReg::Cols)), tile);
    case isa::Opcode::MRd:
      if (in.flags & isa::kMRdStream) {
        const MatrixEntry &m = a_.matrices[in.a];
        return mulSat(mulSat(m.rowTiles, m.colTiles), tile);
      }
      return mulSat(mulSat(reg(isa::SReg::Rows), reg(isa::SReg::Cols)), tile);
    case isa::Opcode::VRd:
      if (in.flags & isa::kVWindow) {
        // A pooled window combines all its K_H x K_W taps into one vector,
        // however many: the taps are the work (found by fuzz_artifact).
        const isa::Window w = isa::Window::fromRegisters([&](isa::SReg r) { return reg(r); });
        return std::max(mulSat(reg(isa::SReg::Cols), n), w.elements());
      }
      return mulSat(reg(isa::SReg::Cols), n);
    case isa::Opcode::SWr:
    case isa::Opcode::EndChain:
      return 0;
    default:
      return mulSat(width_, n);
    }
  }

  /// One address a v_rd / v_wr / point-wise op uses, and " in loop iteration i" for an iter
  /// address (to append to messages).
  struct Access {
    uint64_t addr;
    std::string where;
  };

  /// Fills accesses_ with the addresses v_rd / v_wr / a point-wise op `in` uses in this walk:
  /// `a`, or for the iter flag a + i x step at the first and last iteration
  /// the walk stands for. A negative one is reported.
  bool addresses(const isa::Inst &in) {
    accesses_.clear();
    if (!isa::stepsAddress(in) || iters_.empty()) {
      accesses_.push_back({in.a, ""});
      return true;
    }
    const isa::SReg stepReg = isa::stepRegister(in.op);
    const int64_t step = static_cast<int32_t>(static_cast<uint32_t>(reg(stepReg)));
    const Iterations it = iters_.back();
    for (uint64_t i : {it.first, it.last}) {
      // |i * step| < 2^32 * 2^31 and a < 2^32: exact in int64.
      const int64_t addr = static_cast<int64_t>(in.a) + static_cast<int64_t>(i) * step;
      std::string where = " in loop iteration " + std::to_string(i);
      if (addr < 0)
        return bad("iter address " + std::to_string(in.a) + " + " + std::to_string(i) + " x " + std::to_string(step) +
                   " (" + isa::sregName(stepReg) + ") = " + std::to_string(addr) + " is negative");
      accesses_.push_back({static_cast<uint64_t>(addr), std::move(where)});
      if (it.first == it.last)
        break;
    }
    return true;
  }

  bool bad(const std::string &msg) {
    std::string where = "instruction " + std::to_string(idx_) + " (" + isa::disassemble(a_.program[idx_]) + ")";
    if (idx_ < a_.instNode.size() && a_.instNode[idx_] < a_.nodeNames.size())
      where += " of node '" + a_.nodeNames[a_.instNode[idx_]] + "'";
    error_ = where + ": " + msg;
    return false;
  }

  bool vrf(isa::MemSpace m, uint64_t addr, uint64_t count, const std::string &where = "") {
    uint64_t depth = m == isa::MemSpace::Ivrf    ? t_.ivrfDepth
                     : m == isa::MemSpace::AsVrf ? t_.asvrfDepth
                                                 : t_.mulvrfDepth;
    if (!within(addr, count, depth))
      return bad(std::string("uses ") + isa::memSpaceName(m) + " vectors " + std::to_string(addr) + " + " +
                 std::to_string(count) + " but its depth is " + std::to_string(depth) + where);
    return true;
  }

  bool checkMRd(const isa::Inst &in, uint64_t rows, uint64_t cols) {
    if (in.flags & isa::kMRdStream)
      return checkMRdStream(in);
    const uint64_t n = t_.nativeDim;
    uint64_t h = reg(isa::SReg::MatH), w = reg(isa::SReg::MatW);
    if (h == 0 || w == 0)
      return bad("MAT_H x MAT_W is " + std::to_string(h) + " x " + std::to_string(w));
    if (rows == 0 || cols == 0)
      return bad("ROWS x COLS is " + std::to_string(rows) + " x " + std::to_string(cols));
    if (!within(in.a, h * w, a_.dramElements))
      return bad("reads DRAM elements " + std::to_string(in.a) + " + " + std::to_string(h * w) +
                 " but the artifact's DRAM has " + std::to_string(a_.dramElements) + " elements");
    bool transpose = in.flags & isa::kMRdTranspose;
    uint64_t r = transpose ? w : h, c = transpose ? h : w;
    if (rows * n < r || cols * n < c)
      return bad("a " + std::to_string(r) + " x " + std::to_string(c) + " matrix does not fit " + std::to_string(rows) +
                 " x " + std::to_string(cols) + " tiles of " + std::to_string(n));
    const uint64_t pitch = reg(isa::SReg::MatPitch) ? reg(isa::SReg::MatPitch) : cols;
    if (pitch < cols)
      return bad("MAT_PITCH " + std::to_string(pitch) + " is less than COLS " + std::to_string(cols) +
                 " (tile rows would overlap)");
    return checkMrfWrite(in.b, rows, cols, pitch);
  }

  /// m_rd stream: `a` names a streamed matrix; its tiles go to b.. exactly.
  /// The scalar registers are not used.
  bool checkMRdStream(const isa::Inst &in) {
    if (in.a >= a_.matrices.size())
      return bad("streams matrix " + std::to_string(in.a) + " but the artifact has " +
                 std::to_string(a_.matrices.size()) + " matrices");
    const MatrixEntry &m = a_.matrices[in.a];
    if (!m.streamed)
      return bad("streams matrix " + std::to_string(in.a) + " but it is pinned in the MRF, not streamed");
    const uint64_t tiles = mulSat(m.rowTiles, m.colTiles);
    return checkMrfWrite(in.b, 1, tiles, tiles);
  }

  /// An m_rd writes `rows` runs of `cols` MRF tiles, run r from
  /// begin + r * pitch (pitch >= cols): all within the MRF and clear of every
  /// pinned matrix (which it would corrupt for the next run).
  bool checkMrfWrite(uint64_t begin, uint64_t rows, uint64_t cols, uint64_t pitch) {
    const uint64_t span = addSat(mulSat(rows - 1, pitch), cols); // begin to one past the last tile
    if (!within(begin, span, t_.mrfTiles))
      return bad("uses MRF tiles " + std::to_string(begin) + " + " + std::to_string(span) + " but the target has " +
                 std::to_string(t_.mrfTiles));
    // Within the MRF, so rows <= mrfTiles: a short loop.
    for (uint64_t r = 0; r < rows; ++r) {
      const uint64_t b = begin + r * pitch, e = b + cols;
      for (const auto &[pb, pe] : pinned_)
        if (b < pe && pb < e)
          return bad("overwrites MRF tiles of a constant matrix (tiles " + std::to_string(pb) + ".." +
                     std::to_string(pe - 1) + ")");
    }
    return true;
  }

  const Artifact &a_;
  const target::Target &t_;
  const isa::ProgramPlan &plan_;
  std::string &error_;
  uint64_t regs_[isa::kNumSRegs] = {};
  std::vector<std::pair<uint64_t, uint64_t>> pinned_;
  std::vector<Iterations> iters_; ///< per enclosing loop, innermost last
  std::vector<Access> accesses_;  ///< scratch of addresses()
  uint64_t width_ = 0;            ///< vectors the current chain carries
  uint64_t visits_ = 0, budget_ = 0;
  uint64_t work_ = 0;     ///< elementsOf summed over the run so far
  uint64_t executed_ = 0; ///< instructions executed by the run so far
  size_t idx_ = 0;
};

} // namespace

/// Format 3.0: names, dtypes and the data flow between segments (every
/// tensor a segment reads exists by then); NPU segments are whole artifacts
/// validated when they were read or built.
bool checkSegments(const Artifact &a, std::string &error) {
  std::set<std::string> available;
  for (const std::vector<TensorSig> *list : {&a.inputs, &a.outputs}) {
    std::set<std::string> names;
    for (const TensorSig &t : *list) {
      if (t.name.empty() || !names.insert(t.name).second)
        return fail(error, "artifact has an empty or repeated graph input or output name '" + t.name + "'");
      if (dtypeSize(t.dtype) == 0)
        return fail(error, "artifact tensor '" + t.name + "' has unknown dtype " +
                               std::to_string(static_cast<unsigned>(t.dtype)));
      for (int64_t d : t.shape)
        if (d < 0)
          return fail(error, "artifact tensor '" + t.name + "' has negative dimension " + std::to_string(d));
    }
  }
  for (const TensorSig &t : a.inputs)
    available.insert(t.name);
  for (size_t i = 0; i < a.segments.size(); ++i) {
    const Segment &s = a.segments[i];
    const std::string id = "artifact segment " + std::to_string(i);
    std::vector<std::string> reads = s.hostInputs, writes = s.hostOutputs;
    if (s.kind == Segment::Kind::Npu) {
      if (!s.npu || s.npu->segmented())
        return fail(error, id + " is not a one-segment NPU program");
      if (s.npu->target.hash() != a.target.hash())
        return fail(error, id + " was compiled for another target than the artifact's");
      reads.clear();
      writes.clear();
      for (const TensorSig &t : s.npu->inputs)
        reads.push_back(t.name);
      for (const TensorSig &t : s.npu->outputs)
        writes.push_back(t.name);
    } else if (s.hostModel.empty()) {
      return fail(error, id + " (host) has no model");
    }
    for (const std::string &r : reads)
      if (!available.count(r))
        return fail(error, id + " reads '" + r + "', which no graph input or earlier segment provides");
    for (const std::string &w : writes)
      if (w.empty() || !available.insert(w).second)
        return fail(error, id + " writes '" + w + "', which is empty or already written");
  }
  for (const TensorSig &t : a.outputs)
    if (!available.count(t.name))
      return fail(error, "artifact output '" + t.name + "' is written by no segment");
  return true;
}

bool validate(const Artifact &a, std::string &error, RunCost *cost) {
  if (cost)
    *cost = {};
  const target::Target &t = a.target;
  if (auto err = t.validate())
    return fail(error, "artifact target: " + *err);
  if (a.segmented())
    return checkSegments(a, error);
  if (a.dramElements > t.dramBytes / 4)
    return fail(error, "artifact needs " + std::to_string(a.dramElements) + " DRAM elements but target '" + t.name +
                           "' has " + std::to_string(t.dramBytes) + " bytes of DRAM");
  if (a.dramElements > limits::kMaxArtifactDramBytes / 4)
    return fail(error, "artifact needs " + std::to_string(a.dramElements) + " DRAM elements, above the limit of " +
                           std::to_string(limits::kMaxArtifactDramBytes / 4) + " (" +
                           std::to_string(limits::kMaxArtifactDramBytes) + " bytes)");
  if (!checkTensors(a, a.inputs, "input", error) || !checkTensors(a, a.outputs, "output", error))
    return false;

  if (a.instNode.size() != a.program.size())
    return fail(error, "artifact has " + std::to_string(a.instNode.size()) + " instruction node entries for " +
                           std::to_string(a.program.size()) + " instructions");
  for (size_t i = 0; i < a.instNode.size(); ++i)
    if (a.instNode[i] != kNoNode && a.instNode[i] >= a.nodeNames.size())
      return fail(error, "instruction " + std::to_string(i) + " names node " + std::to_string(a.instNode[i]) +
                             " but there are only " + std::to_string(a.nodeNames.size()) + " node names");
  for (size_t i = 0; i < a.program.size(); ++i) {
    std::string err;
    auto back = isa::decode(isa::encode(a.program[i]), &err);
    if (!back || !(*back == a.program[i]))
      return fail(error, "instruction " + std::to_string(i) +
                             " is not encodable: " + (err.empty() ? std::string("a field is out of range") : err));
  }
  isa::ProgramPlan plan;
  std::string err;
  if (!isa::planProgram(a.program, t.mfuConfig(), plan, err))
    return fail(error, "artifact program: " + err);

  if (!checkFormats(a, error) || !checkMatrices(a, error) || !checkDramInits(a, error) || !checkTensorRecords(a, error))
    return false;
  ProgramChecker checker(a, plan, err);
  if (!checker.run())
    return fail(error, "artifact program: " + err);
  if (checker.instructions() > limits::kMaxExecutedInstructions)
    return fail(error, "artifact program executes " + std::to_string(checker.instructions()) +
                           " instructions per run (loops unrolled), above the limit of " +
                           std::to_string(limits::kMaxExecutedInstructions));
  if (cost)
    *cost = {checker.instructions(), checker.elements()};
  return true;
}

} // namespace softnpu::artifact
