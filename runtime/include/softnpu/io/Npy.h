//===- Npy.h - NumPy .npy files: little-endian float32 and int64 ----------===//
//
// Reads format versions 1.0, 2.0 and 3.0 with dtype '<f4' or '<i8' in C
// order (fortran_order True is rejected); writes version 1.0 '<f4'.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_IO_NPY_H
#define SOFTNPU_IO_NPY_H

#include "softnpu/io/TensorFile.h"

#include <iosfwd>
#include <memory>
#include <utility>
#include <vector>

namespace softnpu::io {

/// Parses .npy bytes; `origin` names the source in errors.
std::optional<TensorData> parseNpy(const std::string &bytes, const std::string &origin, std::string &error);
std::optional<TensorData> readNpy(const std::string &path, std::string &error);

/// A .npy file read a range of elements at a time, not whole (npu-run
/// --batch reads one run's slice of an input of many megabytes per run).
/// Reads are positional (pread), so threads may read one file at once, each
/// with a ReadAhead of its own.
class NpyFile {
public:
  /// Bytes read ahead for small reads: one system call serves many runs'
  /// slices. Owned by the caller, one per thread.
  struct ReadAhead {
    std::vector<char> bytes; ///< file bytes [at, at + bytes.size())
    uint64_t at = 0;
  };

  /// Opens `path` and reads its header; nullopt with `error` naming the path.
  static std::optional<NpyFile> open(const std::string &path, std::string &error);

  ElemType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  uint64_t count() const { return count_; } ///< elements
  /// Elements [first, first + n) as floats (int64 converted, as readNpy
  /// does); false with `error` when they are past the end or unreadable.
  /// Safe to call from several threads with different `ahead`.
  bool read(uint64_t first, uint64_t n, float *out, ReadAhead &ahead, std::string &error) const;
  /// The same with the file's own read-ahead (one thread at a time).
  bool read(uint64_t first, uint64_t n, float *out, std::string &error) { return read(first, n, out, ahead_, error); }

private:
  /// Owns a file descriptor, so NpyFile's own moves and destructor are the
  /// defaults.
  class OwnedFd {
  public:
    OwnedFd() = default;
    explicit OwnedFd(int fd) : fd_(fd) {}
    OwnedFd(OwnedFd &&o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    OwnedFd &operator=(OwnedFd &&o) noexcept;
    ~OwnedFd();
    int get() const { return fd_; }

  private:
    int fd_ = -1;
  };

  NpyFile() = default;
  bool readAt(uint64_t offset, char *dest, uint64_t bytes) const;
  std::string path_;
  OwnedFd fd_;
  ElemType dtype_ = ElemType::F32;
  std::vector<int64_t> shape_;
  uint64_t count_ = 0, dataStart_ = 0;
  ReadAhead ahead_;
};

/// .npy bytes (version 1.0, '<f4', C order) of a float32 tensor;
/// data.size() must equal the product of `shape`.
std::string serializeNpy(const std::vector<int64_t> &shape, const std::vector<float> &data);
bool writeNpy(const std::string &path, const std::vector<int64_t> &shape, const std::vector<float> &data,
              std::string &error);

/// Writes a .npy of elements already in NumPy's little-endian layout, with
/// dtype descriptor `descr` (e.g. "<i8", "|b1").
bool writeNpyRaw(const std::string &path, const std::vector<int64_t> &shape, const char *descr,
                 const std::vector<uint8_t> &elements, std::string &error);

} // namespace softnpu::io

#endif
