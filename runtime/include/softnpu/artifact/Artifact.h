//===- Artifact.h - The compiled model: the only thing crossing to runtime ===//
//
// In memory form of a .npu artifact. The byte format (versioned, little
// endian, checksummed, self-describing) is documented in
// docs/artifact-format.md and implemented by ArtifactIO.h.
//
// Execution model of format version 1: one NPU segment. DRAM is a flat array
// of fp32 elements addressed by element index; graph inputs, outputs,
// constants and scratch tensors live there dense and row-major (ONNX layout).
// Constant matrices arrive in the weight image and are pinned in the MRF when
// a session is created, or (streamed) stay packed in DRAM and are moved into
// MRF scratch tiles by `m_rd stream`; constant vectors arrive as DRAM
// initialisers.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ARTIFACT_ARTIFACT_H
#define SOFTNPU_ARTIFACT_ARTIFACT_H

#include "softnpu/UninitializedAllocator.h"
#include "softnpu/artifact/DType.h"
#include "softnpu/isa/Isa.h"
#include "softnpu/numerics/Format.h"
#include "softnpu/target/Target.h"

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace softnpu::artifact {

/// 2.2: a graph input or output may be stored in DRAM with its axes permuted
/// (TensorSig::dramPerm, the IO_LAYOUT section): the runtime permutes the
/// tensor on its way in or out, so the layout change happens at the host /
/// NPU boundary. Written only by artifacts that have such a tensor.
/// 3.0: the artifact may be a list of NPU and host segments
/// (Artifact::segments); written only for such models, so the others stay
/// format 2.1 files.
/// 2.1: a matrix may be split into column parts, each starting on a whole
/// tile column (MatrixEntry::colParts, the MATRIX_PARTS section): the zero
/// columns between its parts are not stored. Written only by artifacts that
/// have such a matrix, so the others stay readable by 2.0 readers.
/// 2.0: constant matrices are stored at their real extent (MatrixEntry::rows,
/// cols), not padded to whole tiles. Readers accept 1.x too (whole tiles:
/// read as matrices whose extent is their whole tile grid).
/// 1.1: the program may use loop / end_loop, the iter flag of v_rd / v_wr and
/// the MAT_PITCH, RD_STEP and WR_STEP registers.
constexpr uint16_t kVersionMajor = 2;
constexpr uint16_t kVersionMinor = 2;
constexpr uint32_t kNoNode = 0xFFFFFFFFu;

/// A graph input or output: ONNX name, dtype, static shape, DRAM placement.
struct TensorSig {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t dramAddr = 0; ///< element index of the first element
  /// Empty, or a permutation of the axes (2.2): DRAM holds the tensor
  /// transposed so that its axis i is axis dramPerm[i] of `shape` (e.g.
  /// {0, 2, 3, 1}: an NCHW input stored channels innermost).
  std::vector<int64_t> dramPerm = {};
  uint64_t numElements() const;
};

/// `in` (row-major, `shape`) with its axes reordered by `perm` (out axis i =
/// in axis perm[i]), written to `out` (numElements of shape); `inverse`
/// undoes it (in is the permuted tensor, out has `shape`). An empty perm
/// copies.
void permuteAxes(const float *in, float *out, const std::vector<int64_t> &shape, const std::vector<int64_t> &perm,
                 bool inverse);

/// The number formats of one matrix product: the MRF tiles hold `weight`, the
/// matrix unit converts its input vector into `input`. Entry 0 of
/// Artifact::formats is the target's pair; the scalar register MFMT selects
/// the pair m_rd and mv_mul use.
struct FormatPair {
  numerics::NumberFormat weight, input;
  bool operator==(const FormatPair &o) const { return weight == o.weight && input == o.input; }
};

/// A constant matrix of rows x cols elements on a grid of rowTiles x colTiles
/// N x N tiles (row-major over the grid; rowTiles = ceil(rows / N), colTiles =
/// ceil(cols / N)), in `format` (== formats[formatIndex].weight); the tiles'
/// elements past the matrix are zero. With column parts (colParts, sizes
/// p0, p1, ... adding up to cols), the columns are split into parts that each
/// start on a whole tile column: part k fills the first pk columns of its
/// ceil(pk / N) tile columns and the rest of those tiles is zero, so colTiles
/// = sum of ceil(pk / N) (a recurrent gate's [ W | R ] over IVRF [ x | h ]).
/// Its bytes are weightImage[offset, offset + size): only the real elements,
/// tile by tile in grid order, each tile's real rows in order, each packed
/// with numerics::packRow at the tile's real width (MatrixLayout.h).
/// Pinned (streamed == false): loaded into MRF tiles from mrfTile when a
/// session is created and kept there. Streamed: stays packed in DRAM (the
/// weight image models it) and is copied into MRF scratch tiles at run time
/// by `m_rd stream` (isa::kMRdStream, `a` = its index in Artifact::matrices);
/// it has no home tile, so mrfTile must be 0.
struct MatrixEntry {
  uint32_t node = kNoNode; ///< index into nodeNames
  uint32_t mrfTile = 0;    ///< first MRF tile (pinned); 0 when streamed
  uint32_t rowTiles = 0, colTiles = 0;
  uint32_t rows = 0, cols = 0; ///< real extent in elements
  /// Column parts (real columns of each, in order; they add up to cols), or
  /// empty: one part of cols columns.
  std::vector<uint32_t> colParts;
  numerics::NumberFormat format;
  uint32_t formatIndex = 0;
  uint64_t offset = 0, size = 0;
  bool streamed = false; ///< kept packed in DRAM, moved by m_rd stream
};

/// MATRICES entry flags word (docs/artifact-format.md).
constexpr uint32_t kMatrixStreamed = 1;

/// Where the tensor an ONNX node produced lives in DRAM after a run (for
/// layer-by-layer reports). Nodes fused into one chain share one record.
struct TensorRecord {
  uint32_t node = kNoNode; ///< index into nodeNames
  uint64_t dramAddr = 0;
  std::vector<int64_t> shape;
};

/// fp32 constants copied into DRAM at session start:
/// dram[dramAddr + i] = float at weightImage[offset + 4 i], i < count.
struct DramInit {
  uint64_t dramAddr = 0;
  uint64_t count = 0;
  uint64_t offset = 0;
};

struct Artifact;

/// Format 3.0: one piece of a model that runs partly on the host
/// (docs/partitioning.md). Segments run in order; each reads tensors by name
/// from the graph inputs and the outputs of the segments before it.
struct Segment {
  enum class Kind : uint8_t { Npu = 1, Host = 2 };
  Kind kind = Kind::Npu;
  /// Kind::Npu: a one-segment (format 2) artifact; its inputs and outputs
  /// name the tensors it reads and writes.
  std::shared_ptr<const Artifact> npu;
  /// Kind::Host: a serialized ONNX ModelProto (nodes, attributes, constants
  /// as initializers, declared types), run by runtime/lib/host; and the
  /// names of the tensors it reads and writes, in its graph's order.
  std::string hostModel;
  std::vector<std::string> hostInputs, hostOutputs;
};

/// Bytes that resize() leaves uninitialised (UninitializedAllocator.h).
using ImageBytes = UninitializedVector<uint8_t>;

struct Artifact {
  target::Target target;
  std::vector<TensorSig> inputs, outputs; ///< ONNX order
  uint64_t dramElements = 0;              ///< DRAM footprint (elements)
  std::vector<isa::Inst> program;
  std::vector<uint32_t> instNode;     ///< per instruction, index into nodeNames or kNoNode
  std::vector<std::string> nodeNames; ///< ONNX node names ("op_type:name" when unnamed)
  std::vector<FormatPair> formats;    ///< [0] = target's weight/input formats
  std::vector<MatrixEntry> matrices;
  std::vector<TensorRecord> tensors;
  std::vector<DramInit> dramInits;
  ImageBytes weightImage; ///< resize() leaves new bytes uninitialised: write them all
  std::string producer;   ///< e.g. "npu-compile 0.1 (model.onnx)"
  /// Format 3.0 (written only when non-empty): the model is these segments,
  /// and the fields above hold only target, inputs, outputs (any dtype; no
  /// DRAM address) and producer. Empty: the model is the one NPU segment
  /// above (format 2).
  std::vector<Segment> segments;
  bool segmented() const { return !segments.empty(); }
};

} // namespace softnpu::artifact

#endif // SOFTNPU_ARTIFACT_ARTIFACT_H
