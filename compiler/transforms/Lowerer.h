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

  LogicalResult run(func::FuncOp func);

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

  /// Lowers an fpga.extract: one copy chain per row (LowerToIsa.cpp).
  LogicalResult lowerExtract(fpga::ExtractOp op);

  /// Lowers an fpga.transpose: one strided copy chain per result row.
  LogicalResult lowerTranspose(fpga::TransposeOp op);

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
    if (std::optional<uint64_t> panelRows = w.getPanelRows())
      per = std::max<int64_t>(1, *panelRows);
    SmallVector<Panel> panels;
    for (int64_t first = 0; first < rows; first += per)
      panels.push_back({first, std::min(per, rows - first), 0});
    return panels;
  }

  /// The scratch buffer the next streamed panel goes to (they alternate when
  /// fpga-tile reserved two).
  int64_t takeScratchBuffer() {
    auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>(fpga::FpgaDialect::kMrfScratchAttrName);
    if (!scratch)
      return scratchBase();
    int64_t buffer = nextBuffer_;
    nextBuffer_ = (nextBuffer_ + 1) % std::max<int64_t>(1, scratch[2]);
    return scratch[0] + buffer * scratch[1];
  }

  LogicalResult lowerLinear(fpga::LinearOp op);

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
    auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>(fpga::FpgaDialect::kMrfScratchAttrName);
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
    if (auto scratch = module_->getAttrOfType<DenseI64ArrayAttr>(fpga::FpgaDialect::kMrfScratchAttrName))
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

  LogicalResult lowerAdd(fpga::AddOp op);

  LogicalResult lowerActivation(fpga::ActivationOp op);

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
