//===- ArtifactEmitter.cpp - fpga.program -> runtime artifact -------------===//
#include "compiler/emit/ArtifactEmitter.h"
#include "compiler/Diagnostics.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/fpga/FpgaIsa.h"
#include "dialects/fpga/FpgaTarget.h"

#include "mlir/IR/Threading.h"

#include "softnpu/HugePages.h"
#include "softnpu/artifact/MatrixLayout.h"
#include "softnpu/numerics/Bfp.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

using namespace mlir;

namespace softnpu::emit {
namespace {

/// The artifact signature of an fpga.input / fpga.output declaration.
template <class Decl> artifact::TensorSig signatureOf(Decl d) {
  artifact::TensorSig s{d.getName().str(), artifact::DType::F32,
                        std::vector<int64_t>(d.getShape().begin(), d.getShape().end()),
                        static_cast<uint64_t>(d.getDram())};
  if (std::optional<ArrayRef<int64_t>> perm = d.getDramPerm())
    s.dramPerm.assign(perm->begin(), perm->end());
  return s;
}

class Emitter {
public:
  Emitter(const target::Target &t, artifact::Artifact &a) : t_(t), a_(a) {}

  uint32_t nodeIndex(Location loc) {
    std::string name = nodeNameOf(loc);
    if (name.empty())
      return artifact::kNoNode;
    auto [it, inserted] = nodes_.try_emplace(name, static_cast<uint32_t>(a_.nodeNames.size()));
    if (inserted)
      a_.nodeNames.push_back(name);
    return it->second;
  }

  void add(const isa::Inst &inst, Location loc) {
    a_.program.push_back(inst);
    a_.instNode.push_back(nodeIndex(loc));
  }

  void appendFloats(ArrayRef<float> v) {
    size_t off = a_.weightImage.size();
    a_.weightImage.resize(off + v.size() * 4);
    std::memcpy(a_.weightImage.data() + off, v.data(), v.size() * 4);
  }

  /// Where a declared matrix lies in its value: its [rows, cols] (empty
  /// when the value is not 2-D), and whether the value is its transpose, of
  /// which it is then the rows from `firstRow` (a streamed panel's).
  struct MatrixSource {
    SmallVector<int64_t, 2> shape;
    bool transposed = false;
    int64_t firstRow = 0;
  };
  static MatrixSource sourceOf(ElementsAttr value, bool transposed) {
    MatrixSource s{SmallVector<int64_t, 2>(value.getShapedType().getShape()), transposed, 0};
    if (transposed && s.shape.size() == 2)
      std::swap(s.shape[0], s.shape[1]);
    return s;
  }
  MatrixSource sourceOf(fpga::StreamedMatrixOp m) const {
    MatrixSource s = sourceOf(m.getValue(), m.getTransposed());
    if (m.getTransposed() && s.shape.size() == 2) {
      s.firstRow = m.getFirstRow(); // the verifier made sure it is a row
      s.shape[0] = std::min<int64_t>(s.shape[0] - s.firstRow, m.getRowTiles() * static_cast<int64_t>(t_.nativeDim));
    }
    return s;
  }

