//===- TensorProto.h - ONNX TensorProto (.pb) files -----------------------===//
//
// Reads serialized onnx.TensorProto messages of type FLOAT or INT64, with the
// values in float_data, int64_data or raw_data (little endian). Externally
// stored data and other element types are rejected, naming the type.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_IO_TENSORPROTO_H
#define SOFTNPU_IO_TENSORPROTO_H

#include "softnpu/io/TensorFile.h"

namespace softnpu::io {

/// Parses serialized TensorProto bytes; `origin` names the source in errors.
std::optional<TensorData> parseTensorProto(const std::string &bytes, const std::string &origin, std::string &error);
std::optional<TensorData> readTensorProto(const std::string &path, std::string &error);

} // namespace softnpu::io

#endif
