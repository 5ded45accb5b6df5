//===- FoldConstants.cpp - Evaluate shape arithmetic at compile time ------===//
//
// Exporters compute shapes and initial states in the graph. PyTorch, for one,
// builds an LSTM's zero initial_h as Expand(0, Concat(Unsqueeze(Gather(
// Shape(x), 1)), ...)). With static shapes all of that is constant. This pass
// replaces every op of such a chain with an onnx.Constant, in program order:
// Shape of a statically shaped tensor, and Gather, Concat, Expand,
// ConstantOfShape, Unsqueeze, Squeeze, Reshape and Identity of constants.
// Values keep the result type that ONNX shape inference gave the op.
//
//===----------------------------------------------------------------------===//
#include "compiler/ConstantValues.h"
#include "compiler/Diagnostics.h"
#include "compiler/Passes.h"
#include "compiler/TensorUtils.h"
#include "compiler/analysis/ReferenceEvaluator.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"

namespace softnpu {
#define GEN_PASS_DEF_ONNXFOLDCONSTANTS
#include "compiler/Passes.h.inc"
} // namespace softnpu

using namespace mlir;
using namespace softnpu;

namespace {

/// Elements of a constant, in row-major order, as doubles (int64 shapes and
/// float32 values are exact).
using Elements = std::vector<double>;

std::optional<Elements> elementsOf(Value v) {
  DenseElementsAttr attr = constantValue(v);
  if (!attr)
    return std::nullopt;
  Elements out;
  if (attr.getElementType().isF32()) {
    for (float f : attr.getValues<float>())
      out.push_back(f);
  } else if (llvm::isa<IntegerType>(attr.getElementType())) {
    for (const APInt &i : attr.getValues<APInt>())
      out.push_back(static_cast<double>(i.getSExtValue()));
  } else {
    return std::nullopt;
  }
  return out;
}

int64_t product(ArrayRef<int64_t> dims, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i)
    p *= dims[i];
  return p;
}

/// Axis in [0, rank) or -1.
int64_t normalize(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis >= 0 && axis < rank ? axis : -1;
}

std::optional<Elements> foldShape(onnx_d::ShapeOp op) {
  auto type = cast<RankedTensorType>(op.getData().getType());
  if (!type.hasStaticShape())
    return std::nullopt;
  const int64_t rank = type.getRank();
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = clamp(op.getStart() ? *op.getStart() : 0);
  const int64_t end = clamp(op.getEnd() ? *op.getEnd() : rank);
  Elements out;
  for (int64_t i = start; i < end; ++i)
    out.push_back(static_cast<double>(type.getDimSize(i)));
  return out;
}

std::optional<Elements> foldGather(onnx_d::GatherOp op) {
  auto data = elementsOf(op.getData()), indices = elementsOf(op.getIndices());
  ArrayRef<int64_t> dims = shapeOf(op.getData());
  const int64_t axis = normalize(op.getAxis(), static_cast<int64_t>(dims.size()));
  if (!data || !indices || axis < 0)
    return std::nullopt;
  const int64_t outer = product(dims, 0, axis), inner = product(dims, axis + 1, dims.size());
  Elements out;
  for (int64_t o = 0; o < outer; ++o)
    for (double idx : *indices) {
      int64_t i = static_cast<int64_t>(idx);
      if (i < 0)
        i += dims[axis];
      if (i < 0 || i >= dims[axis])
        return std::nullopt;
      auto from = data->begin() + (o * dims[axis] + i) * inner;
      out.insert(out.end(), from, from + inner);
    }
  return out;
}

