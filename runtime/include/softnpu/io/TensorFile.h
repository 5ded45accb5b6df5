//===- TensorFile.h - Tensors read from files for the command-line tools --===//
//
// npu-run reads its inputs and reference outputs from NumPy .npy files or
// ONNX TensorProto .pb files (the format of the ONNX backend test data). Both
// arrive as TensorData: the element type the file stored, the shape, and the
// values as fp32 (the NPU's DRAM type).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_IO_TENSORFILE_H
#define SOFTNPU_IO_TENSORFILE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace softnpu::io {

/// Element type a file stored. Values are always handed out as float; int64
/// values beyond 2^24 in magnitude lose precision in that conversion.
enum class ElemType { F32, I64 };
const char *elemTypeName(ElemType t); ///< "float32", "int64"

struct TensorData {
  std::string name; ///< TensorProto name (empty for .npy)
  ElemType dtype = ElemType::F32;
  std::vector<int64_t> shape; ///< row-major (C order)
  std::vector<float> data;    ///< product(shape) values
};

/// Reads a .npy or .pb file, chosen by extension (case-insensitive). On
/// failure returns nullopt and sets `error` to one line naming the path.
std::optional<TensorData> readTensorFile(const std::string &path, std::string &error);

/// Reads a whole file; on failure sets `error` naming the path. The file must
/// be a regular file of at most limits::kMaxTensorFileBytes.
bool readFileBytes(const std::string &path, std::string &bytes, std::string &error);

/// The size of `path`, checked before it is read: a regular file (not a
/// directory or a device that never ends) of at most
/// limits::kMaxTensorFileBytes. On failure sets `error` naming the path.
std::optional<uint64_t> checkedFileSize(const std::string &path, std::string &error);

} // namespace softnpu::io

#endif
