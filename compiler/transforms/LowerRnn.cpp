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
#include "compiler/ConstantValues.h"
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

/// The lowering of one fpga.rnn: where its named values live, its operands
/// and gate matrices, then per direction and batch entry the prologue, the
/// loop over timesteps, the peeled last step and the epilogue.
class RnnLowering {
public:
  RnnLowering(Lowerer &l, fpga::RnnOp op)
      : l_(l), op_(op), loc_(op.getLoc()), layout_(rnn::layoutOf(op, l.n_)), plan_(planCell(op, layout_)),
        seq_(op.getSeqLength()), batch_(op.getBatchSize()), in_(op.getInputSize()), h_(op.getHiddenSize()),
        gates_(op.getNumGates()), dirs_(op.getNumDirections()), ch_(layout_.ch), cx_(layout_.cx),
        batchMajor_(op.getLayout() == 1) {}

  LogicalResult run() {
    fmt_ = l_.formatIndex(op_);
    if (failed(placeValues()) || failed(checkCapacity()) || failed(readOperands()) || failed(loadMatrices()))
      return failure();
    declareBiasTable();
    for (int64_t d = 0; d < dirs_; ++d)
      for (int64_t b = 0; b < batch_; ++b)
        emitSequence(d, b);
    return success();
  }

private:
  void placeIn(const std::string &value, const std::string &mem, int64_t mfu) {
    for (const Place &p : places_[value])
      if (p.mem == mem && p.mfu == mfu)
        return;
    int64_t &next = nextAddr_[{mem, mfu}];
    places_[value].push_back({mem, mfu, next});
    next += value == "xn" ? cx_ : ch_; // the staged next x is x-sized
  }

  /// Where each named value lives: the IVRF runs of the plan, plus the local
  /// VRF of every MFU a step reading it is placed on.
  LogicalResult placeValues() {
    places_["x"].push_back({"IVRF", 0, plan_.ivrfX});
    places_["h"].push_back({"IVRF", 0, plan_.ivrfH});
    if (op_.getCell() == fpga::RnnCell::gru && !op_.getLinearBeforeReset())
      places_["rh"].push_back({"IVRF", 0, 0});
    // Every bias is the first step of a gate chain, so it is read on MFU 0;
    // placing them first keeps them contiguous, to be staged by one chain.
    for (const std::string &bias : plan_.biases)
      placeIn(bias, "ASVRF", 0);
    for (const ChainSpec &c : plan_.chains) {
      SmallVector<Step> steps;
      for (const NamedStep &s : c.steps)
        steps.push_back({s.inst, 0});
      auto mfus = l_.placeSteps(loc_, c.matrix >= 0, steps);
      if (failed(mfus))
        return failure();
      for (auto [s, mfu] : llvm::zip_equal(c.steps, *mfus))
        if (s.value)
          placeIn(s.value, isa::lookup(s.inst)->kind == isa::Kind::MfuMul ? "MULVRF" : "ASVRF", mfu);
      mfuOf_.push_back(*mfus);
    }
    for (const ChainSpec &c : plan_.chains)
      if (c.source && places_[c.source].empty())
        placeIn(c.source, "MULVRF", 0);
    // A run-time B is summed (W half + R half) through a temporary; a
    // constant one at compile time.
    if (op_.getB() && op_.getB().getDefiningOp<arith::ConstantOp>())
      constB_ = constantFloats(op_.getB());
    runtimeB_ = op_.getB() && !constB_;
    if (runtimeB_)
      placeIn("tmp", "ASVRF", 0);
    return success();
  }

  LogicalResult checkCapacity() {
    const target::Target &t = l_.t_;
    if (plan_.ivrfSize > static_cast<int64_t>(t.ivrfDepth))
      return op_.emitError() << describeOp(op_) << ": x and h need " << plan_.ivrfSize << " IVRF vectors; target '"
                             << t.name << "' has " << t.ivrfDepth;
    for (const auto &[key, used] : nextAddr_) {
      const int64_t depth = key.first == "ASVRF" ? t.asvrfDepth : t.mulvrfDepth;
      if (used > depth)
        return op_.emitError() << describeOp(op_) << ": hidden size " << h_ << " needs " << used << " " << key.first
                               << " vectors on MFU " << key.second << "; target '" << t.name << "' has " << depth;
    }
    return success();
  }