  /// A matrix table entry and its bytes: only the matrix's real extent,
  /// tile by tile, each tile's real rows packed at the tile's real width
  /// (runtime/.../artifact/MatrixLayout.h). With column parts
  /// (fpga.pinned_matrix col_parts) the value's columns are the parts, each
  /// starting on a whole tile column of the grid. `mrfTile` is its home
  /// (pinned) or 0 (streamed). The bytes are reserved here and written by
  /// packRows at the end of run().
  LogicalResult packMatrix(Operation *op, ElementsAttr value, const MatrixSource &source, ArrayRef<int64_t> parts,
                           int64_t mrfTile, int64_t rowTiles, int64_t colTiles, int64_t formatIndex, bool streamed) {
    const unsigned n = t_.nativeDim;
    ArrayRef<int64_t> shape = source.shape;
    PackJob job;
    if (std::optional<FloatBytes> bytes = floatBytesOf(value)) {
      job.source = *bytes;
    } else if ((job.expanded = FloatData::of(value))) { // a dense splat
      job.source = {reinterpret_cast<const char *>(job.expanded->data()), job.expanded->size()};
    } else {
      return op->emitError() << "matrix is not a float32 constant with its elements present";
    }
    job.transposed = source.transposed;
    job.firstRow = static_cast<size_t>(source.firstRow);
    job.sourceCols = static_cast<size_t>(value.getShapedType().getShape().back());
    artifact::MatrixEntry e;
    e.node = nodeIndex(op->getLoc());
    e.mrfTile = static_cast<uint32_t>(mrfTile);
    e.rowTiles = static_cast<uint32_t>(rowTiles);
    e.colTiles = static_cast<uint32_t>(colTiles);
    e.formatIndex = static_cast<uint32_t>(formatIndex);
    e.streamed = streamed;
    if (e.formatIndex >= a_.formats.size()) {
      op->emitError() << "format index " << e.formatIndex << " is not in the program's format table";
      return failure();
    }
    if (shape.size() == 2 && shape[0] > 0 && shape[1] > 0) {
      e.rows = static_cast<uint32_t>(shape[0]);
      e.cols = static_cast<uint32_t>(shape[1]);
      e.colParts = canonicalParts(parts, n);
    }
    if (e.rows == 0 || static_cast<uint64_t>(rowTiles) != artifact::tilesFor(e.rows, n) ||
        static_cast<uint64_t>(colTiles) != artifact::colTilesFor(e, n) || artifact::partColumns(e) != e.cols) {
      op->emitError() << "a matrix of shape " << (shape.size() == 2 ? shape[0] : 0) << " x "
                      << (shape.size() == 2 ? shape[1] : 0) << (parts.empty() ? "" : " in column parts")
                      << " does not fill its grid of " << rowTiles << " x " << colTiles << " tiles of " << n << " x "
                      << n;
      return failure();
    }
    e.format = a_.formats[e.formatIndex].weight;
    e.offset = a_.weightImage.size();
    a_.weightImage.resize(e.offset + artifact::matrixBytes(e, n));
    // The value's column of each tile column's first real column.
    std::vector<size_t> firstCol;
    size_t partStart = 0;
    for (uint32_t cols : e.colParts.empty() ? std::vector<uint32_t>{e.cols} : e.colParts) {
      for (uint32_t c = 0; c < cols; c += n)
        firstCol.push_back(partStart + c);
      partStart += cols;
    }
    e.size = a_.weightImage.size() - e.offset;
    a_.matrices.push_back(e);
    job.entry = e;
    job.firstCol = std::move(firstCol);
    packJobs_.push_back(std::move(job));
    return success();
  }

  /// A matrix whose bytes are still to be written: its elements in place
  /// (or expanded, for a dense splat), its entry and the value's column of
  /// each tile column's first real column.
  struct PackJob {
    FloatBytes source;
    std::optional<FloatData> expanded;
    bool transposed = false; ///< source is the transpose of a matrix whose rows from firstRow this is
    size_t firstRow = 0, sourceCols = 0;
    artifact::MatrixEntry entry;
    std::vector<size_t> firstCol;
  };

  /// Floats in the band of whole rows packRows transposes or aligns at a
  /// time (64 KiB: 16 rows of 1024), which stays in cache while it is packed.
  /// A transposed source is read whole into an aligned buffer first, so a
  /// band's short pieces of its rows come from cache, not from the file.
  static constexpr size_t kBandFloats = size_t{16} << 10;

  /// Writes the job's rows into its reserved bytes (any thread: they touch
  /// nothing else). packRow rounds as it packs. A source that is transposed,
  /// not aligned for float or in a mapped file (an ONNX file's payload) is
  /// read into aligned buffers first, a band of rows at a time.
  void packRows(const PackJob &job) const {
    const unsigned n = t_.nativeDim;
    const artifact::MatrixEntry &e = job.entry;
    uint8_t *image = a_.weightImage.data() + e.offset;
    const bool direct = !job.transposed && reinterpret_cast<uintptr_t>(job.source.data) % alignof(float) == 0 &&
                        !inMappedFile(job.source.data);
    const size_t band = direct ? e.rows : std::clamp<size_t>(kBandFloats / e.cols, 1, e.rows);
    thread_local std::vector<float> bandRows, wholeSource; // a band of the matrix's rows; a transposed source
    std::vector<artifact::TileExtent> tiles(e.colTiles);   // of the current tile row
    for (size_t r0 = 0; r0 < e.rows; r0 += band) {
      const size_t count = std::min<size_t>(band, e.rows - r0);
      const float *rows = nullptr;
      if (direct) {
        rows = reinterpret_cast<const float *>(job.source.data) + r0 * e.cols;
      } else {
        reserveOnHugePages(bandRows, count * e.cols);
        bandRows.resize(count * e.cols);
        if (job.transposed) {
          if (r0 == 0) { // a band's rows are columns of every source row: read them all once
            reserveOnHugePages(wholeSource, job.source.count);
            wholeSource.resize(job.source.count);
            copyFloats(job.source, 0, job.source.count, wholeSource.data());
          }
          transposedRows({reinterpret_cast<const char *>(wholeSource.data()), wholeSource.size()}, job.sourceCols,
                         job.firstRow + r0, count, e.cols, bandRows.data());
        } else {
          copyFloats(job.source, r0 * e.cols, count * e.cols, bandRows.data());
        }
        rows = bandRows.data();
      }
      for (size_t r = r0; r < r0 + count; ++r) {
        const auto tr = static_cast<uint32_t>(r / n), i = static_cast<uint32_t>(r % n);
        if (r == r0 || i == 0)
          for (uint32_t tc = 0; tc < e.colTiles; ++tc)
            tiles[tc] = artifact::tileExtent(e, tr, tc, n);
        for (uint32_t tc = 0; tc < e.colTiles; ++tc)
          numerics::packRow(&rows[(r - r0) * e.cols + job.firstCol[tc]], tiles[tc].cols, e.format, t_.rounding,
                            image + tiles[tc].offset + i * tiles[tc].rowBytes);
      }
    }
  }

