//===- Lowerer.h - fpga-lower-to-isa: the lowering's state -----*- C++ -*-===//
//
// The lowering of tensor-level fpga ops to an fpga.program. Each job lives in
// its own files under lowering/ and is only driven from here:
//   MemoryPlan     where each intermediate lives, planned before emission:
//                  an IVRF region or a DRAM place (DramPlan) reused by liveness
//   MrfStreaming   panels of streamed weights through MRF scratch buffers
//   Chains         fpga.chain emission and MFU placement of point-wise steps
// Before each chain and m_rd, every control register it needs is written
// (setReg: an fpga.s_wr), whatever the register holds; fpga-elide-scalar-writes
// (ElideScalarWrites.cpp), next in the pipeline, removes the writes of values
// a register already holds.
// The op lowerings: LowerToIsa.cpp (the pass and the program skeleton),
// LowerLinear.cpp (matrix products), LowerPointwise.cpp (add, activation,
// extract, transpose), LowerRnn.cpp (recurrent layers).
//
// VRF staging, owned by one op's chains at a time:
//   IVRF[0 ..)            rows of X' for the matrix unit (kept results sit
//                         above, from the top down, MemoryPlan.h)
//   ASVRF[m][0 ..)        bias / second add operand of the chain being built
//   MULVRF[m][0 .. rows)  alpha vector; MULVRF[0][rows .. 2 rows) beta vector
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_LOWERER_H
#define SOFTNPU_COMPILER_TRANSFORMS_LOWERER_H

#include "compiler/Diagnostics.h"
#include "compiler/TensorUtils.h"
#include "compiler/transforms/lowering/Chains.h"
#include "compiler/transforms/lowering/MemoryPlan.h"
#include "compiler/transforms/lowering/MrfStreaming.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaIsa.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/MathExtras.h"

#include <map>
#include <optional>

namespace softnpu::lowering {

inline int64_t numElements(mlir::Value v) { return mlir::cast<mlir::RankedTensorType>(v.getType()).getNumElements(); }

class RnnLowering;

class Lowerer {
  friend class RnnLowering; // LowerRnn.cpp: one recurrent layer's lowering
public:
  /// `keepIntermediates`: every node's result gets its own DRAM place, kept
  /// to the end of the run (layer reports), and nothing stays on chip.
  Lowerer(mlir::ModuleOp module, const target::Target &t, bool keepIntermediates)
      : module_(module), t_(t), n_(t.nativeDim), b_(module.getContext()), mrf_(module, t.nativeDim),
        keepIntermediates_(keepIntermediates), formats_{{t.weightFormat.name(), t.inputFormat.name()}} {}

  mlir::LogicalResult run(mlir::func::FuncOp func);

private:
  //===--- The program skeleton (LowerToIsa.cpp) -------------------------===//
  mlir::LogicalResult declareInputs(mlir::func::FuncOp func);
  mlir::LogicalResult declareOutputs(mlir::func::FuncOp func);
  mlir::LogicalResult lowerOp(mlir::Operation &op);
  mlir::LogicalResult finish(mlir::func::FuncOp func);
  /// Graph inputs and outputs cross the network queues in one request.
  mlir::LogicalResult checkNetworkQueue(mlir::func::FuncOp func, const char *role, const std::string &name,
                                        mlir::Value v);

