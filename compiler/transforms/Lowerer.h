//===- Lowerer.h - fpga-lower-to-isa: state and helpers -------------------===//
//
// The lowering of tensor-level fpga ops to an fpga.program, shared by the
// files of the pass: LowerToIsa.cpp (the pass, matrix products, point-wise
// ops) and LowerRnn.cpp (recurrent layers).
//
// Memory plan (docs/architecture.md): every tensor lives in DRAM, dense and
// row-major; graph inputs first, then outputs, then constants and
// intermediates in program order (no reuse yet). Staging in the VRFs, owned by
// one op's chains at a time:
//   IVRF[0 ..)            one row of X' for the matrix unit
//   ASVRF[m][0 ..)        bias / second add operand of the chain being built
//   MULVRF[m][0 .. rows)  alpha vector; MULVRF[0][rows .. 2 rows) beta vector
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERER_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERER_H

#include "compiler/Diagnostics.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaIsa.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <array>
#include <functional>
#include <map>

namespace softnpu::lowering {

using namespace mlir;
using isa::SReg;

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t numElements(Value v) { return cast<RankedTensorType>(v.getType()).getNumElements(); }
inline ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// A point-wise step of a chain before its MFU is known.
struct Step {
  const char *inst;
  int64_t addr = 0; ///< VRF address of the second operand, if any
};

class Lowerer {
public:
  Lowerer(ModuleOp module, const target::Target &t)
      : module_(module), t_(t), n_(t.nativeDim), b_(module.getContext()),
        formats_{{t.weightFormat.name(), t.inputFormat.name()}} {
    for (unsigned r = 0; r < isa::kNumSRegs; ++r)
      sreg_[r] = isa::sregReset(static_cast<SReg>(r));
  }

  LogicalResult run(func::FuncOp func) {
    b_.setInsertionPoint(func);
    program_ = fpga::ProgramOp::create(b_, func.getLoc(), func.getSymName(), 0, ArrayAttr());
    program_.getBody().emplaceBlock();
    b_.setInsertionPointToStart(&program_.getBody().front());

    for (BlockArgument arg : func.getArguments()) {
      if (!cast<RankedTensorType>(arg.getType()).getElementType().isF32())
        return func.emitError() << "graph input '" << argName(func, arg.getArgNumber())
                                << "' is not float32; the NPU runs float32 tensors";
      if (failed(checkNetworkQueue(func, "input", argName(func, arg.getArgNumber()), arg)))
        return failure();
      addr_[arg] = allocate(numElements(arg));
      fpga::InputOp::create(b_, func.getLoc(), argName(func, arg.getArgNumber()),
                            shapeOf(arg), addr_[arg]);
    }
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<int64_t> outAddr;
    for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
      if (!cast<RankedTensorType>(v.getType()).getElementType().isF32())
        return ret.emitError() << "graph output " << i << " is not float32";
      if (failed(checkNetworkQueue(func, "output", resultName(func, i), v)))
        return failure();
      int64_t a = allocate(numElements(v));
      outAddr.push_back(a);
      fpga::OutputOp::create(b_, func.getLoc(), resultName(func, i), shapeOf(v), a);
      // Computed outputs are written in place; others are copied at the end.
      Value root = rootOf(v);
      Operation *def = root.getDefiningOp();
      if (def && llvm::isa<fpga::LinearOp, fpga::AddOp, fpga::ActivationOp, fpga::RnnOp>(def) &&
          !addr_.count(root))
        addr_[root] = a;
      else
        copies_.push_back({root, a, numElements(v), ret.getLoc()});
    }

