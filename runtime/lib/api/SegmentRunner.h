//===- SegmentRunner.h - Run a format-3 artifact segment by segment -------===//
//
// A model compiled with host segments (Artifact::segments) runs as: graph
// inputs into a table of named tensors; each NPU segment on a device of its
// own (its inputs read from the table, its outputs written back), each host
// segment on runtime/lib/host; graph outputs read from the table.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_LIB_API_SEGMENTRUNNER_H
#define SOFTNPU_LIB_API_SEGMENTRUNNER_H

#include "softnpu/api/Session.h"

#include <memory>

namespace softnpu::api {

class SegmentRunner {
public:
  virtual ~SegmentRunner() = default;
  /// Runs with inputs already checked against the signature (signature
  /// order); outputs in signature order.
  virtual bool run(const std::vector<const Tensor *> &inputs, std::vector<Tensor> &outputs, std::string &error,
                   std::map<std::string, Tensor> *nodeTensors, timing::Profile *profile) = 0;
};

/// Prepares every segment of `a` (segmented) or fails with one line.
std::unique_ptr<SegmentRunner> createSegmentRunner(const artifact::Artifact &a, std::string &error);

} // namespace softnpu::api

#endif
