//===- Simulator.cpp - Loading an artifact and running its program --------===//
//
// Simulator::create checks the artifact against its target and builds the
// machine state (SimState.h): memories sized from the target, constant
// matrices pinned in the MRF (streamed ones kept packed for m_rd stream),
// DRAM initialisers captured in the start-of-run DRAM image. run() walks the
// program: chains go to Chain.cpp, standalone instructions to Standalone.cpp,
// loop / end_loop move the program counter with a loop stack (State::loops);
// without observers a loop whose body is one chain runs in ChainLoop.cpp.
//
//===----------------------------------------------------------------------===//
#include "softnpu/sim/Simulator.h"

#include "SimState.h"

#include "softnpu/Bytes.h"
#include "softnpu/HugePages.h"
#include "softnpu/artifact/MatrixLayout.h"

#include <algorithm>
#include <cstring>

namespace softnpu::sim {

using detail::State;
using isa::MemSpace;

namespace detail {

State::WrittenVectors *State::writtenVectors(MemSpace mem, unsigned mfu) {
  if (vrfWritten.empty())
    vrfWritten.resize(1 + 2 * static_cast<size_t>(target.numMfus));
  size_t i = mem == MemSpace::Ivrf ? 0 : mem == MemSpace::AsVrf ? 1 + mfu : 1 + target.numMfus + mfu;
  if (i >= vrfWritten.size())
    return nullptr;
  WrittenVectors &w = vrfWritten[i];
  uint32_t depth = 0;
  vrf(mem, mfu, depth);
  if (w.flag.size() != depth) {
    w.flag.assign(depth, 0);
    w.extent.assign(depth, 0);
  }
  return &w;
}

void State::markVrfWritten(MemSpace mem, unsigned mfu, uint64_t first, uint64_t count, uint32_t extent) {
  WrittenVectors *w = writtenVectors(mem, mfu);
  if (!w)
    return;
  const uint64_t depth = w->flag.size();
  for (uint64_t v = first; v < first + count && v < depth; ++v)
    w->mark(static_cast<uint32_t>(v), static_cast<uint32_t>(std::min<uint64_t>(extent, n)));
}

float *State::vrf(MemSpace mem, unsigned mfu, uint32_t &depth) {
  switch (mem) {
  case MemSpace::Ivrf:
    depth = target.ivrfDepth;
    return ivrf.data();
  case MemSpace::AsVrf:
    depth = target.asvrfDepth;
    return mfu < target.numMfus ? asvrf.data() + static_cast<size_t>(mfu) * depth * n : nullptr;
  case MemSpace::MulVrf:
    depth = target.mulvrfDepth;
    return mfu < target.numMfus ? mulvrf.data() + static_cast<size_t>(mfu) * depth * n : nullptr;
  default:
    depth = 0;
    return nullptr;
  }
}

void State::restoreDram(uint64_t begin, uint64_t end) {
  float *d = dram.data();
  const float *img = dramImage.data();
  // The first initialiser range ending after `begin`, then every one that starts before `end`.
  auto it = std::upper_bound(dramInitRanges.begin(), dramInitRanges.end(), begin,
                             [](uint64_t v, const std::pair<uint64_t, uint64_t> &r) { return v < r.second; });
  uint64_t at = begin;
  for (; it != dramInitRanges.end() && it->first < end; ++it) {
    const uint64_t b = std::max(at, it->first), e = std::min(end, it->second);
    std::fill(d + at, d + b, 0.0f);
    std::memcpy(d + b, img + b, (e - b) * sizeof(float));
    at = e;
  }
  std::fill(d + at, d + end, 0.0f);
}

namespace {

/// More stale ranges than this (writes splitting them, on the ordinary path)
/// and all of them are restored at once instead.
constexpr size_t kMaxStaleRanges = 4096;

/// Takes [begin, end) out of the sorted, disjoint ranges `r`, calling
/// taken(b, e) for each part taken out.
template <class Taken>
void cutRanges(std::vector<std::pair<uint64_t, uint64_t>> &r, uint64_t begin, uint64_t end, Taken taken) {
  // The first range ending after `begin`.
  auto it = std::upper_bound(r.begin(), r.end(), begin,
                             [](uint64_t v, const std::pair<uint64_t, uint64_t> &x) { return v < x.second; });
  while (it != r.end() && it->first < end) {
    const uint64_t b = std::max(it->first, begin), e = std::min(it->second, end);
    taken(b, e);
    if (it->first < b && e < it->second) { // inside: split in two
      const std::pair<uint64_t, uint64_t> right{e, it->second};
      it->second = b;
      r.insert(it + 1, right);
      return;
    }
    if (it->first < b) {
      it->second = b;
      ++it;
    } else if (e < it->second) {
      it->first = e;
      return;
    } else {
      it = r.erase(it);
    }
  }
}

} // namespace

void State::settleDram(uint64_t begin, uint64_t end) {
  if (dramStale.empty())
    return;
  cutRanges(dramStale, begin, std::min<uint64_t>(end, dram.size()), [&](uint64_t b, uint64_t e) { restoreDram(b, e); });
}

void State::dropStale(uint64_t begin, uint64_t end) {
  cutRanges(dramStale, begin, end, [](uint64_t, uint64_t) {});
  if (dramStale.size() > kMaxStaleRanges) { // many writes with gaps: restore the rest now
    for (const auto &[b, e] : dramStale)
      restoreDram(b, e);
    dramStale.clear();
  }
}

int64_t State::effectiveAddress(const isa::Inst &inst) const {
  if (!isa::stepsAddress(inst) || loops.empty())
    return inst.a;
  const int32_t step = static_cast<int32_t>(reg(isa::stepRegister(inst.op)));
  // |i * step| <= (2^32 - 1) * 2^31 and a < 2^32: no int64 overflow.
  return static_cast<int64_t>(inst.a) + static_cast<int64_t>(loops.back().iteration) * step;
}

void State::ensureLanes(uint64_t lanes) {
  if (cur.size() < lanes) {
    cur.resize(lanes);
    next.resize(lanes);
  }
}

} // namespace detail

namespace {

/// Executes `loop` or `end_loop` at `pc`; returns the next program counter.
/// planProgram matched every loop with its end_loop, and an end_loop is only
/// reached through its loop, so the stack is never empty there.
size_t loopControl(State &s, size_t pc) {
  const isa::Inst &inst = s.program[pc];
  if (inst.op == isa::Opcode::Loop) {
    if (inst.a == 0)
      return s.plan.loopEnd[pc] + 1; // the body never runs
    s.loops.push_back({pc + 1, inst.a, 0});
    return pc + 1;
  }
  detail::LoopFrame &top = s.loops.back();
  if (++top.iteration < top.count)
    return top.bodyBegin;
  s.loops.pop_back();
  return pc + 1;
}

std::string matrixName(const artifact::Artifact &a, size_t i) {
  const artifact::MatrixEntry &m = a.matrices[i];
  std::string text = "matrix " + std::to_string(i);
  if (m.node < a.nodeNames.size())
    text += " (node '" + a.nodeNames[m.node] + "')";
  return text;
}

/// Checks every constant matrix; pins the pinned ones in the MRF (each tile
/// holding its real extent, artifact/MatrixLayout.h) and copies the packed
/// bytes of the streamed ones into the streamed image (m_rd stream moves
/// them at run time).
bool loadMatrices(const artifact::Artifact &a, State &s, std::string &error) {
  s.matrices = a.matrices;
  s.streamedAt.assign(a.matrices.size(), 0);
  s.streamedImage.clear();
  s.pinnedTiles.clear();
  for (size_t i = 0; i < a.matrices.size(); ++i) {
    const artifact::MatrixEntry &m = a.matrices[i];
    if (m.formatIndex >= s.mrf.numFormats() || m.format != s.mrf.format(m.formatIndex).weight) {
      error = matrixName(a, i) + ": format " + m.format.name() + " (format pair " + std::to_string(m.formatIndex) +
              ") does not match the artifact's format table";
      return false;
    }
    const uint64_t tiles = static_cast<uint64_t>(m.rowTiles) * m.colTiles;
    const uint64_t home = m.streamed ? 0 : m.mrfTile; // a streamed matrix has no home tile
    if (tiles == 0 || home + tiles > s.mrf.numTiles()) {
      error = matrixName(a, i) + ": tiles [" + std::to_string(home) + ", " + std::to_string(home + tiles) +
              ") do not fit the MRF of " + std::to_string(s.mrf.numTiles()) + " tiles";
      return false;
    }
    if (artifact::tilesFor(m.rows, s.n) != m.rowTiles || artifact::colTilesFor(m, s.n) != m.colTiles ||
        artifact::partColumns(m) != m.cols || artifact::matrixRowBytes(m, s.n) == 0) {
      error = matrixName(a, i) + ": " + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
              " elements (in their column parts) do not fill its grid of " + std::to_string(m.rowTiles) + " x " +
              std::to_string(m.colTiles) + " tiles";
      return false;
    }
    const uint64_t bytes = artifact::matrixBytes(m, s.n);
    if (m.size != bytes || m.offset > a.weightImage.size() || m.size > a.weightImage.size() - m.offset) {
      error = matrixName(a, i) + ": " + std::to_string(m.size) + " bytes at offset " + std::to_string(m.offset) +
              " do not match its " + std::to_string(bytes) + " packed bytes inside the weight image of " +
              std::to_string(a.weightImage.size()) + " bytes";
      return false;
    }
    if (m.streamed) {
      s.streamedAt[i] = s.streamedImage.size();
      s.streamedImage.insert(s.streamedImage.end(), a.weightImage.begin() + static_cast<std::ptrdiff_t>(m.offset),
                             a.weightImage.begin() + static_cast<std::ptrdiff_t>(m.offset + m.size));
      continue;
    }
    s.pinnedTiles.emplace_back(m.mrfTile, m.mrfTile + tiles);
    for (uint32_t tr = 0; tr < m.rowTiles; ++tr)
      for (uint32_t tc = 0; tc < m.colTiles; ++tc) {
        const artifact::TileExtent e = artifact::tileExtent(m, tr, tc, s.n);
        s.mrf.storePackedTile(m.mrfTile + tr * m.colTiles + tc, a.weightImage.data() + m.offset + e.offset, e.rows,
                              e.cols, m.formatIndex);
      }
  }
  return true;
}

bool loadDramInits(const artifact::Artifact &a, State &s, std::string &error) {
  for (size_t i = 0; i < a.dramInits.size(); ++i) {
    const artifact::DramInit &d = a.dramInits[i];
    if (d.dramAddr > s.dramImage.size() || d.count > s.dramImage.size() - d.dramAddr ||
        d.offset > a.weightImage.size() || d.count > (a.weightImage.size() - d.offset) / 4) {
      error = "DRAM initialiser " + std::to_string(i) + " (" + std::to_string(d.count) + " elements at " +
              std::to_string(d.dramAddr) + ", image offset " + std::to_string(d.offset) + ") is out of range";
      return false;
    }
    // The weight image is little endian; so is every host we build for.
    std::memcpy(s.dramImage.data() + d.dramAddr, a.weightImage.data() + d.offset, d.count * 4);
    if (d.count)
      s.dramInitRanges.emplace_back(d.dramAddr, d.dramAddr + d.count);
  }
  std::sort(s.dramInitRanges.begin(), s.dramInitRanges.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto &r : s.dramInitRanges)
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  s.dramInitRanges = std::move(merged);
  return true;
}

} // namespace

Simulator::Simulator() : s_(std::make_unique<State>()) {}
Simulator::~Simulator() = default;

std::unique_ptr<Simulator> Simulator::create(const artifact::Artifact &a, std::string &error) {
  std::unique_ptr<Simulator> sim(new Simulator());
  State &s = *sim->s_;
  const target::Target &t = a.target;
  if (auto bad = t.validate()) {
    error = *bad; // names the target
    return nullptr;
  }
  s.target = t;
  s.n = t.nativeDim;
  s.program = a.program;
  s.instNode = a.instNode;
  s.nodeNames = a.nodeNames;
  if (!s.instNode.empty() && s.instNode.size() != s.program.size()) {
    error = "debug map has " + std::to_string(s.instNode.size()) + " entries for " + std::to_string(s.program.size()) +
            " instructions";
    return nullptr;
  }
  std::string why;
  if (!isa::planProgram(s.program, t.mfuConfig(), s.plan, why)) {
    error = "invalid program: " + why;
    return nullptr;
  }
  s.chainAt.assign(s.program.size(), -1);
  for (size_t c = 0; c < s.plan.chains.size(); ++c)
    s.chainAt[s.plan.chains[c].begin] = static_cast<int64_t>(c);

  if (t.dramBytes && a.dramElements > t.dramBytes / 4) {
    error = "the artifact needs " + std::to_string(a.dramElements) + " DRAM elements but target '" + t.name + "' has " +
            std::to_string(t.dramBytes) + " bytes";
    return nullptr;
  }
  if (!s.mrf.init(t, a.formats, why)) {
    error = why;
    return nullptr;
  }
  const size_t n = s.n;
  // On huge pages: every run writes and reads tens of MB of a CNN's DRAM
  // (its feature maps), which 4 KiB pages spread over thousands of TLB entries.
  reserveOnHugePages(s.dramImage, a.dramElements);
  s.dramImage.assign(a.dramElements, 0.0f);
  reserveOnHugePages(s.dram, a.dramElements);
  s.dram.assign(s.dramImage.begin(), s.dramImage.end());
  s.ivrf.assign(static_cast<size_t>(t.ivrfDepth) * n);
  s.asvrf.assign(static_cast<size_t>(t.numMfus) * t.asvrfDepth * n);
  s.mulvrf.assign(static_cast<size_t>(t.numMfus) * t.mulvrfDepth * n);
  s.tileScratch.assign(n * n, 0.0f);
  const uint64_t dramVectors = (a.dramElements + n - 1) / n;
  const uint64_t maxVectors =
      std::max<uint64_t>({uint64_t{1}, t.ivrfDepth, t.asvrfDepth, t.mulvrfDepth, t.mrfTiles, dramVectors});
  s.maxLanes = maxVectors * n;

  if (!loadMatrices(a, s, error) || !loadDramInits(a, s, error))
    return nullptr;
  sim->reset();
  return sim;
}

void Simulator::reset() {
  State &s = *s_;
  if (s.dramAllDirty) {
    std::copy(s.dramImage.begin(), s.dramImage.end(), s.dram.begin());
    s.dramStale.clear();
  } else {
    // The ranges written become stale (State::dramStale), merged: a
    // network's feature maps share DRAM, so the ranges of one run overlap
    // (MobileNetV2 writes 26 MB into 7.6 MB).
    std::vector<std::pair<uint64_t, uint64_t>> &ranges = s.dramDirty;
    ranges.insert(ranges.end(), s.dramStale.begin(), s.dramStale.end());
    std::sort(ranges.begin(), ranges.end());
    s.dramStale.clear();
    for (size_t i = 0; i < ranges.size();) {
      const uint64_t begin = ranges[i].first;
      uint64_t end = ranges[i].second;
      for (++i; i < ranges.size() && ranges[i].first <= end; ++i)
        end = std::max(end, ranges[i].second);
      if (begin < end)
        s.dramStale.emplace_back(begin, end);
    }
    if (s.dramStale.size() > detail::kMaxStaleRanges) {
      for (const auto &[b, e] : s.dramStale)
        s.restoreDram(b, e);
      s.dramStale.clear();
    }
  }
  s.dramDirty.clear();
  s.dramAllDirty = false;
  // Only the vectors the last run wrote: the VRFs of a large target are
  // megabytes.
  const unsigned mfus = s.target.numMfus;
  for (size_t i = 0; i < s.vrfWritten.size(); ++i) {
    State::WrittenVectors &w = s.vrfWritten[i];
    MemSpace mem = i == 0 ? MemSpace::Ivrf : i <= mfus ? MemSpace::AsVrf : MemSpace::MulVrf;
    unsigned mfu = i == 0 ? 0 : static_cast<unsigned>(i <= mfus ? i - 1 : i - 1 - mfus);
    uint32_t depth = 0;
    float *base = s.vrf(mem, mfu, depth);
    for (uint32_t v : w.which) {
      std::fill(base + static_cast<size_t>(v) * s.n, base + static_cast<size_t>(v) * s.n + w.extent[v], 0.0f);
      w.flag[v] = 0;
    }
    w.which.clear();
  }
  for (unsigned r = 0; r < isa::kNumSRegs; ++r)
    s.regs[r] = isa::sregReset(static_cast<isa::SReg>(r));
}

bool Simulator::run(std::string &error) {
  State &s = *s_;
  ++s.counters.runs;
  s.loops.clear(); // a failed run may have stopped inside a loop
  size_t pc = 0;
  while (pc < s.program.size()) {
    size_t failedAt = pc;
    std::string what;
    bool ok = true;
    size_t end;    // the executed group is [pc, end)
    size_t nextPc; // differs from `end` only at loop / end_loop
    const isa::Opcode op = s.program[pc].op;
    if (s.chainAt[pc] >= 0) {
      const size_t c = static_cast<size_t>(s.chainAt[pc]);
      ok = detail::executeChain(s, c, failedAt, what);
      end = nextPc = s.plan.chains[c].end;
    } else if (op == isa::Opcode::Loop && !s.observer && !s.workObserver && detail::runChainLoop(s, pc, nextPc)) {
      end = nextPc;
    } else if (op == isa::Opcode::Loop || op == isa::Opcode::EndLoop) {
      ++s.counters.instructions;
      end = pc + 1;
      nextPc = loopControl(s, pc);
    } else {
      ok = detail::executeStandalone(s, s.program[pc], what);
      ++s.counters.instructions;
      end = nextPc = pc + 1;
    }
    if (ok && s.workObserver) {
      if (s.chainAt[pc] >= 0)
        detail::describeChain(s, static_cast<size_t>(s.chainAt[pc]), s.work);
      else
        detail::describeStandalone(s, s.program[pc], s.work);
      s.workObserver(WorkEvent{pc, end, &s.work});
    }
    if (!ok) {
      error = "instruction " + std::to_string(failedAt) + " (" + isa::disassemble(s.program[failedAt]) + ")";
      if (failedAt < s.instNode.size() && s.instNode[failedAt] < s.nodeNames.size())
        error += " of node '" + s.nodeNames[s.instNode[failedAt]] + "'";
      error += ": " + what;
      return false;
    }
    pc = nextPc;
  }
  return true;
}

bool Simulator::writeDram(uint64_t addr, const float *data, size_t n, std::string &error) {
  State &s = *s_;
  if (addr > s.dram.size() || n > s.dram.size() - addr) {
    error = "DRAM write of " + std::to_string(n) + " elements at " + std::to_string(addr) +
            " is out of range (DRAM has " + std::to_string(s.dram.size()) + " elements)";
    return false;
  }
  copyBytes(s.dram.data() + addr, data, n * sizeof(float));
  s.markDramWritten(addr, addr + n);
  return true;
}

bool Simulator::readDram(uint64_t addr, float *out, size_t n, std::string &error) const {
  State &s = *s_; // settling stale ranges changes no value a reader can see
  if (addr > s.dram.size() || n > s.dram.size() - addr) {
    error = "DRAM read of " + std::to_string(n) + " elements at " + std::to_string(addr) +
            " is out of range (DRAM has " + std::to_string(s.dram.size()) + " elements)";
    return false;
  }
  s.settleDram(addr, addr + n);
  copyBytes(out, s.dram.data() + addr, n * sizeof(float));
  return true;
}

uint64_t Simulator::dramElements() const { return s_->dram.size(); }

const float *Simulator::vrfVector(MemSpace mem, unsigned mfu, uint32_t index) const {
  uint32_t depth = 0;
  const float *base = s_->vrf(mem, mfu, depth);
  if (!base || index >= depth)
    return nullptr;
  return base + static_cast<size_t>(index) * s_->n;
}

std::vector<float> Simulator::mrfTile(uint32_t tile) const {
  std::vector<float> out;
  if (tile >= s_->mrf.numTiles())
    return out;
  out.resize(static_cast<size_t>(s_->n) * s_->n);
  s_->mrf.readTile(tile, out.data());
  return out;
}

uint32_t Simulator::sreg(isa::SReg r) const { return s_->reg(r); }
const isa::ProgramPlan &Simulator::plan() const { return s_->plan; }
const target::Target &Simulator::target() const { return s_->target; }
const Counters &Simulator::counters() const { return s_->counters; }
void Simulator::resetCounters() { s_->counters = Counters{}; }
void Simulator::setChainObserver(ChainObserver observer) { s_->observer = std::move(observer); }
void Simulator::setWorkObserver(WorkObserver observer) { s_->workObserver = std::move(observer); }

} // namespace softnpu::sim
