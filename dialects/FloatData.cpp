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
#include <unistd.h>

using namespace mlir;

namespace softnpu {
namespace {

/// The bytes of a float32 dense_resource<...> when they are present and fill
/// its type, aligned for float or not (floatConstantView).
std::optional<ArrayRef<char>> blobBytes(Attribute a) {
  auto blob = dyn_cast_if_present<DenseF32ResourceElementsAttr>(a);
  AsmResourceBlob *bytes = blob ? blob.getRawHandle().getBlob() : nullptr;
  if (!bytes || bytes->getData().size() != static_cast<size_t>(blob.getNumElements()) * sizeof(float))
    return std::nullopt;
  return bytes->getData();
}

bool alignedForFloat(const char *p) { return reinterpret_cast<uintptr_t>(p) % alignof(float) == 0; }

/// A float32 blob's elements in place, when they are aligned for float.
std::optional<ArrayRef<float>> alignedBlobValues(Attribute a) {
  std::optional<ArrayRef<char>> bytes = blobBytes(a);
  if (!bytes || !alignedForFloat(bytes->data()))
    return std::nullopt;
  return ArrayRef(reinterpret_cast<const float *>(bytes->data()), bytes->size() / sizeof(float));
}

/// A read-only blob constant of `type` over `bytes`, declared aligned for
/// float only when they are (the typed DenseF32ResourceElementsAttr::get
/// insists on float alignment).
ElementsAttr blobView(RankedTensorType type, ArrayRef<char> bytes, AsmResourceBlob::DeleterFn deleter, StringRef name) {
  AsmResourceBlob view(bytes, alignedForFloat(bytes.data()) ? alignof(float) : 1, std::move(deleter),
                       /*dataIsMutable=*/false);
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(type, name.empty() ? "blob" : name, std::move(view)));
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
      d->owned_.assign(static_cast<size_t>(dense.getNumElements()), dense.getSplatValue<float>());
      d->values_ = d->owned_;
      d->isSplat_ = true;
    } else {
      ArrayRef<char> raw = dense.getRawData();
      d->values_ = ArrayRef(reinterpret_cast<const float *>(raw.data()), raw.size() / sizeof(float));
    }
  } else if (std::optional<ArrayRef<char>> bytes = blobBytes(a)) {
    d.emplace();
    if (alignedForFloat(bytes->data())) {
      d->values_ = ArrayRef(reinterpret_cast<const float *>(bytes->data()), bytes->size() / sizeof(float));
    } else {
      d->owned_.resize(bytes->size() / sizeof(float));
      copyFloats(FloatBytes{bytes->data(), d->owned_.size()}, 0, d->owned_.size(), d->owned_.data());
      d->values_ = d->owned_;
    }
    d->mayBeSplat_ = true;
  }
  return d;
}

std::optional<float> FloatData::splatValue() const {
  if (isSplat_)
    return values_.front();
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
  return blobBytes(a).has_value();
}

std::optional<FloatBytes> floatBytesOf(Attribute a) {
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(a)) {
    if (!dense.getElementType().isF32() || dense.isSplat())
      return std::nullopt;
    ArrayRef<char> raw = dense.getRawData();
    return FloatBytes{raw.data(), raw.size() / sizeof(float)};
  }
  if (std::optional<ArrayRef<char>> bytes = blobBytes(a))
    return FloatBytes{bytes->data(), bytes->size() / sizeof(float)};
  return std::nullopt;
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

namespace {
struct MappedFileEntry {
  const char *base;
  size_t size;
  int fd;
};
std::mutex mappedFilesMutex;
std::vector<MappedFileEntry> &mappedFiles() {
  static std::vector<MappedFileEntry> files;
  return files;
}
} // namespace

void registerMappedFile(const void *base, size_t size, int fd) {
  std::lock_guard<std::mutex> lock(mappedFilesMutex);
  mappedFiles().push_back({static_cast<const char *>(base), size, fd});
}

void unregisterMappedFile(const void *base) {
  std::lock_guard<std::mutex> lock(mappedFilesMutex);
  auto &files = mappedFiles();
  files.erase(std::remove_if(files.begin(), files.end(), [&](const MappedFileEntry &f) { return f.base == base; }),
              files.end());
}

