//===- WindowRuns.h - A convolution's windows read straight from its map --===//
//
// A chain loop's convolution gathers each output pixel's window (K_H x K_W
// taps of WIN_C channels) into a vector and then quantizes it. When the map's
// blocks do not line up with the taps (IN_C not a multiple of the block
// size, such as a first layer's one or three channels), no block can be
// quantized once for all the windows that read it (ChainLoop.cpp's
// MapBlocks), but the copy can still be skipped: each block of a window is a
// few runs of consecutive map elements, the same for every pixel up to an
// offset, and numerics::prepareCompactRuns loads them straight into the
// registers it quantizes.
//
// Padding taps make the runs differ between pixels near the edges. A
// WindowRuns therefore reads from a zero-padded copy of the rows of the map
// the loop's windows reach (WIN_C channels per pixel): there every window is
// whole, padding taps read zeros as readWindow's do, and one table of runs
// serves every pixel. When none of the loop's windows has a padding tap (a
// 1 x 1 convolution, say), it reads the map itself.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_SIM_WINDOWRUNS_H
#define SOFTNPU_LIB_SIM_WINDOWRUNS_H

#include "softnpu/isa/Window.h"
#include "softnpu/numerics/Bfp.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace softnpu::sim::detail {

class WindowRuns {
public:
  /// Prepares the windows of pixels [first, first + count) of `w` (not
  /// upsampled) over the map at `map`, laid out in `lanes` lanes (a multiple
  /// of 16, at least the window's K_H x K_W x WIN_C): copies the padded map
  /// and tables the runs of each block of 16 lanes. False, with nothing to
  /// use, when the window is upsampled or the padded copy would be more than
  /// a few times the map (an output row far wider than the map).
  bool prepare(const isa::Window &w, const float *map, uint64_t first, uint32_t count, size_t lanes);

  /// What the runs read: the padded copy, or the map.
  const float *source() const { return source_; }
  size_t blocks() const { return runStart_.size() - 1; }
  const numerics::BlockRun *runs() const { return runs_.data(); }
  const uint32_t *runStart() const { return runStart_.data(); }
  /// The offsets in source() of the first tap of pixels [pixel, pixel + n).
  void bases(uint64_t pixel, uint32_t n, int64_t *out) const;

private:
  /// Adds the window lanes [lane, lane + len), which read consecutive padded
  /// elements from `offset` on, to the runs of the blocks they fall in.
  void addSegment(size_t lane, size_t len, int64_t offset, std::vector<std::vector<numerics::BlockRun>> &perBlock);

  /// Fills padded_ with map rows [rowLo_, rowHi], columns [colLo_, colLo_ + width_).
  void copyPadded(const float *map, int64_t rowHi);
  /// Tables the runs of each block of the window's `lanes` lanes.
  void tableRuns(size_t lanes);

  isa::Window w_;

  std::vector<float> padded_;
  const float *source_ = nullptr;
  int64_t rowLo_ = 0, colLo_ = 0; ///< map coordinates of source_'s first row and column
  int64_t width_ = 0;             ///< padded_'s columns
  int64_t pitch_ = 0, pixel_ = 0; ///< elements from one source row / pixel to the next
  std::vector<numerics::BlockRun> runs_;
  std::vector<uint32_t> runStart_{0};
};

} // namespace softnpu::sim::detail

#endif // SOFTNPU_LIB_SIM_WINDOWRUNS_H
