//===- ReferenceEvaluator.cpp - fp32 evaluation of tensor-level fpga IR ---===//
#include "compiler/analysis/ReferenceEvaluator.h"
#include "compiler/Diagnostics.h"
#include "compiler/TensorUtils.h"
#include "dialects/FloatData.h"
#include "dialects/fpga/FpgaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace softnpu::analysis {

std::vector<int64_t> broadcastIndex(ArrayRef<int64_t> operand, ArrayRef<int64_t> out) {
  size_t rank = out.size();
  std::vector<int64_t> dims(rank, 1), strides(rank, 0);
  for (size_t i = 0; i < operand.size(); ++i)
    dims[rank - operand.size() + i] = operand[i];
  for (int64_t i = static_cast<int64_t>(rank) - 1, s = 1; i >= 0; --i) {
    strides[i] = dims[i] == 1 ? 0 : s;
    s *= dims[i];
  }
  int64_t total = 1;
  for (int64_t d : out)
    total *= d;
  std::vector<int64_t> index(static_cast<size_t>(total));
  for (int64_t e = 0; e < total; ++e) {
    int64_t rem = e, off = 0;
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
      off += (rem % out[i]) * strides[i];
      rem /= out[i];
    }
    index[e] = off;
  }
  return index;
}

float activate(fpga::Activation kind, float v) {
  switch (kind) {
  case fpga::Activation::relu:
    return v > 0.0f ? v : 0.0f;
  case fpga::Activation::sigmoid:
    return 1.0f / (1.0f + std::exp(-v));
  case fpga::Activation::tanh:
    return std::tanh(v);
  case fpga::Activation::silu:
    return v * (1.0f / (1.0f + std::exp(-v)));
  case fpga::Activation::hardswish: {
    const float t = v * (1.0f / 6.0f) + 0.5f;
    return v * std::fmin(t > 0.0f ? t : 0.0f, 1.0f);
  }
  case fpga::Activation::none:
    break;
  }
  return v;
}

std::vector<float> evaluateLinear(fpga::LinearOp op, const std::vector<float> &x, const std::vector<float> &w,
                                  const std::vector<float> *bias, const std::vector<float> *residual) {
  int64_t rows = op.getNumRows(), k = op.getReductionSize(), p = op.getNumOutputs();
  std::vector<int64_t> bi;
  if (bias)
    bi = broadcastIndex(shapeOf(op.getBias()), {rows, p});
  float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
  std::vector<float> y(static_cast<size_t>(rows * p));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < p; ++j) {
      double acc = 0;
      for (int64_t c = 0; c < k; ++c)
        acc += static_cast<double>(x[i * k + c]) * w[j * k + c];
      float val = alpha * static_cast<float>(acc);
      if (bias)
        val += beta * (*bias)[bi[i * p + j]];
      if (residual)
        val += (*residual)[i * p + j];
      val = activate(op.getActivation(), val);
      if (auto a = op.getLeakyAlpha())
        val = val < 0.0f ? val * a->convertToFloat() : val;
      if (auto f = op.getMaxFloor())
        val = std::fmax(val, f->convertToFloat());
      if (auto c = op.getMinCeiling())
        val = std::fmin(val, c->convertToFloat());
      y[i * p + j] = val;
    }
  return y;
}

std::vector<float> linearRows(const std::vector<float> &x, int64_t rows, int64_t cols, bool transposed) {
  if (!transposed)
    return x;
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] = x[c * rows + r];
  return out;
}

/// The rows of fpga.window `w` over the [H, W, C] map `x`, as its description
/// defines them (zeros outside the map and at the upsampling's inserted zeros).
std::vector<float> windowRows(fpga::WindowOp w, const std::vector<float> &x) {
  ArrayRef<int64_t> map = shapeOf(w.getX());
  const int64_t oh = w.getOutHeight(), ow = w.getOutWidth(), kh = w.getKernel()[0], kw = w.getKernel()[1];
  const int64_t c0 = static_cast<int64_t>(w.getChannelOffset()), cw = static_cast<int64_t>(w.getWindowChannels());
  std::vector<float> rows;
  rows.reserve(static_cast<size_t>(oh * ow * kh * kw * cw));
  for (int64_t p = 0; p < oh * ow; ++p)
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        const int64_t uh = (p / ow) * w.getStrides()[0] + i * w.getDilations()[0] - w.getPads()[0];
        const int64_t uw = (p % ow) * w.getStrides()[1] + j * w.getDilations()[1] - w.getPads()[1];
        const int64_t upH = w.getUp(0), upW = w.getUp(1), ih = uh / upH, iw = uw / upW;
        const bool inside = uh >= 0 && uh % upH == 0 && ih < map[0] && uw >= 0 && uw % upW == 0 && iw < map[1];
        for (int64_t c = 0; c < cw; ++c)
          rows.push_back(inside ? x[(ih * map[1] + iw) * map[2] + c0 + c] : 0.0f);
      }
  return rows;
}

