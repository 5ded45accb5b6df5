//===- Artifact.cpp - Small helpers of the in-memory artifact -------------===//
#include "softnpu/artifact/Artifact.h"

#include <algorithm>

namespace softnpu::artifact {

uint64_t TensorSig::numElements() const {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= d < 0 ? 0 : static_cast<uint64_t>(d);
  return n;
}

void permuteAxes(const float *in, float *out, const std::vector<int64_t> &shape, const std::vector<int64_t> &perm,
                 bool inverse) {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<uint64_t>(d);
  if (perm.empty()) {
    std::copy(in, in + n, out);
    return;
  }
  // Strides of the original tensor, taken in the permuted axis order: walking
  // the permuted tensor row-major, `src` is the element's original index.
  const size_t rank = shape.size();
  std::vector<uint64_t> stride(rank), pstride(rank), pshape(rank), idx(rank, 0);
  for (size_t i = rank, s = 1; i-- > 0; s *= static_cast<uint64_t>(shape[i]))
    stride[i] = s;
  for (size_t i = 0; i < rank; ++i) {
    pshape[i] = static_cast<uint64_t>(shape[perm[i]]);
    pstride[i] = stride[perm[i]];
  }
  uint64_t src = 0;
  for (uint64_t dst = 0; dst < n; ++dst) {
    if (inverse)
      out[src] = in[dst];
    else
      out[dst] = in[src];
    for (size_t i = rank; i-- > 0;) { // next index of the permuted tensor
      src += pstride[i];
      if (++idx[i] < pshape[i])
        break;
      src -= pstride[i] * pshape[i];
      idx[i] = 0;
    }
  }
}

} // namespace softnpu::artifact
