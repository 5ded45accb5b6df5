//===- LowerRnn.cpp - fpga.rnn -> a loop of per-timestep chains -----------===//
//
// A recurrent layer runs as, per direction and batch entry:
//
//   prologue   biases and initial state into the VRFs, x_0 into the IVRF
//   loop T-1   one timestep: gate chains (matrix-vector product + bias +
//              activation + point-wise steps), the next step's x into the
//              IVRF, then the state-update chains; Y_t written with `iter`
//   last step  the same without the x prefetch (peeled, so the loop never
//              reads past the sequence)
//   epilogue   Y_h (and Y_c) to DRAM
//
// The timestep is written as a list of chain specs over named values ("c",
// "fc", ...). Placing each spec's point-wise steps on the MFUs tells which
// local VRF (ASVRF or MULVRF of which MFU) each value must be in; producers
// then write every such place. docs/recurrent.md shows the result.
//
//===----------------------------------------------------------------------===//
#include "compiler/transforms/Lowerer.h"
#include "compiler/transforms/RnnLayout.h"

using namespace mlir;

namespace softnpu::lowering {

using isa::SReg;

namespace {

/// A point-wise step whose second operand (if any) is a named value.
struct NamedStep {
  const char *inst;
  const char *value = nullptr;
};

/// One chain of a timestep.
struct ChainSpec {
  // v_rd: the IVRF run [ivrf, ivrf + cols) for matrix chains, else a value.
  int64_t ivrf = -1, cols = 0;
  const char *source = nullptr;
  int matrix = -1; ///< index into rnn::Layout::matrices; -1 = no mv_mul
  SmallVector<NamedStep> steps;
  SmallVector<const char *> writes;
  bool writesY = false;
  /// The next timestep's x comes in two chains: `fetchesX` reads it from
  /// DRAM into a staging VRF at the top of the timestep, so the DRAM latency
  /// overlaps the gates; `storesX` moves it into the IVRF once the gates that
  /// read the current x have started.
  bool fetchesX = false, storesX = false;
  /// Work on the next timestep's x alone, after storesX: also run in the
  /// prologue for the first timestep, not in the last one.
  bool nextStep = false;
};

struct Place {
  std::string mem;
  int64_t mfu = 0, addr = 0;
};

/// The timestep of each cell (docs/recurrent.md). `ivrfX` / `ivrfH` are the
/// IVRF offsets of x and h; `find` maps (gate, has W, has R) to a matrix.
struct CellPlan {
  SmallVector<ChainSpec> chains;
  int64_t ivrfX = 0, ivrfH = 0, ivrfSize = 0;
  SmallVector<std::string> biases; ///< value names of the staged bias vectors
};

CellPlan planCell(fpga::RnnOp op, const rnn::Layout &l) {
  auto find = [&](int64_t gate, bool w, bool r) {
    for (auto [i, m] : llvm::enumerate(l.matrices))
      if (m.gate == gate && (m.wCol >= 0) == w && (m.rCol >= 0) == r)
        return static_cast<int>(i);
    return -1;
  };
  const int64_t cx = l.cx, ch = l.ch;
  CellPlan p;
  auto gate = [&](int64_t ivrf, int64_t cols, int matrix, SmallVector<NamedStep> steps,
                  SmallVector<const char *> writes) {
    ChainSpec c;
    c.ivrf = ivrf;
    c.cols = cols;
    c.matrix = matrix;
    c.steps = std::move(steps);
    c.writes = std::move(writes);
    p.chains.push_back(std::move(c));
  };
  auto update = [&](const char *source, SmallVector<NamedStep> steps, SmallVector<const char *> writes, bool writesY) {
    ChainSpec c;
    c.source = source;
    c.steps = std::move(steps);
    c.writes = std::move(writes);
    c.writesY = writesY;
    p.chains.push_back(std::move(c));
  };
  auto loadX = [&] {
    ChainSpec c;
    c.storesX = true;
    c.source = "xn";
    p.chains.push_back(std::move(c));
  };
  {
    ChainSpec c;
    c.fetchesX = true;
    p.chains.push_back(std::move(c));
  }
  fpga::RnnCell cell = op.getCell();
  if (cell == fpga::RnnCell::lstm) {
    // Gates i, o, f, c; c_t = f * c + i * g, h_t = o * tanh(c_t). The order
    // keeps the matrix unit busy: g (which needs i) goes last, so i is written
    // by the time it starts, and h_t is computed from i*g and f*c directly, so
    // the next timestep does not wait for c_t, which is written beside it.
    p.ivrfX = 0, p.ivrfH = cx, p.ivrfSize = cx + ch;
    p.biases = {"b0", "b1", "b2", "b3"};
    gate(0, cx + ch, find(0, true, true), {{"vv_add", "b0"}, {"v_sigm"}}, {"i"});
    gate(0, cx + ch, find(2, true, true), {{"vv_add", "b2"}, {"v_sigm"}, {"vv_mul", "c"}}, {"fc"});
    gate(0, cx + ch, find(1, true, true), {{"vv_add", "b1"}, {"v_sigm"}}, {"o"});
    gate(0, cx + ch, find(3, true, true), {{"vv_add", "b3"}, {"v_tanh"}, {"vv_mul", "i"}}, {"ig"});
    loadX();
    update("ig", {{"vv_add", "fc"}, {"v_tanh"}, {"vv_mul", "o"}}, {"h"}, true);
    update("ig", {{"vv_add", "fc"}}, {"c"}, false);
  } else if (cell == fpga::RnnCell::gru && !op.getLinearBeforeReset()) {
    // Gates z, r, h; h~ = tanh(W x + R (r * h) + b), h_t = h~ + z * (h - h~).
    p.ivrfX = ch, p.ivrfH = ch + cx, p.ivrfSize = 2 * ch + cx; // [r*h | x | h]
    p.biases = {"b0", "b1", "b2"};
    gate(ch, cx + ch, find(1, true, true), {{"vv_add", "b1"}, {"v_sigm"}, {"vv_mul", "h"}}, {"rh"});
    gate(ch, cx + ch, find(0, true, true), {{"vv_add", "b0"}, {"v_sigm"}}, {"z"});
    gate(0, ch + cx, find(2, true, true), {{"vv_add", "b2"}, {"v_tanh"}}, {"hc"});
    loadX();
    update("hc", {{"vv_b_sub_a", "h"}, {"vv_mul", "z"}, {"vv_add", "hc"}}, {"h"}, true);
  } else if (cell == fpga::RnnCell::gru) {
    // linear_before_reset: h~ = tanh(W x + Wb + r * (R h + Rb)).
    p.ivrfX = 0, p.ivrfH = cx, p.ivrfSize = cx + ch;
    p.biases = {"b0", "b1", "wb", "rb"};
    // W x + Wb does not depend on h: it is computed for the next timestep
    // as soon as its x is in, off the recurrence's critical path.
    gate(0, cx + ch, find(1, true, true), {{"vv_add", "b1"}, {"v_sigm"}}, {"r"});
    gate(0, cx + ch, find(0, true, true), {{"vv_add", "b0"}, {"v_sigm"}}, {"z"});
    gate(cx, ch, find(2, false, true), {{"vv_add", "rb"}, {"vv_mul", "r"}, {"vv_add", "wx"}, {"v_tanh"}}, {"hc"});
    update("hc", {{"vv_b_sub_a", "h"}, {"vv_mul", "z"}, {"vv_add", "hc"}}, {"h"}, true);
    loadX(); // after r and z, the readers of x, and off the h~ -> update path
    gate(0, cx, find(2, true, false), {{"vv_add", "wb"}}, {"wx"});
    p.chains.back().nextStep = true;
  } else {
    // h_t = tanh(W x + R h + b).
    p.ivrfX = 0, p.ivrfH = cx, p.ivrfSize = cx + ch;
    p.biases = {"b0"};
    gate(0, cx + ch, find(0, true, true), {{"vv_add", "b0"}, {"v_tanh"}}, {"h"});
    p.chains.back().writesY = true;
    loadX();
  }
  return p;
}

} // namespace

LogicalResult Lowerer::lowerRnn(fpga::RnnOp op) {
  Location loc = op.getLoc();
  const rnn::Layout layout = rnn::layoutOf(op, n_);
  CellPlan plan = planCell(op, layout);
  const int64_t seq = op.getSeqLength(), batch = op.getBatchSize(), in = op.getInputSize();
  const int64_t h = op.getHiddenSize(), gates = op.getNumGates(), dirs = op.getNumDirections();
  const int64_t ch = layout.ch, cx = layout.cx;
  const int64_t fmt = formatIndex(op);

  // Where each named value lives: the IVRF runs of the plan, plus the local
  // VRF of every MFU a step reading it is placed on.
  std::map<std::string, SmallVector<Place>> places;
  places["x"].push_back({"IVRF", 0, plan.ivrfX});
  places["h"].push_back({"IVRF", 0, plan.ivrfH});
  if (op.getCell() == fpga::RnnCell::gru && !op.getLinearBeforeReset())
    places["rh"].push_back({"IVRF", 0, 0});
  std::map<std::pair<std::string, int64_t>, int64_t> nextAddr; // (mem, mfu) -> free vector
  auto placeIn = [&](const std::string &value, const std::string &mem, int64_t mfu) {
    for (const Place &p : places[value])
      if (p.mem == mem && p.mfu == mfu)
        return;
    int64_t &next = nextAddr[{mem, mfu}];
    places[value].push_back({mem, mfu, next});
    next += value == "xn" ? cx : ch; // the staged next x is x-sized
  };
  // Every bias is the first step of a gate chain, so it is read on MFU 0;
  // placing them first keeps them contiguous, to be staged by one chain.
  for (const std::string &bias : plan.biases)
    placeIn(bias, "ASVRF", 0);
  SmallVector<SmallVector<unsigned>> mfuOf;
  for (const ChainSpec &c : plan.chains) {
    SmallVector<Step> steps;
    for (const NamedStep &s : c.steps)
      steps.push_back({s.inst, 0});
    auto mfus = placeSteps(loc, c.matrix >= 0, steps);
    if (failed(mfus))
      return failure();
    for (auto [s, mfu] : llvm::zip_equal(c.steps, *mfus))
      if (s.value)
        placeIn(s.value, isa::lookup(s.inst)->kind == isa::Kind::MfuMul ? "MULVRF" : "ASVRF", mfu);
    mfuOf.push_back(*mfus);
  }
  for (const ChainSpec &c : plan.chains)
    if (c.source && places[c.source].empty())
      placeIn(c.source, "MULVRF", 0);
  // A run-time B is summed (W half + R half) through a temporary; a constant
  // one at compile time.
  DenseElementsAttr constB;
  if (auto c = op.getB() ? op.getB().getDefiningOp<arith::ConstantOp>() : nullptr)
    constB = dyn_cast<DenseElementsAttr>(c.getValue());
  const bool runtimeB = op.getB() && !constB;
  if (runtimeB)
    placeIn("tmp", "ASVRF", 0);
  const int64_t ivrfNeed = plan.ivrfSize;
  if (ivrfNeed > static_cast<int64_t>(t_.ivrfDepth))
    return op.emitError() << describeOp(op) << ": x and h need " << ivrfNeed << " IVRF vectors; target '" << t_.name
                          << "' has " << t_.ivrfDepth;
  for (const auto &[key, used] : nextAddr) {
    const int64_t depth = key.first == "ASVRF" ? t_.asvrfDepth : t_.mulvrfDepth;
    if (used > depth)
      return op.emitError() << describeOp(op) << ": hidden size " << h << " needs " << used << " " << key.first
                            << " vectors on MFU " << key.second << "; target '" << t_.name << "' has " << depth;
  }
  auto writesOf = [&](const char *value, bool iter = false) {
    SmallVector<Access> out;
    for (const Place &p : places[value])
      out.push_back({p.mem, p.addr, p.mfu, iter});
    return out;
  };
  auto readOf = [&](const char *value) {
    const Place &p = places[value].front();
    return Access{p.mem, p.addr, p.mfu, false};
  };

  // Operands in DRAM.
  FailureOr<int64_t> xAddr = addrOf(op.getX(), loc);
  if (failed(xAddr))
    return failure();
  std::optional<int64_t> bAddr, h0Addr, c0Addr;
  for (auto [v, a] :
       {std::pair{op.getB(), &bAddr}, std::pair{op.getInitialH(), &h0Addr}, std::pair{op.getInitialC(), &c0Addr}}) {
    if (!v)
      continue;
    FailureOr<int64_t> addr = addrOf(v, loc);
    if (failed(addr))
      return failure();
    *a = *addr;
  }
  // The initial state when initial_h / initial_c is absent.
  const bool needZeros = !h0Addr || (op.getCell() == fpga::RnnCell::lstm && !c0Addr);
  const int64_t zeros = needZeros ? splat(loc, 0.0f, h) : 0;
  auto outAddr = [&](Value v) -> std::optional<int64_t> {
    if (!v || v.use_empty())
      return std::nullopt;
    return resultAddr(v);
  };
  std::optional<int64_t> yAddr = outAddr(op.getY()), yhAddr = outAddr(op.getYH()), ycAddr = outAddr(op.getYC());

  // Gate matrices: pinned constants, or run-time tensors moved in with m_rd.
  auto w = op.getW().getDefiningOp<arith::ConstantOp>();
  auto r = op.getR().getDefiningOp<arith::ConstantOp>();
  const bool pinned = w && r && op.getMrfTile();
  const int64_t firstTile = pinned ? *op.getMrfTile() : scratchBase();
  auto tileOf = [&](int64_t d, const rnn::GateMatrix &m) { return firstTile + d * layout.tilesPerDirection + m.tile; };
  if (pinned) {
    auto wv = llvm::to_vector(cast<DenseElementsAttr>(w.getValue()).getValues<float>());
    auto rv = llvm::to_vector(cast<DenseElementsAttr>(r.getValue()).getValues<float>());
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    for (int64_t d = 0; d < dirs; ++d)
      for (const rnn::GateMatrix &m : layout.matrices) {
        const int64_t width = m.cols * n_;
        std::vector<float> value(static_cast<size_t>(h * width), 0.0f);
        for (int64_t j = 0; j < h; ++j) {
          const int64_t row = (d * gates + m.gate) * h + j;
          if (m.wCol >= 0)
            std::copy_n(&wv[row * in], in, &value[j * width + m.wCol * n_]);
          if (m.rCol >= 0)
            std::copy_n(&rv[row * h], h, &value[j * width + m.rCol * n_]);
        }
        auto type = RankedTensorType::get({h, width}, b_.getF32Type());
        declared(fpga::PinnedMatrixOp::create(b_, loc, DenseElementsAttr::get(type, llvm::ArrayRef<float>(value)),
                                              tileOf(d, m), m.rows, m.cols, fmt));
        ++numMatrices_;
      }
  } else {
    FailureOr<int64_t> wAddr = addrOf(op.getW(), loc), rAddr = addrOf(op.getR(), loc);
    if (failed(wAddr) || failed(rAddr))
      return failure();
    setReg(loc, SReg::MFmt, fmt);
    setReg(loc, SReg::Rows, ch);
    setReg(loc, SReg::MatH, h);
    for (int64_t d = 0; d < dirs; ++d)
      for (const rnn::GateMatrix &m : layout.matrices) {
        setReg(loc, SReg::MatPitch, m.cols);
        const int64_t row = (d * gates + m.gate) * h;
        if (m.wCol >= 0) {
          setReg(loc, SReg::Cols, cx);
          setReg(loc, SReg::MatW, in);
          fpga::MRdOp::create(b_, loc, *wAddr + row * in, tileOf(d, m) + m.wCol, false);
        }
        if (m.rCol >= 0) {
          setReg(loc, SReg::Cols, ch);
          setReg(loc, SReg::MatW, h);
          fpga::MRdOp::create(b_, loc, *rAddr + row * h, tileOf(d, m) + m.rCol, false);
        }
      }
    setReg(loc, SReg::MatPitch, 0);
  }

  // Element offsets of x_t, Y_t and the state of (t, d, b) in their tensors.
  const bool batchMajor = op.getLayout() == 1;
  auto xAt = [&](int64_t t, int64_t b) { return *xAddr + (batchMajor ? b * seq + t : t * batch + b) * in; };
  const int64_t xStep = batchMajor ? in : batch * in;
  auto yAt = [&](int64_t t, int64_t d, int64_t b) {
    return *yAddr + (batchMajor ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b) * h;
  };
  const int64_t yStep = batchMajor ? dirs * h : dirs * batch * h;
  auto stateAt = [&](int64_t base, int64_t d, int64_t b) {
    return base + (batchMajor ? b * dirs + d : d * batch + b) * h;
  };

  // Bias vector `name` of direction d: the sum of its W and R halves (or one
  // of them), staged in every place the steps read it from.
  auto stageBias = [&](const std::string &name, int64_t d) {
    setTransfer(loc, ch, h, 1, std::nullopt);
    auto half = [&](bool recurrent, int64_t gate) {
      return *bAddr + d * 2 * gates * h + (recurrent ? gates * h : 0) + gate * h;
    };
    SmallVector<Access> dst = writesOf(name.c_str());
    if (name == "wb" || name == "rb") {
      chainTo(loc, {"DRAM", half(name == "rb", 2)}, std::nullopt, {}, dst);
      return;
    }
    const int64_t gate = name[1] - '0';
    const Place tmp = places["tmp"].front();
    chainTo(loc, {"DRAM", half(true, gate)}, std::nullopt, {}, {{tmp.mem, tmp.addr, tmp.mfu}});
    chainTo(loc, {"DRAM", half(false, gate)}, std::nullopt, {{"vv_add", tmp.addr}}, dst);
  };
  auto stageState = [&](const char *value, std::optional<int64_t> base, int64_t d, int64_t b) {
    setTransfer(loc, ch, h, 1, std::nullopt);
    chainTo(loc, {"DRAM", base ? stateAt(*base, d, b) : zeros}, std::nullopt, {}, writesOf(value));
  };

  // One timestep. In the loop (`iter`), Y_t and the next x advance with the
  // iteration; the peeled last step names its timestep `t` directly.
  // `only`: just the chains of the next timestep (the prologue's).
  auto timestep = [&](bool iter, int64_t t, int64_t d, int64_t b, int64_t sign, bool only = false) {
    for (auto [c, mfus] : llvm::zip_equal(plan.chains, mfuOf)) {
      if (only ? !c.nextStep : c.nextStep && !iter)
        continue;
      if (c.fetchesX || c.storesX) {
        if (!iter)
          continue;
        if (c.fetchesX) {
          setTransfer(loc, cx, in, 1, std::nullopt);
          setReg(loc, SReg::RdStep, sign * xStep);
          chainTo(loc, {"DRAM", xAt(t + sign, b), 0, true}, std::nullopt, {}, writesOf("xn"));
        } else {
          setReg(loc, SReg::Cols, cx);
          chainTo(loc, readOf("xn"), std::nullopt, {}, writesOf("x"));
        }
        continue;
      }
      SmallVector<Step> steps;
      for (auto [s, mfu] : llvm::zip_equal(c.steps, mfus)) {
        int64_t addr = 0;
        if (s.value) {
          const std::string mem = isa::lookup(s.inst)->kind == isa::Kind::MfuMul ? "MULVRF" : "ASVRF";
          for (const Place &p : places[s.value])
            if (p.mem == mem && p.mfu == static_cast<int64_t>(mfu))
              addr = p.addr;
        }
        steps.push_back({s.inst, addr});
      }
      SmallVector<Access> dst;
      for (const char *v : c.writes)
        dst.append(writesOf(v));
      if (c.writesY && yAddr) {
        setReg(loc, SReg::WrLen, h);
        if (iter)
          setReg(loc, SReg::WrStep, sign * yStep);
        dst.push_back({"DRAM", yAt(t, d, b), 0, iter});
      }
      if (c.matrix >= 0) {
        setReg(loc, SReg::Rows, ch);
        setReg(loc, SReg::Cols, c.cols);
        setReg(loc, SReg::MFmt, fmt);
        chainTo(loc, {"IVRF", c.ivrf}, tileOf(d, layout.matrices[c.matrix]), steps, dst);
      } else {
        setReg(loc, SReg::Cols, ch);
        chainTo(loc, readOf(c.source), std::nullopt, steps, dst);
      }
    }
  };

  // A constant (or absent) B: the biases each gate adds, summed here, padded
  // to whole vectors and staged by one chain per direction.
  std::optional<int64_t> biasTable;
  if (!runtimeB) {
    const int64_t nb = static_cast<int64_t>(plan.biases.size()), width = ch * n_;
    std::vector<float> table(static_cast<size_t>(dirs * nb * width), 0.0f);
    if (constB) {
      auto bv = llvm::to_vector(constB.getValues<float>());
      for (int64_t d = 0; d < dirs; ++d)
        for (auto [k, name] : llvm::enumerate(plan.biases)) {
          const float *wb = &bv[d * 2 * gates * h], *rb = wb + gates * h;
          float *dst = &table[(d * nb + static_cast<int64_t>(k)) * width];
          const bool onlyW = name == "wb", onlyR = name == "rb";
          const int64_t g = onlyW || onlyR ? 2 : name[1] - '0';
          for (int64_t j = 0; j < h; ++j)
            dst[j] = (onlyR ? 0.0f : wb[g * h + j]) + (onlyW ? 0.0f : rb[g * h + j]);
        }
    }
    auto type = RankedTensorType::get({static_cast<int64_t>(table.size())}, b_.getF32Type());
    biasTable = allocate(static_cast<int64_t>(table.size()));
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    declared(
        fpga::DramConstOp::create(b_, loc, DenseElementsAttr::get(type, llvm::ArrayRef<float>(table)), *biasTable));
  }

  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = op.getDirection() == fpga::RnnDirection::reverse || d == 1;
    const int64_t sign = reverse ? -1 : 1, first = reverse ? seq - 1 : 0, last = reverse ? 0 : seq - 1;
    for (int64_t b = 0; b < batch; ++b) {
      // x first: the first gate needs it and, with the biases and the
      // initial state, its DRAM latency is the prologue's.
      setTransfer(loc, cx, in, 1, std::nullopt);
      chainTo(loc, {"DRAM", xAt(first, b)}, std::nullopt, {}, writesOf("x"));
      if (b == 0 && biasTable) {
        const int64_t nb = static_cast<int64_t>(plan.biases.size());
        setTransfer(loc, nb * ch, nb * ch * n_, 1, std::nullopt);
        const Place &at = places[plan.biases.front()].front();
        chainTo(loc, {"DRAM", *biasTable + d * nb * ch * n_}, std::nullopt, {}, {{at.mem, at.addr, at.mfu}});
      } else if (b == 0) {
        for (const std::string &bias : plan.biases)
          stageBias(bias, d);
      }
      stageState("h", h0Addr, d, b);
      if (op.getCell() == fpga::RnnCell::lstm)
        stageState("c", c0Addr, d, b);
      timestep(false, first, d, b, sign, /*only=*/true);
      if (seq > 1) {
        auto loop = fpga::LoopOp::create(b_, loc, seq - 1);
        loop.getBody().emplaceBlock();
        OpBuilder::InsertionGuard g(b_);
        b_.setInsertionPointToStart(&loop.getBody().front());
        forgetRegs();
        timestep(true, first, d, b, sign);
      }
      forgetRegs();
      timestep(false, last, d, b, sign);
      setReg(loc, SReg::Cols, ch);
      setReg(loc, SReg::WrLen, h);
      if (yhAddr)
        chainTo(loc, readOf("h"), std::nullopt, {}, {{"DRAM", stateAt(*yhAddr, d, b)}});
      if (ycAddr)
        chainTo(loc, readOf("c"), std::nullopt, {}, {{"DRAM", stateAt(*ycAddr, d, b)}});
    }
  }
  return success();
}

} // namespace softnpu::lowering
