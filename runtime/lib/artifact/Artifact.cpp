//===- Artifact.cpp - Small helpers of the in-memory artifact -------------===//
#include "softnpu/artifact/Artifact.h"

namespace softnpu::artifact {

uint64_t TensorSig::numElements() const {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= d < 0 ? 0 : static_cast<uint64_t>(d);
  return n;
}

} // namespace softnpu::artifact