  SmallVector<Access> writesOf(const char *value, bool iter = false) {
    SmallVector<Access> out;
    for (const Place &p : places_[value])
      out.push_back({p.mem, p.addr, p.mfu, iter});
    return out;
  }
  Access readOf(const char *value) {
    const Place &p = places_[value].front();
    return Access{p.mem, p.addr, p.mfu, false};
  }

  /// Operands in DRAM, and the places of the results that are read.
  LogicalResult readOperands() {
    FailureOr<int64_t> x = l_.addrOf(op_.getX(), loc_);
    if (failed(x))
      return failure();
    xAddr_ = *x;
    for (auto [v, a] : {std::pair{op_.getB(), &bAddr_}, std::pair{op_.getInitialH(), &h0Addr_},
                        std::pair{op_.getInitialC(), &c0Addr_}}) {
      if (!v)
        continue;
      FailureOr<int64_t> addr = l_.addrOf(v, loc_);
      if (failed(addr))
        return failure();
      *a = *addr;
    }
    // The initial state when initial_h / initial_c is absent.
    const bool needZeros = !h0Addr_ || (op_.getCell() == fpga::RnnCell::lstm && !c0Addr_);
    zeros_ = needZeros ? l_.splat(loc_, 0.0f, h_) : 0;
    auto outAddr = [&](Value v) -> std::optional<int64_t> {
      if (!v || v.use_empty())
        return std::nullopt;
      return l_.resultAddr(v);
    };
    yAddr_ = outAddr(op_.getY());
    yhAddr_ = outAddr(op_.getYH());
    ycAddr_ = outAddr(op_.getYC());
    return success();
  }

  int64_t tileOf(int64_t d, const rnn::GateMatrix &m) const {
    return firstTile_ + d * layout_.tilesPerDirection + m.tile;
  }

  /// Gate matrices: pinned constants, or run-time tensors moved in with m_rd.
  LogicalResult loadMatrices() {
    auto w = op_.getW().getDefiningOp<arith::ConstantOp>();
    auto r = op_.getR().getDefiningOp<arith::ConstantOp>();
    const bool pinned = w && r && op_.getMrfTile();
    firstTile_ = pinned ? *op_.getMrfTile() : l_.scratchBase();
    if (pinned) {
      std::optional<FloatData> wv = FloatData::of(w.getValue()), rv = FloatData::of(r.getValue());
      if (!wv || !rv)
        return emitError(loc_) << "constant is not a dense float32 tensor";
      pinMatrices(wv->values(), rv->values());
      return success();
    }
    FailureOr<int64_t> wAddr = l_.addrOf(op_.getW(), loc_), rAddr = l_.addrOf(op_.getR(), loc_);
    if (failed(wAddr) || failed(rAddr))
      return failure();
    l_.setReg(loc_, SReg::MFmt, fmt_);
    l_.setReg(loc_, SReg::Rows, ch_);
    l_.setReg(loc_, SReg::MatH, h_);
    for (int64_t d = 0; d < dirs_; ++d)
      for (const rnn::GateMatrix &m : layout_.matrices) {
        l_.setReg(loc_, SReg::MatPitch, m.cols);
        const int64_t row = (d * gates_ + m.gate) * h_;
        if (m.wCol >= 0) {
          l_.setReg(loc_, SReg::Cols, cx_);
          l_.setReg(loc_, SReg::MatW, in_);
          fpga::MRdOp::create(l_.b_, loc_, *wAddr + row * in_, tileOf(d, m) + m.wCol, false);
        }
        if (m.rCol >= 0) {
          l_.setReg(loc_, SReg::Cols, ch_);
          l_.setReg(loc_, SReg::MatW, h_);
          fpga::MRdOp::create(l_.b_, loc_, *rAddr + row * h_, tileOf(d, m) + m.rCol, false);
        }
      }
    l_.setReg(loc_, SReg::MatPitch, 0);
    return success();
  }

