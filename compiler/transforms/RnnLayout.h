//===- RnnLayout.h - MRF layout of a recurrent layer's gate matrices -------===//
//
// Shared by fpga-tile (how many MRF tiles a layer needs) and
// fpga-lower-to-isa (where each gate's weights go). Each gate's matrix-vector
// product reads one contiguous run of IVRF vectors, so the input weights W
// and recurrent weights R of a gate sit side by side in one tile grid, each
// part starting on a whole tile column:
//
//   lstm (i, o, f, c), rnn, gru z and r:  [ W | R ] over IVRF [ x | h ]
//   gru h, linear_before_reset = 0:       [ R | W ] over IVRF [ r*h | x ]
//   gru h, linear_before_reset = 1:       R alone over [ h ], W alone over [ x ]
//
// The lowering declares each grid's W and R as column parts of one pinned
// matrix (fpga.pinned_matrix col_parts), so the zero columns between the
// parts are stored neither in the IR nor in the artifact.
//
// docs/recurrent.md shows the chains that use them.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_TRANSFORMS_RNNLAYOUT_H
#define SOFTNPU_COMPILER_TRANSFORMS_RNNLAYOUT_H

#include "dialects/fpga/FpgaDialect.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"

namespace softnpu::rnn {

/// One tile grid of a direction: rows = ceil(H / N) tile rows.
struct GateMatrix {
  int64_t gate = 0;  ///< ONNX gate index (lstm i,o,f,c; gru z,r,h)
  int64_t wCol = -1; ///< first tile column of the W part, -1 when absent
  int64_t rCol = -1; ///< first tile column of the R part, -1 when absent
  int64_t rows = 0, cols = 0;
  int64_t tile = 0; ///< first tile, relative to the direction's first
  int64_t tiles() const { return rows * cols; }
};

struct Layout {
  int64_t cx = 0, ch = 0;                 ///< native vectors of x and of h
  llvm::SmallVector<GateMatrix> matrices; ///< of one direction
  int64_t tilesPerDirection = 0;
};

inline Layout layoutOf(fpga::RnnOp op, int64_t nativeDim) {
  Layout l;
  l.cx = llvm::divideCeilSigned(op.getInputSize(), nativeDim);
  l.ch = llvm::divideCeilSigned(op.getHiddenSize(), nativeDim);
  auto add = [&](int64_t gate, int64_t wCol, int64_t rCol, int64_t cols) {
    l.matrices.push_back({gate, wCol, rCol, l.ch, cols, l.tilesPerDirection});
    l.tilesPerDirection += l.ch * cols;
  };
  const int64_t gates = op.getNumGates();
  for (int64_t g = 0; g < gates; ++g) {
    const bool gruH = op.getCell() == fpga::RnnCell::gru && g == 2;
    if (!gruH)
      add(g, 0, l.cx, l.cx + l.ch);
    else if (!op.getLinearBeforeReset())
      add(g, l.ch, 0, l.ch + l.cx);
    else {
      add(g, -1, 0, l.ch);
      add(g, 0, -1, l.cx);
    }
  }
  return l;
}

inline int64_t tilesOf(fpga::RnnOp op, int64_t nativeDim) {
  return layoutOf(op, nativeDim).tilesPerDirection * op.getNumDirections();
}

} // namespace softnpu::rnn

#endif
