//===- WindowLayout.h - What Conv and pooling share on the way to the NPU -*- C++ -*-===//
//
// A convolution and a pooling layer both read receptive fields (fpga.window)
// of a channels-innermost [H, W, C] feature map. This is their shared part:
// the window geometry from the ONNX attributes (strides, dilations, pads,
// auto_pad), and the layout changes between the model's NCHW tensors and the
// NPU's [H, W, C] maps / [pixels, C] results (OnnxToFpgaConv.cpp,
// OnnxToFpgaPool.cpp; docs/cnn.md).
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_CONVERSION_WINDOWLAYOUT_H
#define SOFTNPU_COMPILER_CONVERSION_WINDOWLAYOUT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace softnpu::conversion {

/// The window geometry of a 1-D or 2-D layer, as 2-D (height 1 for 1-D).
struct WindowGeometry {
  int64_t c = 0, h = 1, w = 0; ///< input channels and map
  int64_t kh = 1, kw = 0;      ///< kernel
  int64_t strides[2] = {1, 1}, dilations[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0}; ///< top, left, bottom, right
  int64_t up[2] = {1, 1};         ///< the map read upsampled (a transposed convolution's strides)

  /// Output rows and columns (fpga::WindowOp::windowsAlong).
  int64_t outH() const;
  int64_t outW() const;
};

/// ONNX's auto_pad: SAME_* pads so that out = ceil(in / stride); the odd
/// padding goes at the end (UPPER) or the beginning (LOWER); VALID none.
void autoPad(llvm::StringRef mode, int64_t in, int64_t stride, int64_t extent, int64_t &begin, int64_t &end);

/// The geometry of a layer over NCHW input `x` (rank 3 or 4) with kernel
/// `kernel` (its spatial sizes), from the ONNX attributes `strides`,
/// `dilations`, `pads` and `auto_pad` (any may be absent).
WindowGeometry windowGeometry(mlir::RankedTensorType x, llvm::ArrayRef<int64_t> kernel,
                              std::optional<llvm::ArrayRef<int64_t>> strides,
                              std::optional<llvm::ArrayRef<int64_t>> dilations,
                              std::optional<llvm::ArrayRef<int64_t>> pads, std::optional<llvm::StringRef> autoPadMode);

/// [rows, cols] row-major data as [cols, rows]: a view when either is 1.
mlir::Value transpose2d(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, int64_t rows, int64_t cols);

/// NCHW (batch 1) as the [H, W, C] map a window reads.
mlir::Value toChannelsInnermost(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, const WindowGeometry &g);

/// The window view of `map` ([H, W, C]): rows of `g.kh x g.kw x g.c`.
mlir::Value windowView(mlir::OpBuilder &b, mlir::Location loc, mlir::Value map, const WindowGeometry &g);

/// [pixels, channels] results as the NCHW tensor of type `y`.
mlir::Value toNchw(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows, int64_t pixels, int64_t channels,
                   mlir::RankedTensorType y);

} // namespace softnpu::conversion

#endif
