//===- InputShapes.h - Fixing a model's input shapes at compile time -*- C++ -*-===//
//
// The NPU runs static shapes. `--input-shape NAME=1x3x224x224` fixes a graph
// input's shape; without it, a dynamic leading dimension (a batch axis named
// `N` or `batch`) becomes 1 with a note that names the flag, and any other
// dynamic dimension is an error that prints the flag to use. The shapes are
// written into the model before ONNX shape inference, which then makes
// every shape in the graph static.
//
//===----------------------------------------------------------------------===//
#ifndef SOFTNPU_COMPILER_IMPORT_INPUTSHAPES_H
#define SOFTNPU_COMPILER_IMPORT_INPUTSHAPES_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace softnpu::import {

/// Graph input name -> the shape the user gave it.
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// Parses "NAME=D0xD1x..." (every D a positive integer; a scalar is
/// "NAME=") into `shapes`. False with `error` set (one line) when malformed
/// or when NAME was given before.
bool parseInputShape(const std::string &spec, InputShapes &shapes, std::string &error);

/// Fixes the shape of every graph input of `model` (initializers aside) as
/// the header says; appends a note per defaulted dimension to `notes`.
/// Throws std::runtime_error with a one-line message on contradictions,
/// unknown names and dynamic dimensions it may not default.
void fixInputShapes(onnx::ModelProto &model, const InputShapes &shapes, std::vector<std::string> &notes);

} // namespace softnpu::import

#endif
