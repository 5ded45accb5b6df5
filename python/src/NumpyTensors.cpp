//===- NumpyTensors.cpp - NumPy arrays <-> api::Tensor --------------------===//
#include "NumpyTensors.h"

#include "PyErrors.h"
#include "TensorArgs.h"

#include "softnpu/Bytes.h"

#include <optional>
#include <vector>

namespace py = pybind11;

namespace softnpu::python {

namespace {

using artifact::DType;

/// The DType of a NumPy dtype: the one whose NumPy name (artifact::dtypeName)
/// has the same kind and size, so DType.h stays the only list of types.
/// bfloat16 has no NumPy dtype.
std::optional<DType> dtypeOf(const py::dtype &d) {
  struct Entry {
    char kind;
    py::ssize_t size;
    DType type;
  };
  static const std::vector<Entry> table = [] { // built on first use, under the GIL
    std::vector<Entry> entries;
    for (int code = 0; code <= 32; ++code)
      if (std::optional<DType> t = artifact::dtypeFromOnnx(code); t && *t != DType::BF16) {
        const py::dtype np(artifact::dtypeName(*t));
        entries.push_back({np.kind(), np.itemsize(), *t});
      }
    return entries;
  }();
  for (const Entry &e : table)
    if (e.kind == d.kind() && e.size == d.itemsize())
      return e.type;
  return std::nullopt;
}

/// Whether `d` is in this machine's byte order ('|': one byte, no order).
bool isNative(const py::dtype &d) {
  const char order = d.byteorder();
  const char here = PY_LITTLE_ENDIAN ? '<' : '>';
  return order == '=' || order == '|' || order == here;
}

api::Tensor tensorFromArray(const std::string &name, const py::handle &value) {
  // A C-contiguous array in native byte order (a copy only when needed).
  py::array arr = py::array::ensure(value, py::array::c_style);
  if (!arr)
    raise("input '" + name + "' is not an array NumPy can convert");
  if (!isNative(arr.dtype()))
    arr = py::array::ensure(arr.attr("astype")(arr.dtype().attr("newbyteorder")("=")), py::array::c_style);
  std::optional<DType> dtype = dtypeOf(arr.dtype());
  if (!dtype)
    raise("input '" + name + "' has NumPy dtype " + py::str(arr.dtype()).cast<std::string>() +
          ", which is not a tensor element type softnpu handles");
  api::Tensor t;
  t.shape.assign(arr.shape(), arr.shape() + arr.ndim());
  t.dtype = *dtype;
  const size_t bytes = static_cast<size_t>(arr.nbytes());
  if (t.dtype == DType::F32) {
    t.data.resize(bytes / sizeof(float));
    copyBytes(t.data.data(), arr.data(), bytes);
  } else {
    t.bytes.resize(bytes);
    copyBytes(t.bytes.data(), arr.data(), bytes);
  }
  return t;
}

} // namespace

TensorMap tensorsFromFeed(const py::dict &feed, const artifact::Artifact &a) {
  TensorMap tensors;
  for (const auto &[key, value] : feed) {
    if (!py::isinstance<py::str>(key))
      raise("input_feed keys must be input names (str), got " + py::repr(key).cast<std::string>());
    const std::string name = key.cast<std::string>();
    tensors[name] = tensorFromArray(name, value);
  }
  // npu-run reads an int64 .npy as float32, then converts it as any float32
  // input; an int64 array for an int64 input stays exact.
  for (const artifact::TensorSig &sig : a.inputs) {
    auto it = tensors.find(sig.name);
    if (it != tensors.end() && it->second.dtype == DType::I64 && sig.dtype != DType::I64)
      it->second = tools::convertTensor(it->second, DType::F32);
  }
  tools::conformToSignature(a.inputs, tensors);
  return tensors;
}

py::array arrayFromTensor(const api::Tensor &t) {
  const char *descr = tools::npyDescr(t.dtype);
  if (!descr) // bfloat16: as float32
    return arrayFromTensor(tools::convertTensor(t, DType::F32));
  py::array arr(py::dtype(descr), t.shape);
  if (t.dtype == DType::F32)
    copyBytes(arr.mutable_data(), t.data.data(), t.data.size() * sizeof(float));
  else
    copyBytes(arr.mutable_data(), t.bytes.data(), t.bytes.size());
  return arr;
}

std::string onnxTypeName(DType t) {
  switch (t) {
  case DType::F32:
    return "tensor(float)";
  case DType::F64:
    return "tensor(double)";
  default:
    return std::string("tensor(") + artifact::dtypeName(t) + ")";
  }
}

} // namespace softnpu::python