std::optional<Elements> foldConcat(onnx_d::ConcatOp op) {
  ArrayRef<int64_t> outDims = shapeOf(op.getResult());
  const int64_t axis = normalize(op.getAxis(), static_cast<int64_t>(outDims.size()));
  if (axis < 0)
    return std::nullopt;
  std::vector<Elements> parts;
  for (Value in : op.getInputs()) {
    auto e = elementsOf(in);
    if (!e)
      return std::nullopt;
    parts.push_back(std::move(*e));
  }
  const int64_t outer = product(outDims, 0, axis), inner = product(outDims, axis + 1, outDims.size());
  Elements out;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [in, part] : llvm::zip(op.getInputs(), parts)) {
      const int64_t block = shapeOf(in)[axis] * inner;
      out.insert(out.end(), part.begin() + o * block, part.begin() + (o + 1) * block);
    }
  return out;
}

std::optional<Elements> foldExpand(onnx_d::ExpandOp op) {
  auto in = elementsOf(op.getInput());
  if (!in || !elementsOf(op.getShape()))
    return std::nullopt;
  Elements out;
  for (int64_t i : analysis::broadcastIndex(shapeOf(op.getInput()), shapeOf(op.getOutput())))
    out.push_back((*in)[i]);
  return out;
}

std::optional<Elements> foldConstantOfShape(onnx_d::ConstantOfShapeOp op) {
  if (!elementsOf(op.getInput()))
    return std::nullopt;
  double fill = 0;
  if (auto value = op.getValue()) {
    auto dense = dyn_cast<DenseElementsAttr>(*value);
    if (!dense || dense.getNumElements() != 1)
      return std::nullopt;
    fill = dense.getElementType().isF32() ? *dense.getValues<float>().begin()
                                          : static_cast<double>((*dense.getValues<APInt>().begin()).getSExtValue());
  }
  return Elements(static_cast<size_t>(cast<RankedTensorType>(op.getOutput().getType()).getNumElements()), fill);
}

/// The folded value of `op`'s single result, if it has one.
std::optional<Elements> fold(Operation *op) {
  if (auto s = dyn_cast<onnx_d::ShapeOp>(op))
    return foldShape(s);
  if (auto g = dyn_cast<onnx_d::GatherOp>(op))
    return foldGather(g);
  if (auto c = dyn_cast<onnx_d::ConcatOp>(op))
    return foldConcat(c);
  if (auto e = dyn_cast<onnx_d::ExpandOp>(op))
    return foldExpand(e);
  if (auto c = dyn_cast<onnx_d::ConstantOfShapeOp>(op))
    return foldConstantOfShape(c);
  // Views: the same elements under the result's shape.
  if (llvm::isa<onnx_d::UnsqueezeOp, onnx_d::SqueezeOp, onnx_d::ReshapeOp, onnx_d::IdentityOp>(op))
    return elementsOf(op->getOperand(0));
  return std::nullopt;
}

DenseElementsAttr toAttr(RankedTensorType type, const Elements &e) {
  Type et = type.getElementType();
  if (et.isF32()) {
    std::vector<float> v(e.begin(), e.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<float>(v));
  }
  if (et.isInteger(64)) {
    std::vector<int64_t> v(e.begin(), e.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<int64_t>(v));
  }
  if (et.isInteger(32)) {
    std::vector<int32_t> v(e.begin(), e.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<int32_t>(v));
  }
  return {};
}

struct OnnxFoldConstantsPass : softnpu::impl::OnnxFoldConstantsBase<OnnxFoldConstantsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> folded;
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() != 1 || llvm::isa<onnx_d::ConstantOp>(op))
        return;
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!type || !type.hasStaticShape())
        return;
      std::optional<Elements> value = fold(op);
      if (!value || static_cast<int64_t>(value->size()) != type.getNumElements())
        return;
      DenseElementsAttr attr = toAttr(type, *value);
      if (!attr)
        return;
      OpBuilder b(op);
      auto c = onnx_d::ConstantOp::create(b, op->getLoc(), type, attr);
      op->getResult(0).replaceAllUsesWith(c.getResult());
      folded.push_back(op);
    });
    for (Operation *op : llvm::reverse(folded))
      op->erase();
    // Constants only the folded ops used.
    getOperation().walk([](onnx_d::ConstantOp c) {
      if (c->use_empty())
        c->erase();
    });
  }
};

} // namespace
