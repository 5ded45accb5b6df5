//===- Quantize.cpp - Per-layer formats; constant weights rounded ---------===//
#include "compiler/ConstantValues.h"
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "dialects/fpga/FpgaTarget.h"

#include "softnpu/numerics/Bfp.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/GlobPattern.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace softnpu {
#define GEN_PASS_DEF_FPGAQUANTIZE
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// A format the matrix unit can use for a whole layer: fp32 or a block format.
std::optional<numerics::NumberFormat> parseMatrixFormat(StringRef text, std::string &err) {
  auto f = numerics::NumberFormat::parse(text.str(), &err);
  if (f && !f->isFp32() && !f->isBlock()) {
    err = "'" + text.str() +
          "' is a multifunction-unit format; matrix products need fp32 or a "
          "block format";
    return std::nullopt;
  }
  return f;
}

struct Override {
  llvm::GlobPattern pattern;
  std::string text;
  numerics::NumberFormat format;
  bool used = false;
};

/// True when any ONNX node the op came from matches.
bool matches(const llvm::GlobPattern &p, Operation *op) {
  std::string names = nodeNameOf(op->getLoc());
  SmallVector<StringRef> parts;
  StringRef(names).split(parts, '+');
  return llvm::any_of(parts, [&](StringRef n) { return p.match(n); });
}

struct FpgaQuantizePass : softnpu::impl::FpgaQuantizeBase<FpgaQuantizePass> {
  using FpgaQuantizeBase::FpgaQuantizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    target::Target t = fpga::getTarget(module);
    std::string err;
    if (!precision.empty()) {
      auto fmt = parseMatrixFormat(precision, err);
      if (!fmt) {
        module.emitError() << "bad precision '" << precision << "': " << err;
        return signalPassFailure();
      }
      t = t.withPrecision(*fmt);
      if (auto bad = t.validate()) {
        module.emitError() << "precision '" << precision << "' does not fit target '" << t.name << "': " << *bad;
        return signalPassFailure();
      }
      fpga::setTarget(module, t);
    }
    std::vector<Override> overrides;
    // GlobPattern keeps pointers into its text: patterns are made from the
    // option's own strings, which outlive this run. Formats may contain '='
    // (bfp:m=3,k=8), so PATTERN ends at the first one.
    for (const std::string &spec : precisionFor) {
      size_t eq = spec.find('=');
      if (eq == std::string::npos || eq == 0) {
        module.emitError() << "bad --precision-for '" << spec << "': expected PATTERN=FORMAT";
        return signalPassFailure();
      }
      auto pattern = llvm::GlobPattern::create(StringRef(spec).substr(0, eq));
      if (!pattern) {
        module.emitError() << "bad --precision-for pattern in '" << spec
                           << "': " << llvm::toString(pattern.takeError());
        return signalPassFailure();
      }
      auto fmt = parseMatrixFormat(spec.substr(eq + 1), err);
      if (!fmt) {
        module.emitError() << "bad --precision-for '" << spec << "': " << err;
        return signalPassFailure();
      }
      overrides.push_back({std::move(*pattern), spec, *fmt});
    }

    // Which blobs a single attribute holds: their memory can take the rounded
    // weights in place.
    holders_.clear();
    module.walk([&](Operation *op) {
      for (NamedAttribute a : op->getAttrs())
        if (const void *blob = blobIdentity(a.getValue()))
          ++holders_[blob];
    });

