//===- WeightPayloads.h - Large initializer bytes left in the file -*- C++ -*-===//
//
// An ONNX file is one protobuf message; parsing it copies every initializer's
// raw_data into a string. stripWeightPayloads walks the wire format instead
// and writes a copy of the file in which each large initializer raw_data
// (ModelProto.graph.initializer[i].raw_data of at least `minBytes`) is one
// placeholder byte (the ONNX checker wants a value field),
// and records where its bytes lie in the original buffer. The importer parses
// the small copy (checker and shape inference see every tensor's type and
// dims, and the values of the small tensors that shape inference reads) and
// builds constants straight from the recorded bytes.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_WEIGHTPAYLOADS_H
#define SOFTNPU_COMPILER_IMPORT_WEIGHTPAYLOADS_H

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace softnpu::import {

struct StrippedModel {
  std::string bytes; ///< the file with the large payloads replaced
  /// Per initializer in file order: its raw_data in the original buffer, or
  /// nullopt when it was kept in `bytes` (small, or not raw_data).
  std::vector<std::optional<std::string_view>> payloads;
};

/// Nullopt when the buffer is not a plain well-formed message of the
/// expected shape (the caller then parses the original, which reports any
/// error); groups, repeated graph or raw_data fields and truncated fields
/// all give nullopt.
std::optional<StrippedModel> stripWeightPayloads(std::string_view file, size_t minBytes);

} // namespace softnpu::import

#endif // SOFTNPU_COMPILER_IMPORT_WEIGHTPAYLOADS_H
