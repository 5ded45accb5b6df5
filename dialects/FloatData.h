//===- FloatData.h - The elements of float32 constants, dense or blob -*- C++ -*-===//
//
// A float32 constant (onnx.Constant, arith.constant, fpga.weights and the
// matrices of fpga.program) holds its elements in one of two attributes:
//
// * dense<...> (DenseElementsAttr): uniqued by the MLIRContext, which copies
//   and hashes every byte; used for tensors below kBlobBytes (shapes, biases,
//   small weights: they print inline, as lit tests read them);
// * dense_resource<NAME> (DenseResourceElementsAttr): a blob owned by the
//   builtin dialect's resource manager, neither copied nor hashed; used for
//   tensors of kBlobBytes or more. Its bytes live in a FloatBuffer, or in
//   the mapped ONNX file (floatConstantView), where they need not be aligned
//   for float. Printed IR carries them in its `dialect_resources` section,
//   so it parses back.
//
// Passes read either through FloatData and build either with floatConstant;
// none casts to one of the attribute classes itself.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_DIALECTS_FLOATDATA_H
#define SOFTNPU_DIALECTS_FLOATDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

namespace softnpu {

/// Float32 constants of at least this many bytes are blob resources.
constexpr size_t kBlobBytes = 64 * 1024;

/// The elements of a float32 constant attribute, row-major: a view of the
/// attribute's own storage (a dense splat, or a blob whose bytes are not
/// aligned for float, is copied into the object).
class FloatData {
public:
  /// Nullopt when `a` is not a float32 dense<...> or dense_resource<...>
  /// with its bytes present (an elided resource has none).
  static std::optional<FloatData> of(mlir::Attribute a);

  FloatData() = default;
  // A moved vector keeps its buffer, so values_ stays valid.
  FloatData(FloatData &&) = default;
  FloatData &operator=(FloatData &&) = default;
  FloatData(const FloatData &) = delete;
  FloatData &operator=(const FloatData &) = delete;

  llvm::ArrayRef<float> values() const { return values_; }
  const float *data() const { return values_.data(); }
  size_t size() const { return values_.size(); }
  std::vector<float> copy() const { return std::vector<float>(values_.begin(), values_.end()); }

  /// The one value of every element, when all are bit-identical (as MLIR
  /// decides what a dense splat is); nullopt otherwise.
  std::optional<float> splatValue() const;

private:
  std::vector<float> owned_; ///< a dense splat expanded, or an unaligned blob's copy
  llvm::ArrayRef<float> values_;
  bool isSplat_ = false;    ///< a dense splat
  bool mayBeSplat_ = false; ///< a blob (a dense non-splat has two different elements)
};

/// Whether FloatData can read `a`.
bool isFloatData(mlir::Attribute a);

/// The elements of a float32 constant in place, as bytes that need not be
/// aligned for float (an ONNX file's payload, viewed where it lies), for a
/// kernel that reads them once with unaligned loads instead of having
/// FloatData copy them.
struct FloatBytes {
  const char *data = nullptr;
  size_t count = 0;
  float at(size_t i) const {
    float v;
    std::memcpy(&v, data + i * sizeof(float), sizeof(float));
    return v;
  }
};
/// The bytes of `a`'s elements; nullopt when FloatData cannot read `a` or
/// when `a` is a dense splat (whose one element stands for all).
std::optional<FloatBytes> floatBytesOf(mlir::Attribute a);

// Files whose mapped bytes floatConstantView blobs view. Reading such bytes
// with pread instead of through the mapping leaves its pages untouched: on
// VMs with shadow paging the first touch of each mapped 4 KiB page cost
// about 1.4 us (0.33 s for a 1 GB model, where pread on 2 threads took
// 0.06 s). Registration happens before the blobs are read, on one thread.

/// Registers `fd`, open for reading, as the file mapped read-only at
/// [base, base + size); the caller keeps both until unregisterMappedFile.
void registerMappedFile(const void *base, size_t size, int fd);
void unregisterMappedFile(const void *base);
/// Whether `p` lies in a registered mapped file.
bool inMappedFile(const void *p);

/// Copies source elements [first, first + count) into `out`: with pread when
/// they lie in a registered mapped file, else with memcpy.
void copyFloats(FloatBytes source, size_t first, size_t count, float *out);

/// Rows [first, first + count) of the transpose of `source`, a row-major
/// matrix of `k` rows and `sourceCols` columns, into `out` (count x k,
/// row-major): out[i * k + j] = source[j * sourceCols + first + i]. In 8 x 8
/// blocks read and written a row at a time through a local copy, which the
/// compiler keeps in registers.
void transposedRows(FloatBytes source, size_t sourceCols, size_t first, size_t count, size_t k, float *out);

/// Uninitialised storage for the elements of a new float32 constant, filled
/// by its maker and handed to floatConstant. Large buffers are slices of big
/// chunks backed by transparent huge pages where the kernel offers them:
/// fresh memory touched 4 KiB page by page costs more than the compiler's
/// own work on the weights.
class FloatBuffer {
public:
  explicit FloatBuffer(size_t count);
  FloatBuffer(FloatBuffer &&) = default;
  FloatBuffer &operator=(FloatBuffer &&) = default;

