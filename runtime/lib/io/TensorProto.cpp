//===- TensorProto.cpp - Read ONNX TensorProto (.pb) files ----------------===//
#include "softnpu/io/TensorProto.h"

#include <onnx/onnx_pb.h>

#include <cstring>

namespace softnpu::io {

namespace {

std::string typeName(int type) {
  std::string n = onnx::TensorProto_DataType_IsValid(type)
                      ? onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(type))
                      : std::string();
  return n.empty() ? "type " + std::to_string(type) : n;
}

uint64_t loadLE(const unsigned char *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

std::optional<TensorData> convert(const onnx::TensorProto &tp, const std::string &origin, std::string &error) {
  auto fail = [&](const std::string &msg) -> std::optional<TensorData> {
    error = origin + ": " + msg;
    return std::nullopt;
  };
  TensorData t;
  t.name = tp.name();
  if (tp.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    return fail("tensor '" + t.name + "' keeps its data in an external file, which is not supported");
  size_t itemSize;
  if (tp.data_type() == onnx::TensorProto_DataType_FLOAT) {
    t.dtype = ElemType::F32;
    itemSize = 4;
  } else if (tp.data_type() == onnx::TensorProto_DataType_INT64) {
    t.dtype = ElemType::I64;
    itemSize = 8;
  } else {
    return fail("tensor '" + t.name + "' has element type " + typeName(tp.data_type()) +
                ", which is not supported (expected FLOAT or INT64)");
  }

  // The element count is checked against the values actually present before
  // anything is allocated, so a corrupted shape cannot cause a huge allocation.
  const bool raw = tp.has_raw_data();
  const uint64_t present = raw                        ? tp.raw_data().size() / itemSize
                           : t.dtype == ElemType::F32 ? static_cast<uint64_t>(tp.float_data_size())
                                                      : static_cast<uint64_t>(tp.int64_data_size());
  uint64_t count = 1;
  bool overflow = false;
  for (int64_t d : tp.dims()) {
    if (d < 0)
      return fail("tensor '" + t.name + "' has negative dimension " + std::to_string(d));
    overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(d), &count);
    t.shape.push_back(d);
  }
  if (overflow)
    return fail("tensor '" + t.name + "' has too many elements");
  if (raw && (count > present || tp.raw_data().size() != count * itemSize))
    return fail("tensor '" + t.name + "' has " + std::to_string(tp.raw_data().size()) + " bytes of raw_data for " +
                std::to_string(count) + " elements of " + std::to_string(itemSize) + " bytes");
  if (!raw && present != count)
    return fail("tensor '" + t.name + "' has " + std::to_string(present) + " values for " + std::to_string(count) +
                " elements");

  t.data.resize(count);
  if (raw) {
    const auto *p = reinterpret_cast<const unsigned char *>(tp.raw_data().data());
    for (uint64_t i = 0; i < count; ++i) {
      if (t.dtype == ElemType::F32) {
        uint32_t bits = static_cast<uint32_t>(loadLE(p + 4 * i, 4));
        std::memcpy(&t.data[i], &bits, 4);
      } else {
        t.data[i] = static_cast<float>(static_cast<int64_t>(loadLE(p + 8 * i, 8)));
      }
    }
  } else if (t.dtype == ElemType::F32) {
    for (uint64_t i = 0; i < count; ++i)
      t.data[i] = tp.float_data(static_cast<int>(i));
  } else {
    for (uint64_t i = 0; i < count; ++i)
      t.data[i] = static_cast<float>(tp.int64_data(static_cast<int>(i)));
  }
  return t;
}

} // namespace

std::optional<TensorData> parseTensorProto(const std::string &bytes, const std::string &origin, std::string &error) {
  try {
    onnx::TensorProto tp;
    if (!tp.ParseFromString(bytes)) {
      error = origin + ": not a valid ONNX TensorProto";
      return std::nullopt;
    }
    return convert(tp, origin, error);
  } catch (const std::exception &e) {
    error = origin + ": cannot parse TensorProto: " + e.what();
  } catch (...) {
    error = origin + ": cannot parse TensorProto";
  }
  return std::nullopt;
}

std::optional<TensorData> readTensorProto(const std::string &path, std::string &error) {
  std::string bytes;
  if (!readFileBytes(path, bytes, error))
    return std::nullopt;
  return parseTensorProto(bytes, "'" + path + "'", error);
}

} // namespace softnpu::io