    for (Operation &op : func.getBody().front()) {
      b_.setInsertionPointToEnd(&program_.getBody().front());
      LogicalResult r = success();
      if (auto l = dyn_cast<fpga::LinearOp>(op))
        r = lowerLinear(l);
      else if (auto a = dyn_cast<fpga::AddOp>(op))
        r = lowerAdd(a);
      else if (auto act = dyn_cast<fpga::ActivationOp>(op))
        r = lowerActivation(act);
      else if (auto rnn = dyn_cast<fpga::RnnOp>(op))
        r = lowerRnn(rnn);
      else if (llvm::isa<arith::ConstantOp, fpga::WeightsOp, fpga::ReshapeOp, func::ReturnOp>(op))
        continue;
      else
        return op.emitError() << describeOp(&op) << ": cannot be lowered to NPU instructions";
      if (failed(r))
        return failure();
      if (Value produced = recordedResult(op))
        recordTensor(produced, op.getLoc());
    }
    program_.setFormatsAttr(formatTable());
    b_.setInsertionPointToEnd(&program_.getBody().front());
    for (const Copy &c : copies_) {
      Location loc = NameLoc::get(b_.getStringAttr("output copy"), c.loc);
      FailureOr<int64_t> src = addrOf(c.value, loc);
      if (failed(src))
        return failure();
      pointwise(loc, *src, 1, c.dst, c.count, {});
    }
    if (static_cast<uint64_t>(dramNext_) * 4 > t_.dramBytes)
      return func.emitError() << "the model needs " << dramNext_ * 4 << " bytes of DRAM; target '"
                              << t_.name << "' has " << t_.dramBytes;
    program_.setDramElements(dramNext_);
    func.erase();
    return success();
  }

private:
  struct Copy {
    Value value;
    int64_t dst, count;
    Location loc;
  };

  static std::string argName(func::FuncOp f, unsigned i) {
    auto a = f.getArgAttrOfType<StringAttr>(i, "onnx.name");
    return a ? a.str() : "input" + std::to_string(i);
  }
  static std::string resultName(func::FuncOp f, unsigned i) {
    auto a = f.getResultAttrOfType<StringAttr>(i, "onnx.name");
    return a ? a.str() : "output" + std::to_string(i);
  }

  /// Graph inputs and outputs cross the network queues in one request.
  LogicalResult checkNetworkQueue(func::FuncOp func, const char *role, const std::string &name, Value v) {
    int64_t vectors = ceilDiv(numElements(v), n_);
    if (vectors <= static_cast<int64_t>(t_.networkQueueDepth))
      return success();
    return func.emitError() << "graph " << role << " '" << name << "' is " << vectors
                            << " native vectors; the network queues of target '" << t_.name
                            << "' hold " << t_.networkQueueDepth << " (network_queue_depth)";
  }

  int64_t allocate(int64_t count) {
    int64_t a = dramNext_;
    dramNext_ += count;
    return a;
  }

  static Value rootOf(Value v) {
    while (auto r = v.getDefiningOp<fpga::ReshapeOp>())
      v = r.getX();
    return v;
  }

