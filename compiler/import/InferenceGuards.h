//===- InferenceGuards.h - Checks in front of ONNX 1.12's shape inference -*- C++ -*-===//
//
// Some of ONNX 1.12's shape inference functions trust their inputs and read
// out of bounds when the model is malformed: a Conv whose weight has another
// rank than its input (found by fuzz_compile) crashes inside
// convPoolShapeInference. Such a check needs the input's inferred shape, so
// it cannot run before inference (WindowChecks.h); instead it is put in
// front of the op's own inference function in ONNX's schema registry, where
// it fails shape inference with a message like any other.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_INFERENCEGUARDS_H
#define SOFTNPU_COMPILER_IMPORT_INFERENCEGUARDS_H

namespace softnpu::import {

/// Installs the guards (once per process; thread-safe). Call before
/// onnx::shape_inference::InferShapes.
void guardShapeInference();

} // namespace softnpu::import

#endif