  /// Column parts as the artifact stores them: a part that fills its last
  /// tile column is one with the next (the same tiles and bytes), and a
  /// single part is no parts, so a matrix whose parts need no gap is written
  /// as in format 2.0 (and needs no MATRIX_PARTS section).
  static std::vector<uint32_t> canonicalParts(ArrayRef<int64_t> parts, unsigned n) {
    std::vector<uint32_t> out;
    bool merge = false;
    for (int64_t p : parts) {
      if (merge)
        out.back() += static_cast<uint32_t>(p);
      else
        out.push_back(static_cast<uint32_t>(p));
      merge = out.back() % n == 0;
    }
    if (out.size() < 2)
      out.clear();
    return out;
  }

  /// Reserves the weight image for every matrix and DRAM constant of the
  /// program, so that it is written once and never moved while it grows.
  void reserveWeightImage(fpga::ProgramOp program) {
    const unsigned n = t_.nativeDim;
    uint64_t bytes = 0;
    auto matrix = [&](const MatrixSource &source, ArrayRef<int64_t> parts, int64_t formatIndex) {
      ArrayRef<int64_t> shape = source.shape;
      if (shape.size() != 2 || shape[0] <= 0 || shape[1] <= 0 || formatIndex < 0 ||
          static_cast<uint64_t>(formatIndex) >= a_.formats.size())
        return; // reported when packed
      artifact::MatrixEntry e;
      e.rows = static_cast<uint32_t>(shape[0]);
      e.cols = static_cast<uint32_t>(shape[1]);
      e.colParts = canonicalParts(parts, n);
      e.format = a_.formats[formatIndex].weight;
      bytes += artifact::matrixBytes(e, n);
    };
    for (Operation &op : program.getBody().front()) {
      if (auto m = dyn_cast<fpga::PinnedMatrixOp>(op))
        matrix(sourceOf(m.getValue(), m.getTransposed()), m.getColParts().value_or(ArrayRef<int64_t>()),
               m.getFormatIndex());
      else if (auto m = dyn_cast<fpga::StreamedMatrixOp>(op))
        matrix(sourceOf(m), {}, m.getFormatIndex());
      else if (auto c = dyn_cast<fpga::DramConstOp>(op))
        bytes += 4 * static_cast<uint64_t>(c.getValue().getNumElements());
    }
    reserveOnHugePages(a_.weightImage, a_.weightImage.size() + bytes);
  }

  /// The program's format table; entry 0 is the target's pair.
  LogicalResult readFormats(fpga::ProgramOp program) {
    a_.formats.clear();
    ArrayAttr table = program.getFormatsAttr();
    if (!table) {
      a_.formats.push_back({t_.weightFormat, t_.inputFormat});
      return success();
    }
    for (Attribute entry : table) {
      auto pair = dyn_cast<ArrayAttr>(entry);
      auto w = pair && pair.size() == 2 ? fpga::parseFormatAttr(pair[0]) : std::nullopt;
      auto i = pair && pair.size() == 2 ? fpga::parseFormatAttr(pair[1]) : std::nullopt;
      if (!w || !i)
        return program.emitError() << "formats must be [weight, input] #fpga.format pairs";
      a_.formats.push_back({*w, *i});
    }
    if (a_.formats.empty())
      return program.emitError() << "the format table is empty";
    return success();
  }

