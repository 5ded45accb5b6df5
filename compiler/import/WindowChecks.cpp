//===- WindowChecks.cpp - Sliding-window attributes checked before inference ===//
#include "compiler/import/WindowChecks.h"
#include "compiler/import/NodeAttrs.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace softnpu::import {
namespace {

const std::set<std::string> kWindowOps = {"Conv",        "ConvTranspose", "ConvInteger", "QLinearConv", "MaxPool",
                                          "AveragePool", "LpPool",        "MaxRoiPool",  "MaxUnpool"};

std::string nodeName(const onnx::NodeProto &n, int index) {
  return "node '" + nodeLabel(n, static_cast<size_t>(index)) + "' (" + n.op_type() + ")";
}

void checkNode(const onnx::NodeProto &n, int index) {
  auto fail = [&](const std::string &why) { throw std::runtime_error(nodeName(n, index) + ": " + why); };
  for (const onnx::AttributeProto &a : n.attribute()) {
    const std::string &key = a.name();
    if (key == "group" && a.i() < 1)
      fail("group is " + std::to_string(a.i()) + "; it must be at least 1");
    const bool positive = key == "kernel_shape" || key == "strides" || key == "dilations";
    if (!positive && key != "pads" && key != "output_padding")
      continue;
    for (int64_t v : a.ints())
      if (positive ? v < 1 : v < 0)
        fail("attribute '" + key + "' has " + std::to_string(v) + "; every entry must be " +
             (positive ? "at least 1" : "at least 0"));
  }
}

using Dims = std::vector<int64_t>;

/// Every value's static shape that the graph declares (dims all known).
std::map<std::string, Dims> knownShapes(const onnx::GraphProto &g) {
  std::map<std::string, Dims> shapes;
  auto add = [&](const onnx::ValueInfoProto &vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
      return;
    Dims d;
    for (const auto &dim : vi.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value())
        return;
      d.push_back(dim.dim_value());
    }
    shapes[vi.name()] = d;
  };
  for (const auto &vi : g.input())
    add(vi);
  for (const auto &vi : g.value_info())
    add(vi);
  for (const auto &vi : g.output())
    add(vi);
  for (const auto &t : g.initializer())
    shapes[t.name()] = Dims(t.dims().begin(), t.dims().end());
  return shapes;
}

std::string str(int64_t v) { return std::to_string(v); }

void checkShapes(const onnx::NodeProto &n, int index, const std::map<std::string, Dims> &shapes) {
  auto fail = [&](const std::string &why) { throw std::runtime_error(nodeName(n, index) + ": " + why); };
  auto x = n.input_size() > 0 ? shapes.find(n.input(0)) : shapes.end();
  if (x == shapes.end() || x->second.size() < 3)
    return;
  const Dims &in = x->second;
  const size_t spatial = in.size() - 2;
  const bool conv = n.op_type() == "Conv", transpose = n.op_type() == "ConvTranspose";
  Dims kernel = intsAttr(n, "kernel_shape", {});
  if (conv || transpose) {
    auto w = n.input_size() > 1 ? shapes.find(n.input(1)) : shapes.end();
    if (w == shapes.end() || w->second.size() != in.size())
      return;
    const Dims &wd = w->second;
    if (kernel.empty())
      kernel.assign(wd.begin() + 2, wd.end());
    const int64_t group = intAttr(n, "group", 1);
    const int64_t cin = in[1], cout = transpose ? wd[1] * group : wd[0];
    if (cin % group != 0 || cout % group != 0)
      fail("group " + str(group) + " does not divide the " + str(cin) + " input and " + str(cout) + " output channels");
    if ((transpose ? wd[0] : wd[1] * group) != cin)
      fail("the weights [" + str(wd[0]) + ", " + str(wd[1]) + ", ...] do not fit " + str(cin) + " input channels in " +
           str(group) + " group(s)");
  }
  if (transpose || kernel.size() != spatial)
    return; // a transposed convolution's output grows; no window to fit
  const Dims dil = intsAttr(n, "dilations", Dims(spatial, 1));
  Dims pads = intsAttr(n, "pads", Dims(2 * spatial, 0));
  const std::string autoPad = stringAttr(n, "auto_pad", "NOTSET");
  if (autoPad != "NOTSET" || pads.size() != 2 * spatial)
    pads.assign(2 * spatial, 0); // SAME_* pads to fit; VALID has none
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t extent = (kernel[i] - 1) * (i < dil.size() ? dil[i] : 1) + 1;
    const int64_t padded = in[i + 2] + pads[i] + pads[i + spatial];
    // A pad may exceed the input (PyTorch exports Conv1d(padding=2) over one
    // element), but not the kernel: a window would then read only padding.
    if (std::max(pads[i], pads[i + spatial]) >= extent)
      fail("pads " + str(pads[i]) + ", " + str(pads[i + spatial]) + " of spatial axis " + str(i) +
           " reach the kernel's extent " + str(extent) + ": a window would read only padding");
    if (autoPad.rfind("SAME", 0) != 0 && extent > padded)
      fail("the kernel spans " + str(extent) + " along spatial axis " + str(i) + ", more than the " + str(padded) +
           " of the padded input");
  }
}

} // namespace

void checkWindowShapes(const onnx::GraphProto &graph) {
  const std::map<std::string, Dims> shapes = knownShapes(graph);
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    if ((n.domain().empty() || n.domain() == "ai.onnx") && kWindowOps.count(n.op_type()))
      checkShapes(n, i, shapes);
  }
}

void checkWindowAttributes(const onnx::GraphProto &graph) {
  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto &n = graph.node(i);
    if ((n.domain().empty() || n.domain() == "ai.onnx") && kWindowOps.count(n.op_type()))
      checkNode(n, i);
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.has_g())
        checkWindowAttributes(a.g());
      for (const onnx::GraphProto &g : a.graphs())
        checkWindowAttributes(g);
    }
  }
}

} // namespace softnpu::import