/// fpga.pool `p` over its window's rows (`rows`, padding taps as zeros):
/// per pixel and channel the max of the taps inside the map, or their sum
/// times the scale, as the op's description defines it.
std::vector<float> poolRows(fpga::PoolOp p, const std::vector<float> &rows) {
  auto w = p.getX().getDefiningOp<fpga::WindowOp>();
  ArrayRef<int64_t> map = shapeOf(w.getX());
  const int64_t ow = w.getOutWidth(), kh = w.getKernel()[0], kw = w.getKernel()[1];
  const int64_t cw = static_cast<int64_t>(w.getWindowChannels()), pixels = shapeOf(p.getY())[0];
  const bool max = p.getKind() == fpga::PoolKind::max;
  const float scale = p.getScale().convertToFloat();
  std::vector<float> y(static_cast<size_t>(pixels * cw));
  for (int64_t q = 0; q < pixels; ++q)
    for (int64_t c = 0; c < cw; ++c) {
      float acc = max ? -std::numeric_limits<float>::infinity() : 0.0f;
      int64_t inside = 0;
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          const int64_t uh = (q / ow) * w.getStrides()[0] + i * w.getDilations()[0] - w.getPads()[0];
          const int64_t uw = (q % ow) * w.getStrides()[1] + j * w.getDilations()[1] - w.getPads()[1];
          const int64_t upH = w.getUp(0), upW = w.getUp(1), ih = uh / upH, iw = uw / upW;
          if (uh < 0 || uh % upH || ih >= map[0] || uw < 0 || uw % upW || iw >= map[1])
            continue; // padding or an inserted zero: skipped
          const float e = rows[static_cast<size_t>((q * kh * kw + i * kw + j) * cw + c)];
          acc = max ? std::fmax(acc, e) : acc + e;
          ++inside;
        }
      if (p.getKind() == fpga::PoolKind::mean)
        acc /= static_cast<float>(std::max<int64_t>(inside, 1));
      y[static_cast<size_t>(q * cw + c)] = max ? acc : acc * scale;
    }
  return y;
}

