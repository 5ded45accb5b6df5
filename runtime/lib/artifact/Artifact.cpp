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
  // The last two permuted axes in two plain loops (an image's width and
  // channels), the others by an odometer stepped once per plane of them.
  const size_t outer = rank >= 2 ? rank - 2 : 0;
  const uint64_t n1 = rank >= 2 ? pshape[rank - 2] : 1, s1 = rank >= 2 ? pstride[rank - 2] : 0;
  const uint64_t n0 = pshape[rank - 1], s0 = pstride[rank - 1];
  // The inner loop walks whichever of the two axes is contiguous in the
  // original tensor: channels innermost from planes (NCHW to NHWC, where
  // the width is) reads each plane's row in order.
  const bool widthInner = s0 != 1 && s1 == 1;
  uint64_t src = 0;
  for (uint64_t dst = 0; dst < n; dst += n1 * n0) {
    if (widthInner) {
      for (uint64_t i0 = 0; i0 < n0; ++i0) {
        const uint64_t a = src + i0 * s0, d = dst + i0;
        if (inverse)
          for (uint64_t i1 = 0; i1 < n1; ++i1)
            out[a + i1] = in[d + i1 * n0];
        else
          for (uint64_t i1 = 0; i1 < n1; ++i1)
            out[d + i1 * n0] = in[a + i1];
      }
    } else {
      for (uint64_t i1 = 0; i1 < n1; ++i1) {
        const uint64_t a = src + i1 * s1, d = dst + i1 * n0;
        if (inverse)
          for (uint64_t i0 = 0; i0 < n0; ++i0)
            out[a + i0 * s0] = in[d + i0];
        else
          for (uint64_t i0 = 0; i0 < n0; ++i0)
            out[d + i0] = in[a + i0 * s0];
      }
    }
    for (size_t i = outer; i-- > 0;) { // the next plane of the permuted tensor
      src += pstride[i];
      if (++idx[i] < pshape[i])
        break;
      src -= pstride[i] * pshape[i];
      idx[i] = 0;
    }
  }
}

} // namespace softnpu::artifact