  /// Declares each gate's [W | R] tile grid (RnnLayout.h) as a pinned matrix
  /// holding only the real elements: W's and R's columns side by side, in
  /// the grid's column order, with column parts (the input size and the
  /// hidden size) that start each part on its own tile column, so neither the
  /// IR nor the artifact holds the zeros between them.
  void pinMatrices(ArrayRef<float> wv, ArrayRef<float> rv) {
    OpBuilder::InsertionGuard g(l_.b_);
    l_.setInsertionPointForDeclaration();
    for (int64_t d = 0; d < dirs_; ++d)
      for (const rnn::GateMatrix &m : layout_.matrices) {
        // The parts in column order: (source, its row length).
        SmallVector<std::pair<const float *, int64_t>, 2> parts;
        const int64_t row0 = (d * gates_ + m.gate) * h_;
        if (m.wCol >= 0)
          parts.push_back({&wv[row0 * in_], in_});
        if (m.rCol >= 0)
          parts.push_back({&rv[row0 * h_], h_});
        if (m.wCol >= 0 && m.rCol >= 0 && m.rCol < m.wCol)
          std::swap(parts[0], parts[1]);
        int64_t width = 0;
        SmallVector<int64_t, 2> sizes;
        for (const auto &part : parts) {
          width += part.second;
          sizes.push_back(part.second);
        }
        std::vector<float> value(static_cast<size_t>(h_ * width));
        for (int64_t j = 0; j < h_; ++j) {
          float *dst = &value[j * width];
          for (const auto &[src, len] : parts)
            dst = std::copy_n(src + j * len, len, dst);
        }
        auto type = RankedTensorType::get({h_, width}, l_.b_.getF32Type());
        l_.declared(fpga::PinnedMatrixOp::create(
            l_.b_, loc_, floatConstant(type, value, blobName(loc_, "gate" + std::to_string(m.gate))), tileOf(d, m),
            m.rows, m.cols, fmt_, sizes.size() > 1 ? l_.b_.getDenseI64ArrayAttr(sizes) : nullptr));
        ++l_.numMatrices_;
      }
  }

  /// A constant (or absent) B: the biases each gate adds, summed here, padded
  /// to whole vectors and staged by one chain per direction.
  void declareBiasTable() {
    if (runtimeB_)
      return;
    const int64_t nb = static_cast<int64_t>(plan_.biases.size()), width = ch_ * l_.n_;
    std::vector<float> table(static_cast<size_t>(dirs_ * nb * width), 0.0f);
    if (constB_) {
      ArrayRef<float> bv = constB_->values();
      for (int64_t d = 0; d < dirs_; ++d)
        for (auto [k, name] : llvm::enumerate(plan_.biases)) {
          const float *wb = &bv[d * 2 * gates_ * h_], *rb = wb + gates_ * h_;
          float *dst = &table[(d * nb + static_cast<int64_t>(k)) * width];
          const bool onlyW = name == "wb", onlyR = name == "rb";
          const int64_t g = onlyW || onlyR ? 2 : name[1] - '0';
          for (int64_t j = 0; j < h_; ++j)
            dst[j] = (onlyR ? 0.0f : wb[g * h_ + j]) + (onlyW ? 0.0f : rb[g * h_ + j]);
        }
    }
    auto type = RankedTensorType::get({static_cast<int64_t>(table.size())}, l_.b_.getF32Type());
    biasTable_ = l_.allocate(static_cast<int64_t>(table.size()));
    OpBuilder::InsertionGuard g(l_.b_);
    l_.setInsertionPointForDeclaration();
    l_.declared(
        fpga::DramConstOp::create(l_.b_, loc_, floatConstant(type, table, blobName(loc_, "bias")), *biasTable_));
  }

  // Element offsets of x_t, Y_t and the state of (t, d, b) in their tensors.
  int64_t xAt(int64_t t, int64_t b) const { return xAddr_ + (batchMajor_ ? b * seq_ + t : t * batch_ + b) * in_; }
  int64_t xStep() const { return batchMajor_ ? in_ : batch_ * in_; }
  int64_t yAt(int64_t t, int64_t d, int64_t b) const {
    return *yAddr_ + (batchMajor_ ? (b * seq_ + t) * dirs_ + d : (t * dirs_ + d) * batch_ + b) * h_;
  }
  int64_t yStep() const { return batchMajor_ ? dirs_ * h_ : dirs_ * batch_ * h_; }
  int64_t stateAt(int64_t base, int64_t d, int64_t b) const {
    return base + (batchMajor_ ? b * dirs_ + d : d * batch_ + b) * h_;
  }