bool inMappedFile(const void *p) {
  const auto *c = static_cast<const char *>(p);
  std::lock_guard<std::mutex> lock(mappedFilesMutex);
  return llvm::any_of(mappedFiles(), [&](const MappedFileEntry &f) { return c >= f.base && c < f.base + f.size; });
}

void copyFloats(FloatBytes source, size_t first, size_t count, float *out) {
  const char *from = source.data + first * sizeof(float);
  size_t bytes = count * sizeof(float);
  std::optional<MappedFileEntry> file;
  {
    std::lock_guard<std::mutex> lock(mappedFilesMutex);
    for (const MappedFileEntry &f : mappedFiles())
      if (from >= f.base && bytes <= f.size && static_cast<size_t>(from - f.base) <= f.size - bytes)
        file = f;
  }
  char *to = reinterpret_cast<char *>(out);
  while (file && bytes > 0) {
    const ssize_t got = ::pread(file->fd, to, bytes, static_cast<off_t>(from - file->base));
    if (got <= 0)
      break; // the mapping still holds the bytes
    from += got;
    to += got;
    bytes -= static_cast<size_t>(got);
  }
  if (bytes > 0)
    std::memcpy(to, from, bytes);
}

void transposedRows(FloatBytes source, size_t sourceCols, size_t first, size_t count, size_t k, float *out) {
  constexpr size_t kBlock = 8;
  // Source rows outermost: they are read in order, which the hardware
  // prefetches (a column of blocks at a time read them 4 KiB apart for a
  // 1024-wide matrix, and took 2 to 5 times as long).
  for (size_t j0 = 0; j0 < k; j0 += kBlock) {
    for (size_t i0 = 0; i0 < count; i0 += kBlock) {
      if (i0 + kBlock > count || j0 + kBlock > k) { // an edge block
        for (size_t i = i0; i < std::min(count, i0 + kBlock); ++i)
          for (size_t j = j0; j < std::min(k, j0 + kBlock); ++j)
            out[i * k + j] = source.at(j * sourceCols + first + i);
        continue;
      }
      float block[kBlock][kBlock];
      for (size_t r = 0; r < kBlock; ++r)
        for (size_t c = 0; c < kBlock; ++c)
          block[c][r] = source.at((j0 + r) * sourceCols + first + i0 + c);
      for (size_t c = 0; c < kBlock; ++c)
        std::memcpy(&out[(i0 + c) * k + j0], block[c], sizeof(block[c]));
    }
  }
}

ElementsAttr floatConstantView(RankedTensorType type, ArrayRef<char> bytes, std::shared_ptr<const void> owner,
                               StringRef name) {
  if (bytes.size() < kBlobBytes) {
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return DenseElementsAttr::get(type, ArrayRef<float>(values));
  }
  return blobView(type, bytes, [owner = std::move(owner)](void *, size_t, size_t) {}, name);
}

ElementsAttr floatSlice(Attribute a, size_t offset, RankedTensorType type, StringRef name) {
  const size_t count = static_cast<size_t>(type.getNumElements());
  if (std::optional<ArrayRef<char>> whole = blobBytes(a); whole && count * sizeof(float) >= kBlobBytes)
    return blobView(type, whole->slice(offset * sizeof(float), count * sizeof(float)), /*deleter=*/{}, name);
  return floatConstant(type, FloatData::of(a)->values().slice(offset, count), name);
}

const void *blobIdentity(Attribute a) {
  auto blob = dyn_cast_if_present<DenseResourceElementsAttr>(a);
  return blob ? blob.getRawHandle().getResource() : nullptr;
}

std::optional<MutableArrayRef<float>> writableFloats(Attribute a) {
  auto blob = dyn_cast_if_present<DenseF32ResourceElementsAttr>(a);
  AsmResourceBlob *bytes = blob ? blob.getRawHandle().getBlob() : nullptr;
  if (!bytes || !bytes->isMutable() || !alignedBlobValues(a))
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
