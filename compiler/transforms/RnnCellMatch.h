//===- RnnCellMatch.h - One unrolled LSTM / GRU step, matched -------------===//
//
// The matchers of onnx-recognize-rnn (RecognizeRnn.cpp, which chains the
// steps over time and rewrites them): gate pre-activations as affine
// functions of their sources, the step input x_t, and one LSTM or GRU cell
// step. The forms accepted are listed in RecognizeRnn.cpp's header.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_RNNCELLMATCH_H
#define SOFTNPU_COMPILER_TRANSFORMS_RNNCELLMATCH_H

#include "compiler/ConstantValues.h"
#include "compiler/TensorUtils.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <vector>

namespace softnpu::rnn_match {

namespace onnx = softnpu::onnx_d;

using OpSet = llvm::SetVector<mlir::Operation *>;

/// The value of a float32 constant (onnx.Constant; dense or blob,
/// dialects/FloatData.h), or null.
mlir::ElementsAttr f32ConstantOf(mlir::Value v);
/// An axis attribute (I64Attr reads as unsigned) in [0, rank), or -1.
int64_t normalizedAxis(uint64_t attr, size_t rank);

/// Columns [col0, col0 + cols) of src @ (scale * W), W constant [in, K] (or
/// [K, in] when `transposed`).
struct MatTerm {
  mlir::Value src;
  mlir::ElementsAttr w;
  bool transposed = false;
  int64_t col0 = 0, cols = 0;
  float scale = 1.0f;
};

/// Columns [col0, col0 + cols) of scale * c (c a row constant; one element
/// broadcasts).
struct BiasTerm {
  mlir::ElementsAttr c;
  int64_t col0 = 0, cols = 0;
  float scale = 1.0f;
};

struct Affine {
  int64_t width = 0;
  llvm::SmallVector<MatTerm> terms;
  llvm::SmallVector<BiasTerm> biases;
  OpSet ops; ///< the ops computing it (constants excluded)

  llvm::SetVector<mlir::Value> sources() const {
    llvm::SetVector<mlir::Value> s;
    for (const MatTerm &t : terms)
      s.insert(t.src);
    return s;
  }

  /// Keeps columns [begin, end).
  void slice(int64_t begin, int64_t end) {
    for (MatTerm &t : terms)
      t.col0 += begin, t.cols = end - begin;
    for (BiasTerm &b : biases)
      b.col0 += begin, b.cols = end - begin;
    width = end - begin;
  }

  void add(const Affine &o) {
    terms.append(o.terms);
    biases.append(o.biases);
    ops.insert(o.ops.begin(), o.ops.end());
  }

  /// The [rows, width] matrix multiplying `src` (zero when it has none), or
  /// nullopt when a term's input size is not `rows`.
  std::optional<std::vector<float>> matrix(mlir::Value src, int64_t rows) const {
    std::vector<float> m(static_cast<size_t>(rows * width), 0.0f);
    for (const MatTerm &t : terms) {
      if (t.src != src)
        continue;
      llvm::ArrayRef<int64_t> s = t.w.getShapedType().getShape();
      const int64_t in = t.transposed ? s[1] : s[0], k = t.transposed ? s[0] : s[1];
      if (in != rows)
        return std::nullopt;
      const FloatData values = *FloatData::of(t.w); // f32ConstantOf made sure
      llvm::ArrayRef<float> w = values.values();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < width; ++c)
          m[r * width + c] += t.scale * w[t.transposed ? (t.col0 + c) * in + r : r * k + t.col0 + c];
    }
    return m;
  }

  std::vector<float> bias() const {
    std::vector<float> v(static_cast<size_t>(width), 0.0f);
    for (const BiasTerm &b : biases) {
      const FloatData values = *FloatData::of(b.c);
      llvm::ArrayRef<float> c = values.values();
      for (int64_t j = 0; j < width; ++j)
        v[j] += b.scale * c[c.size() == 1 ? 0 : b.col0 + j];
    }
    return v;
  }
};

struct StepInput {
  mlir::Value seq; ///< X [T, B, I]
  int64_t t = 0;   ///< the timestep
  OpSet ops;       ///< Slice + Squeeze / Reshape, or Gather
};

enum class Cell { LSTM, GRU };

/// One gate: act(in) with `in` affine in {x_t, hSrc}; or, for the h gate of a
/// linear_before_reset GRU, act(in + r * recur) with `in` affine in {x_t} and
/// `recur` in {hSrc}.
struct Gate {
  Affine in;
  mlir::Value hSrc; ///< h_prev, or r * h_prev (GRU h gate, linear_before_reset 0)
  std::optional<Affine> recur;
};

struct Step {
  Cell cell = Cell::LSTM;
  StepInput input;
  mlir::Value x, hPrev, cPrev;      ///< inputs (cPrev: LSTM)
  mlir::Value h, c;                 ///< outputs (c: LSTM)
  llvm::SmallVector<Gate, 4> gates; ///< ONNX order: LSTM i, o, f, c; GRU z, r, h
  bool linearBeforeReset = false;
  OpSet ops;

  int64_t hidden() const { return shapeOf(h)[1]; }
};

/// LSTM: `mul` is h = o * Tanh(c) with c = f * c_prev + i * g.
std::optional<Step> matchLstmStep(onnx::MulOp mul);
/// GRU: `root` (Add or Sub) computes (1 - z) * h~ + z * h_prev.
std::optional<Step> matchGruStep(mlir::Operation *root);

} // namespace softnpu::rnn_match

#endif
