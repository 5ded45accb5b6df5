//===- HostCost.cpp - The modelled cost of an ONNX op on the host ---------===//
#include "softnpu/timing/HostCost.h"

namespace softnpu::timing {

namespace {

int64_t product(const Shape &dims, size_t from = 0) {
  int64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i)
    n *= dims[i] > 0 ? dims[i] : 0;
  return n;
}

} // namespace

uint64_t opMacs(const std::string &op, const std::vector<Shape> &operands, const std::vector<Shape> &results,
                bool transA) {
  if (operands.size() < 2 || results.empty())
    return 0;
  const Shape &a = operands[0], &w = operands[1];
  const int64_t out = product(results[0]);
  if (op == "Gemm" && a.size() == 2)
    return static_cast<uint64_t>(out * a[transA ? 0 : 1]);
  if (op == "MatMul" && !a.empty())
    return static_cast<uint64_t>(out * a.back());
  if (op == "Conv" && w.size() >= 2)
    return static_cast<uint64_t>(out * product(w, 1));
  if (op == "ConvTranspose" && w.size() >= 2)
    return static_cast<uint64_t>(product(a) * product(w, 1));
  if ((op == "LSTM" || op == "GRU" || op == "RNN") && a.size() == 3 && w.size() == 3 && operands.size() >= 3) {
    const Shape &r = operands[2];
    const int64_t hidden = r.size() == 3 ? r[2] : 0;
    return static_cast<uint64_t>(a[0] * a[1] * w[0] * w[1] * (a[2] + hidden));
  }
  return 0;
}

double hostUs(const target::Target &t, uint64_t macs, uint64_t elementOps) {
  return (2.0 * static_cast<double>(macs) + static_cast<double>(elementOps)) / (t.hostGflops * 1e3);
}

} // namespace softnpu::timing
