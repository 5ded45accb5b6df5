//===- DType.h - Element types of tensors crossing the runtime's API ------===//
//
// The codes are ONNX's TensorProto.DataType values, so a dtype read from a
// model, a .pb file or an artifact needs no second table. The NPU computes in
// fp32 at its DRAM boundary; host segments compute in every type below.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_ARTIFACT_DTYPE_H
#define SOFTNPU_ARTIFACT_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>

namespace softnpu::artifact {

enum class DType : uint8_t {
  F32 = 1,
  U8 = 2,
  I8 = 3,
  U16 = 4,
  I16 = 5,
  I32 = 6,
  I64 = 7,
  Bool = 9,
  F16 = 10,
  F64 = 11,
  U32 = 12,
  U64 = 13,
  BF16 = 16,
};

/// "float32", "int64", "bool", ... (NumPy's names).
const char *dtypeName(DType t);
/// Bytes per element.
size_t dtypeSize(DType t);
/// The DType of an ONNX TensorProto.DataType code; nullopt for codes softnpu
/// does not handle (strings, complex, 8-bit floats).
std::optional<DType> dtypeFromOnnx(int code);

} // namespace softnpu::artifact

#endif
