//===- WindowChecks.h - Sliding-window attributes checked before inference -*- C++ -*-===//
//
// ONNX 1.12's shape inference divides by a stride and multiplies by a
// dilation without checking them: a Conv with a stride of 0 kills the
// compiler with SIGFPE. So before shape inference runs, the window
// attributes of Conv, ConvTranspose and the pools (in subgraphs too) are
// checked here: kernel_shape, strides and dilations >= 1, pads >= 0, group
// >= 1. After shape inference, checkWindowShapes checks what needs shapes:
// a kernel larger than the padded input, a pad as large as the kernel (a
// window of padding only), and a group count that does not divide the
// channels.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_WINDOWCHECKS_H
#define SOFTNPU_COMPILER_IMPORT_WINDOWCHECKS_H

namespace onnx {
class GraphProto;
} // namespace onnx

namespace softnpu::import {

/// Throws std::runtime_error with a one-line message naming the first node
/// whose window attributes are invalid.
void checkWindowAttributes(const onnx::GraphProto &graph);

/// The same for the checks that need the shapes of the main graph's values
/// (run after shape inference; values without a known shape are skipped).
void checkWindowShapes(const onnx::GraphProto &graph);

} // namespace softnpu::import

#endif
