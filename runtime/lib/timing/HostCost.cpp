//===- HostCost.cpp - The modelled cost of an ONNX op on the host ---------===//
#include "softnpu/timing/HostCost.h"

#include <cstdint>

namespace softnpu::timing {

namespace {

// Costs of absurd declared shapes (a fuzzed model) saturate instead of
// overflowing: the op is then simply very expensive.
uint64_t mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t dim(int64_t d) { return d > 0 ? static_cast<uint64_t>(d) : 0; }

uint64_t product(const Shape &dims, size_t from = 0) {
  uint64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i)
    n = mul(n, dim(dims[i]));
  return n;
}

uint64_t add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

} // namespace

uint64_t opMacs(const std::string &op, const std::vector<Shape> &operands, const std::vector<Shape> &results,
                bool transA) {
  if (operands.size() < 2 || results.empty())
    return 0;
  const Shape &a = operands[0], &w = operands[1];
  const uint64_t out = product(results[0]);
  if (op == "Gemm" && a.size() == 2)
    return mul(out, dim(a[transA ? 0 : 1]));
  if (op == "MatMul" && !a.empty())
    return mul(out, dim(a.back()));
  if (op == "Conv" && w.size() >= 2)
    return mul(out, product(w, 1));
  if (op == "ConvTranspose" && w.size() >= 2)
    return mul(product(a), product(w, 1));
  if ((op == "LSTM" || op == "GRU" || op == "RNN") && a.size() == 3 && w.size() == 3 && operands.size() >= 3) {
    const Shape &r = operands[2];
    const uint64_t hidden = r.size() == 3 ? dim(r[2]) : 0;
    return mul(mul(mul(mul(dim(a[0]), dim(a[1])), dim(w[0])), dim(w[1])), add(dim(a[2]), hidden));
  }
  return 0;
}

double hostUs(const target::Target &t, uint64_t macs, uint64_t elementOps) {
  return (2.0 * static_cast<double>(macs) + static_cast<double>(elementOps)) / (t.hostGflops * 1e3);
}

} // namespace softnpu::timing
