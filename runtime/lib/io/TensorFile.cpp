//===- TensorFile.cpp - Pick a tensor reader by file extension ------------===//
#include "softnpu/io/TensorFile.h"

#include "softnpu/Limits.h"
#include "softnpu/io/Npy.h"
#include "softnpu/io/TensorProto.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

namespace softnpu::io {

const char *elemTypeName(ElemType t) {
  switch (t) {
  case ElemType::F32:
    return "float32";
  case ElemType::I64:
    return "int64";
  }
  return "unknown";
}

std::optional<uint64_t> checkedFileSize(const std::string &path, std::string &error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read '" + path + "': it is a directory";
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "cannot read '" + path + "': not a regular file";
    return std::nullopt;
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > limits::kMaxTensorFileBytes) {
    error = "'" + path + "' is " + std::to_string(size) + " bytes, above the limit of " +
            std::to_string(limits::kMaxTensorFileBytes) + " for a tensor file";
    return std::nullopt;
  }
  return size;
}

bool readFileBytes(const std::string &path, std::string &bytes, std::string &error) {
  if (!checkedFileSize(path, error))
    return false;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  // One read of the whole file: npu-run --batch reads inputs of many
  // megabytes, which a stream copy into a growing buffer reads several times.
  const std::streamoff size = in.tellg();
  in.seekg(0);
  if (size < 0 || !in || static_cast<uint64_t>(size) > limits::kMaxTensorFileBytes) {
    error = "cannot read '" + path + "'";
    return false;
  }
  bytes.resize(static_cast<size_t>(size));
  in.read(bytes.data(), size);
  if (in.gcount() != size) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

std::optional<TensorData> readTensorFile(const std::string &path, std::string &error) {
  std::string ext;
  size_t dot = path.find_last_of('.');
  size_t slash = path.find_last_of('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
    ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".npy")
    return readNpy(path, error);
  if (ext == ".pb")
    return readTensorProto(path, error);
  error = "'" + path + "': unsupported tensor file type (expected a .npy or .pb file)";
  return std::nullopt;
}

} // namespace softnpu::io
