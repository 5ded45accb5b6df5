//===- HostValue.h - A host segment's value: tensor, sequence or optional -===//
//
// ONNX values are tensors, sequences of tensors, or optionals holding a
// tensor or a sequence (or nothing). The executor stores every value as a
// HostValue; the tensor kernels see only the HostTensors inside, the sequence
// and optional kernels and the control flow see the rest.
//
//   HostValue t = HostTensor(DType::F32, {2});       // a tensor is a value
//   HostValue s = HostSequence{DType::I64, {...}};
//   HostValue o = HostValue::optional(std::move(s)); // or HostValue::none()
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_HOST_HOSTVALUE_H
#define SOFTNPU_HOST_HOSTVALUE_H

#include "softnpu/host/HostTensor.h"

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace softnpu::host {

/// Tensors of one element type. The type is kept apart from the tensors so
/// that an empty sequence has one too (SequenceEmpty's dtype).
struct HostSequence {
  DType elemType = DType::F32;
  std::vector<HostTensor> tensors;
};

class HostValue {
public:
  enum class Kind { Tensor, Sequence, Optional };

  HostValue(HostTensor t = HostTensor()); // NOLINT: implicit, a tensor is a value
  HostValue(HostSequence s);              // NOLINT: implicit, so is a sequence
  /// An optional holding `element`, a tensor or a sequence.
  static HostValue optional(HostValue element);
  /// An empty optional.
  static HostValue none();

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  /// The tensor or the sequence, or nullptr when this value is not one.
  const HostTensor *tensor() const { return std::get_if<HostTensor>(&v_); }
  HostTensor *tensor() { return std::get_if<HostTensor>(&v_); }
  const HostSequence *sequence() const { return std::get_if<HostSequence>(&v_); }
  HostSequence *sequence() { return std::get_if<HostSequence>(&v_); }
  /// What an optional holds; nullptr when it is empty or not an optional.
  const HostValue *element() const;

private:
  struct Optional {
    std::shared_ptr<const HostValue> element; ///< shared: an optional's copies need not copy it
  };
  std::variant<HostTensor, HostSequence, Optional> v_; ///< in the order of Kind
};

/// The value's type for messages: "tensor(float32)", "seq(tensor(int64))",
/// "optional(tensor(float32))", "optional(empty)".
std::string typeText(const HostValue &v);

} // namespace softnpu::host

#endif
