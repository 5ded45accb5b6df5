//===- Quantize.cpp - Per-layer formats; constant weights rounded ---------===//
#include "compiler/ConstantValues.h"
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "dialects/fpga/FpgaTarget.h"

#include "softnpu/numerics/Bfp.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Threading.h"
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

    // Formats op by op; the weight matrices are rounded on all threads (each
    // alone: the compiler's largest job), then swapped in with the biases.
    bool ok = true;
    std::vector<fpga::LinearOp> layers;
    std::vector<WeightJob> jobs;
    module.walk([&](fpga::LinearOp op) {
      if (!assignFormats(op, t, overrides)) {
        ok = false;
        return;
      }
      layers.push_back(op);
      if (std::optional<WeightJob> job = prepareWeights(op))
        jobs.push_back(std::move(*job));
    });
    mlir::parallelFor(module.getContext(), 0, jobs.size(), [&](size_t i) { roundWeights(jobs[i], t); });
    auto job = jobs.begin();
    for (fpga::LinearOp op : layers) {
      if (job != jobs.end() && job->op == op)
        replaceWeights(*job++);
      scaleBias(op);
    }
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

  /// One constant weight matrix to round: alpha * W' (W' in [out, in]
  /// layout) in the layer's weight format, into its own blob or a new one.
  struct WeightJob {
    fpga::LinearOp op;
    FloatBytes source;                 ///< W's elements, in place (maybe unaligned)
    std::optional<FloatData> expanded; ///< W's elements when W is a splat
    numerics::NumberFormat format;
    int64_t p = 0, k = 0, wCols = 0;
    bool transpose = false;
    float alpha = 1.0f;
    bool deferred = false;            ///< W is left unrounded (prepareWeights)
    Attribute original;               ///< W's constant
    std::optional<FloatBuffer> fresh; ///< out's storage, unless out is W's own blob
    float *out = nullptr;
  };

  /// The job of `op`'s weights when they are a constant. The rounded
  /// weights go into the constant's own blob when this layer holds the only
  /// reference to it, else into a new buffer.
  std::optional<WeightJob> prepareWeights(fpga::LinearOp op) {
    WeightJob job;
    if (std::optional<FloatBytes> bytes = floatBytesOf(constantAttr(op.getW()))) {
      job.source = *bytes;
    } else {
      job.expanded = constantFloats(op.getW());
      if (!job.expanded)
        return std::nullopt;
      job.source = {reinterpret_cast<const char *>(job.expanded->data()), job.expanded->size()};
    }
    job.op = op;
    job.format = *fpga::parseFormatAttr(op.getWeightFormatAttr());
    job.p = op.getNumOutputs();
    job.k = op.getReductionSize();
    job.wCols = cast<RankedTensorType>(op.getW().getType()).getDimSize(1);
    job.transpose = op.getTransposeW();
    job.alpha = op.getAlpha().convertToFloat();
    job.original = constantAttr(op.getW());
    // A read-only blob (an ONNX file's payload, viewed where it lies) stays
    // as it is, unrounded and transposed when W is: a rounded copy would be
    // fresh memory of the matrix's size, which cost more than all the other
    // work of compiling a model of large weights. The emitter rounds and
    // transposes it as it packs it.
    if (job.alpha == 1.0f && blobIdentity(job.original) && !writableFloats(job.original)) {
      job.deferred = true;
      return job;
    }
    const size_t size = static_cast<size_t>(job.p * job.k);
    std::optional<MutableArrayRef<float>> own;
    if (op.getW().hasOneUse() && holders_.lookup(blobIdentity(job.original)) == 1)
      own = writableFloats(job.original);
    job.out = own && own->size() == size ? own->data() : job.fresh.emplace(size).data();
    return job;
  }

  /// Fills job.out (any thread: touches nothing but the job's memory). Each
  /// band of rows is rounded as soon as it is written, while it is in cache.
  static void roundWeights(WeightJob &job, const target::Target &t) {
    if (job.deferred)
      return;
    FloatBytes values = job.source;
    const int64_t p = job.p, k = job.k;
    auto round = [&](int64_t first, int64_t end) {
      for (int64_t i = first; i < end; ++i)
        numerics::roundTrip(job.out + i * k, static_cast<size_t>(k), job.format, t.rounding, t.nativeDim);
    };
    if (job.transpose) {
      thread_local std::vector<float> scratch; // a weight transposed in place
      if (values.data == reinterpret_cast<const char *>(job.out)) {
        scratch.assign(job.out, job.out + p * k);
        values.data = reinterpret_cast<const char *>(scratch.data());
      }
      constexpr int64_t kBand = 8; // rows transposed, then rounded while in cache
      for (int64_t i0 = 0; i0 < p; i0 += kBand) {
        const int64_t rows = std::min(kBand, p - i0);
        float *band = job.out + i0 * k;
        transposedRows(values, static_cast<size_t>(job.wCols), static_cast<size_t>(i0), static_cast<size_t>(rows),
                       static_cast<size_t>(k), band);
        if (job.alpha != 1.0f)
          for (float &v : MutableArrayRef(band, static_cast<size_t>(rows * k)))
            v *= job.alpha;
        round(i0, i0 + rows);
      }
      return;
    }
    for (int64_t i = 0; i < p; ++i) {
      const size_t row = static_cast<size_t>(i * job.wCols);
      float *out = job.out + i * k;
      if (job.alpha != 1.0f)
        for (int64_t j = 0; j < k; ++j)
          out[j] = job.alpha * values.at(row + j);
      else if (reinterpret_cast<const char *>(out) != values.data + row * sizeof(float))
        std::memcpy(out, values.data + row * sizeof(float), static_cast<size_t>(k) * sizeof(float));
      round(i, i + 1);
    }
  }

  /// Constant w -> fpga.weights holding the rounded job.out.
  static void replaceWeights(WeightJob &job) {
    fpga::LinearOp op = job.op;
    OpBuilder b(op);
    auto type = RankedTensorType::get({job.p, job.k}, b.getF32Type(), op.getWeightFormatAttr());
    auto plain = RankedTensorType::get({job.p, job.k}, b.getF32Type());
    Location loc = op.getW().getLoc();
    if (job.deferred) {
      auto weights = fpga::WeightsOp::create(b, loc, type, cast<ElementsAttr>(job.original), nullptr, nullptr, nullptr,
                                             nullptr, nullptr);
      weights.setUnrounded(true);
      weights.setTransposed(job.transpose);
      op.getWMutable().assign(weights);
      op.setTransposeW(false);
      return;
    }
    ElementsAttr rounded = job.fresh ? floatConstant(plain, std::move(*job.fresh), blobName(loc, "rounded"))
                                     : retypedBlob(job.original, plain);
    auto weights = fpga::WeightsOp::create(b, loc, type, rounded, nullptr, nullptr, nullptr, nullptr, nullptr);
    op.getWMutable().assign(weights);
    op.setTransposeW(false);
    op.setAlpha(APFloat(1.0f));
  }

  /// Constant bias -> beta * bias.
  static void scaleBias(fpga::LinearOp op) {
    OpBuilder b(op);
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

  llvm::DenseMap<const void *, int> holders_; ///< attributes holding each blob
};

} // namespace
