//===- DeclaredSizes.h - Sizes a model declares, checked before use -*- C++ -*-===//
//
// A model can declare a weight of [4, 2^28] and hold 16 bytes of it, or ask
// ConstantOfShape / Expand for 2^31 or 2^62 elements. Allocating what is
// declared, or running ONNX 1.12's shape inference on it (which spins on such
// shapes), costs gigabytes or never ends. So before anything is allocated or
// inferred, the declared sizes are checked against the bytes present and the
// limits of softnpu/Limits.h (docs/limits.md):
//  - every initializer and Constant value (in subgraphs too): dimensions >= 0
//    and within kMaxDimension, elements within kMaxTensorElements, and as
//    many elements present as declared;
//  - every declared dimension of a graph input, output or value_info;
//  - the constant shape inputs of ConstantOfShape, Expand, Reshape and Tile:
//    each entry within kMaxDimension, and what ConstantOfShape / Expand /
//    Tile would make within kMaxTensorElements.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_DECLAREDSIZES_H
#define SOFTNPU_COMPILER_IMPORT_DECLAREDSIZES_H

#include <optional>
#include <string_view>
#include <vector>

namespace onnx {
class GraphProto;
} // namespace onnx

namespace softnpu::import {

/// Throws std::runtime_error with one line naming the first tensor or node
/// that breaks a rule. `payloads`: per main-graph initializer, its raw_data
/// when the parsed message holds a placeholder (WeightPayloads.h), or empty.
void checkDeclaredSizes(const onnx::GraphProto &graph, const std::vector<std::optional<std::string_view>> &payloads);

/// After shape inference: every value of the main graph (value_info and
/// outputs) within kMaxDimension per dimension and kMaxTensorElements in all.
/// A shape computed in the graph (Concat -> Expand) is known only then.
void checkInferredSizes(const onnx::GraphProto &graph);

} // namespace softnpu::import

#endif
