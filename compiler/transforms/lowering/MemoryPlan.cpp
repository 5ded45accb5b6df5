//===- MemoryPlan.cpp - Live ranges, IVRF regions and the DRAM arena ------===//
#include "compiler/transforms/lowering/MemoryPlan.h"

#include "compiler/transforms/lowering/DramPlan.h"
#include "dialects/fpga/FpgaDialect.h"

#include "llvm/Support/MathExtras.h"

#include <limits>

namespace softnpu::lowering {

mlir::Value rootOf(mlir::Value v) {
  for (;;) {
    if (auto r = v.getDefiningOp<fpga::ReshapeOp>())
      v = r.getX();
    else if (auto w = v.getDefiningOp<fpga::WindowOp>())
      v = w.getX(); // the rows are gathered from the map, never stored
    else
      return v;
  }
}

bool isLowered(mlir::Operation *op) {
  return llvm::isa<fpga::LinearOp, fpga::AddOp, fpga::ActivationOp, fpga::RnnOp, fpga::ExtractOp, fpga::TransposeOp,
                   fpga::PoolOp, fpga::MaxOp, fpga::MinOp, fpga::LeakyReluOp, fpga::MulOp, fpga::PreluOp,
                   fpga::ReverseOp, fpga::ConcatOp>(op);
}

llvm::DenseSet<mlir::Value> outputsInPlace(mlir::func::FuncOp func) {
  llvm::DenseSet<mlir::Value> roots;
  for (mlir::Value v : func.getBody().front().getTerminator()->getOperands()) {
    mlir::Value root = rootOf(v);
    if (mlir::Operation *def = root.getDefiningOp(); def && isLowered(def))
      roots.insert(root);
  }
  return roots;
}

namespace {

/// Rows of a tensor in the IVRF: its last dimension is a row.
int64_t rowLength(mlir::Value v) {
  auto shape = mlir::cast<mlir::RankedTensorType>(v.getType()).getShape();
  return shape.empty() ? 1 : shape.back();
}
int64_t numRows(mlir::Value v) {
  const int64_t c = rowLength(v);
  return c ? mlir::cast<mlir::RankedTensorType>(v.getType()).getNumElements() / c : 0;
}

bool sameShapeAdd(fpga::AddOp a) {
  return a.getLhs().getType() == a.getResult().getType() && a.getRhs().getType() == a.getResult().getType();
}

/// True when `user` can read `y` from the IVRF: a product taking it as X row
/// for row, an activation, or an add of two tensors of its shape.
bool readsFromIvrf(mlir::Operation *user, mlir::Value y) {
  if (auto c = llvm::dyn_cast<fpga::LinearOp>(user))
    return c.getX() == y && c.getW() != y && c.getBias() != y && c.getResidual() != y && !c.getTransposeX() &&
           c.getTileGrid() && c.getNumRows() == numRows(y) && c.getReductionSize() == rowLength(y);
  if (auto a = llvm::dyn_cast<fpga::AddOp>(user))
    return sameShapeAdd(a);
  return llvm::isa<fpga::ActivationOp>(user);
}

/// A tensor that may live in the IVRF: produced by a product, an activation
/// or a same-shape add, read only by ops that read it there, and with zero
/// padded lanes (as a DRAM read would give the next product).
bool ivrfCandidate(mlir::Value y, int64_t n) {
  mlir::Operation *def = y.getDefiningOp();
  if (!def || y.use_empty())
    return false;
  fpga::Activation act = fpga::Activation::none;
  if (auto p = llvm::dyn_cast<fpga::LinearOp>(def)) {
    if (!p.getTileGrid())
      return false;
    act = p.getActivation();
    // A floor above 0 or a ceiling below 0 puts it in the padding lanes of a
    // short last vector.
    std::optional<llvm::APFloat> f = p.getMaxFloor(), c = p.getMinCeiling();
    if (((f && f->convertToFloat() > 0.0f) || (c && c->convertToFloat() < 0.0f)) && rowLength(y) % n != 0)
      return false;
  } else if (auto a = llvm::dyn_cast<fpga::ActivationOp>(def)) {
    act = a.getKind();
  } else if (auto add = llvm::dyn_cast<fpga::AddOp>(def); !add || !sameShapeAdd(add)) {
    return false;
  }
  if (act == fpga::Activation::sigmoid && rowLength(y) % n != 0)
    return false;
  return llvm::all_of(y.getUsers(), [&](mlir::Operation *u) { return readsFromIvrf(u, y); });
}

/// Builds the plan: live ranges first, then IVRF regions, then DRAM.
class Planner {
public:
  Planner(mlir::func::FuncOp func, const target::Target &t) : t_(t) {
    for (mlir::Operation &op : func.getBody().front()) {
      index_[&op] = static_cast<int64_t>(ops_.size());
      ops_.push_back(&op);
    }
    computeLastUses();
  }

  void planIvrf(const llvm::SmallVector<mlir::Value> &produced, llvm::DenseMap<mlir::Value, TensorPlace> &places,
                llvm::DenseMap<mlir::Operation *, int64_t> &freeBelow);
  int64_t planDram(const llvm::SmallVector<mlir::Value> &produced, bool reuse,
                   llvm::DenseMap<mlir::Value, TensorPlace> &places);

  int64_t defIndex(mlir::Value v) const { return index_.lookup(v.getDefiningOp()); }
  int64_t lastUse(mlir::Value v) const { return lastUse_.lookup(v); }

private:
  void computeLastUses() {
    for (auto [i, op] : llvm::enumerate(ops_)) {
      const int64_t at =
          llvm::isa<mlir::func::ReturnOp>(op) ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(i);
      for (mlir::Value v : op->getOperands())
        lastUse_[rootOf(v)] = at;
      for (mlir::Value r : op->getResults())
        lastUse_.try_emplace(r, static_cast<int64_t>(i)); // unused results die at once
    }
  }

