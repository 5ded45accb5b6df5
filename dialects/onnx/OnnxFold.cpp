//===- OnnxFold.cpp - fold hooks: shape arithmetic on constants -----------===//
//
// With static shapes, the shape computations exporters put in graphs are
// constants (PyTorch builds an LSTM's zero initial_h as Expand(0, Concat(
// Unsqueeze(Gather(Shape(x), 0)), ...))). These hooks fold Shape of a
// statically shaped tensor, and Gather, Concat, Expand, ConstantOfShape and
// the views Unsqueeze, Squeeze, Reshape, Identity of constants, into a dense
// value of the op's shape-inferred result type (float32, int64 or int32);
// the dialect materializes it as onnx.Constant. Anything else does not fold.
//
//===----------------------------------------------------------------------===//
#include "dialects/FloatData.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>
#include <optional>
#include <vector>

using namespace mlir;
using namespace softnpu::onnx_d;

namespace {

/// Elements of a constant, in row-major order, as doubles (int64 shapes and
/// float32 values are exact).
using Elements = std::vector<double>;

std::optional<Elements> elementsOf(Attribute value) {
  if (std::optional<softnpu::FloatData> floats = softnpu::FloatData::of(value))
    return Elements(floats->values().begin(), floats->values().end());
  auto attr = dyn_cast_if_present<DenseElementsAttr>(value);
  if (!attr)
    return std::nullopt;
  Elements out;
  if (isa<IntegerType>(attr.getElementType())) {
    for (const APInt &i : attr.getValues<APInt>())
      out.push_back(static_cast<double>(i.getSExtValue()));
  } else {
    return std::nullopt;
  }
  return out;
}

/// `e` as a dense value of `type`, or null when the type is not a static
/// float32 / int64 / int32 tensor of exactly that many elements.
/// Results above this many elements are not folded (the op stays and runs
/// where it is placed): folding holds them as doubles, 8 bytes each.
constexpr int64_t kMaxFoldElements = int64_t{1} << 24;

/// A fold result of `type` is small enough to compute. The count is
/// checked here: getNumElements() wraps on a malformed model's absurd
/// declared shape (fuzz_compile), which then looked small.
bool foldable(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return false;
  int64_t n = 1;
  for (int64_t d : t.getShape())
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxFoldElements)
      return false;
  return true;
}

OpFoldResult toAttr(Type resultType, const std::optional<Elements> &e) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!e || !type || !foldable(type) || static_cast<int64_t>(e->size()) != type.getNumElements())
    return {};
  Type et = type.getElementType();
  if (et.isF32()) {
    std::vector<float> v(e->begin(), e->end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<float>(v));
  }
  if (et.isInteger(64)) {
    std::vector<int64_t> v(e->begin(), e->end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<int64_t>(v));
  }
  if (et.isInteger(32)) {
    std::vector<int32_t> v(e->begin(), e->end());
    return DenseElementsAttr::get(type, llvm::ArrayRef<int32_t>(v));
  }
  return {};
}

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

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

/// The elements of `in` (shape `from`) numpy-broadcast to shape `to`.
std::optional<Elements> broadcast(const Elements &in, ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return std::nullopt;
  const size_t rank = to.size();
  std::vector<int64_t> strides(rank, 0);
  for (int64_t i = static_cast<int64_t>(rank) - 1, s = 1, k = static_cast<int64_t>(from.size()) - 1; i >= 0; --i, --k) {
    const int64_t d = k >= 0 ? from[k] : 1;
    strides[i] = d == 1 ? 0 : s;
    s *= d;
  }
  Elements out(static_cast<size_t>(product(to, 0, rank)));
  for (size_t e = 0; e < out.size(); ++e) {
    int64_t rem = static_cast<int64_t>(e), off = 0;
    for (int64_t i = static_cast<int64_t>(rank) - 1; i >= 0; --i) {
      off += (rem % to[i]) * strides[i];
      rem /= to[i];
    }
    if (off >= static_cast<int64_t>(in.size()))
      return std::nullopt;
    out[e] = in[off];
  }
  return out;
}

} // namespace

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getData().getType());
  if (!type.hasStaticShape())
    return {};
  const int64_t rank = type.getRank();
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = clamp(getStart() ? *getStart() : 0);
  const int64_t end = clamp(getEnd() ? *getEnd() : rank);
  Elements out;
  for (int64_t i = start; i < end; ++i)
    out.push_back(static_cast<double>(type.getDimSize(i)));
  return toAttr(getType(), out);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  if (!foldable(getType()))
    return {};
  auto data = elementsOf(adaptor.getData()), indices = elementsOf(adaptor.getIndices());
  ArrayRef<int64_t> dims = shapeOf(getData());
  const int64_t axis = normalize(getAxis(), static_cast<int64_t>(dims.size()));
  if (!data || !indices || axis < 0)
    return {};
  const int64_t outer = product(dims, 0, axis), inner = product(dims, axis + 1, dims.size());
  Elements out;
  for (int64_t o = 0; o < outer; ++o)
    for (double idx : *indices) {
      int64_t i = static_cast<int64_t>(idx);
      if (i < 0)
        i += dims[axis];
      if (i < 0 || i >= dims[axis])
        return {};
      auto from = data->begin() + (o * dims[axis] + i) * inner;
      out.insert(out.end(), from, from + inner);
    }
  return toAttr(getType(), out);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (!foldable(getType()))
    return {};
  ArrayRef<int64_t> outDims = shapeOf(getResult());
  const int64_t axis = normalize(getAxis(), static_cast<int64_t>(outDims.size()));
  if (axis < 0)
    return {};
  std::vector<Elements> parts;
  for (Attribute in : adaptor.getInputs()) {
    auto e = elementsOf(in);
    if (!e)
      return {};
    parts.push_back(std::move(*e));
  }
  const int64_t outer = product(outDims, 0, axis), inner = product(outDims, axis + 1, outDims.size());
  Elements out;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [in, part] : llvm::zip(getInputs(), parts)) {
      const int64_t block = shapeOf(in)[axis] * inner;
      if (static_cast<int64_t>(part.size()) < (o + 1) * block)
        return {};
      out.insert(out.end(), part.begin() + o * block, part.begin() + (o + 1) * block);
    }
  return toAttr(getType(), out);
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (!foldable(getType()))
    return {};
  auto in = elementsOf(adaptor.getInput());
  if (!in || !elementsOf(adaptor.getShape()))
    return {};
  return toAttr(getType(), broadcast(*in, shapeOf(getInput()), shapeOf(getOutput())));
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor adaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (!foldable(type) || !elementsOf(adaptor.getInput()))
    return {};
  double fill = 0;
  if (auto value = getValue()) {
    auto dense = dyn_cast<DenseElementsAttr>(*value);
    if (!dense || dense.getNumElements() != 1)
      return {};
    fill = dense.getElementType().isF32() ? *dense.getValues<float>().begin()
                                          : static_cast<double>((*dense.getValues<APInt>().begin()).getSExtValue());
  }
  return toAttr(type, Elements(static_cast<size_t>(type.getNumElements()), fill));
}

// Views: the same elements under the result's shape.
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) { return toAttr(getType(), elementsOf(adaptor.getData())); }
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) { return toAttr(getType(), elementsOf(adaptor.getData())); }
OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) { return toAttr(getType(), elementsOf(adaptor.getData())); }
OpFoldResult IdentityOp::fold(FoldAdaptor adaptor) { return toAttr(getType(), elementsOf(adaptor.getInput())); }