    bool ok = true;
    module.walk([&](fpga::LinearOp op) {
      if (!assignFormats(op, t, overrides))
        ok = false;
      else
        quantizeLinear(op, t);
    });
    // Recurrent layers: formats only; their gate matrices are assembled (and
    // rounded when packed) by fpga-lower-to-isa.
    module.walk([&](fpga::RnnOp op) {
      if (!assignFormats(op, t, overrides))
        ok = false;
    });
    if (!ok)
      return signalPassFailure();
    for (const Override &o : overrides)
      if (!o.used)
        module.emitWarning() << "--precision-for '" << o.text << "' matches no matrix-product node";
    // The unrounded originals are dead now.
    module.walk([](arith::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }

  /// Sets weight_format / input_format on `op` (see the pass description).
  template <typename OpT> bool assignFormats(OpT op, const target::Target &t, std::vector<Override> &overrides) {
    numerics::NumberFormat w = t.weightFormat, in = t.inputFormat;
    if (auto a = op.getWeightFormatAttr())
      w = *fpga::parseFormatAttr(a);
    if (auto a = op.getInputFormatAttr())
      in = *fpga::parseFormatAttr(a);
    for (Override &o : overrides)
      if (matches(o.pattern, op)) {
        w = in = o.format;
        o.used = true;
      }
    target::Target layer = t;
    layer.weightFormat = w;
    layer.inputFormat = in;
    if (auto bad = layer.validate()) {
      op.emitError() << describeOp(op) << ": formats " << w.name() << " x " << in.name() << " do not fit target '"
                     << t.name << "': " << *bad;
      return false;
    }
    op.setWeightFormatAttr(fpga::FormatAttr::get(op.getContext(), w.name()));
    op.setInputFormatAttr(fpga::FormatAttr::get(op.getContext(), in.name()));
    return true;
  }

  /// Constant w -> fpga.weights holding alpha * W' (W' in [out, in] layout)
  /// rounded to the layer's weight format; constant bias -> beta * bias.
  void quantizeLinear(fpga::LinearOp op, const target::Target &t) {
    OpBuilder b(op);
    if (std::optional<FloatData> w = constantFloats(op.getW())) {
      numerics::NumberFormat fmt = *fpga::parseFormatAttr(op.getWeightFormatAttr());
      const int64_t p = op.getNumOutputs(), k = op.getReductionSize();
      const size_t size = static_cast<size_t>(p * k);
      const float *values = w->data();
      const int64_t wCols = cast<RankedTensorType>(op.getW().getType()).getDimSize(1);
      const float alpha = op.getAlpha().convertToFloat();
      // The rounded weights go into the constant's own blob when this layer
      // holds the only reference to it, else into a new buffer.
      Attribute original = constantAttr(op.getW());
      std::optional<MutableArrayRef<float>> inPlace;
      if (op.getW().hasOneUse() && holders_.lookup(blobIdentity(original)) == 1)
        inPlace = writableFloats(original);
      if (inPlace && inPlace->size() != size)
        inPlace.reset();
      std::optional<FloatBuffer> fresh;
      float *wt = inPlace ? inPlace->data() : fresh.emplace(size).data();
      if (op.getTransposeW()) {
        if (wt == values) {
          scratch_.assign(values, values + size);
          values = scratch_.data();
        }
        transposeInto(wt, values, p, k, wCols, alpha);
      } else {
        for (int64_t i = 0; i < p; ++i) {
          const float *row = values + i * wCols;
          float *out = wt + i * k;
          if (alpha != 1.0f)
            for (int64_t j = 0; j < k; ++j)
              out[j] = alpha * row[j];
          else if (out != row)
            std::memcpy(out, row, static_cast<size_t>(k) * sizeof(float));
        }
      }
      for (int64_t i = 0; i < p; ++i)
        numerics::roundTrip(wt + i * k, static_cast<size_t>(k), fmt, t.rounding, t.nativeDim);
      auto type = RankedTensorType::get({p, k}, b.getF32Type(), op.getWeightFormatAttr());
      auto plain = RankedTensorType::get({p, k}, b.getF32Type());
      Location loc = op.getW().getLoc();
      ElementsAttr rounded =
          inPlace ? retypedBlob(original, plain) : floatConstant(plain, std::move(*fresh), blobName(loc, "rounded"));
      auto weights = fpga::WeightsOp::create(b, loc, type, rounded, nullptr, nullptr, nullptr);
      op.getWMutable().assign(weights);
      op.setTransposeW(false);
      op.setAlpha(APFloat(1.0f));
    }
    if (Value bias = op.getBias()) {
      float beta = op.getBeta().convertToFloat();
      std::optional<FloatData> c = constantFloats(bias);
      if (c && beta != 1.0f) {
        std::vector<float> scaled = c->copy();
        for (float &v : scaled)
          v *= beta;
        auto folded = arith::ConstantOp::create(
            b, bias.getLoc(),
            floatConstant(cast<RankedTensorType>(bias.getType()), scaled, blobName(bias.getLoc(), "scaled")));
        op.getBiasMutable().assign(folded);
        op.setBeta(APFloat(1.0f));
      }
    }
  }

  /// out[i * k + j] = alpha * values[j * wCols + i] for i < p, j < k, in
  /// square blocks so both sides stay in cache (out and values differ).
  static void transposeInto(float *out, const float *values, int64_t p, int64_t k, int64_t wCols, float alpha) {
    constexpr int64_t kBlock = 32;
    for (int64_t i0 = 0; i0 < p; i0 += kBlock)
      for (int64_t j0 = 0; j0 < k; j0 += kBlock)
        for (int64_t i = i0; i < std::min(p, i0 + kBlock); ++i)
          for (int64_t j = j0; j < std::min(k, j0 + kBlock); ++j) {
            const float v = values[j * wCols + i];
            out[i * k + j] = alpha == 1.0f ? v : alpha * v;
          }
  }

  llvm::DenseMap<const void *, int> holders_; ///< attributes holding each blob
  std::vector<float> scratch_;                ///< a weight transposed in place
};

} // namespace