  //===--- The op lowerings ----------------------------------------------===//
  mlir::LogicalResult lowerLinear(fpga::LinearOp op);
  /// The window addressing registers of v_rd for the receptive fields of `w`.
  /// `pixBase`: PIX_BASE, the first output pixel of the loop.
  void setWindowRegs(mlir::Location loc, fpga::WindowOp w, int64_t pixBase = 0);
  /// One panel's loop over a convolution's output pixels whose chain adds a
  /// residual row per pixel (the `step`-th step, an iter vv_add).
  struct ResidualLoop {
    int64_t pixels;                                ///< iterations: output pixels
    int64_t residual;                              ///< DRAM address of pixel 0's residual elements of this panel
    int64_t rowLength, rowStride;                  ///< elements per pixel in this panel; from one pixel's to the next
    int64_t vectorsPerPixel;                       ///< ASVRF vectors per pixel (the panel's tile rows)
    int64_t asvrfBase;                             ///< first ASVRF vector the staged rows may use
    int64_t mfu;                                   ///< the MFU whose ASVRF the residual step reads
    size_t step;                                   ///< index of the residual step
    Access read, to;                               ///< the chain's window read and its write of pixel 0
    int64_t writeStep;                             ///< WR_STEP: from one pixel's result to the next
    int64_t tile;                                  ///< the panel's MRF tile
    llvm::function_ref<void(int64_t)> setLoopRegs; ///< the loop chain's registers, PIX_BASE = the argument
  };
  void residualWindowLoops(mlir::Location loc, const ResidualLoop &l, llvm::ArrayRef<Step> steps);
  mlir::LogicalResult lowerAdd(fpga::AddOp op);
  mlir::LogicalResult lowerActivation(fpga::ActivationOp op);
  mlir::LogicalResult lowerPool(fpga::PoolOp op);
  mlir::LogicalResult lowerMax(fpga::MaxOp op);
  mlir::LogicalResult lowerMin(fpga::MinOp op);
  mlir::LogicalResult lowerLeakyRelu(fpga::LeakyReluOp op);
  mlir::LogicalResult lowerMul(fpga::MulOp op);
  mlir::LogicalResult lowerPrelu(fpga::PreluOp op);
  /// lhs `inst` rhs (vv_add / vv_max / vv_min / vv_mul / vv_prelu) over DRAM
  /// tensors, rhs staged in the ASVRF (the MULVRF for vv_mul and vv_prelu):
  /// the same shape, or numpy broadcasting row by row.
  mlir::LogicalResult binaryInDram(mlir::Operation *op, mlir::Value lhs, mlir::Value rhs, mlir::Value result,
                                   const char *inst);
  mlir::LogicalResult lowerExtract(fpga::ExtractOp op);
  mlir::LogicalResult lowerTranspose(fpga::TransposeOp op);
  mlir::LogicalResult lowerReverse(fpga::ReverseOp op);
  mlir::LogicalResult lowerConcat(fpga::ConcatOp op);
  mlir::LogicalResult lowerRnn(fpga::RnnOp op);

  //===--- Tensors in DRAM (I/O, constants, and the MemoryPlan arena) ----===//
  /// A DRAM place of its own for the whole run (I/O, constants, tables).
  int64_t allocate(int64_t count) {
    const int64_t addr = dramTop_;
    dramTop_ += count;
    return addr;
  }
  /// DRAM address of a tensor; constants are placed on first use.
  mlir::FailureOr<int64_t> addrOf(mlir::Value v, mlir::Location loc);
  /// The DRAM address of a result: in place for a graph output, else its
  /// place in the intermediates' arena (MemoryPlan).
  int64_t resultAddr(mlir::Value v);
  /// The IVRF place of a tensor kept on chip, else null.
  const TensorPlace *ivrfPlaceOf(mlir::Value v) const { return plan_->ivrfPlaceOf(v); }
  /// Records, for layer reports, where the tensor a node produced lives.
  void recordTensor(mlir::Value v, mlir::Location loc) { records_.push_back({v, loc}); }
  /// A vector of `count` copies of `value`, as a DRAM constant.
  int64_t splat(mlir::Location loc, float value, int64_t count);

  //===--- Declarations ahead of the instruction stream ------------------===//
  void setInsertionPointForDeclaration();
  /// Notes a declaration just built at the declaration insertion point.
  void declared(mlir::Operation *decl) { lastDecl_ = decl; }
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
  mlir::ArrayAttr formatTable();

