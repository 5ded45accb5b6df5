//===- FloatData.cpp - The elements of float32 constants, dense or blob ---===//
#include "dialects/FloatData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <mutex>

#include <sys/mman.h>

using namespace mlir;

namespace softnpu {
namespace {

/// The elements of a float32 dense_resource<...> whose bytes are present and
/// fill its type.
std::optional<ArrayRef<float>> blobValues(Attribute a) {
  auto blob = dyn_cast_if_present<DenseF32ResourceElementsAttr>(a);
  std::optional<ArrayRef<float>> values = blob ? blob.tryGetAsArrayRef() : std::nullopt;
  if (values && static_cast<int64_t>(values->size()) != blob.getNumElements())
    return std::nullopt;
  return values;
}

/// An anonymous mapping that asks for transparent huge pages.
struct Chunk {
  explicit Chunk(size_t bytes) : size(bytes) {
    void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      return;
    ::madvise(p, bytes, MADV_HUGEPAGE); // a hint: without it, ordinary pages
    data = static_cast<char *>(p);
  }
  ~Chunk() {
    if (data)
      ::munmap(data, size);
  }
  Chunk(const Chunk &) = delete;
  Chunk &operator=(const Chunk &) = delete;
  char *data = nullptr;
  size_t size;
};

/// Hands out slices of chunks of kChunkBytes (or one of its own to a larger
/// buffer); a chunk lives until its last slice is released.
class ChunkPool {
public:
  static constexpr size_t kChunkBytes = size_t{32} << 20, kAlign = 64;

  /// Memory for `bytes` and its owner; null data when mapping fails.
  std::pair<void *, std::shared_ptr<void>> allocate(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    bytes = (bytes + kAlign - 1) / kAlign * kAlign;
    if (!current_ || current_->size - used_ < bytes) {
      auto chunk = std::make_shared<Chunk>(std::max(bytes, kChunkBytes));
      if (!chunk->data)
        return {nullptr, nullptr};
      if (bytes >= kChunkBytes)
        return {chunk->data, chunk}; // keep filling the current one
      current_ = std::move(chunk);
      used_ = 0;
    }
    void *p = current_->data + used_;
    used_ += bytes;
    return {p, current_};
  }

private:
  std::mutex mutex_;
  std::shared_ptr<Chunk> current_;
  size_t used_ = 0;
};

ChunkPool &chunkPool() {
  static ChunkPool pool;
  return pool;
}

} // namespace

std::optional<FloatData> FloatData::of(Attribute a) {
  std::optional<FloatData> d;
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(a)) {
    if (!dense.getElementType().isF32())
      return d;
    d.emplace();
    if (dense.isSplat()) {
      d->splat_.assign(static_cast<size_t>(dense.getNumElements()), dense.getSplatValue<float>());
      d->values_ = d->splat_;
    } else {
      ArrayRef<char> raw = dense.getRawData();
      d->values_ = ArrayRef(reinterpret_cast<const float *>(raw.data()), raw.size() / sizeof(float));
    }
  } else if (std::optional<ArrayRef<float>> values = blobValues(a)) {
    d.emplace();
    d->values_ = *values;
    d->mayBeSplat_ = true;
  }
  return d;
}

std::optional<float> FloatData::splatValue() const {
  if (!splat_.empty())
    return splat_.front();
  if (values_.empty() || !mayBeSplat_)
    return std::nullopt;
  for (const float &v : values_)
    if (std::memcmp(&v, values_.data(), sizeof(float)) != 0)
      return std::nullopt;
  return values_.front();
}

bool isFloatData(Attribute a) {
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(a))
    return dense.getElementType().isF32();
  return blobValues(a).has_value();
}

FloatBuffer::FloatBuffer(size_t count) {
  const size_t bytes = count * sizeof(float);
  void *p = nullptr;
  if (bytes >= kBlobBytes)
    std::tie(p, owner_) = chunkPool().allocate(bytes);
  if (!p) {
    std::shared_ptr<float[]> heap(new float[count]);
    p = heap.get();
    owner_ = std::move(heap);
  }
  values_ = MutableArrayRef(static_cast<float *>(p), count);
}

ElementsAttr floatConstant(RankedTensorType type, FloatBuffer values, StringRef name) {
  if (values.size() * sizeof(float) < kBlobBytes)
    return DenseElementsAttr::get(type, ArrayRef<float>(values.values()));
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
  AsmResourceBlob blob(
      bytes, alignof(float), [owner = std::move(values.owner_)](void *, size_t, size_t) {}, /*dataIsMutable=*/true);
  return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(type, name.empty() ? "blob" : name, std::move(blob)));
}

ElementsAttr floatConstant(RankedTensorType type, ArrayRef<float> values, StringRef name) {
  if (values.size() * sizeof(float) < kBlobBytes)
    return DenseElementsAttr::get(type, values);
  FloatBuffer copy(values.size());
  std::copy(values.begin(), values.end(), copy.data());
  return floatConstant(type, std::move(copy), name);
}

ElementsAttr floatConstantView(RankedTensorType type, ArrayRef<float> values, std::shared_ptr<const void> owner,
                               StringRef name) {
  if (values.size() * sizeof(float) < kBlobBytes)
    return DenseElementsAttr::get(type, values);
  AsmResourceBlob view(
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float)), alignof(float),
      [owner = std::move(owner)](void *, size_t, size_t) {}, /*dataIsMutable=*/false);
  return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(type, name.empty() ? "blob" : name, std::move(view)));
}

ElementsAttr floatSlice(Attribute a, size_t offset, RankedTensorType type, StringRef name) {
  const size_t count = static_cast<size_t>(type.getNumElements());
  if (std::optional<ArrayRef<float>> whole = blobValues(a); whole && count * sizeof(float) >= kBlobBytes) {
    ArrayRef<float> part = whole->slice(offset, count);
    AsmResourceBlob view(ArrayRef<char>(reinterpret_cast<const char *>(part.data()), count * sizeof(float)),
                         alignof(float), /*deleter=*/{}, /*dataIsMutable=*/false);
    return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(type, name.empty() ? "blob" : name, std::move(view)));
  }
  return floatConstant(type, FloatData::of(a)->values().slice(offset, count), name);
}

const void *blobIdentity(Attribute a) {
  auto blob = dyn_cast_if_present<DenseResourceElementsAttr>(a);
  return blob ? blob.getRawHandle().getResource() : nullptr;
}

std::optional<MutableArrayRef<float>> writableFloats(Attribute a) {
  auto blob = dyn_cast_if_present<DenseF32ResourceElementsAttr>(a);
  AsmResourceBlob *bytes = blob ? blob.getRawHandle().getBlob() : nullptr;
  if (!bytes || !bytes->isMutable() || !blobValues(a))
    return std::nullopt;
  MutableArrayRef<char> raw = bytes->getMutableData();
  return MutableArrayRef(reinterpret_cast<float *>(raw.data()), raw.size() / sizeof(float));
}

ElementsAttr retypedBlob(Attribute a, RankedTensorType type) {
  auto blob = cast<DenseResourceElementsAttr>(a);
  assert(type.getNumElements() == blob.getNumElements() && "a blob keeps its element count");
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(type, blob.getRawHandle()));
}

} // namespace softnpu