  /// DRAM address of a tensor; constants are placed on first use.
  FailureOr<int64_t> addrOf(Value v, Location loc) {
    v = rootOf(v);
    if (auto it = addr_.find(v); it != addr_.end())
      return it->second;
    if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
      auto attr = dyn_cast<DenseElementsAttr>(c.getValue());
      if (!attr || !attr.getElementType().isF32())
        return emitError(loc) << "constant is not a dense float32 tensor";
      int64_t a = allocate(attr.getNumElements());
      OpBuilder::InsertionGuard g(b_);
      setInsertionPointForDeclaration();
      fpga::DramConstOp::create(b_, c.getLoc(), attr, a);
      addr_[v] = a;
      return a;
    }
    return emitError(loc) << "internal error: tensor has no DRAM address yet";
  }

  /// Records where the tensor a node produced lives, for layer reports.
  void recordTensor(Value v, Location loc) {
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    fpga::TensorRecordOp::create(b_, loc, shapeOf(v), addr_.lookup(v));
  }

  /// Index of a layer's (weight, input) format pair in the program's format
  /// table; entry 0 is the target's pair.
  template <typename OpT> int64_t formatIndex(OpT op) {
    std::pair<std::string, std::string> pair{t_.weightFormat.name(), t_.inputFormat.name()};
    if (auto w = op.getWeightFormatAttr())
      pair.first = w.getName().str();
    if (auto i = op.getInputFormatAttr())
      pair.second = i.getName().str();
    auto it = llvm::find(formats_, pair);
    if (it != formats_.end())
      return it - formats_.begin();
    formats_.push_back(pair);
    return static_cast<int64_t>(formats_.size()) - 1;
  }

  ArrayAttr formatTable() {
    MLIRContext *ctx = b_.getContext();
    SmallVector<Attribute> entries;
    for (const auto &[w, i] : formats_)
      entries.push_back(b_.getArrayAttr({fpga::FormatAttr::get(ctx, w), fpga::FormatAttr::get(ctx, i)}));
    return b_.getArrayAttr(entries);
  }

  int64_t resultAddr(Value v) {
    auto [it, inserted] = addr_.try_emplace(v, 0);
    if (inserted)
      it->second = allocate(numElements(v));
    return it->second;
  }

  /// Declarations stay in front of the instruction stream.
  void setInsertionPointForDeclaration() {
    Block &body = program_.getBody().front();
    for (Operation &op : body)
      if (!llvm::isa<fpga::InputOp, fpga::OutputOp, fpga::PinnedMatrixOp, fpga::StreamedMatrixOp,
                     fpga::DramConstOp, fpga::TensorRecordOp>(op))
        return b_.setInsertionPoint(&op);
    b_.setInsertionPointToEnd(&body);
  }

  void setReg(Location loc, SReg r, int64_t v) {
    auto &cur = sreg_[static_cast<unsigned>(r)];
    if (cur == v)
      return;
    fpga::SWrOp::create(b_, loc, isa::sregName(r), v);
    cur = v;
  }

  /// Sets the DRAM transfer registers for reading `len` elements with `stride`
  /// into `cols` vectors and, for chains that write DRAM, writing `wrLen`.
  void setTransfer(Location loc, int64_t cols, int64_t len, int64_t stride,
                   std::optional<int64_t> wrLen) {
    setReg(loc, SReg::Cols, cols);
    setReg(loc, SReg::RdLen, len);
    setReg(loc, SReg::RdStride, stride);
    if (wrLen)
      setReg(loc, SReg::WrLen, *wrLen);
  }

  /// MFU index of each step when they follow an optional mv_mul in a chain.
  FailureOr<SmallVector<unsigned>> placeSteps(Location loc, bool matVec, ArrayRef<Step> steps) {
    std::vector<isa::Inst> insts{{isa::Opcode::VRd, isa::MemSpace::Ivrf}};
    if (matVec)
      insts.push_back({isa::Opcode::MvMul});
    for (const Step &s : steps)
      insts.push_back({isa::lookup(s.inst)->opcode});
    insts.push_back({isa::Opcode::VWr, isa::MemSpace::Dram});
    insts.push_back({isa::Opcode::EndChain});
    isa::ProgramPlan plan;
    std::string err;
    if (!isa::planProgram(insts, t_.mfuConfig(), plan, err))
      return emitError(loc) << nodeNameOf(loc) << ": the hardware cannot run this chain: " << err;
    SmallVector<unsigned> mfus;
    for (size_t i = 0; i < steps.size(); ++i)
      mfus.push_back(plan.chains[0].mfuOfOp[i + (matVec ? 2 : 1)]);
    return mfus;
  }

  /// The result a layer report shows for `op`: its first result, or for a
  /// recurrent layer the first one it writes (null when none).
  static Value recordedResult(Operation &op) {
    auto rnn = dyn_cast<fpga::RnnOp>(op);
    if (!rnn)
      return op.getResult(0);
    for (Value v : {rnn.getYH(), rnn.getY(), rnn.getYC()})
      if (v && !v.use_empty())
        return v;
    return Value();
  }

  /// One end of a chain: a memory, address and MFU (for ASVRF / MULVRF);
  /// `iter` adds the loop iteration times RD_STEP / WR_STEP.
  struct Access {
    std::string mem;
    int64_t addr = 0;
    int64_t mfu = 0;
    bool iter = false;
  };

  /// Emits a chain that may write several places.
  void chainTo(Location loc, const Access &rd, std::optional<int64_t> mvTile, ArrayRef<Step> steps,
               ArrayRef<Access> writes) {
    auto c = fpga::ChainOp::create(b_, loc);
    c.getBody().emplaceBlock();
    OpBuilder::InsertionGuard g(b_);
    b_.setInsertionPointToStart(&c.getBody().front());
    fpga::VRdOp::create(b_, loc, rd.mem, rd.addr, rd.mfu, rd.iter);
    if (mvTile)
      fpga::MvMulOp::create(b_, loc, *mvTile);
    for (const Step &s : steps)
      fpga::MfuOp::create(b_, loc, s.inst, s.addr);
    for (const Access &w : writes)
      fpga::VWrOp::create(b_, loc, w.mem, w.addr, w.mfu, w.iter);
  }

  /// Forgets the scalar registers' values: at a loop's head and after it the
  /// value depends on the iteration, so the next use writes it again.
  void forgetRegs() { sreg_.fill(-1); }

  /// Lowers an fpga.rnn (LowerRnn.cpp).
  LogicalResult lowerRnn(fpga::RnnOp op);

  /// Emits a chain: v_rd from (mem, addr, mfu), optional mv_mul, steps, v_wr.
  void chain(Location loc, StringRef rdMem, int64_t rdAddr, int64_t rdMfu,
             std::optional<int64_t> mvTile, ArrayRef<Step> steps, StringRef wrMem, int64_t wrAddr,
             int64_t wrMfu) {
    auto c = fpga::ChainOp::create(b_, loc);
    c.getBody().emplaceBlock();
    OpBuilder::InsertionGuard g(b_);
    b_.setInsertionPointToStart(&c.getBody().front());
    fpga::VRdOp::create(b_, loc, rdMem, rdAddr, rdMfu, false);
    if (mvTile)
      fpga::MvMulOp::create(b_, loc, *mvTile);
    for (const Step &s : steps)
      fpga::MfuOp::create(b_, loc, s.inst, s.addr);
    fpga::VWrOp::create(b_, loc, wrMem, wrAddr, wrMfu, false);
  }

  /// DRAM -> [steps] -> DRAM over `count` elements, split into chains of at
  /// most `maxVectors` vectors.
  void pointwise(Location loc, int64_t src, int64_t srcStride, int64_t dst, int64_t count,
                 ArrayRef<Step> steps, int64_t maxVectors = 4096) {
    for (int64_t off = 0; off < count; off += maxVectors * n_) {
      int64_t len = std::min(count - off, maxVectors * n_);
      setTransfer(loc, ceilDiv(len, n_), len, srcStride, len);
      chain(loc, "DRAM", src + off * srcStride, 0, std::nullopt, steps, "DRAM", dst + off, 0);
    }
  }

  /// Loads `len` DRAM elements (with stride) into `vectors` vectors of a VRF.
  void stage(Location loc, int64_t src, int64_t len, int64_t stride, int64_t vectors,
             ArrayRef<Step> steps, StringRef mem, int64_t addr, int64_t mfu) {
    setTransfer(loc, vectors, len, stride, std::nullopt);
    chain(loc, "DRAM", src, 0, std::nullopt, steps, mem, addr, mfu);
  }

  /// A vector of `count` copies of `value`, as a DRAM constant.
  int64_t splat(Location loc, float value, int64_t count) {
    auto type = RankedTensorType::get({count}, b_.getF32Type());
    auto attr = DenseElementsAttr::get(type, value);
    int64_t a = allocate(count);
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    fpga::DramConstOp::create(b_, loc, attr, a);
    return a;
  }

  /// Offsets of each row (last dimension) of `operand` when broadcast to
  /// `outShape`, and the element stride along the last dimension (0 when the
  /// operand broadcasts along it).
  static std::pair<std::vector<int64_t>, int64_t> broadcastRows(ArrayRef<int64_t> operand,
                                                                ArrayRef<int64_t> outShape) {
    size_t rank = outShape.size();
    std::vector<int64_t> dims(rank, 1), strides(rank, 0);
    for (size_t i = 0; i < operand.size(); ++i)
      dims[rank - operand.size() + i] = operand[i];
    int64_t s = 1;
    for (size_t i = rank; i-- > 0;) {
      strides[i] = dims[i] == 1 ? 0 : s;
      s *= dims[i];
    }
    int64_t lastStride = rank ? strides[rank - 1] : 0;
    std::vector<int64_t> offsets{0};
    for (size_t d = 0; d + 1 < rank; ++d) {
      std::vector<int64_t> next;
      for (int64_t base : offsets)
        for (int64_t i = 0; i < outShape[d]; ++i)
          next.push_back(base + i * strides[d]);
      offsets.swap(next);
    }
    return {offsets, lastStride};
  }

  /// Part of a matrix's tile grid that is in the MRF at once: all of it
  /// (pinned or run-time matrices), or a panel of whole tile rows of a
  /// streamed matrix.
  struct Panel {
    int64_t firstRowTile = 0, rowTiles = 0;
    int64_t tile = 0; ///< MRF tile holding the panel's first tile
  };

  /// The panels of a streamed matrix: `panel_rows` tile rows each (fpga-tile).
  SmallVector<Panel> panelsOf(fpga::WeightsOp w, int64_t rows) {
    int64_t per = rows;
    if (auto attr = w->getAttrOfType<IntegerAttr>("panel_rows"))
      per = std::max<int64_t>(1, attr.getInt());
    SmallVector<Panel> panels;
    for (int64_t first = 0; first < rows; first += per)
      panels.push_back({first, std::min(per, rows - first), 0});
    return panels;
  }

  /// The scratch buffer the next streamed panel goes to (they alternate when
  /// fpga-tile reserved two).
  int64_t takeScratchBuffer() {
    auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>("fpga.mrf_scratch");
    if (!scratch)
      return scratchBase();
    int64_t buffer = nextBuffer_;
    nextBuffer_ = (nextBuffer_ + 1) % std::max<int64_t>(1, scratch[2]);
    return scratch[0] + buffer * scratch[1];
  }

  LogicalResult lowerLinear(fpga::LinearOp op) {
    Location loc = op.getLoc();
    auto grid = op.getTileGrid();
    if (!grid)
      return op.emitError() << describeOp(op) << ": no tile grid (run fpga-tile first)";
    int64_t rows = (*grid)[0], cols = (*grid)[1];
    int64_t r = op.getNumRows(), k = op.getReductionSize(), p = op.getNumOutputs();

    // The matrix: pinned weights, streamed weights (panel by panel) or a
    // run-time matrix moved into scratch tiles.
    int64_t fmt = formatIndex(op);
    SmallVector<Panel> panels{{0, rows, 0}};
    auto w = op.getW().getDefiningOp<fpga::WeightsOp>();
    bool streamed = w && w.getStreamed();
    if (streamed) {
      panels = panelsOf(w, rows);
    } else if (w) {
      if (!w.getMrfTile())
        return op.emitError() << describeOp(op) << ": weights not placed (run fpga-tile first)";
      panels[0].tile = *w.getMrfTile();
      if (declared_.insert(w).second) {
        OpBuilder::InsertionGuard g(b_);
        setInsertionPointForDeclaration();
        fpga::PinnedMatrixOp::create(b_, w.getLoc(), w.getValue(), panels[0].tile, rows, cols, fmt);
        ++numMatrices_;
      }
    } else {
      FailureOr<int64_t> m = addrOf(op.getW(), loc);
      if (failed(m))
        return failure();
      panels[0].tile = scratchBase();
      ArrayRef<int64_t> ws = shapeOf(op.getW());
      setReg(loc, SReg::Rows, rows);
      setReg(loc, SReg::Cols, cols);
      setReg(loc, SReg::MatH, ws[0]);
      setReg(loc, SReg::MatW, ws[1]);
      setReg(loc, SReg::MatPitch, 0);
      setReg(loc, SReg::MFmt, fmt);
      fpga::MRdOp::create(b_, loc, *m, panels[0].tile, op.getTransposeW());
    }

    // The chain's point-wise steps and where they run.
    float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
    SmallVector<Step> steps;
    int alphaStep = -1, biasStep = -1;
    if (alpha != 1.0f) {
      alphaStep = static_cast<int>(steps.size());
      steps.push_back({"vv_mul", 0});
    }
    if (op.getBias()) {
      biasStep = static_cast<int>(steps.size());
      steps.push_back({"vv_add", 0});
    }
    if (op.getActivation() != "none")
      steps.push_back({op.getActivation() == "relu" ? "v_relu"
                       : op.getActivation() == "sigmoid" ? "v_sigm"
                                                          : "v_tanh"});
    auto mfus = placeSteps(loc, true, steps);
    if (failed(mfus))
      return failure();

    // alpha and beta are the same in every lane: staged once for all panels.
    if (alphaStep >= 0)
      stage(loc, splat(loc, alpha, p), p, 1, rows, {}, "MULVRF", 0, (*mfus)[alphaStep]);
    std::vector<int64_t> biasRows;
    int64_t biasStride = 1, biasAddr = 0, betaAddr = rows;
    if (Value bias = op.getBias()) {
      FailureOr<int64_t> a = addrOf(bias, loc);
      if (failed(a))
        return failure();
      biasAddr = *a;
      std::tie(biasRows, biasStride) = broadcastRows(shapeOf(bias), {r, p});
      if (beta != 1.0f)
        stage(loc, splat(loc, beta, p), p, 1, rows, {}, "MULVRF", betaAddr, 0);
    }
    bool biasPerRow = biasStep >= 0 && llvm::any_of(biasRows, [&](int64_t o) { return o != biasRows[0]; });

    FailureOr<int64_t> x = addrOf(op.getX(), loc);
    if (failed(x))
      return failure();
    int64_t y = resultAddr(op.getY());
    for (size_t pi = 0; pi < panels.size(); ++pi) {
      Panel &panel = panels[pi];
      int64_t first = panel.firstRowTile * n_, len = std::min(p - first, panel.rowTiles * n_);
      if (streamed) {
        panel.tile = streamIn(w, panels, pi, loc);
        // Move the next panel (or the next streamed layer's first one) in now,
        // so its DRAM transfer overlaps this panel's chains.
        if (pi + 1 < panels.size())
          prefetch(w, panels, pi + 1, loc);
        else
          prefetchNextLayer(op);
      }
      auto stageBias = [&](int64_t row) {
        SmallVector<Step> pre;
        if (beta != 1.0f)
          pre.push_back({"vv_mul", betaAddr});
        stage(loc, biasAddr + biasRows[row] + first * biasStride, len, biasStride, panel.rowTiles,
              pre, "ASVRF", 0, (*mfus)[biasStep]);
      };
      if (biasStep >= 0 && !biasPerRow)
        stageBias(0);
      // Rows alternate between two IVRF buffers when both fit, so staging row
      // i + 1 does not wait for row i's product to finish reading (the timing
      // model overlaps the DRAM read with the matrix unit).
      const int64_t ivrfBuffers = 2 * cols <= static_cast<int64_t>(t_.ivrfDepth) ? 2 : 1;
      for (int64_t i = 0; i < r; ++i) {
        const int64_t xBuf = (i % ivrfBuffers) * cols;
        // With one row, the IVRF still holds it from the previous panel.
        if (r > 1 || pi == 0) {
          int64_t xRow = op.getTransposeX() ? *x + i : *x + i * k;
          stage(loc, xRow, k, op.getTransposeX() ? r : 1, cols, {}, "IVRF", xBuf, 0);
        }
        if (biasPerRow)
          stageBias(i);
        setReg(loc, SReg::Rows, panel.rowTiles);
        setReg(loc, SReg::Cols, cols);
        setReg(loc, SReg::WrLen, len);
        setReg(loc, SReg::MFmt, fmt);
        chain(loc, "IVRF", xBuf, 0, panel.tile, steps, "DRAM", y + i * p + first, 0);
      }
    }
    return success();
  }

  /// The matrix-table index of panel `pi` of a streamed matrix, declaring it
  /// (the rows of W' in that panel) on first use.
  int64_t panelIndex(fpga::WeightsOp w, ArrayRef<Panel> panels, size_t pi) {
    auto key = std::make_pair(w.getOperation(), pi);
    auto [it, fresh] = streamedPanels_.try_emplace(key, numMatrices_);
    if (!fresh)
      return it->second;
    auto value = cast<DenseElementsAttr>(w.getValue());
    auto shape = cast<RankedTensorType>(value.getType()).getShape();
    int64_t first = panels[pi].firstRowTile * n_;
    int64_t count = std::min(shape[0] - first, panels[pi].rowTiles * n_);
    auto all = llvm::to_vector(value.getValues<float>());
    auto sliceType = RankedTensorType::get({count, shape[1]}, b_.getF32Type());
    auto slice = DenseElementsAttr::get(
        sliceType, llvm::ArrayRef<float>(all).slice(first * shape[1], count * shape[1]));
    fpga::LinearOp user;
    for (Operation *u : w->getUsers())
      if ((user = dyn_cast<fpga::LinearOp>(u)))
        break;
    OpBuilder::InsertionGuard g(b_);
    setInsertionPointForDeclaration();
    fpga::StreamedMatrixOp::create(b_, w.getLoc(), slice, numMatrices_, panels[pi].rowTiles,
                                   ceilDiv(shape[1], n_), user ? formatIndex(user) : 0);
    return numMatrices_++;
  }

  /// Moves panel `pi` into the next scratch buffer (once); returns its tile.
  int64_t prefetch(fpga::WeightsOp w, ArrayRef<Panel> panels, size_t pi, Location loc) {
    auto key = std::make_pair(w.getOperation(), pi);
    if (auto it = loadedAt_.find(key); it != loadedAt_.end())
      return it->second;
    int64_t tile = takeScratchBuffer();
    fpga::MRdStreamOp::create(b_, loc, panelIndex(w, panels, pi), tile);
    loadedAt_[key] = tile;
    return tile;
  }

  /// Panel `pi` in the MRF for use now (moved in earlier by a prefetch, or now).
  int64_t streamIn(fpga::WeightsOp w, ArrayRef<Panel> panels, size_t pi, Location loc) {
    int64_t tile = prefetch(w, panels, pi, loc);
    loadedAt_.erase(std::make_pair(w.getOperation(), pi));
    return tile;
  }

  /// With two scratch buffers: the next streamed layer's first panel.
  void prefetchNextLayer(fpga::LinearOp op) {
    auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>("fpga.mrf_scratch");
    if (!scratch || scratch[2] < 2)
      return;
    for (Operation *next = op->getNextNode(); next; next = next->getNextNode()) {
      auto l = dyn_cast<fpga::LinearOp>(next);
      if (!l)
        continue;
      auto w = l.getW().getDefiningOp<fpga::WeightsOp>();
      if (!w)
        return; // a run-time matrix will use the scratch tiles first
      if (!w.getStreamed())
        continue;
      if (auto grid = l.getTileGrid())
        prefetch(w, panelsOf(w, (*grid)[0]), 0, l.getLoc());
      return;
    }
  }
  /// Run-time matrices use the first scratch buffer fpga-tile reserved after
  /// the pinned tiles (or, without that record, the tiles after them).
  int64_t scratchBase() {
    if (auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>("fpga.mrf_scratch"))
      return scratch[0];
    int64_t first = 0;
    module_.walk([&](fpga::WeightsOp w) {
      if (w.getMrfTile()) {
        auto s = cast<RankedTensorType>(w.getType()).getShape();
        first = std::max<int64_t>(first, *w.getMrfTile() + ceilDiv(s[0], n_) * ceilDiv(s[1], n_));
      }
    });
    return first;
  }

  LogicalResult lowerAdd(fpga::AddOp op) {
    Location loc = op.getLoc();
    FailureOr<int64_t> a = addrOf(op.getLhs(), loc), bAddr = addrOf(op.getRhs(), loc);
    if (failed(a) || failed(bAddr))
      return failure();
    int64_t out = resultAddr(op.getResult());
    ArrayRef<int64_t> outShape = shapeOf(op.getResult());
    int64_t count = numElements(op.getResult());
    int64_t depthElems = static_cast<int64_t>(t_.asvrfDepth) * n_;
    if (shapeOf(op.getLhs()) == outShape && shapeOf(op.getRhs()) == outShape) {
      for (int64_t off = 0; off < count; off += depthElems) {
        int64_t len = std::min(count - off, depthElems);
        stage(loc, *bAddr + off, len, 1, ceilDiv(len, n_), {}, "ASVRF", 0, 0);
        pointwise(loc, *a + off, 1, out + off, len, {{"vv_add", 0}});
      }
      return success();
    }
    int64_t c = outShape.empty() ? 1 : outShape.back();
    if (ceilDiv(c, n_) > static_cast<int64_t>(t_.asvrfDepth))
      return op.emitError() << describeOp(op) << ": broadcast rows of " << c
                            << " elements do not fit the ASVRF";
    auto [lhsRows, lhsStride] = broadcastRows(shapeOf(op.getLhs()), outShape);
    auto [rhsRows, rhsStride] = broadcastRows(shapeOf(op.getRhs()), outShape);
    int64_t staged = -1;
    for (size_t i = 0; i < lhsRows.size(); ++i) {
      if (rhsRows[i] != staged) {
        stage(loc, *bAddr + rhsRows[i], c, rhsStride, ceilDiv(c, n_), {}, "ASVRF", 0, 0);
        staged = rhsRows[i];
      }
      setTransfer(loc, ceilDiv(c, n_), c, lhsStride, c);
      chain(loc, "DRAM", *a + lhsRows[i], 0, std::nullopt, {{"vv_add", 0}}, "DRAM",
            out + static_cast<int64_t>(i) * c, 0);
    }
    return success();
  }

  LogicalResult lowerActivation(fpga::ActivationOp op) {
    Location loc = op.getLoc();
    FailureOr<int64_t> x = addrOf(op.getX(), loc);
    if (failed(x))
      return failure();
    StringRef k = op.getKind();
    const char *inst = k == "relu" ? "v_relu" : k == "sigmoid" ? "v_sigm" : "v_tanh";
    pointwise(loc, *x, 1, resultAddr(op.getY()), numElements(op.getY()), {{inst, 0}});
    return success();
  }

  ModuleOp module_;
  const target::Target &t_;
  const int64_t n_;
  OpBuilder b_;
  fpga::ProgramOp program_;
  int64_t dramNext_ = 0;
  llvm::DenseMap<Value, int64_t> addr_;
  llvm::DenseSet<Operation *> declared_;           ///< pinned weights declared
  int64_t numMatrices_ = 0;                        ///< matrix table entries declared
  std::map<std::pair<Operation *, size_t>, int64_t> streamedPanels_; ///< -> table index
  std::map<std::pair<Operation *, size_t>, int64_t> loadedAt_;       ///< prefetched -> tile
  int64_t nextBuffer_ = 0;
  SmallVector<Copy> copies_;
  std::vector<std::pair<std::string, std::string>> formats_;
  std::array<int64_t, isa::kNumSRegs> sreg_{};
};

} // namespace softnpu::lowering

#endif