  llvm::MutableArrayRef<float> values() { return values_; }
  float *data() { return values_.data(); }
  size_t size() const { return values_.size(); }

private:
  friend mlir::ElementsAttr floatConstant(mlir::RankedTensorType, FloatBuffer, llvm::StringRef);
  std::shared_ptr<void> owner_; ///< keeps the memory of values_
  llvm::MutableArrayRef<float> values_;
};

/// A float32 constant of `type` holding `values` (its element count):
/// dense<...> below kBlobBytes, else a blob resource that takes the buffer
/// over. `name` is the resource's key (made unique when taken; "blob" when
/// empty).
mlir::ElementsAttr floatConstant(mlir::RankedTensorType type, FloatBuffer values, llvm::StringRef name);
/// The same, copying `values`.
mlir::ElementsAttr floatConstant(mlir::RankedTensorType type, llvm::ArrayRef<float> values, llvm::StringRef name);
/// A read-only blob constant of `type` over `bytes` (its element count in
/// float32, not necessarily aligned for float), not copied: `owner` keeps the
/// memory mapped and unchanged for as long as the constant lives (the
/// importer's view of an ONNX file's weights: protobuf places a payload at
/// any byte, and a copy into fresh memory cost more than anything else the
/// compiler does with large weights). Below kBlobBytes, a copy as
/// floatConstant makes it.
mlir::ElementsAttr floatConstantView(mlir::RankedTensorType type, llvm::ArrayRef<char> bytes,
                                     std::shared_ptr<const void> owner, llvm::StringRef name);
/// Elements [offset, offset + its element count) of the float32 constant `a`
/// as a constant of `type`: a blob viewing `a`'s blob when both are blobs
/// (no copy: the context owns both until it ends), else as floatConstant.
mlir::ElementsAttr floatSlice(mlir::Attribute a, size_t offset, mlir::RankedTensorType type, llvm::StringRef name);

// Rewriting a blob in place: a pass that replaces a large constant by one of
// the same size computed from it (fpga-quantize: transposed, scaled and
// rounded weights), and that holds the only reference to its blob, reuses
// the blob's memory instead of touching as much fresh memory.

/// What identifies `a`'s blob (attributes with the same identity share
/// their bytes); null when `a` is not a blob constant.
const void *blobIdentity(mlir::Attribute a);
/// The elements of a float32 blob constant whose memory may be written (a
/// FloatBuffer's, or one parsed from text), writable; nullopt for dense
/// constants and read-only blobs.
std::optional<llvm::MutableArrayRef<float>> writableFloats(mlir::Attribute a);
/// A blob constant of `type` (as many elements as `a`) over `a`'s blob.
mlir::ElementsAttr retypedBlob(mlir::Attribute a, mlir::RankedTensorType type);

} // namespace softnpu

#endif // SOFTNPU_DIALECTS_FLOATDATA_H