FailureOr<Values> evaluate(func::FuncOp func, const std::vector<std::vector<float>> &inputs) {
  Values v;
  for (auto [arg, data] : llvm::zip(func.getArguments(), inputs))
    v[arg] = data;
  for (Operation &op : func.getBody().front()) {
    if (auto c = dyn_cast<arith::ConstantOp>(op)) {
      if (std::optional<FloatData> values = FloatData::of(c.getValue()))
        v[c] = values->copy();
    } else if (auto w = dyn_cast<fpga::WeightsOp>(op)) {
      v[w] = w.getMatrix();
    } else if (auto r = dyn_cast<fpga::ReshapeOp>(op)) {
      v[r] = v[r.getX()];
    } else if (auto win = dyn_cast<fpga::WindowOp>(op)) {
      v[win] = windowRows(win, v[win.getX()]);
    } else if (auto pool = dyn_cast<fpga::PoolOp>(op)) {
      v[pool] = poolRows(pool, v[pool.getX()]);
    } else if (auto a = dyn_cast<fpga::ActivationOp>(op)) {
      std::vector<float> y = v[a.getX()];
      for (float &e : y)
        e = activate(a.getKind(), e);
      v[a] = std::move(y);
    } else if (llvm::isa<fpga::AddOp, fpga::MaxOp, fpga::MinOp, fpga::MulOp, fpga::PreluOp>(op)) {
      Value lhs = op.getOperand(0), rhs = op.getOperand(1), res = op.getResult(0);
      ArrayRef<int64_t> out = shapeOf(res);
      auto li = broadcastIndex(shapeOf(lhs), out), ri = broadcastIndex(shapeOf(rhs), out);
      const auto &l = v[lhs], &r = v[rhs];
      auto f = [&op](float a, float b) {
        if (llvm::isa<fpga::AddOp>(op))
          return a + b;
        if (llvm::isa<fpga::MaxOp>(op))
          return std::fmax(a, b);
        if (llvm::isa<fpga::MinOp>(op))
          return std::fmin(a, b);
        if (llvm::isa<fpga::MulOp>(op))
          return a * b;
        return a < 0.0f ? a * b : a; // prelu: NaN and -0 pass unchanged
      };
      std::vector<float> y(li.size());
      for (size_t e = 0; e < y.size(); ++e)
        y[e] = f(l[li[e]], r[ri[e]]);
      v[res] = std::move(y);
    } else if (auto lr = dyn_cast<fpga::LeakyReluOp>(op)) {
      std::vector<float> y = v[lr.getX()];
      const float alpha = lr.getAlpha().convertToFloat();
      for (float &e : y)
        e = e < 0.0f ? e * alpha : e;
      v[lr] = std::move(y);
    } else if (auto lin = dyn_cast<fpga::LinearOp>(op)) {
      int64_t rows = lin.getNumRows(), k = lin.getReductionSize(), p = lin.getNumOutputs();
      v[lin] = evaluateLinear(lin, linearRows(v[lin.getX()], rows, k, lin.getTransposeX()),
                              linearRows(v[lin.getW()], p, k, lin.getTransposeW()),
                              lin.getBias() ? &v[lin.getBias()] : nullptr,
                              lin.getResidual() ? &v[lin.getResidual()] : nullptr);
    } else if (auto e = dyn_cast<fpga::ExtractOp>(op)) {
      const std::vector<float> &x = v[e.getX()];
      const int64_t len = static_cast<int64_t>(e.getRowLength());
      const int64_t rows = cast<RankedTensorType>(e.getY().getType()).getNumElements() / len;
      std::vector<float> y;
      for (int64_t r = 0; r < rows; ++r) {
        auto from = x.begin() + static_cast<int64_t>(e.getOffset()) + r * static_cast<int64_t>(e.getRowStride());
        y.insert(y.end(), from, from + len);
      }
      v[e] = std::move(y);
    } else if (auto cat = dyn_cast<fpga::ConcatOp>(op)) {
      const size_t axis = static_cast<size_t>(cat.getAxis());
      const auto [outer, inner] = cat.getOuterInner();
      std::vector<float> y;
      y.reserve(static_cast<size_t>(cast<RankedTensorType>(cat.getResult().getType()).getNumElements()));
      for (int64_t o = 0; o < outer; ++o)
        for (Value in : cat.getInputs()) {
          const int64_t len = shapeOf(in)[axis] * inner;
          const std::vector<float> &x = v[in];
          y.insert(y.end(), x.begin() + o * len, x.begin() + (o + 1) * len);
        }
      v[cat] = std::move(y);
    } else if (auto rev = dyn_cast<fpga::ReverseOp>(op)) {
      ArrayRef<int64_t> shape = shapeOf(rev.getX());
      const std::vector<float> &x = v[rev.getX()];
      std::vector<float> y(x.size());
      SmallVector<bool> reversed(shape.size(), false);
      for (int64_t a : rev.getAxes())
        reversed[static_cast<size_t>(a)] = true;
      for (size_t e = 0; e < x.size(); ++e) {
        size_t rem = e, from = 0, stride = 1;
        for (size_t k = shape.size(); k-- > 0;) {
          const size_t dim = static_cast<size_t>(shape[k]), i = rem % dim;
          from += (reversed[k] ? dim - 1 - i : i) * stride;
          stride *= dim;
          rem /= dim;
        }
        y[e] = x[from];
      }
      v[rev] = std::move(y);
    } else if (auto tr = dyn_cast<fpga::TransposeOp>(op)) {
      ArrayRef<int64_t> in = shapeOf(tr.getX()), out = shapeOf(tr.getY());
      ArrayRef<int64_t> perm = tr.getPerm();
      std::vector<int64_t> stride(in.size(), 1);
      for (size_t k = in.size(); k-- > 1;)
        stride[k - 1] = stride[k] * in[k];
      const std::vector<float> &x = v[tr.getX()];
      std::vector<float> y(x.size());
      for (size_t e = 0; e < y.size(); ++e) {
        int64_t rem = static_cast<int64_t>(e), at = 0;
        for (size_t k = out.size(); k-- > 0;) {
          at += (rem % out[k]) * stride[perm[k]];
          rem /= out[k];
        }
        y[e] = x[at];
      }
      v[tr] = std::move(y);
    } else if (auto rnn = dyn_cast<fpga::RnnOp>(op)) {
      auto opt = [&](Value x) { return x ? &v[x] : nullptr; };
      RnnOutputs o = evaluateRnn(rnn, v[rnn.getX()], v[rnn.getW()], v[rnn.getR()], opt(rnn.getB()),
                                 opt(rnn.getInitialH()), opt(rnn.getInitialC()));
      v[rnn.getY()] = std::move(o.y);
      v[rnn.getYH()] = std::move(o.yh);
      if (rnn.getYC())
        v[rnn.getYC()] = std::move(o.yc);
    } else if (!llvm::isa<func::ReturnOp>(op)) {
      return op.emitError() << describeOp(&op) << ": the reference evaluator does not know this op";
    }
  }
  return v;
}

} // namespace softnpu::analysis
