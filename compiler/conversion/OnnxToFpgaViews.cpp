//===- OnnxToFpgaViews.cpp - reshapes, transposes, slices, constants -> fpga ===//
//
// Flatten, Reshape (constant shape), Identity, Squeeze, Unsqueeze and a
// Transpose that only moves size-1 dimensions become fpga.reshape (pure
// views); other Transposes fpga.transpose; Gather of one constant index and
// a one-axis Slice fpga.extract; onnx.Constant arith.constant.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/OnnxToFpgaPatterns.h"

#include "compiler/ConstantValues.h"
#include "dialects/fpga/FpgaDialect.h"
#include "dialects/onnx/OnnxDialect.h"

#include <algorithm>

using namespace mlir;
using namespace softnpu;

namespace softnpu::conversion {
namespace {

Value lowerView(Operation *op, ValueRange operands, OpBuilder &b) {
  if (llvm::isa<onnx_d::ReshapeOp>(op) && !constantValue(operands[1])) {
    refuse(op, "the shape must be a constant (an initializer or Constant node); run-time shapes "
               "are not supported");
    return nullptr;
  }
  return fpga::ReshapeOp::create(b, op->getLoc(), op->getResult(0).getType(), operands[0]);
}

/// A transpose that only moves dimensions of size 1 keeps the row-major
/// order of the data: a view (e.g. a bidirectional layer's Y [T, 2, 1, H] to
/// [T, 1, 2, H] at batch 1). Any other is an fpga.transpose (copies).
Value lowerTranspose(Operation *op, ValueRange operands, OpBuilder &b) {
  auto t = cast<onnx_d::TransposeOp>(op);
  Value data = operands[0];
  auto in = cast<RankedTensorType>(data.getType());
  SmallVector<int64_t> perm;
  if (auto p = t.getPerm())
    perm.assign(p->begin(), p->end());
  else
    for (int64_t i = in.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<int64_t> order; // non-unit input dimensions in output order
  for (int64_t d : perm)
    if (d < 0 || d >= in.getRank()) {
      refuse(op, "perm entry ") << d << " is out of range";
      return nullptr;
    } else if (in.getDimSize(d) != 1) {
      order.push_back(d);
    }
  if (!llvm::is_sorted(order))
    return fpga::TransposeOp::create(b, op->getLoc(), t.getTransposed().getType(), data, perm);
  return fpga::ReshapeOp::create(b, op->getLoc(), t.getTransposed().getType(), data);
}

/// Elements [begin, end) along `axis` of `data`: rows of (end - begin) x inner
/// elements, one per combination of the outer dimensions.
Value extractRange(Operation *op, OpBuilder &b, Value data, int64_t axis, int64_t begin, int64_t end) {
  ArrayRef<int64_t> dims = cast<RankedTensorType>(data.getType()).getShape();
  int64_t inner = 1;
  for (size_t i = axis + 1; i < dims.size(); ++i)
    inner *= dims[i];
  return fpga::ExtractOp::create(b, op->getLoc(), op->getResult(0).getType(), data, begin * inner,
                                 (end - begin) * inner, dims[axis] * inner);
}

/// Gather of one constant index: a slice of width 1 along the axis.
Value lowerGather(Operation *op, ValueRange operands, OpBuilder &b) {
  auto g = cast<onnx_d::GatherOp>(op);
  onnx_d::GatherOp::Adaptor in(operands, g);
  auto dims = cast<RankedTensorType>(in.getData().getType()).getShape();
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t axis = g.getAxis() < 0 ? g.getAxis() + rank : g.getAxis();
  auto idx = constantInts(in.getIndices());
  if (!idx || idx->size() != 1 || axis < 0 || axis >= rank) {
    refuse(op, "only a single constant index is supported (a slice of the tensor)");
    return nullptr;
  }
  int64_t i = (*idx)[0] < 0 ? (*idx)[0] + dims[axis] : (*idx)[0];
  if (i < 0 || i >= dims[axis]) {
    refuse(op, "index ") << (*idx)[0] << " is out of range for dimension " << dims[axis];
    return nullptr;
  }
  return extractRange(op, b, in.getData(), axis, i, i + 1);
}

/// Slice with constant starts/ends on one axis and step 1.
Value lowerSlice(Operation *op, ValueRange operands, OpBuilder &b) {
  onnx_d::SliceOp::Adaptor s(operands, cast<onnx_d::SliceOp>(op));
  auto dims = cast<RankedTensorType>(s.getData().getType()).getShape();
  const int64_t rank = static_cast<int64_t>(dims.size());
  auto starts = constantInts(s.getStarts()), ends = constantInts(s.getEnds());
  std::optional<SmallVector<int64_t>> axes = SmallVector<int64_t>{0}, steps = SmallVector<int64_t>{1};
  if (s.getAxes())
    axes = constantInts(s.getAxes());
  if (s.getSteps())
    steps = constantInts(s.getSteps());
  if (!starts || !ends || !axes || !steps || starts->size() != 1 || axes->size() != 1 || (*steps)[0] != 1) {
    refuse(op, "only a Slice of one axis with constant starts/ends and step 1 is supported");
    return nullptr;
  }
  const int64_t axis = (*axes)[0] < 0 ? (*axes)[0] + rank : (*axes)[0];
  if (axis < 0 || axis >= rank) {
    refuse(op, "axis ") << (*axes)[0] << " is out of range";
    return nullptr;
  }
  auto clamp = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + dims[axis] : v, 0, dims[axis]); };
  const int64_t begin = clamp((*starts)[0]), end = std::max(begin, clamp((*ends)[0]));
  return extractRange(op, b, s.getData(), axis, begin, end);
}

Value lowerConstant(Operation *op, ValueRange, OpBuilder &b) {
  auto c = cast<onnx_d::ConstantOp>(op);
  return arith::ConstantOp::create(b, op->getLoc(), cast<TypedAttr>(c.getValue()));
}

/// Concat of float32 tensors along any axis: fpga.concat (copy chains).
Value lowerConcat(Operation *op, ValueRange operands, OpBuilder &b) {
  auto cat = cast<onnx_d::ConcatOp>(op);
  auto y = cast<RankedTensorType>(cat.getConcatResult().getType());
  const int64_t given = static_cast<int64_t>(cat.getAxis()); // I64Attr reads as unsigned
  const int64_t axis = given < 0 ? given + y.getRank() : given;
  if (!y.hasStaticShape() || axis < 0 || axis >= y.getRank()) {
    refuse(op, "a Concat of static shape along one of its axes runs on the NPU");
    return nullptr;
  }
  return fpga::ConcatOp::create(b, op->getLoc(), y, operands, static_cast<uint64_t>(axis));
}

} // namespace

ArrayRef<LoweringEntry> viewLowerings() {
  static const LoweringEntry table[] = {
      {"onnx.Constant", single<lowerConstant>}, {"onnx.Flatten", single<lowerView>},
      {"onnx.Gather", single<lowerGather>},     {"onnx.Identity", single<lowerView>},
      {"onnx.Reshape", single<lowerView>},      {"onnx.Slice", single<lowerSlice>},
      {"onnx.Squeeze", single<lowerView>},      {"onnx.Transpose", single<lowerTranspose>},
      {"onnx.Unsqueeze", single<lowerView>},    {"onnx.Concat", single<lowerConcat>},
  };
  return table;
}

} // namespace softnpu::conversion
