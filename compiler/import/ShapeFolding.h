//===- ShapeFolding.h - Shape arithmetic folded before import --*- C++ -*-===//
//
// Exporters compute shapes in the graph: Shape -> Gather / Slice -> Unsqueeze
// -> Concat -> Reshape / Expand, as torch.onnx writes a flatten or a batch
// axis. ONNX's shape inference does not carry every such chain to static
// dims, and the importer needs static types everywhere. Once input shapes
// are fixed (InputShapes.h), those chains are constant: this evaluates them
// on the ONNX graph itself (int64 tensors only) and replaces each folded node
// by an initializer, so that the next round of shape inference sees
// constant shapes.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_SHAPEFOLDING_H
#define SOFTNPU_COMPILER_IMPORT_SHAPEFOLDING_H

namespace onnx {
class ModelProto;
} // namespace onnx

namespace softnpu::import {

/// Folds the shape-arithmetic nodes of `model`'s graph whose inputs are
/// known (int64 initializers, Constant nodes, Shape of a statically shaped
/// tensor); true when any node was folded.
bool foldShapeArithmetic(onnx::ModelProto &model);

} // namespace softnpu::import

#endif