  LogicalResult run(fpga::ProgramOp program) {
    a_.dramElements = static_cast<uint64_t>(program.getDramElements());
    if (failed(readFormats(program)))
      return failure();
    reserveWeightImage(program);
    std::string err;
    for (Operation &op : program.getBody().front()) {
      if (auto in = dyn_cast<fpga::InputOp>(op)) {
        a_.inputs.push_back(signatureOf(in));
      } else if (auto out = dyn_cast<fpga::OutputOp>(op)) {
        a_.outputs.push_back(signatureOf(out));
      } else if (auto m = dyn_cast<fpga::PinnedMatrixOp>(op)) {
        if (failed(packMatrix(m, m.getValue(), sourceOf(m.getValue(), m.getTransposed()),
                              m.getColParts().value_or(ArrayRef<int64_t>()), m.getMrfTile(), m.getRowTiles(),
                              m.getColTiles(), m.getFormatIndex(), /*streamed=*/false)))
          return failure();
      } else if (auto m = dyn_cast<fpga::StreamedMatrixOp>(op)) {
        if (m.getIndex() != static_cast<uint64_t>(a_.matrices.size()))
          return m.emitError() << "streamed matrix index " << m.getIndex()
                               << " is not its position in the matrix table (" << a_.matrices.size() << ")";
        if (failed(packMatrix(m, m.getValue(), sourceOf(m), {}, 0, m.getRowTiles(), m.getColTiles(), m.getFormatIndex(),
                              /*streamed=*/true)))
          return failure();
      } else if (auto r = dyn_cast<fpga::TensorRecordOp>(op)) {
        a_.tensors.push_back({nodeIndex(r.getLoc()), static_cast<uint64_t>(r.getDram()),
                              std::vector<int64_t>(r.getShape().begin(), r.getShape().end())});
      } else if (auto c = dyn_cast<fpga::DramConstOp>(op)) {
        std::optional<FloatData> values = FloatData::of(c.getValue());
        if (!values)
          return c.emitError() << "DRAM constant is not a float32 constant with its elements present";
        artifact::DramInit init;
        init.dramAddr = static_cast<uint64_t>(c.getDram());
        init.count = values->size();
        init.offset = a_.weightImage.size();
        appendFloats(values->values());
        a_.dramInits.push_back(init);
      } else if (failed(emitInstructions(op))) {
        return failure();
      }
    }
    // The matrices' bytes, on all threads: packing is the emitter's largest job.
    mlir::parallelFor(program.getContext(), 0, packJobs_.size(), [&](size_t i) { packRows(packJobs_[i]); });
    packJobs_.clear();
    return success();
  }

  /// A chain, a loop (loop, its body, end_loop) or a standalone instruction.
  LogicalResult emitInstructions(Operation &op) {
    std::string err;
    if (llvm::isa<fpga::ChainOp>(op)) {
      auto insts = fpga::chainInsts(&op, err);
      if (!insts)
        return op.emitError() << err;
      for (const isa::Inst &i : *insts)
        add(i, op.getLoc());
      return success();
    }
    if (auto loop = dyn_cast<fpga::LoopOp>(op)) {
      add(isa::Inst{isa::Opcode::Loop, isa::MemSpace::None, 0, static_cast<uint32_t>(loop.getCount()), 0}, op.getLoc());
      for (Operation &inner : loop.getBody().front())
        if (failed(emitInstructions(inner)))
          return failure();
      add(isa::Inst{isa::Opcode::EndLoop}, op.getLoc());
      return success();
    }
    auto inst = fpga::toInst(&op, err);
    if (!inst)
      return op.emitError() << err;
    add(*inst, op.getLoc());
    return success();
  }

private:
  const target::Target &t_;
  artifact::Artifact &a_;
  std::map<std::string, uint32_t> nodes_;
  std::vector<PackJob> packJobs_; ///< matrices whose bytes run() writes last
};

} // namespace

std::optional<artifact::Artifact> emitArtifact(ModuleOp module, const std::string &producer) {
  auto programs = llvm::to_vector(module.getOps<fpga::ProgramOp>());
  if (programs.size() != 1) {
    module.emitError() << "expected one fpga.program to emit (run fpga-lower-to-isa first), found " << programs.size();
    return std::nullopt;
  }
  const target::Target &t = fpga::getTarget(module);
  artifact::Artifact a;
  a.target = t;
  a.producer = producer;
  Emitter emitter(t, a);
  if (failed(emitter.run(programs.front())))
    return std::nullopt;
  return a;
}

} // namespace softnpu::emit