  /// Bias vector `name` of direction d: the sum of its W and R halves (or
  /// one of them), staged in every place the steps read it from.
  void stageBias(const std::string &name, int64_t d) {
    l_.setTransfer(loc_, ch_, h_, 1, std::nullopt);
    auto half = [&](bool recurrent, int64_t gate) {
      return *bAddr_ + d * 2 * gates_ * h_ + (recurrent ? gates_ * h_ : 0) + gate * h_;
    };
    SmallVector<Access> dst = writesOf(name.c_str());
    if (name == "wb" || name == "rb") {
      l_.chainTo(loc_, {"DRAM", half(name == "rb", 2)}, std::nullopt, {}, dst);
      return;
    }
    const int64_t gate = name[1] - '0';
    const Place tmp = places_["tmp"].front();
    l_.chainTo(loc_, {"DRAM", half(true, gate)}, std::nullopt, {}, {{tmp.mem, tmp.addr, tmp.mfu}});
    l_.chainTo(loc_, {"DRAM", half(false, gate)}, std::nullopt, {{"vv_add", tmp.addr}}, dst);
  }

  void stageState(const char *value, std::optional<int64_t> base, int64_t d, int64_t b) {
    l_.setTransfer(loc_, ch_, h_, 1, std::nullopt);
    l_.chainTo(loc_, {"DRAM", base ? stateAt(*base, d, b) : zeros_}, std::nullopt, {}, writesOf(value));
  }

  /// The next x: fetched from DRAM into its staging VRF, or moved into the IVRF.
  void moveNextX(const ChainSpec &c, int64_t t, int64_t b, int64_t sign) {
    if (c.fetchesX) {
      l_.setTransfer(loc_, cx_, in_, 1, std::nullopt);
      l_.setReg(loc_, SReg::RdStep, sign * xStep());
      l_.chainTo(loc_, {"DRAM", xAt(t + sign, b), 0, true}, std::nullopt, {}, writesOf("xn"));
    } else {
      l_.setReg(loc_, SReg::Cols, cx_);
      l_.chainTo(loc_, readOf("xn"), std::nullopt, {}, writesOf("x"));
    }
  }

  /// One chain of a timestep: its steps' operand addresses, its writes (and
  /// Y_t), then the chain itself.
  void emitChainSpec(const ChainSpec &c, ArrayRef<unsigned> mfus, bool iter, int64_t t, int64_t d, int64_t b,
                     int64_t sign) {
    SmallVector<Step> steps;
    for (auto [s, mfu] : llvm::zip_equal(c.steps, mfus)) {
      int64_t addr = 0;
      if (s.value) {
        const std::string mem = isa::lookup(s.inst)->kind == isa::Kind::MfuMul ? "MULVRF" : "ASVRF";
        for (const Place &p : places_[s.value])
          if (p.mem == mem && p.mfu == static_cast<int64_t>(mfu))
            addr = p.addr;
      }
      steps.push_back({s.inst, addr});
    }
    SmallVector<Access> dst;
    for (const char *v : c.writes)
      dst.append(writesOf(v));
    if (c.writesY && yAddr_) {
      l_.setReg(loc_, SReg::WrLen, h_);
      if (iter)
        l_.setReg(loc_, SReg::WrStep, sign * yStep());
      dst.push_back({"DRAM", yAt(t, d, b), 0, iter});
    }
    if (c.matrix >= 0) {
      l_.setReg(loc_, SReg::Rows, ch_);
      l_.setReg(loc_, SReg::Cols, c.cols);
      l_.setReg(loc_, SReg::MFmt, fmt_);
      l_.chainTo(loc_, {"IVRF", c.ivrf}, tileOf(d, layout_.matrices[c.matrix]), steps, dst);
    } else {
      l_.setReg(loc_, SReg::Cols, ch_);
      l_.chainTo(loc_, readOf(c.source), std::nullopt, steps, dst);
    }
  }

