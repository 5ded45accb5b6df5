//===- RnnReference.cpp - fp32 evaluation of fpga.rnn ---------------------===//
//
// The ONNX LSTM / GRU / RNN semantics (default activations) in fp32 with
// float64 dot products, optionally rounding every matrix-unit input
// ([x_t | h_{t-1}]) the way the NPU does, for fpga-auto-precision.
//
//===----------------------------------------------------------------------===//
#include "compiler/analysis/ReferenceEvaluator.h"

#include <cmath>

using namespace mlir;

namespace softnpu::analysis {
namespace {

float sigmoid(float v) { return 1.0f / (1.0f + std::exp(-v)); }

/// sum_k m[row, k] * v[k] in float64, m row-major with `cols` columns.
float dotRow(const float *m, int64_t cols, const std::vector<float> &v) {
  double acc = 0;
  for (int64_t k = 0; k < cols; ++k)
    acc += static_cast<double>(m[k]) * v[k];
  return static_cast<float>(acc);
}

} // namespace

RnnOutputs evaluateRnn(fpga::RnnOp op, const std::vector<float> &x, const std::vector<float> &w,
                       const std::vector<float> &r, const std::vector<float> *b, const std::vector<float> *h0,
                       const std::vector<float> *c0, const std::function<void(float *, size_t)> &roundInput) {
  const int64_t seq = op.getSeqLength(), batch = op.getBatchSize(), in = op.getInputSize();
  const int64_t h = op.getHiddenSize(), gates = op.getNumGates(), dirs = op.getNumDirections();
  const bool batchMajor = op.getLayout() == 1, lstm = op.getCell() == fpga::RnnCell::lstm,
             gru = op.getCell() == fpga::RnnCell::gru;
  const bool lbr = op.getLinearBeforeReset();
  RnnOutputs out;
  out.y.assign(static_cast<size_t>(seq * dirs * batch * h), 0.0f);
  out.yh.assign(static_cast<size_t>(dirs * batch * h), 0.0f);
  out.yc.assign(out.yh.size(), 0.0f);
  auto stateAt = [&](int64_t d, int64_t bi) { return (batchMajor ? bi * dirs + d : d * batch + bi) * h; };
  auto round = [&](std::vector<float> v) {
    if (roundInput)
      roundInput(v.data(), v.size());
    return v;
  };
  for (int64_t d = 0; d < dirs; ++d) {
    const bool reverse = op.getDirection() == fpga::RnnDirection::reverse || d == 1;
    const float *wd = &w[d * gates * h * in], *rd = &r[d * gates * h * h];
    auto bias = [&](bool recurrent, int64_t g, int64_t j) {
      return b ? (*b)[d * 2 * gates * h + (recurrent ? gates * h : 0) + g * h + j] : 0.0f;
    };
    for (int64_t bi = 0; bi < batch; ++bi) {
      std::vector<float> hs(static_cast<size_t>(h), 0.0f), cs(hs);
      if (h0)
        std::copy_n(&(*h0)[stateAt(d, bi)], h, hs.begin());
      if (c0)
        std::copy_n(&(*c0)[stateAt(d, bi)], h, cs.begin());
      for (int64_t step = 0; step < seq; ++step) {
        const int64_t t = reverse ? seq - 1 - step : step;
        const float *xt = &x[(batchMajor ? bi * seq + t : t * batch + bi) * in];
        const std::vector<float> xq = round(std::vector<float>(xt, xt + in));
        const std::vector<float> hq = round(hs);
        // Pre-activation of gate g, row j: W x + R h (+ biases as the cell says).
        auto wx = [&](int64_t g, int64_t j) { return dotRow(wd + (g * h + j) * in, in, xq); };
        auto rh = [&](int64_t g, int64_t j, const std::vector<float> &v) { return dotRow(rd + (g * h + j) * h, h, v); };
        std::vector<float> next(static_cast<size_t>(h));
        if (lstm) {
          for (int64_t j = 0; j < h; ++j) {
            float a[4];
            for (int64_t g = 0; g < 4; ++g)
              a[g] = wx(g, j) + rh(g, j, hq) + bias(false, g, j) + bias(true, g, j);
            const float i = sigmoid(a[0]), o = sigmoid(a[1]), f = sigmoid(a[2]), c = std::tanh(a[3]);
            cs[j] = f * cs[j] + i * c;
            next[j] = o * std::tanh(cs[j]);
          }
        } else if (gru) {
          std::vector<float> z(static_cast<size_t>(h)), rr(z), rhv(z);
          for (int64_t j = 0; j < h; ++j) {
            z[j] = sigmoid(wx(0, j) + rh(0, j, hq) + bias(false, 0, j) + bias(true, 0, j));
            rr[j] = sigmoid(wx(1, j) + rh(1, j, hq) + bias(false, 1, j) + bias(true, 1, j));
            rhv[j] = rr[j] * hs[j];
          }
          const std::vector<float> rhq = lbr ? std::vector<float>() : round(rhv);
          for (int64_t j = 0; j < h; ++j) {
            const float pre = lbr ? wx(2, j) + bias(false, 2, j) + rr[j] * (rh(2, j, hq) + bias(true, 2, j))
                                  : wx(2, j) + rh(2, j, rhq) + bias(false, 2, j) + bias(true, 2, j);
            const float hc = std::tanh(pre);
            next[j] = hc + z[j] * (hs[j] - hc);
          }
        } else {
          for (int64_t j = 0; j < h; ++j)
            next[j] = std::tanh(wx(0, j) + rh(0, j, hq) + bias(false, 0, j) + bias(true, 0, j));
        }
        hs = std::move(next);
        const int64_t yAt = (batchMajor ? (bi * seq + t) * dirs + d : (t * dirs + d) * batch + bi) * h;
        std::copy(hs.begin(), hs.end(), out.y.begin() + yAt);
      }
      std::copy(hs.begin(), hs.end(), out.yh.begin() + stateAt(d, bi));
      std::copy(cs.begin(), cs.end(), out.yc.begin() + stateAt(d, bi));
    }
  }
  return out;
}

} // namespace softnpu::analysis