  /// IVRF vectors [0, result) `op` needs for itself when `candidate` is kept.
  int64_t staging(mlir::Operation *op, mlir::Value candidate,
                  const llvm::DenseMap<mlir::Value, TensorPlace> &places) const {
    if (llvm::isa<fpga::RnnOp>(op))
      return static_cast<int64_t>(t_.ivrfDepth);
    auto l = llvm::dyn_cast<fpga::LinearOp>(op);
    if (!l || !l.getTileGrid() || l.getX() == candidate)
      return 0;
    auto x = places.find(l.getX());
    if (x != places.end() && x->second.inIvrf())
      return 0;
    return (*l.getTileGrid())[1]; // staged from DRAM (decided or not yet)
  }

  const target::Target &t_;
  std::vector<mlir::Operation *> ops_;
  llvm::DenseMap<mlir::Operation *, int64_t> index_;
  llvm::DenseMap<mlir::Value, int64_t> lastUse_; ///< root value -> index of its last reader
};

/// A kept tensor's IVRF region over its live range [first, last].
struct Region {
  int64_t first, last, addr, vectors;
};

void Planner::planIvrf(const llvm::SmallVector<mlir::Value> &produced, llvm::DenseMap<mlir::Value, TensorPlace> &places,
                       llvm::DenseMap<mlir::Operation *, int64_t> &freeBelow) {
  const int64_t n = t_.nativeDim, depth = static_cast<int64_t>(t_.ivrfDepth);
  std::vector<Region> live; // regions that may still overlap later ones
  for (mlir::Value y : produced) {
    if (!ivrfCandidate(y, n))
      continue;
    const int64_t first = defIndex(y), last = lastUse(y);
    const int64_t vectors = numRows(y) * llvm::divideCeilSigned(rowLength(y), n);
    llvm::erase_if(live, [&](const Region &r) { return r.last < first; });
    int64_t floor = 0;
    for (int64_t i = first; i <= last; ++i)
      floor = std::max(floor, staging(ops_[i], y, places));
    // Highest free run of `vectors` at or above `floor`: below the lowest
    // live region that overlaps the run tried, until none does.
    int64_t top = depth, addr = -1;
    while (top - vectors >= floor) {
      int64_t lowest = top;
      for (const Region &r : live)
        if (r.addr < top && top - vectors < r.addr + r.vectors)
          lowest = std::min(lowest, r.addr);
      if (lowest == top) {
        addr = top - vectors;
        break;
      }
      top = lowest;
    }
    if (addr < 0)
      continue;
    places[y] = {TensorPlace::Kind::Ivrf, addr, vectors, true};
    live.push_back({first, last, addr, vectors});
    for (int64_t i = first; i <= last; ++i) {
      auto [it, fresh] = freeBelow.try_emplace(ops_[i], addr);
      if (!fresh)
        it->second = std::min(it->second, addr);
    }
  }
}

int64_t Planner::planDram(const llvm::SmallVector<mlir::Value> &produced, bool reuse,
                          llvm::DenseMap<mlir::Value, TensorPlace> &places) {
  DramPlan dram(reuse);
  llvm::DenseMap<mlir::Value, uint64_t> since; ///< allocations made once it was placed
  size_t next = 0;
  for (int64_t i = 0, e = static_cast<int64_t>(ops_.size()); i < e; ++i) {
    mlir::Operation *op = ops_[i];
    for (; next < produced.size() && produced[next].getDefiningOp() == op; ++next) {
      mlir::Value v = produced[next];
      if (places.count(v))
        continue; // in the IVRF
      const int64_t count = mlir::cast<mlir::RankedTensorType>(v.getType()).getNumElements();
      places[v] = {TensorPlace::Kind::Dram, dram.allocate(count), count, true};
      since[v] = dram.allocations();
    }
    auto release = [&](mlir::Value v) {
      auto it = since.find(v);
      if (it == since.end() || lastUse(v) > i)
        return;
      const TensorPlace &p = places[v];
      dram.release(p.addr, p.count);
    };
    for (mlir::Value v : op->getOperands())
      release(rootOf(v));
    for (mlir::Value r : op->getResults())
      release(r);
  }
  for (auto [v, when] : since) {
    TensorPlace &p = places[v];
    p.intact = dram.intact(p.addr, p.count, when);
  }
  return dram.footprint();
}

} // namespace

MemoryPlan::MemoryPlan(mlir::func::FuncOp func, const target::Target &t, bool keepIntermediates,
                       const llvm::DenseSet<mlir::Value> &preplaced) {
  // The tensors to place, in program order; a recurrent layer's results only
  // when read.
  llvm::SmallVector<mlir::Value> produced;
  for (mlir::Operation &op : func.getBody().front()) {
    if (!isLowered(&op))
      continue;
    for (mlir::Value r : op.getResults())
      if (!preplaced.contains(r) && !(llvm::isa<fpga::RnnOp>(op) && r.use_empty()))
        produced.push_back(r);
  }
  Planner planner(func, t);
  if (!keepIntermediates)
    planner.planIvrf(produced, places_, freeBelow_);
  for (mlir::Operation &op : func.getBody().front())
    freeBelow_.try_emplace(&op, static_cast<int64_t>(t.ivrfDepth));
  dramElements_ = planner.planDram(produced, !keepIntermediates, places_);
}

} // namespace softnpu::lowering