  //===--- Instructions --------------------------------------------------===//
  /// States that the next chain or m_rd needs `r` = `v`: an fpga.s_wr.
  void setReg(mlir::Location loc, isa::SReg r, int64_t v) {
    fpga::SWrOp::create(b_, loc, static_cast<fpga::ScalarReg>(r), v);
  }
  void chainTo(mlir::Location loc, const Access &rd, std::optional<int64_t> mvTile, llvm::ArrayRef<Step> steps,
               llvm::ArrayRef<Access> writes) {
    emitChain(b_, loc, rd, mvTile, steps, writes);
  }
  /// `loop count { chainTo(...) }`: the chain run once per iteration, its
  /// iter-flagged accesses stepping by RD_STEP / WR_STEP (set before).
  void loopedChain(mlir::Location loc, int64_t count, const Access &rd, std::optional<int64_t> mvTile,
                   llvm::ArrayRef<Step> steps, llvm::ArrayRef<Access> writes) {
    auto loop = fpga::LoopOp::create(b_, loc, count);
    loop.getBody().emplaceBlock();
    mlir::OpBuilder::InsertionGuard g(b_);
    b_.setInsertionPointToStart(&loop.getBody().front());
    chainTo(loc, rd, mvTile, steps, writes);
  }
  mlir::FailureOr<llvm::SmallVector<unsigned>> placeSteps(mlir::Location loc, bool matVec, llvm::ArrayRef<Step> steps) {
    return lowering::placeSteps(t_, loc, matVec, steps);
  }
  /// Sets the DRAM transfer registers for reading `len` elements with `stride`
  /// into `cols` vectors and, for chains that write DRAM, writing `wrLen`.
  void setTransfer(mlir::Location loc, int64_t cols, int64_t len, int64_t stride, std::optional<int64_t> wrLen);
  /// DRAM -> [steps] -> DRAM over `count` elements, split into chains of at
  /// most `maxVectors` vectors.
  void pointwise(mlir::Location loc, int64_t src, int64_t srcStride, int64_t dst, int64_t count,
                 llvm::ArrayRef<Step> steps, int64_t maxVectors = kMaxChainVectors);
  /// The most vectors one copy chain moves.
  static constexpr int64_t kMaxChainVectors = 4096;
  /// Loads `len` DRAM elements (with stride) into `vectors` vectors of a VRF.
  void stage(mlir::Location loc, int64_t src, int64_t len, int64_t stride, int64_t vectors, llvm::ArrayRef<Step> steps,
             const Access &to);

  //===--- Point-wise ops over tensors in the IVRF (LowerPointwise.cpp) --===//
  /// Where a point-wise op reads or writes a tensor: dense in DRAM, or as
  /// rows of ceil(C / N) vectors in the IVRF (MemoryPlan.h).
  struct RowPlace {
    bool ivrf;
    int64_t addr;
  };
  /// A run of whole vectors of a tensor: never part of two rows, unless rows
  /// are whole vectors (then IVRF rows and DRAM rows line up).
  struct Chunk {
    int64_t vector, element; ///< offsets in the IVRF layout and in DRAM
    int64_t vectors, elements;
  };
  mlir::FailureOr<RowPlace> operandPlace(mlir::Value v, mlir::Location loc);
  RowPlace resultPlace(mlir::Value v);
  static Access accessOf(const RowPlace &p, const Chunk &c) {
    return p.ivrf ? Access{"IVRF", p.addr + c.vector} : Access{"DRAM", p.addr + c.element};
  }
  /// Sets COLS, and the DRAM read and write lengths where `src` / `dst` are
  /// in DRAM, for one chunk.
  void setChunkRegs(mlir::Location loc, const Chunk &c, const RowPlace *src, const RowPlace *dst);
  /// `src` -> `steps` -> `dst` over a tensor of `shape`, one chain per chunk
  /// of at most `maxVectors` vectors; `before` stages what a chunk needs.
  void rowChains(mlir::Location loc, llvm::ArrayRef<int64_t> shape, const RowPlace &src, const RowPlace &dst,
                 llvm::ArrayRef<Step> steps, int64_t maxVectors, llvm::function_ref<void(const Chunk &)> before);

