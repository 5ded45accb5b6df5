//===- NumpyTensors.h - NumPy arrays <-> api::Tensor ----------------------===//
//
// Inputs are taken in the dtype of the model's signature. The .npy types
// npu-run reads are converted as npu-run converts them: a float32 array for
// an input of another element type (tools::conformToSignature), an int64
// array for a non-int64 input (through float32, as npu-run reads an int64
// .npy). Any other mismatch is the session's one-line error. Outputs come back in their own dtype (bfloat16,
// which NumPy lacks, as float32, as npu-run writes it).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_PYTHON_NUMPYTENSORS_H
#define SOFTNPU_PYTHON_NUMPYTENSORS_H

#include "softnpu/api/Session.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <map>
#include <string>

namespace softnpu::python {

using TensorMap = std::map<std::string, api::Tensor>;

/// The feed {name: array-like} as tensors for `a`'s inputs (raises
/// softnpu.Error for an array NumPy cannot give as a tensor softnpu knows).
TensorMap tensorsFromFeed(const pybind11::dict &feed, const artifact::Artifact &a);

/// A tensor as a new NumPy array.
pybind11::array arrayFromTensor(const api::Tensor &t);

/// ONNX Runtime's name of a tensor type: "tensor(float)", "tensor(int64)".
std::string onnxTypeName(artifact::DType t);

} // namespace softnpu::python

#endif // SOFTNPU_PYTHON_NUMPYTENSORS_H