  /// One timestep. In the loop (`iter`), Y_t and the next x advance with the
  /// iteration; the peeled last step names its timestep `t` directly.
  /// `only`: just the chains of the next timestep (the prologue's).
  void timestep(bool iter, int64_t t, int64_t d, int64_t b, int64_t sign, bool only = false) {
    for (auto [c, mfus] : llvm::zip_equal(plan_.chains, mfuOf_)) {
      if (only ? !c.nextStep : c.nextStep && !iter)
        continue;
      if (c.fetchesX || c.storesX) {
        if (iter)
          moveNextX(c, t, b, sign);
        continue;
      }
      emitChainSpec(c, mfus, iter, t, d, b, sign);
    }
  }

  /// Direction d of batch entry b: prologue, loop, last step, epilogue.
  void emitSequence(int64_t d, int64_t b) {
    const bool reverse = op_.getDirection() == fpga::RnnDirection::reverse || d == 1;
    const int64_t sign = reverse ? -1 : 1, first = reverse ? seq_ - 1 : 0, last = reverse ? 0 : seq_ - 1;
    // x first: the first gate needs it and, with the biases and the initial
    // state, its DRAM latency is the prologue's.
    l_.setTransfer(loc_, cx_, in_, 1, std::nullopt);
    l_.chainTo(loc_, {"DRAM", xAt(first, b)}, std::nullopt, {}, writesOf("x"));
    if (b == 0 && biasTable_) {
      const int64_t nb = static_cast<int64_t>(plan_.biases.size());
      l_.setTransfer(loc_, nb * ch_, nb * ch_ * l_.n_, 1, std::nullopt);
      const Place &at = places_[plan_.biases.front()].front();
      l_.chainTo(loc_, {"DRAM", *biasTable_ + d * nb * ch_ * l_.n_}, std::nullopt, {}, {{at.mem, at.addr, at.mfu}});
    } else if (b == 0) {
      for (const std::string &bias : plan_.biases)
        stageBias(bias, d);
    }
    stageState("h", h0Addr_, d, b);
    if (op_.getCell() == fpga::RnnCell::lstm)
      stageState("c", c0Addr_, d, b);
    timestep(false, first, d, b, sign, /*only=*/true);
    if (seq_ > 1) {
      auto loop = fpga::LoopOp::create(l_.b_, loc_, seq_ - 1);
      loop.getBody().emplaceBlock();
      OpBuilder::InsertionGuard g(l_.b_);
      l_.b_.setInsertionPointToStart(&loop.getBody().front());
      timestep(true, first, d, b, sign);
    }
    timestep(false, last, d, b, sign);
    l_.setReg(loc_, SReg::Cols, ch_);
    l_.setReg(loc_, SReg::WrLen, h_);
    if (yhAddr_)
      l_.chainTo(loc_, readOf("h"), std::nullopt, {}, {{"DRAM", stateAt(*yhAddr_, d, b)}});
    if (ycAddr_)
      l_.chainTo(loc_, readOf("c"), std::nullopt, {}, {{"DRAM", stateAt(*ycAddr_, d, b)}});
  }

  Lowerer &l_;
  fpga::RnnOp op_;
  Location loc_;
  const rnn::Layout layout_;
  const CellPlan plan_;
  const int64_t seq_, batch_, in_, h_, gates_, dirs_, ch_, cx_;
  const bool batchMajor_;
  int64_t fmt_ = 0;
  std::map<std::string, SmallVector<Place>> places_;
  std::map<std::pair<std::string, int64_t>, int64_t> nextAddr_; ///< (mem, mfu) -> free vector
  SmallVector<SmallVector<unsigned>> mfuOf_;                    ///< MFU of each chain's steps
  std::optional<FloatData> constB_;
  bool runtimeB_ = false;
  int64_t xAddr_ = 0, zeros_ = 0, firstTile_ = 0;
  std::optional<int64_t> bAddr_, h0Addr_, c0Addr_, yAddr_, yhAddr_, ycAddr_, biasTable_;
};

LogicalResult Lowerer::lowerRnn(fpga::RnnOp op) { return RnnLowering(*this, op).run(); }

} // namespace softnpu::lowering