  //===--- Matrices (LowerLinear.cpp) ------------------------------------===//
  /// The matrix of a product in the MRF: pinned weights (declared on first
  /// use), streamed weights (their panels, moved in later) or a run-time
  /// matrix moved into the scratch tiles by m_rd now.
  mlir::FailureOr<llvm::SmallVector<Panel>> placeMatrix(fpga::LinearOp op, int64_t rows, int64_t cols, int64_t fmt);
  /// The matrix-table index of panel `pi` of a streamed matrix, declaring it
  /// (the rows of W' in that panel) on first use.
  int64_t panelIndex(fpga::WeightsOp w, llvm::ArrayRef<Panel> panels, size_t pi);
  /// With two scratch buffers: the next streamed layer's first panel.
  void prefetchNextLayer(fpga::LinearOp op);
  /// A residual's rows start this many `rows`-vector slots up the ASVRF
  /// (above the bias, max_floor and min_ceiling).
  static constexpr int64_t kResidualVectors = 3;
  /// Places the epilogue's steps on the MFUs (their VRF addresses set in
  /// `e`) and stages its constant operands; fails when they do not fit.
  mlir::FailureOr<llvm::SmallVector<unsigned>> placeLinearEpilogue(fpga::LinearOp op, int64_t rows, LinearEpilogue &e);
  /// Where a product's operands are (staging beta at MULVRF betaAddr when it
  /// is not 1): the bias in DRAM, its rows broadcast to [R, P]
  /// (broadcastRows); the residual's [R, P] in DRAM (MemoryPlan keeps a
  /// residual off chip); X' in the IVRF or at DRAM x (the map, for a
  /// window); Y' at y in the IVRF or DRAM.
  struct LinearOperands {
    std::vector<int64_t> biasRows;
    int64_t biasStride = 1, biasAddr = 0, residual = 0;
    const TensorPlace *xOnChip = nullptr;
    int64_t x = 0, y = 0;
    bool yInIvrf = false;
  };
  mlir::FailureOr<LinearOperands> linearOperands(fpga::LinearOp op, int64_t rows, int64_t betaAddr);
  int64_t scratchBase() const { return mrf_.scratchBase(); }

  mlir::ModuleOp module_;
  const target::Target &t_;
  const int64_t n_;
  mlir::OpBuilder b_;
  fpga::ProgramOp program_;
  int64_t dramTop_ = 0; ///< DRAM elements allocated so far
  MrfStreaming mrf_;
  const bool keepIntermediates_;
  std::optional<MemoryPlan> plan_;
  int64_t arena_ = 0; ///< DRAM address of the plan's intermediates
  llvm::DenseMap<mlir::Value, int64_t> addr_;
  struct Record {
    mlir::Value value;
    mlir::Location loc;
  };
  std::vector<Record> records_;
  struct Copy {
    mlir::Value value;
    int64_t dst, count;
    mlir::Location loc;
  };
  llvm::SmallVector<Copy> copies_;
  llvm::DenseSet<mlir::Operation *> declaredWeights_;                      ///< pinned weights declared
  int64_t numMatrices_ = 0;                                                ///< matrix table entries declared
  std::map<std::pair<mlir::Operation *, size_t>, int64_t> streamedPanels_; ///< -> table index
  std::vector<std::pair<std::string, std::string>> formats_;
  mlir::Operation *lastDecl_ = nullptr;
};

/// Offsets of each row (last dimension) of `operand` when broadcast to
/// `outShape`, and the element stride along the last dimension (0 when the
/// operand broadcasts along it).
std::pair<std::vector<int64_t>, int64_t> broadcastRows(llvm::ArrayRef<int64_t> operand,
                                                       llvm::ArrayRef<int64_t> outShape);

} // namespace softnpu::lowering

#endif
