//===- HostValue.cpp - Tensors, sequences and optionals as one value ------===//
#include "softnpu/host/HostValue.h"

namespace softnpu::host {

HostValue::HostValue(HostTensor t) : v_(std::move(t)) {}

HostValue::HostValue(HostSequence s) : v_(std::move(s)) {}

HostValue HostValue::optional(HostValue element) {
  HostValue v;
  v.v_ = Optional{std::make_shared<const HostValue>(std::move(element))};
  return v;
}

HostValue HostValue::none() {
  HostValue v;
  v.v_ = Optional{};
  return v;
}

const HostValue *HostValue::element() const {
  const Optional *o = std::get_if<Optional>(&v_);
  return o ? o->element.get() : nullptr;
}

std::string typeText(const HostValue &v) {
  switch (v.kind()) {
  case HostValue::Kind::Tensor:
    return std::string("tensor(") + artifact::dtypeName(v.tensor()->dtype) + ")";
  case HostValue::Kind::Sequence:
    return std::string("seq(tensor(") + artifact::dtypeName(v.sequence()->elemType) + "))";
  case HostValue::Kind::Optional:
    return "optional(" + (v.element() ? typeText(*v.element()) : std::string("empty")) + ")";
  }
  return "?";
}

} // namespace softnpu::host
